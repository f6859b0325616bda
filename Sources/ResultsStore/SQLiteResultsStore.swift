import CSQLite
import ResultRecords
import SimSupport

/// Writes one run's records into a SQLite results database (DESIGN §7).
///
/// Lifecycle and the guarantees that come with it:
/// 1. `init` opens (or creates) the file, brings its schema up to date, and commits the run's
///    `runs` row with status `incomplete` before returning.
/// 2. Each `record` is inserted at once through a prepared statement kept for the life of the
///    writer, inside an open transaction that is committed every `batchRows` rows. The open
///    transaction is the buffer: rows cost one bind-and-step each, with no copies in between.
/// 3. `finish` commits the last rows and flips the run to `complete` in the same transaction;
///    `fail` does the same with `failed` and a reason.
///
/// SQLite commits atomically, so whenever the process stops (Ctrl-C, kill, crash, power loss
/// with `synchronous=NORMAL` losing at most the last commits) the file is a consistent
/// database whose run says `incomplete`: never corrupt, never mistaken for a finished run.
/// A record that cannot be stored (a duplicate key, a value above `Int64.max`, a full disk)
/// rolls back the open batch, and the writer keeps that first error and drops everything
/// after it; `flush`, `finish` and `fail` report it, and `finish` then records the run as
/// `failed` with the error as its reason if it can.
///
/// Not thread-safe: one writer belongs to one run on one thread. The writer never reads the
/// clock; wall-clock values arrive in `RunInfo` and `RunSummary`.
public final class SQLiteResultsStore: ResultsSink {
    /// What to do when the file already exists. Whatever the choice, a file that is not a
    /// walrus-sim results database is never modified, and no other run in it is touched.
    public enum ExistingFile: Sendable {
        /// Refuse with `ResultsStoreError.fileExists`.
        case refuse
        /// Add this run to it; fails with `runAlreadyPresent` if it holds a run with the same id.
        case append
        /// Add this run to it; a run with the same id (an earlier run of the same scenario and
        /// seed) is deleted first, and `replacedRun` says what its status was.
        case appendReplacingRun
    }

    /// The database file written to, as given.
    public let path: String
    /// The run this writer owns; every row it inserts carries this id.
    public let runID: String
    /// Rows per transaction. Larger batches amortize commits; any size keeps the guarantees.
    public let batchRows: Int

    /// The status of the run with this id that `.appendReplacingRun` deleted, if there was one.
    public private(set) var replacedRun: RunStatus?

    private let db: Connection
    private let inserts: Inserts
    private var pendingRows = 0
    private var inTransaction = false
    private var firstError: ResultsStoreError?
    private var ended = false
    private var flowSeq: Int64 = 0
    private var metricSeq: Int64 = 0
    private var faultSeq: Int64 = 0

    /// Opens `path` for `run` and registers the run as `incomplete`.
    ///
    /// - Throws: `fileExists` under `.refuse`; `runAlreadyPresent` under `.append`;
    ///   `notARegularFile` / `strayJournal` for paths results must not be written to;
    ///   `sqlite` when the file cannot be opened or created (e.g. an unwritable directory);
    ///   `notAResultsDatabase` / `unsupportedSchemaVersion` for foreign or newer files.
    public init(path: String, run: RunInfo, ifExists: ExistingFile = .refuse, batchRows: Int = 100_000) throws(ResultsStoreError) {
        precondition(batchRows > 0, "batchRows must be positive")
        if case .refuse = ifExists, fileExists(path) { throw .fileExists(path: path) }
        let db = try openResultsFileForWriting(path)
        // Prepared before the run is registered, so a failure here leaves no trace of it.
        let inserts = try Inserts(db, runID: run.runID)
        var replaced: RunStatus?
        try db.transaction { () throws(ResultsStoreError) in
            let present = try db.query("SELECT status FROM runs WHERE run_id = ?1", [.text(run.runID)])
            if let row = present.first {
                guard case .appendReplacingRun = ifExists else { throw .runAlreadyPresent(path: path, runID: run.runID) }
                if case let .text(status) = row.first { replaced = RunStatus(rawValue: status) ?? .incomplete }
                for (table, _) in Schema.tables {
                    try db.prepare("DELETE FROM \(table) WHERE run_id = ?1").run([.text(run.runID)])
                }
            }
            try db.prepare("""
                INSERT INTO runs (run_id, scenario_name, scenario_digest, scenario_text, parameters_json, seed,
                    code_version, toolchain, fidelity, status, wall_started_at)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'incomplete', ?10)
                """).run([
                    .text(run.runID), .text(run.scenarioName), .text(run.scenarioDigest), .text(run.scenarioText),
                    .text(run.parametersJSON), .integer(Int64(bitPattern: run.seed)), .text(run.codeVersion),
                    .text(run.toolchain), .text(run.fidelity), run.wallStartedAt.map(DBValue.text) ?? .null,
                ])
        }
        self.path = path
        self.runID = run.runID
        self.batchRows = batchRows
        self.replacedRun = replaced
        self.db = db
        self.inserts = inserts
    }

    /// Connection settings for writing: WAL lets readers look at a run in progress and makes
    /// commits cheap; `synchronous=NORMAL` syncs only at checkpoints, which keeps the file
    /// consistent on any crash and may lose only the last commits on power loss. The larger
    /// cache keeps a batch's pages in memory until its commit, and checkpointing every 64 MiB
    /// of WAL rather than every 4 MiB saves most of the syncs and copying of a long run.
    static func configure(_ db: Connection) throws(ResultsStoreError) {
        let mode = try db.scalar("PRAGMA journal_mode = WAL")
        guard mode == .text("wal") else {
            throw .sqlite(path: db.path, code: SQLITE_ERROR, message: "journal mode is \(mode), not wal",
                          statement: "PRAGMA journal_mode = WAL")
        }
        try db.execute("PRAGMA synchronous = NORMAL; PRAGMA cache_size = -65536; PRAGMA wal_autocheckpoint = 16384; PRAGMA foreign_keys = OFF")
    }

    deinit {
        // Dropped without finish or fail: keep what was recorded; the run stays incomplete,
        // as if the process had been killed just after a commit.
        if inTransaction { try? db.execute("COMMIT") }
    }

    // MARK: ResultsSink

    /// Inserts one `nodes` row into the open batch. Errors are kept for ``flush()``; traps after the run ended.
    public func record(_ r: NodeRecord) {
        guard accepting() else { return }
        let s = inserts.nodes
        guard fits(r.capacityBytes | r.commission.rawValue | r.initialStakeFrost) || outOfRange("nodes", [
            ("capacity_bytes", r.capacityBytes), ("commission_bp", r.commission.rawValue),
            ("initial_stake_frost", r.initialStakeFrost),
        ]) else { return }
        sqlite3_bind_int64(s, 2, Int64(r.node.rawValue))
        bindText(s, 3, r.name)
        bindText(s, 4, r.region)
        bindText(s, 5, r.profile)
        bindInt(s, 6, r.capacityBytes)
        bindInt(s, 7, r.commission.rawValue)
        bindInt(s, 8, r.initialStakeFrost)
        insert(s)
    }

    /// Inserts one `epochs` row into the open batch. Errors are kept for ``flush()``; traps after the run ended.
    public func record(_ r: EpochRecord) {
        guard accepting() else { return }
        let s = inserts.epochs
        guard fits(r.startNs | (r.syncDoneNs ?? 0) | (r.endNs ?? 0) | r.storagePriceFrostPerMiB
            | r.writePriceFrostPerMiB | r.capacityBytes | r.usedCapacityBytes | r.totalStakeFrost
            | r.rewardPoolFrost | r.burnedFrost) || outOfRange("epochs", [
            ("start_ns", r.startNs), ("sync_done_ns", r.syncDoneNs ?? 0), ("end_ns", r.endNs ?? 0),
            ("storage_price_frost_per_mib", r.storagePriceFrostPerMiB),
            ("write_price_frost_per_mib", r.writePriceFrostPerMiB), ("capacity_bytes", r.capacityBytes),
            ("used_capacity_bytes", r.usedCapacityBytes), ("total_stake_frost", r.totalStakeFrost),
            ("reward_pool_frost", r.rewardPoolFrost), ("burned_frost", r.burnedFrost),
        ]) else { return }
        sqlite3_bind_int64(s, 2, Int64(r.epoch.rawValue))
        bindInt(s, 3, r.startNs)
        bindInt(s, 4, r.syncDoneNs)
        bindInt(s, 5, r.endNs)
        bindInt(s, 6, r.storagePriceFrostPerMiB)
        bindInt(s, 7, r.writePriceFrostPerMiB)
        bindInt(s, 8, r.capacityBytes)
        bindInt(s, 9, r.usedCapacityBytes)
        bindInt(s, 10, r.totalStakeFrost)
        bindInt(s, 11, r.rewardPoolFrost)
        bindInt(s, 12, r.burnedFrost)
        insert(s)
    }

    /// Inserts one `committee` row into the open batch. Errors are kept for ``flush()``; traps after the run ended.
    public func record(_ r: CommitteeRecord) {
        guard accepting() else { return }
        let s = inserts.committee
        guard fits(r.stakeFrost) || outOfRange("committee", [("stake_frost", r.stakeFrost)]) else { return }
        sqlite3_bind_int64(s, 2, Int64(r.epoch.rawValue))
        sqlite3_bind_int64(s, 3, Int64(r.node.rawValue))
        sqlite3_bind_int64(s, 4, Int64(r.shardCount))
        bindInt(s, 5, r.stakeFrost)
        insert(s)
    }

    /// Inserts one `blobs` row into the open batch. Errors are kept for ``flush()``; traps after the run ended.
    public func record(_ r: BlobRecord) {
        guard accepting() else { return }
        let s = inserts.blobs
        guard fits(r.blobIndex | r.sizeBytes | r.encodedSizeBytes | (r.registeredNs ?? 0) | (r.certifiedNs ?? 0) | (r.invalidNs ?? 0))
            || outOfRange("blobs", [
            ("blob_index", r.blobIndex), ("size_bytes", r.sizeBytes), ("encoded_size_bytes", r.encodedSizeBytes),
            ("registered_ns", r.registeredNs ?? 0), ("certified_ns", r.certifiedNs ?? 0), ("invalid_ns", r.invalidNs ?? 0),
        ]) else { return }
        bindInt(s, 2, r.blobIndex)
        bindText(s, 3, r.blobID)
        bindInt(s, 4, r.sizeBytes)
        bindInt(s, 5, r.encodedSizeBytes)
        bindInt(s, 6, r.registeredNs)
        bindInt(s, 7, r.certifiedNs)
        sqlite3_bind_int64(s, 8, Int64(r.endEpoch.rawValue))
        bindText(s, 9, r.status.rawValue)
        sqlite3_bind_int64(s, 10, r.deletable ? 1 : 0)
        bindInt(s, 11, r.invalidNs)
        sqlite3_bind_int64(s, 12, Int64(r.records))
        bindText(s, 13, r.workload)
        insert(s)
    }

    /// Inserts one `ops` row into the open batch. Errors are kept for ``flush()``; traps after the run ended.
    public func record(_ r: OperationRecord) {
        guard accepting() else { return }
        let s = inserts.ops
        guard fits(r.opID | (r.blobIndex ?? 0) | r.startNs | (r.endNs ?? 0) | r.bytes) || outOfRange("ops", [
            ("op_id", r.opID), ("blob_index", r.blobIndex ?? 0), ("start_ns", r.startNs), ("end_ns", r.endNs ?? 0),
            ("bytes", r.bytes),
        ]) else { return }
        bindInt(s, 2, r.opID)
        bindText(s, 3, r.kind.rawValue)
        bindInt(s, 4, r.blobIndex)
        sqlite3_bind_int64(s, 5, Int64(r.client.rawValue))
        bindInt(s, 6, r.startNs)
        bindInt(s, 7, r.endNs)
        bindText(s, 8, r.outcome.rawValue)
        bindInt(s, 9, r.bytes)
        sqlite3_bind_int64(s, 10, Int64(r.attempts))
        bindText(s, 11, r.details)
        insert(s)
    }

    /// Inserts one `flows` row, numbered in recording order within the run. Errors are kept; traps after the run ended.
    public func record(_ r: FlowRecord) {
        guard accepting() else { return }
        let s = inserts.flows
        guard fits(r.timeNs | r.amountFrost)
            || outOfRange("flows", [("time_ns", r.timeNs), ("amount_frost", r.amountFrost)]) else { return }
        sqlite3_bind_int64(s, 2, flowSeq)
        sqlite3_bind_int64(s, 3, Int64(r.epoch.rawValue))
        bindInt(s, 4, r.timeNs)
        bindText(s, 5, r.kind.rawValue)
        bindText(s, 6, r.payer)
        bindText(s, 7, r.payee)
        bindInt(s, 8, r.amountFrost)
        if insert(s) { flowSeq += 1 }
    }

    /// Inserts one `metrics` row, numbered in recording order within the run. Errors are kept; traps after the run ended.
    public func record(_ r: MetricSample) {
        guard accepting() else { return }
        let s = inserts.metrics
        guard fits(r.timeNs) || outOfRange("metrics", [("time_ns", r.timeNs)]) else { return }
        sqlite3_bind_int64(s, 2, metricSeq)
        bindText(s, 3, r.name)
        bindInt(s, 4, r.timeNs)
        switch r.value {
        case let .int(v): sqlite3_bind_int64(s, 5, v)
        // NaN would be stored as NULL and rejected by NOT NULL: a NaN metric is a bug upstream.
        case let .double(v): sqlite3_bind_double(s, 5, v)
        }
        if insert(s) { metricSeq += 1 }
    }

    /// Inserts one `faults` row, numbered in recording order within the run. Errors are kept; traps after the run ended.
    public func record(_ r: FaultRecord) {
        guard accepting() else { return }
        let s = inserts.faults
        guard fits(r.startNs | (r.endNs ?? 0))
            || outOfRange("faults", [("start_ns", r.startNs), ("end_ns", r.endNs ?? 0)]) else { return }
        sqlite3_bind_int64(s, 2, faultSeq)
        bindInt(s, 3, r.startNs)
        bindText(s, 4, r.kind.rawValue)
        bindText(s, 5, r.target)
        bindText(s, 6, r.details)
        bindInt(s, 7, r.endNs)
        if insert(s) { faultSeq += 1 }
    }

    /// Inserts one `node_epochs` row into the open batch. Errors are kept for ``flush()``; traps after the run ended.
    public func record(_ r: NodeEpochRecord) {
        guard accepting() else { return }
        let s = inserts.nodeEpochs
        guard fits(r.stakeFrost | r.commissionBP | r.storagePriceVoteFrost | r.writePriceVoteFrost | r.capacityVoteBytes
            | r.rewardsFrost | r.commissionFrost | r.subsidiesFrost | r.storedBytes | r.bytesSent | r.bytesReceived
            | r.recoveryBytes) || outOfRange("node_epochs", [
            ("stake_frost", r.stakeFrost), ("commission_bp", r.commissionBP),
            ("storage_price_vote_frost", r.storagePriceVoteFrost), ("write_price_vote_frost", r.writePriceVoteFrost),
            ("capacity_vote_bytes", r.capacityVoteBytes), ("rewards_frost", r.rewardsFrost),
            ("commission_frost", r.commissionFrost), ("subsidies_frost", r.subsidiesFrost),
            ("stored_bytes", r.storedBytes), ("bytes_sent", r.bytesSent), ("bytes_received", r.bytesReceived),
            ("recovery_bytes", r.recoveryBytes),
        ]) else { return }
        sqlite3_bind_int64(s, 2, Int64(r.epoch.rawValue))
        sqlite3_bind_int64(s, 3, Int64(r.node.rawValue))
        sqlite3_bind_int64(s, 4, r.inCommittee ? 1 : 0)
        sqlite3_bind_int64(s, 5, Int64(r.shards))
        bindInt(s, 6, r.stakeFrost)
        bindInt(s, 7, r.commissionBP)
        bindInt(s, 8, r.storagePriceVoteFrost)
        bindInt(s, 9, r.writePriceVoteFrost)
        bindInt(s, 10, r.capacityVoteBytes)
        bindInt(s, 11, r.rewardsFrost)
        bindInt(s, 12, r.commissionFrost)
        bindInt(s, 13, r.subsidiesFrost)
        // Non-finite USD figures (a zero WAL price) would store NULL and break NOT NULL: store 0.
        sqlite3_bind_double(s, 14, r.walUSD.isFinite ? r.walUSD : 0)
        sqlite3_bind_double(s, 15, r.costUSD.isFinite ? r.costUSD : 0)
        sqlite3_bind_double(s, 16, r.profitUSD.isFinite ? r.profitUSD : 0)
        bindInt(s, 17, r.storedBytes)
        bindInt(s, 18, r.bytesSent)
        bindInt(s, 19, r.bytesReceived)
        bindInt(s, 20, r.recoveryBytes)
        sqlite3_bind_int64(s, 21, r.profitFrost)  // added last, by schema version 6
        insert(s)
    }

    /// Inserts one `op_phases` row into the open batch. Errors are kept for ``flush()``; traps after the run ended.
    public func record(_ r: OperationPhaseRecord) {
        guard accepting() else { return }
        let s = inserts.opPhases
        guard fits(r.opID | r.startNs | r.endNs) || outOfRange("op_phases", [
            ("op_id", r.opID), ("start_ns", r.startNs), ("end_ns", r.endNs),
        ]) else { return }
        bindInt(s, 2, r.opID)
        sqlite3_bind_int64(s, 3, Int64(r.seq))
        bindText(s, 4, r.phase)
        bindText(s, 5, r.kind)
        bindInt(s, 6, r.startNs)
        bindInt(s, 7, r.endNs)
        insert(s)
    }

    /// Commits the open batch now. Throws the first error any earlier record hit, or the commit's own.
    public func flush() throws(ResultsStoreError) {
        if let firstError { throw firstError }
        try commitBatch()
    }

    /// Commits the last rows and marks the run `complete` with `summary`, in one transaction. After a
    /// record error it marks the run `failed` instead (if it can) and throws that error. Call once.
    public func finish(_ summary: RunSummary) throws(ResultsStoreError) {
        precondition(!ended, "SQLiteResultsStore: finish after the run ended")
        if let firstError {
            // The data is incomplete: say so in the registry if the file still allows it.
            try? end(status: .failed, reason: firstError.description, summary: nil)
            throw firstError
        }
        guard fits(summary.endNs | (summary.wallElapsedNs ?? 0) | summary.eventDigest.count) || outOfRange("runs", [
            ("end_ns", summary.endNs), ("wall_elapsed_ns", summary.wallElapsedNs ?? 0),
            ("event_count", summary.eventDigest.count),
        ]) else {
            try? end(status: .failed, reason: firstError!.description, summary: nil)
            throw firstError!
        }
        try end(status: .complete, reason: nil, summary: summary)
    }

    /// Commits the pending rows and marks the run `failed` with `reason`, then throws any earlier record
    /// error. Call once, instead of ``finish(_:)``.
    public func fail(reason: String) throws(ResultsStoreError) {
        precondition(!ended, "SQLiteResultsStore: fail after the run ended")
        try end(status: .failed, reason: reason, summary: nil)
        if let firstError { throw firstError }
    }

    // MARK: Internals

    @inline(__always) private func accepting() -> Bool {
        precondition(!ended, "SQLiteResultsStore: record after the run ended")
        if _slowPath(firstError != nil) { return false }
        if _slowPath(!inTransaction) {
            do { try db.execute("BEGIN IMMEDIATE") } catch {
                firstError = error
                return false
            }
            inTransaction = true
        }
        return true
    }

    /// Steps an insert whose parameters are bound; commits when the batch is full. Returns
    /// whether the row was stored.
    @discardableResult @inline(__always) private func insert(_ s: OpaquePointer) -> Bool {
        let rc = sqlite3_step(s)
        sqlite3_reset(s)
        guard _fastPath(rc == SQLITE_DONE) else {
            abandonBatch(db.error(rc, String(cString: sqlite3_sql(s))))
            return false
        }
        pendingRows += 1
        if _slowPath(pendingRows >= batchRows) {
            do { try commitBatch() } catch {
                abandonBatch(error)
                return false
            }
        }
        return true
    }

    /// Whether an unsigned value (or the OR of several) fits in SQLite's `Int64`. One OR per
    /// record checks all its fields at once; only a failure looks at them one by one.
    @inline(__always) private func fits(_ v: UInt64) -> Bool { v >> 63 == 0 }

    /// Keeps an error naming the first value of `values` above `Int64.max` and abandons the
    /// batch. Returns false, to read as the failing half of `fits(...) || outOfRange(...)`.
    private func outOfRange(_ table: String, _ values: [(column: String, value: UInt64)]) -> Bool {
        let (column, value) = values.first { !fits($0.value) }!
        abandonBatch(.valueOutOfRange(path: path, table: table, column: column, value: value))
        return false
    }

    /// Keeps `error` (the first one only) and rolls back the open batch, so the file holds
    /// only whole batches of good rows.
    private func abandonBatch(_ error: ResultsStoreError) {
        if firstError == nil { firstError = error }
        if inTransaction {
            try? db.execute("ROLLBACK")
            inTransaction = false
            pendingRows = 0
        }
    }

    private func commitBatch() throws(ResultsStoreError) {
        guard inTransaction else { return }
        try db.execute("COMMIT")
        inTransaction = false
        pendingRows = 0
    }

    /// Updates the run's registry row in the transaction holding the last rows (a new one if
    /// the batch was abandoned), then releases the file.
    private func end(status: RunStatus, reason: String?, summary: RunSummary?) throws(ResultsStoreError) {
        ended = true
        if !inTransaction { try db.execute("BEGIN IMMEDIATE") }
        inTransaction = true
        do {
            let s = try db.prepare("""
                UPDATE runs SET status = ?2, failure_reason = ?3, event_count = ?4, event_digest = ?5, end_ns = ?6,
                    wall_finished_at = ?7, wall_elapsed_ns = ?8
                WHERE run_id = ?1
                """)
            try s.run([
                .text(runID), .text(status.rawValue), reason.map(DBValue.text) ?? .null,
                summary.map { .integer(Int64($0.eventDigest.count)) } ?? .null,
                summary.map { .text($0.eventDigest.hex) } ?? .null,
                summary.map { .integer(Int64($0.endNs)) } ?? .null,
                summary?.wallFinishedAt.map(DBValue.text) ?? .null,
                summary?.wallElapsedNs.map { .integer(Int64($0)) } ?? .null,
            ])
            try db.execute("COMMIT")
            inTransaction = false
        } catch {
            try? db.execute("ROLLBACK")
            inTransaction = false
            throw error
        }
        // Fold the WAL into the main file so the finished file is self-contained for copying.
        try? db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    }
}

/// The writer's insert statements, prepared once with `run_id` bound as parameter 1 for good:
/// `sqlite3_reset` keeps bindings, so each row binds only its own columns.
private final class Inserts {
    let nodes, epochs, committee, blobs, ops, flows, metrics, faults, nodeEpochs, opPhases: OpaquePointer
    private let statements: [Statement]

    init(_ db: Connection, runID: String) throws(ResultsStoreError) {
        func prepare(_ sql: String) throws(ResultsStoreError) -> Statement {
            let s = try db.prepare(sql)
            bindText(s.handle, 1, runID)
            return s
        }
        let all = [
            try prepare("INSERT INTO nodes VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"),
            try prepare("INSERT INTO epochs VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"),
            try prepare("INSERT INTO committee VALUES (?1, ?2, ?3, ?4, ?5)"),
            try prepare("INSERT INTO blobs VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"),
            try prepare("INSERT INTO ops VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"),
            try prepare("INSERT INTO flows VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"),
            try prepare("INSERT INTO metrics VALUES (?1, ?2, ?3, ?4, ?5)"),
            try prepare("INSERT INTO faults VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"),
            try prepare("INSERT INTO node_epochs VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21)"),
            try prepare("INSERT INTO op_phases VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"),
        ]
        statements = all
        nodes = all[0].handle; epochs = all[1].handle; committee = all[2].handle; blobs = all[3].handle
        ops = all[4].handle; flows = all[5].handle; metrics = all[6].handle; faults = all[7].handle
        nodeEpochs = all[8].handle
        opPhases = all[9].handle
    }
}
