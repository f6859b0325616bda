import ArgumentParser
import Foundation
import ResultsStore
import ScenarioLoader

/// `walrus-sim sweep FILE`: runs a scenario file's whole manifest (sweep combinations x seeds),
/// one results database per run, then merges them.
///
/// DESIGN §8: each run is an independent, deterministic process. `--index I` runs one entry;
/// with no `--index`, `SLURM_ARRAY_TASK_ID` or `JOB_COMPLETION_INDEX` choose it, so a Slurm job
/// array or a Kubernetes Indexed Job runs the sweep (templates in Scripts/cluster/). Locally,
/// without an index, entries run in `--jobs` parallel processes. Runs whose database already
/// holds a complete run are skipped, so an interrupted sweep resumes where it stopped.
struct Sweep: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run every entry of a scenario's manifest (or one, by index) and merge the results."
    )

    @Argument(help: "The scenario file (TOML).") var file: String
    @Option(help: "Run only this manifest entry (default: $SLURM_ARRAY_TASK_ID or $JOB_COMPLETION_INDEX, else all).")
    var index: Int?
    @Option(help: "Parallel processes when running locally.") var jobs: Int = 2
    @Option(help: "Directory for the per-run databases and the merged one.") var out: String?
    @Flag(help: "Print the manifest and exit.") var manifest = false

    func validate() throws {
        guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1") }
    }

    func run() throws {
        let (scenarioFile, _) = try loadScenario(file)
        let entries = scenarioFile.expand()
        let name = (file as NSString).lastPathComponent.replacingOccurrences(of: ".toml", with: "")
        let dir = out ?? "Results/\(name)"
        if manifest {
            for e in entries {
                let o = e.overrides.map(\.description).joined(separator: ", ")
                print("\(e.index)\t\(e.scenario.name)\tseed=\(e.seed)\t\(o)")
            }
            return
        }
        let chosen = try index ?? Self.indexFromEnvironment(ProcessInfo.processInfo.environment)
        if let i = chosen {
            guard scenarioFile.entry(i) != nil else { throw CLIError("index \(i) is out of range: \(file) has \(entries.count) run(s)") }
        }
        try CLIFiles.prepareOutputDirectory(dir, option: out == nil ? "output directory" : "--out")
        if let i = chosen {
            guard let e = scenarioFile.entry(i) else { throw CLIError("index \(i) is out of range: \(file) has \(entries.count) run(s)") }
            try runEntries([e], dir: dir, jobs: 1)
            return
        }
        try runEntries(entries, dir: dir, jobs: jobs)
        let databases = entries.map { dbPath($0, dir) }.filter { FileManager.default.fileExists(atPath: $0) }
        let merged = (dir as NSString).appendingPathComponent("\(name).sqlite")
        let report = try ResultsDatabase.merge(sources: databases, into: merged)
        print("merged into \(merged): \(report.copied.count) run(s) copied, \(report.entries.count - report.copied.count) skipped")
        if !report.conflicts.isEmpty {
            throw CLIError("\(merged) already holds \(report.conflicts.map(\.runID).joined(separator: ", ")) with a different event digest; not merged")
        }
    }

    /// The manifest index a job array gives this task: `SLURM_ARRAY_TASK_ID`, else
    /// `JOB_COMPLETION_INDEX`, else none (run everything). A value that is not a non-negative
    /// integer is an error: running the whole sweep in every array task would be a silent disaster.
    static func indexFromEnvironment(_ env: [String: String]) throws -> Int? {
        for name in ["SLURM_ARRAY_TASK_ID", "JOB_COMPLETION_INDEX"] {
            guard let text = env[name] else { continue }
            guard let i = Int(text.trimmingCharacters(in: .whitespaces)), i >= 0 else {
                throw CLIError("\(name)=\"\(text)\" is not a manifest index (expected an integer >= 0)")
            }
            return i
        }
        return nil
    }

    func dbPath(_ e: ManifestEntry, _ dir: String) -> String {
        (dir as NSString).appendingPathComponent("\(e.scenario.name)-seed\(e.seed).sqlite")
    }

    /// Whether `path` already holds the complete run of `e`.
    func isComplete(_ e: ManifestEntry, _ path: String) -> Bool {
        guard FileManager.default.fileExists(atPath: path), let db = try? ResultsDatabase(path: path) else { return false }
        return (try? db.status(runID: "\(e.scenario.name)-seed\(e.seed)")) == .complete
    }

    func runEntries(_ entries: [ManifestEntry], dir: String, jobs: Int) throws {
        var pending = entries.filter { e in
            let done = isComplete(e, dbPath(e, dir))
            if done { print("skip \(e.index) \(e.scenario.name): already complete") }
            return !done
        }
        var running: [(ManifestEntry, Process)] = []
        var failures: [String] = []
        while !pending.isEmpty || !running.isEmpty {
            while running.count < jobs, !pending.isEmpty {
                let e = pending.removeFirst()
                let p = Process()
                p.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
                p.arguments = ["run", file, "--index", String(e.index), "--quiet", "--out", dbPath(e, dir)]
                p.standardOutput = FileHandle.nullDevice
                try p.run()
                print("start \(e.index) \(e.scenario.name) (seed \(e.seed))")
                running.append((e, p))
            }
            // Wait for the oldest; runs are similar in length, so this keeps both slots busy.
            let (e, p) = running.removeFirst()
            p.waitUntilExit()
            let status = p.terminationStatus
            print("done  \(e.index) \(e.scenario.name): exit \(status)\(status == 3 ? " (checker violation)" : "")")
            if status != 0 && status != 3 { failures.append("\(e.index) \(e.scenario.name) (exit \(status))") }
        }
        if !failures.isEmpty { throw CLIError("runs failed: " + failures.joined(separator: ", ")) }
    }
}
