import Foundation
import ResultRecords
import ResultsStore
import SimSupport
import Testing

@Suite("SQLite results writer")
struct WriterTests {
    @Test("a new file gets every table and view, schema version 6, WAL journal")
    func schemaCreation() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        try writeSampleRun(dir.path("a.sqlite"))
        let db = try ResultsDatabase(path: dir.path("a.sqlite"))
        let names = try db.query("SELECT type || ' ' || name FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%' ORDER BY 1")
            .map { $0[0].description }
        let tables = ["blobs", "committee", "epochs", "faults", "flows", "metrics", "node_epochs", "nodes", "op_phases", "ops", "runs"]
        #expect(names == tables.map { "table " + $0 } + tables.map { "view \($0)_h" })
        #expect(try db.query("PRAGMA user_version") == [[.integer(6)]])
        #expect(try db.query("PRAGMA journal_mode") == [[.text("wal")]])
        // Every table carries run_id first, so merged files can hold many runs.
        for table in tables {
            #expect(try db.query("SELECT name FROM pragma_table_info(?1) WHERE cid = 0", [.text(table)]) == [[.text("run_id")]])
        }
    }

    @Test("every record kind comes back as written, NULLs and value types included")
    func roundTrip() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        try writeSampleRun(dir.path("a.sqlite"), wall: true)
        let db = try ResultsDatabase(path: dir.path("a.sqlite"))
        func rows(_ sql: String) throws -> [[DBValue]] { try db.query(sql) }

        #expect(try rows("SELECT * FROM runs") == [[
            .text("run-1"), .text("quickstart"), .text("abc123"), .text("[network]\nnodes = 4\n"), .text(#"{"nodes":4}"#),
            .integer(42), .text("test"), .text("swift-6.3.1"), .text("encoding=real payload=full signatures=modeled"),
            .text("complete"), .null, .integer(3), .text(summary().eventDigest.hex), .integer(7_200_000_000_000),
            .text("2026-11-28T13:00:00Z"), .text("2026-11-28T13:05:00Z"), .integer(300_000_000_000),
        ]])
        #expect(try rows("SELECT * FROM nodes") == [
            [.text("run-1"), .integer(0), .text("n0"), .text("eu-west"), .text("honest"), .integer(1 << 40), .integer(500), .integer(1_000_000_000_000)],
            [.text("run-1"), .integer(1), .text("n1"), .text("us-east"), .text("crashed"), .integer(1 << 39), .integer(1000), .integer(2_000_000_000_000)],
        ])
        #expect(try rows("SELECT * FROM epochs") == [
            [.text("run-1"), .integer(0), .integer(0), .integer(5_000_000_000), .integer(3_600_000_000_000), .integer(11_000),
             .integer(20_000), .integer(3 << 39), .integer(1 << 30), .integer(3_000_000_000_000), .integer(7_000_000_000), .integer(123)],
            [.text("run-1"), .integer(1), .integer(3_600_000_000_000), .null, .null, .integer(11_000),
             .integer(20_000), .integer(3 << 39), .integer(2 << 30), .integer(3_000_000_000_000), .integer(0), .integer(0)],
        ])
        #expect(try rows("SELECT * FROM committee") == [
            [.text("run-1"), .integer(0), .integer(0), .integer(334), .integer(1_000_000_000_000)],
            [.text("run-1"), .integer(0), .integer(1), .integer(666), .integer(2_000_000_000_000)],
        ])
        #expect(try rows("SELECT * FROM blobs") == [
            [.text("run-1"), .integer(0), .text("M5EzQ0qqdwT6cYVvUJn3gFiD8yHJ4xq5T4ztGwkNe0U"), .integer(1 << 20), .integer(5 << 20),
             .integer(1_000), .integer(2_500_000_000), .integer(5), .text("certified"), .integer(1), .null, .integer(1), .null],
            [.text("run-1"), .integer(1), .text(""), .integer(0), .integer(64 << 20), .integer(9), .null, .integer(2),
             .text("registered"), .integer(0), .null, .integer(1), .null],
        ])
        #expect(try rows("SELECT * FROM ops") == [
            [.text("run-1"), .integer(0), .text("write"), .integer(0), .integer(7), .integer(0), .integer(2_500_000_000),
             .text("success"), .integer(1 << 20), .integer(1), .null],
            [.text("run-1"), .integer(1), .text("read"), .null, .integer(7), .integer(10), .null, .text("unfinished"),
             .integer(0), .integer(2), .text("run ended")],
        ])
        #expect(try rows("SELECT * FROM flows") == [
            [.text("run-1"), .integer(0), .integer(0), .integer(1_000), .text("storage_payment"), .text("client:7"),
             .text("storage_fund"), .integer(55_000)],
            [.text("run-1"), .integer(1), .integer(0), .integer(3_600_000_000_000), .text("burn"), .text("storage_fund"),
             .text("burn"), .integer(123)],
        ])
        #expect(try rows("SELECT *, typeof(value) FROM metrics") == [
            [.text("run-1"), .integer(0), .text("reads_available_ratio"), .integer(1_000_000_000), .real(0.75), .text("real")],
            [.text("run-1"), .integer(1), .text("recovery_bytes"), .integer(1_000_000_000), .integer(4096), .text("integer")],
        ])
        #expect(try rows("SELECT * FROM faults") == [
            [.text("run-1"), .integer(0), .integer(100), .text("crash"), .text("node:1"), .text(""), .null],
            [.text("run-1"), .integer(1), .integer(200), .text("packet_loss"), .text("region:eu-west"), .text("loss=0.2"), .integer(900)],
        ])
        #expect(try rows("SELECT * FROM op_phases") == [
            [.text("run-1"), .integer(0), .integer(0), .text("encode"), .text("phase"), .integer(0), .integer(40_000_000)],
            [.text("run-1"), .integer(0), .integer(1), .text("store_upload"), .text("span"), .integer(900_000_000), .integer(1_000_000_000)],
        ])
    }

    @Test("views convert to seconds, WAL, MiB and GiB")
    func humanViews() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        try writeSampleRun(dir.path("a.sqlite"), wall: true)
        let db = try ResultsDatabase(path: dir.path("a.sqlite"))
        #expect(try db.query("SELECT latency_s, size_mib FROM ops_h WHERE op_id = 0") == [[.real(2.5), .real(1.0)]])
        #expect(try db.query("SELECT expansion, certify_delay_s FROM blobs_h WHERE blob_index = 0")
            == [[.real(5.0), .real(2.499999)]])
        #expect(try db.query("SELECT amount_wal FROM flows_h WHERE seq = 0") == [[.real(0.000055)]])
        #expect(try db.query("SELECT capacity_gib, commission_pct, initial_stake_wal FROM nodes_h WHERE node_id = 0")
            == [[.real(1024), .real(5), .real(1000)]])
        #expect(try db.query("SELECT sync_duration_s, duration_s, reward_pool_wal FROM epochs_h WHERE epoch = 0")
            == [[.real(5), .real(3600), .real(7)]])
        #expect(try db.query("SELECT end_s, wall_elapsed_s FROM runs_h") == [[.real(7200), .real(300)]])
        #expect(try db.query("SELECT duration_s FROM faults_h ORDER BY seq") == [[.null], [.real(7e-7)]])
        #expect(try db.query("SELECT op_kind, size_mib, phase, duration_s FROM op_phases_h ORDER BY seq")
            == [[.text("write"), .real(1.0), .text("encode"), .real(0.04)], [.text("write"), .real(1.0), .text("store_upload"), .real(0.1)]])
    }

    @Test("rows are committed in batches of batchRows and all arrive across flush boundaries")
    func batching() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let path = dir.path("a.sqlite")
        let store = try SQLiteResultsStore(path: path, run: runInfo(), batchRows: 7)
        let reader = try ResultsDatabase(path: path)
        for i in 0..<50 as Range<UInt64> {
            store.record(OperationRecord(opID: i, kind: .read, blobIndex: i, client: NodeID(0), startNs: i, endNs: i + 1,
                                         outcome: .success, bytes: i))
            if i % 2 == 0 { store.record(MetricSample(name: "m", timeNs: i, value: .int(Int64(i)))) }
            if i == 20 {
                // 21 ops and 11 samples recorded: 32 rows, 4 full batches of 7 committed so far.
                let visible = try reader.rowCount("ops", runID: "run-1") + reader.rowCount("metrics", runID: "run-1")
                #expect(visible == 28)
                #expect(try reader.status(runID: "run-1") == .incomplete)
            }
        }
        try store.flush()
        #expect(try reader.rowCount("ops", runID: "run-1") == 50)
        store.record(FlowRecord(epoch: Epoch(0), timeNs: 0, kind: .reward, payer: "a", payee: "b", amountFrost: 1))
        try store.finish(summary())
        #expect(try reader.rowCount("ops", runID: "run-1") == 50)
        #expect(try reader.rowCount("flows", runID: "run-1") == 1)
        // Sequence numbers are the record order, without gaps, across batches.
        #expect(try reader.query("SELECT seq, value FROM metrics ORDER BY seq")
            == (0..<25).map { [.integer(Int64($0)), .integer(Int64($0 * 2))] })
        #expect(try reader.query("SELECT sum(op_id), sum(bytes) FROM ops") == [[.integer(1225), .integer(1225)]])
    }

    @Test("a writer dropped without finish leaves the run incomplete and the file readable")
    func interruptedRunIsIncomplete() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let path = dir.path("a.sqlite")
        do {
            let store = try SQLiteResultsStore(path: path, run: runInfo(), batchRows: 3)
            recordSampleRun(into: store)
            // Dropped here, as if the process stopped: no finish, no fail.
        }
        let db = try ResultsDatabase(path: path)
        #expect(try db.status(runID: "run-1") == .incomplete)
        #expect(try db.query("SELECT event_count, event_digest, end_ns FROM runs") == [[.null, .null, .null]])
        #expect(try db.query("PRAGMA integrity_check") == [[.text("ok")]])
        #expect(try db.rowCount("ops", runID: "run-1") == 2)
    }

    @Test("the runs row is committed as incomplete before any record")
    func registeredBeforeData() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let path = dir.path("a.sqlite")
        let store = try SQLiteResultsStore(path: path, run: runInfo())
        #expect(try ResultsDatabase(path: path).status(runID: "run-1") == .incomplete)
        try store.finish(summary())
        #expect(try ResultsDatabase(path: path).status(runID: "run-1") == .complete)
    }

    @Test("fail marks the run failed with its reason and keeps the records")
    func failedRun() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let path = dir.path("a.sqlite")
        let store = try SQLiteResultsStore(path: path, run: runInfo())
        recordSampleRun(into: store)
        try store.fail(reason: "conservation of WAL violated in epoch 3")
        let db = try ResultsDatabase(path: path)
        #expect(try db.runs() == [RunEntry(runID: "run-1", scenarioName: "quickstart", seed: 42, status: .failed,
                                           failureReason: "conservation of WAL violated in epoch 3")])
        #expect(try db.rowCount("ops", runID: "run-1") == 2)
    }

    @Test("a duplicate key rolls back its batch, is reported, and the run ends failed")
    func duplicateKeyFailsRun() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let path = dir.path("a.sqlite")
        let store = try SQLiteResultsStore(path: path, run: runInfo(), batchRows: 4)
        func op(_ id: UInt64) -> OperationRecord {
            OperationRecord(opID: id, kind: .write, blobIndex: id, client: NodeID(1), startNs: 0, endNs: 1, outcome: .success, bytes: 1)
        }
        for id: UInt64 in [0, 1, 2, 3, 4, 5, 4, 6] { store.record(op(id)) }
        #expect { try store.flush() } throws: { error in
            guard case let .sqlite(p, _, message, statement) = error as? ResultsStoreError else { return false }
            return p == path && message.contains("UNIQUE") && statement.hasPrefix("INSERT INTO ops")
        }
        #expect(throws: ResultsStoreError.self) { try store.finish(summary()) }
        let db = try ResultsDatabase(path: path)
        #expect(try db.status(runID: "run-1") == .failed)
        // The first batch (0...3) was committed; 4, 5 went with the abandoned batch; 6 was dropped.
        #expect(try db.query("SELECT op_id FROM ops") == [[.integer(0)], [.integer(1)], [.integer(2)], [.integer(3)]])
        #expect(try db.query("SELECT failure_reason LIKE '%UNIQUE%' FROM runs") == [[.integer(1)]])
    }

    @Test("a value beyond Int64 is refused with its column named, never stored wrapped")
    func valueOutOfRange() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let path = dir.path("a.sqlite")
        let store = try SQLiteResultsStore(path: path, run: runInfo())
        store.record(OperationRecord(opID: 0, kind: .read, blobIndex: 0, client: NodeID(0), startNs: 0,
                                     endNs: SimTime.distantFuture.nanoseconds, outcome: .success, bytes: 0))
        #expect(throws: ResultsStoreError.valueOutOfRange(path: path, table: "ops", column: "end_ns", value: .max)) {
            try store.finish(summary())
        }
        let db = try ResultsDatabase(path: path)
        #expect(try db.status(runID: "run-1") == .failed)
        #expect(try db.rowCount("ops", runID: "run-1") == 0)
    }

    @Test("seeds use all 64 bits")
    func largeSeed() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let store = try SQLiteResultsStore(path: dir.path("a.sqlite"), run: runInfo(seed: .max - 1))
        try store.finish(summary())
        #expect(try ResultsDatabase(path: dir.path("a.sqlite")).runs().map(\.seed) == [.max - 1])
    }

    @Test("existing files are refused, replaced or extended as asked")
    func existingFilePolicy() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let path = dir.path("a.sqlite")
        try writeSampleRun(path)
        #expect(throws: ResultsStoreError.fileExists(path: path)) { try SQLiteResultsStore(path: path, run: runInfo("run-2")) }
        #expect(throws: ResultsStoreError.runAlreadyPresent(path: path, runID: "run-1")) {
            try SQLiteResultsStore(path: path, run: runInfo("run-1"), ifExists: .append)
        }
        try SQLiteResultsStore(path: path, run: runInfo("run-2"), ifExists: .append).finish(summary())
        #expect(try ResultsDatabase(path: path).runs().map(\.runID) == ["run-1", "run-2"])
        // Replacing a run touches that run only.
        let again = try SQLiteResultsStore(path: path, run: runInfo("run-1"), ifExists: .appendReplacingRun)
        #expect(again.replacedRun == .complete)
        try again.finish(summary())
        #expect(try ResultsDatabase(path: path).runs().map(\.runID) == ["run-1", "run-2"])
    }

    @Test("unwritable paths and foreign files give typed errors naming the path")
    func badFiles() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let missing = dir.path("no/such/dir/a.sqlite")
        #expect { try SQLiteResultsStore(path: missing, run: runInfo()) } throws: { error in
            guard case let .sqlite(p, _, _, statement) = error as? ResultsStoreError else { return false }
            return p == missing && statement == "open"
        }
        let text = dir.path("notes.txt")
        try "not a database, just text that is long enough to fill a header page".write(
            toFile: text, atomically: true, encoding: .utf8)
        #expect(throws: ResultsStoreError.notAResultsDatabase(path: text)) {
            try SQLiteResultsStore(path: text, run: runInfo(), ifExists: .append)
        }
        #expect(try String(contentsOfFile: text, encoding: .utf8).hasPrefix("not a database"))
        // An empty file is an empty SQLite database, but a reader must not take it for results.
        let empty = dir.path("empty.sqlite")
        #expect(FileManager.default.createFile(atPath: empty, contents: Data()))
        #expect(throws: ResultsStoreError.notAResultsDatabase(path: empty)) { try ResultsDatabase(path: empty) }
    }
}
