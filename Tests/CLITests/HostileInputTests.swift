import Foundation
import TestSupport
import Testing

/// What a hostile (or unlucky) user does to the command line: outputs onto other files, values
/// at and past every limit, odd names, bad scheduler variables. Nothing of the user's is ever
/// destroyed, `validate` refuses what `run` would, and exit 1 writes nothing.
@Suite struct HostileInputTests {
    /// The tiny scenario with `overrides` appended to its sections by a simple text patch.
    func scenario(_ dir: URL, _ name: String = "tiny.toml", patch: (String) -> String = { $0 }) throws -> URL {
        let file = dir.appendingPathComponent(name)
        try patch(tinyScenario).write(to: file, atomically: true, encoding: .utf8)
        return file
    }

    func bytes(_ path: String) -> Data? { FileManager.default.contents(atPath: path) }

    @Test func outNeverOverwritesATextFileAForeignDatabaseALinkADirectoryOrADevice() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = try scenario(dir)
        let text = dir.appendingPathComponent("notes.txt").path
        try "my notes, not a database\n".write(toFile: text, atomically: true, encoding: .utf8)
        let foreign = dir.appendingPathComponent("other.sqlite").path
        _ = try CLI.shell("sqlite3 \(foreign) 'CREATE TABLE accounts(id INTEGER, balance INTEGER); INSERT INTO accounts VALUES (1, 100)'")
        let link = dir.appendingPathComponent("link.sqlite").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: text)
        let folder = dir.appendingPathComponent("folder").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        let before = [text: bytes(text), foreign: bytes(foreign)]
        for (path, says) in [(text, "not a walrus-sim results database"), (foreign, "not a walrus-sim results database"),
                             (link, "symbolic link"), (folder, "directory"), ("/dev/null", "character device")] {
            let out = try CLI.run(["run", file.path, "--quiet", "--out", path])
            #expect(out.status == 1, "\(path): \(out.stderr)")
            #expect(out.stderr.contains(says), "\(path): \(out.stderr)")
        }
        #expect(bytes(text) == before[text]!)
        #expect(bytes(foreign) == before[foreign]!)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == text)
        #expect(FileManager.default.fileExists(atPath: "/dev/null"))
        for suffix in ["-wal", "-shm", "-journal"] {
            #expect(!FileManager.default.fileExists(atPath: foreign + suffix), "left \(foreign + suffix)")
            #expect(!FileManager.default.fileExists(atPath: text + suffix))
        }
        // A stray journal without its database is not replayed into a new file.
        let stray = dir.appendingPathComponent("stray.sqlite").path
        try "journal".write(toFile: stray + "-wal", atomically: true, encoding: .utf8)
        let out = try CLI.run(["run", file.path, "--quiet", "--out", stray])
        #expect(out.status == 1 && out.stderr.contains("stray.sqlite-wal"), "\(out.stderr)")
        #expect(!FileManager.default.fileExists(atPath: stray))
    }

    @Test func outIntoAResultsDatabaseAddsTheRunAndReplacesOnlyTheSameRun() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = try scenario(dir)
        let b = try scenario(dir, "other.toml") { $0.replacingOccurrences(of: "seed = 9", with: "seed = 10") }
        let db = dir.appendingPathComponent("all.sqlite").path
        #expect(try CLI.run(["run", a.path, "--quiet", "--out", db]).status == 0)
        #expect(try CLI.run(["run", b.path, "--quiet", "--out", db]).status == 0)
        func runs() throws -> String { try CLI.shell("sqlite3 \(db) 'SELECT run_id, status FROM runs ORDER BY run_id'") }
        #expect(try runs() == "tiny-seed10|complete\ntiny-seed9|complete\n")
        let opsBefore = try CLI.shell("sqlite3 \(db) \"SELECT count(*) FROM ops WHERE run_id = 'tiny-seed10'\"")
        let again = try CLI.run(["run", a.path, "--out", db])  // not quiet: it says what it replaced
        #expect(again.status == 0)
        #expect(again.stderr.contains("already held run tiny-seed9 (complete); it was replaced"), "\(again.stderr)")
        #expect(try runs() == "tiny-seed10|complete\ntiny-seed9|complete\n")
        #expect(try CLI.shell("sqlite3 \(db) \"SELECT count(*) FROM ops WHERE run_id = 'tiny-seed10'\"") == opsBefore)
    }

    @Test func mergeReportsARunPresentWithAnotherDigestAndLeavesItAlone() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = try scenario(dir)
        // Same name and seed (so the same run id), different workload: other results.
        let b = try scenario(dir, "changed.toml") { $0.replacingOccurrences(of: "mu = 8.0", with: "mu = 8.5") }
        let one = dir.appendingPathComponent("one.sqlite").path, two = dir.appendingPathComponent("two.sqlite").path
        #expect(try CLI.run(["run", a.path, "--quiet", "--out", one]).status == 0)
        #expect(try CLI.run(["run", b.path, "--quiet", "--out", two]).status == 0)
        let digest = try CLI.shell("sqlite3 \(one) 'SELECT event_digest FROM runs'")
        let merged = try CLI.run(["merge", one, two])
        #expect(merged.status == 1, "\(merged.stdout) \(merged.stderr)")
        #expect(merged.stdout.contains("CONFLICT"), "\(merged.stdout)")
        #expect(try CLI.shell("sqlite3 \(one) 'SELECT event_digest FROM runs'") == digest)
        // Merging the same results again is a plain skip.
        let same = dir.appendingPathComponent("same.sqlite").path
        #expect(try CLI.run(["run", a.path, "--quiet", "--out", same]).status == 0)
        let skip = try CLI.run(["merge", one, same])
        #expect(skip.status == 0 && skip.stdout.contains("skipped: already present"), "\(skip.stdout)")
    }

    /// Every value `run` would refuse, `validate` refuses first, naming key and line; `run`
    /// exits 1 and writes nothing.
    @Test(arguments: [
        ("shards = 12", "shards = 49156", "nodes.shards"),
        ("shards = 12", "shards = 65535", "nodes.shards"),
        ("duration = \"25m\"", "duration = \"400000d\"", "duration"),
        ("duration = \"25m\"", "duration = 1e10", "duration"),
        ("duration = \"25m\"", "duration = \"25m\"\nmetrics_interval = \"1ns\"", "metrics_interval"),
        ("name = \"tiny\"", "name = \"..\"", "name"),
        ("name = \"tiny\"", "name = \".hidden\"", "name"),
        ("name = \"tiny\"", "name = \"a/b\"", "name"),
        ("count = 8", "count = 8\n    capacity = 9223372036854775807", "nodes.capacity"),
        ("count = 8", "count = 8\n    stake = { kind = \"equal\", total_wal = 18000000000 }", "economics.client_balance_wal"),
        ("count = 8", "count = 8\n    stake = { kind = \"dirichlet\", total_wal = 1000, alpha = 1e-300 }", "nodes.stake"),
        ("[fidelity]", "[clients]\n    count = 100000\n\n    [fidelity]", "economics.client_balance_wal"),
        ("[fidelity]", "[[fault]]\n    kind = \"throttle\"\n    at = \"1m\"\n    nodes = [1]\n    permille = 0\n\n    [fidelity]", "fault[0].permille"),
        ("[fidelity]", "[[fault]]\n    kind = \"crash\"\n    at = \"1m\"\n    duration = \"300000d\"\n    nodes = [1]\n\n    [fidelity]", "fault[0].duration"),
        ("size = { kind = \"lognormal\", mu = 8.0, sigma = 1.0 }", "size = { kind = \"constant\", value = 1e12 }", "workload[0].size"),
    ])
    func validateRefusesWhatRunWouldRefuse(_ find: String, _ replace: String, _ key: String) throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = try scenario(dir) { $0.replacingOccurrences(of: find, with: replace) }
        let v = try CLI.run(["validate", file.path])
        #expect(v.status == 1, "validate accepted \(replace): \(v.stdout)")
        #expect(v.stderr.contains(key) && v.stderr.contains("(line "), "\(v.stderr)")
        let out = dir.appendingPathComponent("r.sqlite").path
        let r = try CLI.run(["run", file.path, "--quiet", "--out", out])
        #expect(r.status == 1, "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    @Test func aHugeSweepAxisIsRefusedBeforeAnyWork() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let values = (1...1_000_000).map(String.init).joined(separator: ",")
        let file = try scenario(dir) { $0 + "\n[sweep]\n\"nodes.count\" = [\(values)]\n" }
        let v = try CLI.run(["validate", file.path])
        #expect(v.status == 1 && v.stderr.contains("expected at most 100000 values"), "\(v.stderr)")
    }

    @Test func aNonNumericArrayIndexIsAnError() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = try scenario(dir) { $0 + "\n[sweep]\n\"nodes.count\" = [6, 8]\n" }
        for bad in ["abc", "-1", "1.5", ""] {
            let out = try CLI.run(["sweep", file.path, "--out", dir.appendingPathComponent("s").path], environment: ["SLURM_ARRAY_TASK_ID": bad])
            #expect(out.status == 1, "SLURM_ARRAY_TASK_ID=\(bad): \(out.stdout)")
            #expect(out.stderr.contains("SLURM_ARRAY_TASK_ID"), "\(out.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("s").path))
    }

    @Test func blobIDAndEncodeRefuseShardCountsTheCodecCannotBuild() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("f.bin")
        try Data("hello".utf8).write(to: file)
        for n in ["49156", "65535", "3"] {
            let out = try CLI.run(["blob-id", file.path, "--shards", n])
            #expect(out.status == 1 && out.stderr.contains("--shards \(n)") && out.stderr.contains("49155"), "\(out.stderr)")
        }
    }
}
