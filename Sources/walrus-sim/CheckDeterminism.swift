import ArgumentParser
import Foundation
import ResultsStore
import ScenarioLoader

/// `walrus-sim check-determinism FILE`: runs a scenario twice in separate processes and checks
/// that the event streams and the databases' contents are identical.
///
/// Separate processes matter: Swift seeds `Hasher` per process, so a result that depended on
/// dictionary order would differ between processes, never within one. Each child writes digest
/// checkpoints every `--checkpoint-every` events; on a mismatch both are re-run with a full
/// trace of the window before the first differing checkpoint, and the first differing event is
/// reported.
struct CheckDeterminism: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-determinism",
        abstract: "Run a scenario twice and report the first divergent event, if any."
    )

    @Argument(help: "The scenario file (TOML).") var file: String
    @Option(help: "Override the seed.") var seed: UInt64?
    @Option(help: "Manifest entry to check.") var index: Int = 0
    @Option(help: "Digest checkpoint interval, in events.") var checkpointEvery: UInt64 = 10_000

    func validate() throws {
        guard checkpointEvery > 0 else { throw ValidationError("--checkpoint-every must be positive") }
    }

    func run() throws {
        let (scenarioFile, _) = try loadScenario(file)
        guard let entry = scenarioFile.entry(index) else {
            throw CLIError("--index \(index) is out of range: \(file) has \(scenarioFile.runCount) run(s)")
        }
        let seedValue = seed ?? entry.scenario.seed
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("walrus-sim-determinism-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }

        func child(_ name: String, extra: [String] = []) throws -> (db: String, checkpoints: [String]) {
            let db = dir.appendingPathComponent("\(name).sqlite").path
            let cp = dir.appendingPathComponent("\(name).checkpoints").path
            var args = ["run", file, "--index", String(index), "--seed", String(seedValue), "--quiet", "--out", db,
                        "--checkpoint-every", String(checkpointEvery), "--checkpoints", cp]
            args += extra
            let status = try runSelf(args)
            guard status == 0 || status == 3 else { throw CLIError("run \(name) exited with status \(status)") }
            let lines = (try? String(contentsOfFile: cp, encoding: .utf8))?.split(separator: "\n").map(String.init) ?? []
            return (db, lines)
        }

        print("running \(file) (entry \(index), seed \(seedValue)) twice ...")
        let a = try child("a"), b = try child("b")
        let runID = "\(entry.scenario.name)-seed\(seedValue)"
        let digestA = try ResultsDatabase(path: a.db).contentDigest(runID: runID)
        let digestB = try ResultsDatabase(path: b.db).contentDigest(runID: runID)

        if a.checkpoints == b.checkpoints && digestA == digestB {
            print("deterministic: \(a.checkpoints.count) checkpoints agree; database contents agree (digest \(digestA))")
            return
        }
        guard let i = zip(a.checkpoints, b.checkpoints).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset
                ?? (a.checkpoints.count != b.checkpoints.count ? min(a.checkpoints.count, b.checkpoints.count) : nil)
        else {
            print("NOT deterministic: event streams agree but database contents differ (\(digestA) vs \(digestB))")
            throw ExitCode(1)
        }
        let from = UInt64(i) * checkpointEvery + 1, to = UInt64(i + 1) * checkpointEvery
        print("NOT deterministic: event digests diverge between events \(from) and \(to); tracing that window ...")
        let traceA = dir.appendingPathComponent("a.trace").path, traceB = dir.appendingPathComponent("b.trace").path
        _ = try child("a2", extra: ["--trace-from", String(from), "--trace-to", String(to), "--trace", traceA])
        _ = try child("b2", extra: ["--trace-from", String(from), "--trace-to", String(to), "--trace", traceB])
        let ta = (try? String(contentsOfFile: traceA, encoding: .utf8))?.split(separator: "\n") ?? []
        let tb = (try? String(contentsOfFile: traceB, encoding: .utf8))?.split(separator: "\n") ?? []
        if let k = zip(ta, tb).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset {
            print("first divergent event: #\(from + UInt64(k))")
            print("  run a: \(ta[k])")
            print("  run b: \(tb[k])")
        } else {
            print("the traced window did not reproduce the divergence (it depends on more than the seed)")
        }
        throw ExitCode(1)
    }
}

/// Runs this executable with `arguments`, passing stdout/stderr through; returns the status.
func runSelf(_ arguments: [String]) throws -> Int32 {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
    if !FileManager.default.isExecutableFile(atPath: p.executableURL!.path) {
        p.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    }
    p.arguments = arguments
    p.standardOutput = FileHandle.nullDevice
    try p.run()
    p.waitUntilExit()
    return p.terminationStatus
}
