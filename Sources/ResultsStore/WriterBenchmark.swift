import CSQLite
import ResultRecords
import SimSupport

/// The two sides of `walrus-sim bench results`: the results writer, and the raw C-API
/// insert loop it must keep up with (at least 0.8x its rows per second). Both write the
/// same operation rows into the same `ops` table of the same schema, with the same
/// connection settings; the command line times them, since library code never reads the clock.
public enum WriterBenchmark {
    /// The run both sides write under.
    public static let run = RunInfo(
        runID: "bench-results", scenarioName: "bench", scenarioDigest: "", scenarioText: "", parametersJSON: "{}",
        seed: 0, codeVersion: "bench", toolchain: "bench", fidelity: "")

    /// Operation number `i` of the benchmark: a plausible mix of reads and writes, one in a
    /// hundred failing with a detail message. Cheap to build and free of allocation.
    @inline(__always) public static func operation(_ i: UInt64) -> OperationRecord {
        let failed = i % 100 == 99
        let startNs = i &* 1_000_000
        return OperationRecord(
            opID: i, kind: i % 4 == 0 ? .write : .read, blobIndex: i / 4, client: NodeID(UInt32(truncatingIfNeeded: i % 64)),
            startNs: startNs, endNs: startNs + 50_000_000 + (i % 1000) * 1000,
            outcome: failed ? .failure : .success, bytes: 1 << (10 + i % 20), attempts: failed ? 3 : 1,
            details: failed ? "not enough confirmations" : nil)
    }

    /// A writer for the benchmark run in a new file at `path`, replacing any, so that only
    /// the recording remains to be timed (as the raw side prepares its file untimed).
    public static func makeStore(path: String, batchRows: Int = 100_000) throws(ResultsStoreError) -> SQLiteResultsStore {
        removeDatabaseFiles(path)
        return try SQLiteResultsStore(path: path, run: run, batchRows: batchRows)
    }

    /// Records operations `ids` into `store`.
    public static func write(_ ids: Range<UInt64>, into store: SQLiteResultsStore) {
        for i in ids { store.record(operation(i)) }
    }

    /// Ends the benchmark run of `store`: its last commit and WAL checkpoint.
    public static func finish(_ store: SQLiteResultsStore) throws(ResultsStoreError) {
        try store.finish(RunSummary(eventDigest: TraceDigest(), endNs: 0))
    }

    /// The baseline: the same rows bound straight from the same values into one prepared
    /// statement, in one transaction (`begin`, `insert`..., `commit`), with no writer between.
    public final class RawInserter {
        private let db: Connection
        private let insert: Statement

        /// Creates a fresh file at `path` with the results schema and the writer's settings,
        /// and registers the benchmark run, so only the insert loop remains to be timed.
        public init(path: String) throws(ResultsStoreError) {
            removeDatabaseFiles(path)
            db = try Connection(path: path, flags: SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
            try SQLiteResultsStore.configure(db)
            try Schema.migrate(db)
            try db.prepare("""
                INSERT INTO runs (run_id, scenario_name, scenario_digest, scenario_text, parameters_json, seed,
                    code_version, toolchain, fidelity, status) VALUES (?1, '', '', '', '{}', 0, '', '', '', 'complete')
                """).run([.text(WriterBenchmark.run.runID)])
            insert = try db.prepare("INSERT INTO ops VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)")
            bindText(insert.handle, 1, WriterBenchmark.run.runID)
        }

        /// Opens the one transaction that ``insert(_:)`` fills and ``commit()`` ends.
        public func begin() throws(ResultsStoreError) { try db.execute("BEGIN") }

        /// Inserts operations `ids` into the open transaction.
        public func insert(_ ids: Range<UInt64>) throws(ResultsStoreError) {
            let s = insert.handle
            for i in ids {
                let r = WriterBenchmark.operation(i)
                sqlite3_bind_int64(s, 2, Int64(bitPattern: r.opID))
                bindText(s, 3, r.kind.rawValue)
                if let b = r.blobIndex { sqlite3_bind_int64(s, 4, Int64(bitPattern: b)) } else { sqlite3_bind_null(s, 4) }
                sqlite3_bind_int64(s, 5, Int64(r.client.rawValue))
                sqlite3_bind_int64(s, 6, Int64(bitPattern: r.startNs))
                if let e = r.endNs { sqlite3_bind_int64(s, 7, Int64(bitPattern: e)) } else { sqlite3_bind_null(s, 7) }
                bindText(s, 8, r.outcome.rawValue)
                sqlite3_bind_int64(s, 9, Int64(bitPattern: r.bytes))
                sqlite3_bind_int64(s, 10, Int64(r.attempts))
                if let d = r.details { bindText(s, 11, d) } else { sqlite3_bind_null(s, 11) }
                let rc = sqlite3_step(s)
                sqlite3_reset(s)
                guard rc == SQLITE_DONE else { throw db.error(rc, insert.sql) }
            }
        }

        /// Commits the transaction and folds the WAL into the file, as the writer's `finish` does.
        public func commit() throws(ResultsStoreError) {
            try db.execute("COMMIT")
            try db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        }
    }
}
