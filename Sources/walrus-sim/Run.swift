import ArgumentParser
import Foundation
import ScenarioLoader
import Simulation

/// `walrus-sim run FILE`: runs a scenario and writes its results database.
struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a scenario file and write its results to SQLite.",
        discussion: """
            Runs every entry of the file's manifest (its seeds x sweep combinations) one after \
            the other, or only --index I. Results go to Results/<name>/<name>-seed<S>.sqlite \
            unless --out is given (a file for one run, a directory for several). Progress shows \
            on a terminal; a short summary is printed at the end. Ctrl-C stops cleanly and \
            leaves the database marked incomplete. Exit status: 0 ok, 1 bad input, 3 a checker \
            found a violation within the protocol's fault assumptions, 130 interrupted.
            """
    )

    @Argument(help: "The scenario file (TOML).") var file: String
    @Option(help: "Override the seed (0 ... 2^63-1).") var seed: UInt64?
    @Option(help: "Run only this manifest entry.") var index: Int?
    @Option(help: "Results database file (one run) or directory (several).") var out: String?
    @Flag(help: "No progress line.") var quiet = false
    @Flag(help: "Do not write a results database.") var noDatabase = false
    @Option(help: "Host threads for encoding (results are identical for any value).") var threads: Int = 1
    @Option(help: .hidden) var checkpointEvery: UInt64?
    @Option(help: .hidden) var checkpoints: String?
    @Option(help: .hidden) var traceFrom: UInt64?
    @Option(help: .hidden) var traceTo: UInt64?
    @Option(help: .hidden) var trace: String?

    func validate() throws {
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
        if let seed, seed > UInt64(Int64.max) { throw ValidationError("--seed must be at most 2^63-1") }
        if let checkpointEvery, checkpointEvery == 0 { throw ValidationError("--checkpoint-every must be positive") }
    }

    func run() throws {
        let (file, text) = try loadScenario(self.file)
        var entries = file.expand()
        if let index {
            guard let e = file.entry(index) else { throw CLIError("--index \(index) is out of range: \(self.file) has \(file.runCount) run(s)") }
            entries = [e]
        }
        if let seed { for i in entries.indices { entries[i].scenario.seed = seed } }
        installInterruptHandlers()
        var violated = false
        for entry in entries {
            var settings = RunSettings(quiet: quiet, encoderThreads: threads, checkpointEvery: checkpointEvery)
            if let a = traceFrom, let b = traceTo, a <= b { settings.traceWindow = a...b }
            if !noDatabase { settings.databasePath = databasePath(for: entry, runs: entries.count) }
            let outcome = try runScenario(entry, file: file, fileText: text, settings: settings)
            print(summary(outcome))
            if let p = outcome.databasePath {
                print("  results: \(p)")
                print("  try: sqlite3 \(p) \"SELECT kind, outcome, count(*), avg(end_ns - start_ns) / 1e9 AS mean_s FROM ops GROUP BY kind, outcome\"")
            }
            if let path = checkpoints {
                let lines = outcome.checkpoints.map { "\($0.0) \($0.1) \($0.2)" }
                try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
            }
            if let path = trace {
                let lines = outcome.trace.map { "\($0.sequence) \($0.time.nanoseconds) kind=\($0.kind) target=\($0.target) payload=\($0.payload)" }
                try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
            }
            if outcome.interrupted { throw ExitCode(130) }
            if outcome.world.violations.contains(where: { $0.withinAssumptions }) { violated = true }
        }
        if violated { throw ExitCode(3) }
    }

    func databasePath(for entry: ManifestEntry, runs: Int) -> String {
        let name = "\(entry.scenario.name)-seed\(entry.scenario.seed).sqlite"
        guard let out else { return "Results/\(entry.scenario.name)/\(name)" }
        if runs == 1 && !out.hasSuffix("/") { return out }
        return (out as NSString).appendingPathComponent(name)
    }
}

/// Loads and validates a scenario file; errors become clean CLI errors naming file and key.
func loadScenario(_ path: String) throws -> (ScenarioFile, String) {
    let file: ScenarioFile
    do { file = try ScenarioLoader.load(path: path) } catch { throw CLIError(error.description) }
    let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    return (file, text)
}
