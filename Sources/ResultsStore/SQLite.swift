import CSQLite
import SimSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Everything that can go wrong with a results database. Each case names the file, so a
/// message from a sweep of thousands of runs points at the one that failed.
public enum ResultsStoreError: Error, Equatable, Sendable, CustomStringConvertible {
    /// SQLite refused `statement` with result `code` and `message`.
    case sqlite(path: String, code: Int32, message: String, statement: String)
    /// The file exists and the caller did not ask to replace or extend it.
    case fileExists(path: String)
    /// The file holds other tables, or none of ours, so it is not a results database.
    case notAResultsDatabase(path: String)
    /// The file's schema version is not one this code can read or migrate.
    case unsupportedSchemaVersion(path: String, found: Int32, supported: Int32)
    /// A run with this id is already in the file.
    case runAlreadyPresent(path: String, runID: String)
    /// No run with this id is in the file.
    case runNotFound(path: String, runID: String)
    /// A record carried an unsigned value above `Int64.max`, which SQLite cannot store.
    case valueOutOfRange(path: String, table: String, column: String, value: UInt64)
    /// A merge named the destination among its sources.
    case mergeIntoSource(path: String)
    /// Something other than a regular file is at the path (a directory, a symbolic link, a
    /// device...); results are never written through or over it.
    case notARegularFile(path: String, kind: String)
    /// No database is at the path but a journal of one is (`-wal` or `-journal`); SQLite would
    /// replay it into a new file, so the path is left alone.
    case strayJournal(path: String, journal: String)

    /// `path: what went wrong`, naming the SQLite code and statement for SQLite errors.
    public var description: String {
        switch self {
        case let .sqlite(path, code, message, statement):
            return "\(path): SQLite error \(code) (\(message)) in: \(statement)"
        case let .fileExists(path):
            return "\(path): file exists (choose to replace it or to add runs to it)"
        case let .notAResultsDatabase(path):
            return "\(path): not a walrus-sim results database"
        case let .unsupportedSchemaVersion(path, found, supported):
            return "\(path): schema version \(found), this walrus-sim supports up to \(supported)"
        case let .runAlreadyPresent(path, runID):
            return "\(path): run \(runID) is already present"
        case let .runNotFound(path, runID):
            return "\(path): no run \(runID)"
        case let .valueOutOfRange(path, table, column, value):
            return "\(path): \(table).\(column) = \(value) exceeds the largest SQLite integer"
        case let .mergeIntoSource(path):
            return "\(path): cannot merge a file into itself"
        case let .notARegularFile(path, kind):
            return "\(path): is \(kind), not a results database; walrus-sim writes results only to regular files"
        case let .strayJournal(path, journal):
            return "\(path): does not exist but \(journal) does (a journal of some other database); move it away or choose another path"
        }
    }
}

/// A value read back from the database.
public enum DBValue: Hashable, Sendable, CustomStringConvertible {
    /// SQL `NULL`.
    case null
    /// A 64-bit signed integer (SQLite INTEGER).
    case integer(Int64)
    /// A 64-bit float.
    case real(Double)
    /// UTF-8 text.
    case text(String)
    /// Raw bytes.
    case blob([UInt8])

    /// SQL-literal-like text: `NULL`, the number, the raw text, or `x'<hex>'` for a blob.
    public var description: String {
        switch self {
        case .null: "NULL"
        case let .integer(v): String(v)
        case let .real(v): String(v)
        case let .text(v): v
        case let .blob(v): "x'" + hexString(v) + "'"
        }
    }
}

/// SQLite's "copy this now" destructor; the macro `SQLITE_TRANSIENT` is not imported.
@inline(__always) var sqliteTransient: sqlite3_destructor_type {
    unsafeBitCast(-1, to: sqlite3_destructor_type.self)
}

/// One open database file. Closing is `deinit`'s job; `sqlite3_close_v2` defers the close
/// until every statement of the connection is finalized, so order of release does not matter.
final class Connection {
    let path: String
    let handle: OpaquePointer

    /// Opens `path` with the `SQLITE_OPEN_*` `flags`.
    init(path: String, flags: Int32) throws(ResultsStoreError) {
        var db: OpaquePointer?
        let rc = sqlite3_open_v2(path, &db, flags | SQLITE_OPEN_NOMUTEX, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(rc))
            sqlite3_close_v2(db)
            throw .sqlite(path: path, code: rc, message: message, statement: "open")
        }
        self.path = path
        self.handle = db
        sqlite3_extended_result_codes(db, 1)
        sqlite3_busy_timeout(db, 10_000)  // another process adding runs to the same file
    }

    deinit { sqlite3_close_v2(handle) }

    /// The error SQLite reports for the last call, for `statement`.
    func error(_ code: Int32, _ statement: String) -> ResultsStoreError {
        .sqlite(path: path, code: code, message: String(cString: sqlite3_errmsg(handle)), statement: statement)
    }

    /// Runs one or more statements that return no rows.
    func execute(_ sql: String) throws(ResultsStoreError) {
        let rc = sqlite3_exec(handle, sql, nil, nil, nil)
        guard rc == SQLITE_OK else { throw error(rc, sql) }
    }

    func prepare(_ sql: String) throws(ResultsStoreError) -> Statement {
        var stmt: OpaquePointer?
        let rc = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &stmt, nil)
        guard rc == SQLITE_OK, let stmt else { throw error(rc, sql) }
        return Statement(handle: stmt, sql: sql, connection: self)
    }

    /// Runs `sql` with `arguments` bound to `?1, ?2, ...` and returns all rows.
    func query(_ sql: String, _ arguments: [DBValue] = []) throws(ResultsStoreError) -> [[DBValue]] {
        let stmt = try prepare(sql)
        stmt.bind(arguments)
        var rows: [[DBValue]] = []
        while try stmt.step() { rows.append(stmt.row()) }
        return rows
    }

    /// The single value of a one-row, one-column query.
    func scalar(_ sql: String, _ arguments: [DBValue] = []) throws(ResultsStoreError) -> DBValue {
        try query(sql, arguments).first?.first ?? .null
    }

    /// Runs `body` in a transaction, committing if it returns and rolling back if it throws.
    func transaction<T>(_ body: () throws(ResultsStoreError) -> T) throws(ResultsStoreError) -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let value = try body()
            try execute("COMMIT")
            return value
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }
}

/// A prepared statement, finalized on release. Used for everything but the writer's hot
/// inserts, which keep raw handles to avoid a reference hop per row.
final class Statement {
    let handle: OpaquePointer
    let sql: String
    let connection: Connection

    init(handle: OpaquePointer, sql: String, connection: Connection) {
        self.handle = handle
        self.sql = sql
        self.connection = connection
    }

    deinit { sqlite3_finalize(handle) }

    func bind(_ values: [DBValue]) {
        sqlite3_reset(handle)
        for (i, v) in values.enumerated() { bindValue(handle, Int32(i + 1), v) }
    }

    /// Advances to the next row: true if there is one, false when done.
    func step() throws(ResultsStoreError) -> Bool {
        let rc = sqlite3_step(handle)
        switch rc {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw connection.error(rc, sql)
        }
    }

    /// Runs the statement to completion, discarding rows.
    func run(_ values: [DBValue] = []) throws(ResultsStoreError) {
        bind(values)
        while try step() {}
    }

    var columnCount: Int32 { sqlite3_column_count(handle) }

    func column(_ i: Int32) -> DBValue {
        switch sqlite3_column_type(handle, i) {
        case SQLITE_INTEGER: return .integer(sqlite3_column_int64(handle, i))
        case SQLITE_FLOAT: return .real(sqlite3_column_double(handle, i))
        case SQLITE_TEXT:
            let n = Int(sqlite3_column_bytes(handle, i))
            guard n > 0, let p = sqlite3_column_text(handle, i) else { return .text("") }
            return .text(String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self))
        case SQLITE_BLOB:
            let n = Int(sqlite3_column_bytes(handle, i))
            guard n > 0, let p = sqlite3_column_blob(handle, i) else { return .blob([]) }
            return .blob(Array(UnsafeRawBufferPointer(start: p, count: n)))
        default: return .null
        }
    }

    func row() -> [DBValue] { (0..<columnCount).map(column) }
}

// MARK: - Binding (shared by the writer and the raw baseline)

@inline(__always) func bindValue(_ stmt: OpaquePointer, _ i: Int32, _ v: DBValue) {
    switch v {
    case .null: sqlite3_bind_null(stmt, i)
    case let .integer(x): sqlite3_bind_int64(stmt, i, x)
    case let .real(x): sqlite3_bind_double(stmt, i, x)
    case let .text(s): bindText(stmt, i, s)
    case let .blob(b): b.withUnsafeBytes { _ = sqlite3_bind_blob(stmt, i, $0.baseAddress, Int32($0.count), sqliteTransient) }
    }
}

/// Binds a string's UTF-8 without building a C string; SQLite copies the bytes.
@inline(__always) func bindText(_ stmt: OpaquePointer, _ i: Int32, _ text: String) {
    var text = text
    text.withUTF8 { utf8 in
        // An empty buffer may have no address, and a null pointer would bind NULL, not "".
        utf8.withMemoryRebound(to: CChar.self) { chars in
            _ = sqlite3_bind_text(stmt, i, chars.baseAddress ?? emptyCString, Int32(utf8.count), sqliteTransient)
        }
    }
}

@inline(__always) func bindText(_ stmt: OpaquePointer, _ i: Int32, _ text: String?) {
    if let text { bindText(stmt, i, text) } else { sqlite3_bind_null(stmt, i) }
}

/// Binds an unsigned value known (checked by the caller) to fit in `Int64`.
@inline(__always) func bindInt(_ stmt: OpaquePointer, _ i: Int32, _ v: UInt64) {
    sqlite3_bind_int64(stmt, i, Int64(bitPattern: v))
}

@inline(__always) func bindInt(_ stmt: OpaquePointer, _ i: Int32, _ v: UInt64?) {
    if let v { sqlite3_bind_int64(stmt, i, Int64(bitPattern: v)) } else { sqlite3_bind_null(stmt, i) }
}

private let emptyCStringStorage: StaticString = ""
/// A valid pointer to zero bytes, for binding empty text.
var emptyCString: UnsafePointer<CChar> {
    UnsafeRawPointer(emptyCStringStorage.utf8Start).assumingMemoryBound(to: CChar.self)
}

// MARK: - Files

/// Whether anything exists at `path` (a dangling symbolic link counts).
func fileExists(_ path: String) -> Bool {
    var st = stat()
    return lstat(path, &st) == 0
}

/// What sits at `path`, without following a symbolic link: `nil` for nothing, otherwise
/// whether it is a regular file and, if not, what it is in words.
func pathKind(_ path: String) -> (regular: Bool, size: Int64, kind: String)? {
    var st = stat()
    guard lstat(path, &st) == 0 else { return nil }
    let type = st.st_mode & S_IFMT
    let kind: String = switch type {
    case S_IFREG: "a regular file"
    case S_IFDIR: "a directory"
    case S_IFLNK: "a symbolic link"
    case S_IFCHR: "a character device"
    case S_IFBLK: "a block device"
    case S_IFIFO: "a named pipe"
    case S_IFSOCK: "a socket"
    default: "not a regular file"
    }
    return (type == S_IFREG, Int64(st.st_size), kind)
}

/// Opens `path` to write results into, never altering a file that is not a walrus-sim results
/// database: nothing is deleted, a symbolic link or any other non-regular file is refused, a
/// non-empty file is first checked read-only (a foreign SQLite database, a text file, a newer
/// schema are refused before anything is written to them), and a missing file with a stray
/// journal beside it is refused. An empty file (as `mktemp` makes) becomes a new database.
/// The schema is created or migrated before returning.
func openResultsFileForWriting(_ path: String) throws(ResultsStoreError) -> Connection {
    if let existing = pathKind(path) {
        guard existing.regular else { throw .notARegularFile(path: path, kind: existing.kind) }
        if existing.size > 0 {
            let probe = try Connection(path: path, flags: SQLITE_OPEN_READONLY)
            let version: Int32
            do { version = try Schema.userVersion(probe) } catch {
                // SQLITE_NOTADB: a text file, an image, anything without an SQLite header.
                if case .sqlite(_, SQLITE_NOTADB, _, _) = error { throw .notAResultsDatabase(path: path) }
                throw error
            }
            if version == 0 {
                let tables = try probe.scalar("SELECT count(*) FROM sqlite_schema")
                guard tables == .integer(0) else { throw .notAResultsDatabase(path: path) }
            }
            guard version <= Schema.currentVersion else {
                throw .unsupportedSchemaVersion(path: path, found: version, supported: Schema.currentVersion)
            }
        }
    } else {
        for suffix in ["-wal", "-journal"] where pathKind(path + suffix) != nil {
            throw .strayJournal(path: path, journal: path + suffix)
        }
    }
    let db = try Connection(path: path, flags: SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
    try SQLiteResultsStore.configure(db)
    try Schema.migrate(db)
    return db
}

/// Removes a database file and the journal files SQLite may keep beside it. Only for files
/// this code created itself (the writer benchmark's scratch files), never for a user's path.
func removeDatabaseFiles(_ path: String) {
    for suffix in ["", "-wal", "-shm", "-journal"] { unlink(path + suffix) }
}
