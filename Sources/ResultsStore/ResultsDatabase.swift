import CSQLite
import ResultRecords
import SimSupport

/// A run as the registry lists it.
public struct RunEntry: Hashable, Sendable {
    /// The run's unique id within the file; the registry's primary key.
    public var runID: String
    /// The scenario name the run was started with.
    public var scenarioName: String
    /// The run seed (stored as the same 64 bits in a signed SQLite integer).
    public var seed: UInt64
    /// `incomplete` until the writer finished or failed the run; an interrupted run stays `incomplete`.
    public var status: RunStatus
    /// Why the run failed; `nil` unless `status` is `failed`.
    public var failureReason: String?

    /// Stores the fields as given.
    public init(runID: String, scenarioName: String, seed: UInt64, status: RunStatus, failureReason: String? = nil) {
        self.runID = runID
        self.scenarioName = scenarioName
        self.seed = seed
        self.status = status
        self.failureReason = failureReason
    }
}

/// Read access to a results database: the run registry, rows, and content digests.
///
/// Opening never modifies the file; it refuses files that are not results databases of the
/// current schema version (`Schema.requireCurrent`).
public final class ResultsDatabase {
    /// The file opened, as given; errors name it.
    public let path: String
    let db: Connection

    /// Opens `path` read-only. Throws `sqlite` if it cannot be opened, `notAResultsDatabase` or
    /// `unsupportedSchemaVersion` if it is not a results database of this schema version.
    public init(path: String) throws(ResultsStoreError) {
        self.path = path
        db = try Connection(path: path, flags: SQLITE_OPEN_READONLY)
        try Schema.requireCurrent(db)
    }

    /// All runs, ordered by run id.
    public func runs() throws(ResultsStoreError) -> [RunEntry] {
        try db.query("SELECT run_id, scenario_name, seed, status, failure_reason FROM runs ORDER BY run_id").map { row in
            guard case let .text(id) = row[0], case let .text(name) = row[1], case let .integer(seed) = row[2],
                  case let .text(status) = row[3], let status = RunStatus(rawValue: status)
            else { preconditionFailure("runs row violates the schema: \(row)") }
            let reason: String? = if case let .text(r) = row[4] { r } else { nil }
            return RunEntry(runID: id, scenarioName: name, seed: UInt64(bitPattern: seed), status: status, failureReason: reason)
        }
    }

    /// The status of run `runID`.
    public func status(runID: String) throws(ResultsStoreError) -> RunStatus {
        guard case let .text(s) = try db.scalar("SELECT status FROM runs WHERE run_id = ?1", [.text(runID)]),
              let status = RunStatus(rawValue: s)
        else { throw .runNotFound(path: path, runID: runID) }
        return status
    }

    /// Runs a read-only query with `arguments` bound to `?1, ?2, ...`; for tests and tools.
    public func query(_ sql: String, _ arguments: [DBValue] = []) throws(ResultsStoreError) -> [[DBValue]] {
        try db.query(sql, arguments)
    }

    /// Visits every stored value of run `runID` that is not wall-clock data: table by table in
    /// the fixed order of the schema, rows in primary-key order, columns in declaration order
    /// minus `run_id` (so two runs with different ids but the same content compare equal) and
    /// minus the `wall_*` columns.
    public func forEachContentRow(
        runID: String, _ body: (_ table: String, _ columns: [String], _ row: [DBValue]) throws -> Void
    ) throws {
        _ = try status(runID: runID)
        for (table, key) in Schema.tables {
            try forEachContentRow(of: table, key: key, runID: runID) { columns, row in try body(table, columns, row) }
        }
    }

    private func forEachContentRow(
        of table: String, key: String, runID: String, _ body: ([String], [DBValue]) throws -> Void
    ) throws {
        let columns = try Schema.columns(db, table).filter { $0 != "run_id" && !Schema.isWallClock($0) }
        let stmt = try db.prepare("SELECT \(columns.joined(separator: ", ")) FROM \(table) WHERE run_id = ?1 ORDER BY \(key)")
        stmt.bind([.text(runID)])
        while try stmt.step() { try body(columns, stmt.row()) }
    }

    /// A 128-bit digest (32 hex digits) of run `runID`'s content as `forEachContentRow` visits
    /// it. Two runs of the same scenario and seed must have equal digests (DESIGN §4); any
    /// changed, added or removed value changes it. Each table contributes its name, its values
    /// tagged with their SQLite type (so `1`, `1.0` and `'1'` differ) and its row count (so rows
    /// cannot slide from one table to the next).
    public func contentDigest(runID: String) throws -> String {
        _ = try status(runID: runID)
        var digest = TraceDigest()
        for (table, key) in Schema.tables {
            digest.absorb(table)
            var rows: UInt64 = 0
            try forEachContentRow(of: table, key: key, runID: runID) { _, row in
                rows += 1
                for value in row {
                    switch value {
                    case .null: digest.absorb(0)
                    case let .integer(v): digest.absorb(1); digest.absorb(UInt64(bitPattern: v))
                    case let .real(v): digest.absorb(2); digest.absorb(v.bitPattern)
                    case let .text(v): digest.absorb(3); digest.absorb(v)
                    case let .blob(v): digest.absorb(4); digest.absorb(hexString(v))
                    }
                }
            }
            digest.absorb(rows)
        }
        return digest.hex
    }

    /// The number of rows of run `runID` in `table`.
    public func rowCount(_ table: String, runID: String) throws(ResultsStoreError) -> Int {
        guard Schema.tables.contains(where: { $0.name == table }) else {
            throw .sqlite(path: path, code: SQLITE_ERROR, message: "no results table \(table)", statement: "rowCount")
        }
        guard case let .integer(n) = try db.scalar("SELECT count(*) FROM \(table) WHERE run_id = ?1", [.text(runID)])
        else { return 0 }
        return Int(n)
    }
}
