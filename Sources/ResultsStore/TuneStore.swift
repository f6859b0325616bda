import CSQLite

/// The evaluations of `walrus-sim tune`, in a SQLite file of their own: one row per tuned
/// point and seed, keyed by the tune's identity (a digest of the scenario file) and the point.
/// Rows are committed one by one, so an interrupted tune keeps everything it evaluated and a
/// rerun of the same file picks those values up instead of running them again (resumable).
public final class TuneStore {
    /// The file, as given.
    public let path: String
    private let db: Connection

    /// Opens or creates the file and its table. Throws when the file cannot be opened or holds
    /// a `tune_evaluations` table of another shape.
    public init(path: String) throws(ResultsStoreError) {
        self.path = path
        db = try Connection(path: path, flags: SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
        try db.execute("""
            CREATE TABLE IF NOT EXISTS tune_evaluations (
                tune_key  TEXT    NOT NULL,
                point     TEXT    NOT NULL,
                seed      INTEGER NOT NULL,
                value     REAL    NOT NULL,
                events    INTEGER NOT NULL,
                wall_s    REAL    NOT NULL,
                PRIMARY KEY (tune_key, point, seed)
            ) STRICT, WITHOUT ROWID
            """)
    }

    /// The stored value of `point` with `seed`, if any.
    public func value(tuneKey: String, point: String, seed: UInt64) throws(ResultsStoreError) -> Double? {
        let rows = try db.query("SELECT value FROM tune_evaluations WHERE tune_key = ?1 AND point = ?2 AND seed = ?3",
                                [.text(tuneKey), .text(point), .integer(Int64(bitPattern: seed))])
        guard case .real(let v)? = rows.first?.first else { return nil }
        return v
    }

    /// Stores one evaluation (replacing an earlier one of the same point and seed) and commits it.
    public func store(tuneKey: String, point: String, seed: UInt64, value: Double, events: UInt64, wallSeconds: Double) throws(ResultsStoreError) {
        try db.prepare("INSERT OR REPLACE INTO tune_evaluations VALUES (?1, ?2, ?3, ?4, ?5, ?6)").run([
            .text(tuneKey), .text(point), .integer(Int64(bitPattern: seed)), .real(value),
            .integer(Int64(min(events, UInt64(Int64.max)))), .real(wallSeconds),
        ])
    }

    /// How many evaluations of `tuneKey` the file holds.
    public func count(tuneKey: String) throws(ResultsStoreError) -> Int {
        guard case .integer(let n) = try db.scalar("SELECT count(*) FROM tune_evaluations WHERE tune_key = ?1", [.text(tuneKey)]) else { return 0 }
        return Int(n)
    }
}
