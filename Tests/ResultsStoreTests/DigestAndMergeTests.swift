import Foundation
import ResultRecords
import ResultsStore
import SimSupport
import Testing

@Suite("Content digests, row order and merge")
struct DigestAndMergeTests {
    @Test("identical inputs give equal digests; wall-clock columns and run ids do not count")
    func digestIgnoresWallClock() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        try writeSampleRun(dir.path("a.sqlite"), id: "run-a", wall: false)
        try writeSampleRun(dir.path("b.sqlite"), id: "run-b", wall: true)
        let a = try ResultsDatabase(path: dir.path("a.sqlite")).contentDigest(runID: "run-a")
        let b = try ResultsDatabase(path: dir.path("b.sqlite")).contentDigest(runID: "run-b")
        #expect(a == b)
        #expect(a.count == 32)
    }

    @Test("one changed value changes the digest")
    func digestSeesChanges() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        try writeSampleRun(dir.path("a.sqlite"))
        try writeSampleRun(dir.path("b.sqlite"), tweak: true)
        let a = try ResultsDatabase(path: dir.path("a.sqlite")).contentDigest(runID: "run-1")
        let b = try ResultsDatabase(path: dir.path("b.sqlite")).contentDigest(runID: "run-1")
        #expect(a != b)
    }

    @Test("a run's status is part of its content")
    func digestSeesStatus() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        try writeSampleRun(dir.path("a.sqlite"))
        let store = try SQLiteResultsStore(path: dir.path("b.sqlite"), run: runInfo())
        recordSampleRun(into: store)
        try store.fail(reason: "stopped")
        #expect(try ResultsDatabase(path: dir.path("a.sqlite")).contentDigest(runID: "run-1")
            != ResultsDatabase(path: dir.path("b.sqlite")).contentDigest(runID: "run-1"))
    }

    @Test("rows read back in key order whatever the order they were recorded in")
    func deterministicRowOrder() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        // Operations end (and are recorded) out of id order; a fixed permutation of 0..<200.
        let ids = (0..<200 as Range<UInt64>).map { ($0 * 73) % 200 }
        for (name, order) in [("shuffled.sqlite", ids), ("sorted.sqlite", ids.sorted())] {
            let store = try SQLiteResultsStore(path: dir.path(name), run: runInfo(), batchRows: 16)
            for id in order {
                store.record(OperationRecord(opID: id, kind: .read, blobIndex: id / 2, client: NodeID(UInt32(id % 5)),
                                             startNs: id * 10, endNs: id * 10 + 7, outcome: .success, bytes: id))
            }
            try store.finish(summary())
        }
        let shuffled = try ResultsDatabase(path: dir.path("shuffled.sqlite"))
        let sorted = try ResultsDatabase(path: dir.path("sorted.sqlite"))
        #expect(try shuffled.query("SELECT op_id FROM ops") == (0..<200).map { [.integer($0)] })
        #expect(try shuffled.contentDigest(runID: "run-1") == sorted.contentDigest(runID: "run-1"))
        var visited: [String] = []
        try shuffled.forEachContentRow(runID: "run-1") { table, columns, _ in
            if visited.last != table { visited.append(table) }
            #expect(!columns.contains("run_id") && !columns.contains { $0.hasPrefix("wall_") })
        }
        #expect(visited == ["runs", "ops"])
    }

    @Test("the collecting sink keeps records in order and replays into the database unchanged")
    func collectingSinkReplays() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let memory = CollectingResultsSink(run: runInfo())
        recordSampleRun(into: memory)
        try memory.finish(summary())
        #expect(memory.status == .complete)
        #expect(memory.operations.map(\.opID) == [0, 1])
        #expect(memory.metrics.map(\.value) == [.double(0.75), .int(4096)])
        #expect((memory.nodes.count, memory.epochs.count, memory.committee.count, memory.blobs.count) == (2, 2, 2, 2))
        #expect((memory.flows.count, memory.faults.count, memory.phases.count) == (2, 2, 2))

        try memory.replay(into: SQLiteResultsStore(path: dir.path("replayed.sqlite"), run: runInfo()))
        try writeSampleRun(dir.path("direct.sqlite"))
        #expect(try ResultsDatabase(path: dir.path("replayed.sqlite")).contentDigest(runID: "run-1")
            == ResultsDatabase(path: dir.path("direct.sqlite")).contentDigest(runID: "run-1"))
    }

    @Test("merge copies complete runs, skips present and unfinished ones, and resumes")
    func mergeSkipsPresentRuns() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let (a, b, c, out) = (dir.path("a.sqlite"), dir.path("b.sqlite"), dir.path("c.sqlite"), dir.path("out.sqlite"))
        try writeSampleRun(a, id: "run-a", wall: true)
        try writeSampleRun(b, id: "run-b")
        do {  // run-c was interrupted
            let store = try SQLiteResultsStore(path: c, run: runInfo("run-c"))
            recordSampleRun(into: store)
        }

        let first = try ResultsDatabase.merge(sources: [a, b, c], into: out)
        #expect(first.entries.map(\.outcome) == [.copied, .copied, .skippedNotComplete(.incomplete)])
        #expect(first.copied == ["run-a", "run-b"])

        let merged = try ResultsDatabase(path: out)
        #expect(try merged.runs().map(\.runID) == ["run-a", "run-b"])
        #expect(try merged.contentDigest(runID: "run-a") == ResultsDatabase(path: a).contentDigest(runID: "run-a"))
        #expect(try merged.contentDigest(runID: "run-b") == ResultsDatabase(path: b).contentDigest(runID: "run-b"))
        // Wall-clock columns are copied too, although digests ignore them.
        #expect(try merged.query("SELECT wall_elapsed_ns FROM runs ORDER BY run_id") == [[.integer(300_000_000_000)], [.null]])

        // The sweep resumes: run-c is redone to completion and everything is merged again.
        try writeSampleRun(dir.path("c2.sqlite"), id: "run-c")
        let second = try ResultsDatabase.merge(sources: [a, b, dir.path("c2.sqlite")], into: out)
        #expect(second.entries.map(\.outcome) == [.skippedPresent, .skippedPresent, .copied])
        #expect(second.skipped.map(\.runID) == ["run-a", "run-b"])
        #expect(try ResultsDatabase(path: out).runs().map(\.runID) == ["run-a", "run-b", "run-c"])
        #expect(try ResultsDatabase(path: out).rowCount("ops", runID: "run-c") == 2)
    }

    @Test("a complete run replaces an unfinished copy in the destination")
    func mergeReplacesUnfinished() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let (out, src) = (dir.path("out.sqlite"), dir.path("src.sqlite"))
        do {  // The destination holds an interrupted attempt with one operation.
            let store = try SQLiteResultsStore(path: out, run: runInfo("run-x"))
            store.record(OperationRecord(opID: 99, kind: .read, blobIndex: nil, client: NodeID(0), startNs: 0,
                                         endNs: nil, outcome: .unfinished, bytes: 0))
        }
        try writeSampleRun(src, id: "run-x")
        let report = try ResultsDatabase.merge(sources: [src], into: out)
        #expect(report.entries.map(\.outcome) == [.replaced(previous: .incomplete)])
        let merged = try ResultsDatabase(path: out)
        #expect(try merged.status(runID: "run-x") == .complete)
        #expect(try merged.contentDigest(runID: "run-x") == ResultsDatabase(path: src).contentDigest(runID: "run-x"))
    }

    @Test("merge refuses to merge a file into itself, or any bad source, before writing anything")
    func mergeErrors() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let (a, out, junk) = (dir.path("a.sqlite"), dir.path("out.sqlite"), dir.path("junk.sqlite"))
        try writeSampleRun(a, id: "run-a")
        #expect(throws: ResultsStoreError.mergeIntoSource(path: a)) { try ResultsDatabase.merge(sources: [a], into: a) }
        #expect(FileManager.default.createFile(atPath: junk, contents: Data()))
        #expect(throws: ResultsStoreError.notAResultsDatabase(path: junk)) {
            try ResultsDatabase.merge(sources: [a, junk], into: out)
        }
        #expect(!FileManager.default.fileExists(atPath: out))
        #expect(try ResultsDatabase.merge(sources: [a], into: out).copied == ["run-a"])
    }
}
