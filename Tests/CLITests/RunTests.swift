import TestSupport
import Foundation
import Testing

/// A world small enough for debug builds: 8 nodes, 12 shards, 10-minute epochs.
let tinyScenario = """
    name = "tiny"
    description = "8 nodes, 12 shards, a few writes and reads"
    seed = 9
    duration = "25m"

    [nodes]
    count = 8
    shards = 12

    [economics]
    preset = "testnet"
    epoch_duration = "10m"

    [fidelity]
    signatures = "modeled"

    [[workload]]
    name = "uploads"
    kind = "writes"
    count = 6
    inter_arrival_s = { kind = "exponential", mean = 30 }
    size = { kind = "lognormal", mu = 8.0, sigma = 1.0 }

    [[workload]]
    name = "downloads"
    kind = "reads"
    count = 6
    start = "3m"
    inter_arrival_s = { kind = "exponential", mean = 30 }
    """

func temporaryDirectory() throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("walrus-sim-cli-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir
}

@Suite struct RunCommandTests {
    @Test func runWritesACompleteDatabaseAndSameSeedSameContents() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("tiny.toml")
        try tinyScenario.write(to: file, atomically: true, encoding: .utf8)
        let a = try CLI.run(["run", file.path, "--quiet", "--out", dir.appendingPathComponent("a.sqlite").path])
        let b = try CLI.run(["run", file.path, "--quiet", "--out", dir.appendingPathComponent("b.sqlite").path])
        #expect(a.status == 0, "stderr: \(a.stderr) stdout: \(a.stdout)")
        #expect(a.stdout.contains("writes: 6 ok"), "\(a.stdout)")
        #expect(a.stdout.contains("checks: all passed"), "\(a.stdout)")
        // The summary's digest line is the event digest; equal across processes.
        func digest(_ s: String) -> String? { s.split(separator: "\n").first { $0.contains("event digest:") }.map(String.init) }
        #expect(digest(a.stdout) != nil && digest(a.stdout) == digest(b.stdout))
        // check-determinism compares database contents too.
        let check = try CLI.run(["check-determinism", file.path, "--checkpoint-every", "500"])
        #expect(check.status == 0, "\(check.stdout) \(check.stderr)")
        #expect(check.stdout.contains("deterministic:"), "\(check.stdout)")
    }

    @Test func badScenarioIsACleanErrorAndWritesNothing() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("bad.toml")
        try tinyScenario.replacingOccurrences(of: "shards = 12", with: "shards = 3").write(to: file, atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("out.sqlite")
        let r = try CLI.run(["run", file.path, "--quiet", "--out", out.path])
        #expect(r.status == 1)
        #expect(r.stderr.contains("bad.toml") && r.stderr.contains("shards"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out.path))
    }

    @Test func interruptedRunLeavesAnIncompleteDatabase() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("long.toml")
        let long = tinyScenario.replacingOccurrences(of: "duration = \"25m\"", with: "duration = \"3d\"")
            .replacingOccurrences(of: "count = 6", with: "count = 100000")
        try long.write(to: file, atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("long.sqlite")
        let p = Process()
        p.executableURL = CLI.executable
        p.arguments = ["run", file.path, "--quiet", "--out", out.path]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        // Wait until the run has registered itself, then interrupt it.
        for _ in 0..<200 where !FileManager.default.fileExists(atPath: out.path) { usleep(50_000) }
        usleep(500_000)
        kill(p.processIdentifier, SIGINT)
        p.waitUntilExit()
        #expect(p.terminationStatus == 130)
        let q = try CLI.shell("sqlite3 '\(out.path)' 'SELECT status FROM runs'")
        #expect(q.trimmingCharacters(in: .whitespacesAndNewlines) == "incomplete")
    }
}

@Suite struct ProvenanceTests {
    /// Every run records the commit the executable was built from (with `-dirty` when tracked
    /// files differed), the compiler that built it and the OS, and the cost model in its fidelity.
    @Test func runsRecordTheBuildsCommitCompilerAndCostModel() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("tiny.toml")
        try tinyScenario.write(to: file, atomically: true, encoding: .utf8)
        let db = dir.appendingPathComponent("p.sqlite").path
        let run = try CLI.run(["run", file.path, "--quiet", "--out", db])
        #expect(run.status == 0, "\(run.stderr)")
        let row = try CLI.shell("sqlite3 -separator '|' \(db) 'SELECT code_version, toolchain, fidelity FROM runs'")
        let fields = row.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "|").map(String.init)
        try #require(fields.count == 3, "\(row)")
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let head = try CLI.shell("git -C \(root.path) rev-parse HEAD 2>/dev/null").trimmingCharacters(in: .whitespacesAndNewlines)
        if head.count == 40 {
            #expect(fields[0] == head || fields[0] == head + "-dirty", "recorded \(fields[0]), HEAD is \(head)")
        } else {
            #expect(fields[0] == "unknown")
        }
        #expect(fields[1].contains("Swift version"), "\(fields[1])")
        #expect(fields[1].contains("Linux") || fields[1].contains("Debian"), "\(fields[1])")
        #expect(fields[2].contains("cpu_encode_bytes_per_s=419430400 cpu_hash_ns=200 cpu_signature_ns=470000"), "\(fields[2])")
    }
}
