import Foundation
import ResultRecords
@testable import ResultsStore
import SimSupport
import Testing

@Suite("Schema versions and foreign files")
struct SchemaTests {
    @Test("migration brings an empty file to the current version once, and is then a no-op")
    func migrationIsIdempotent() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let db = try Connection(path: dir.path("a.sqlite"), flags: openReadWriteCreate)
        try Schema.migrate(db)
        #expect(try Schema.userVersion(db) == Schema.currentVersion)
        let objects = try db.query("SELECT count(*) FROM sqlite_schema")
        try Schema.migrate(db)
        #expect(try db.query("SELECT count(*) FROM sqlite_schema") == objects)
    }

    @Test("files from a newer walrus-sim are refused by writer, reader and merge")
    func newerSchemaRefused() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let path = dir.path("new.sqlite")
        try writeSampleRun(path)
        try Connection(path: path, flags: openReadWriteCreate).execute("PRAGMA user_version = 99")
        let error = ResultsStoreError.unsupportedSchemaVersion(path: path, found: 99, supported: Schema.currentVersion)
        #expect(throws: error) { try SQLiteResultsStore(path: path, run: runInfo("run-2"), ifExists: .append) }
        #expect(throws: error) { try ResultsDatabase(path: path) }
        #expect(throws: error) { try ResultsDatabase.merge(sources: [path], into: dir.path("out.sqlite")) }
    }

    @Test("a SQLite file with other tables is not taken over")
    func foreignDatabaseRefused() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let path = dir.path("foreign.sqlite")
        try Connection(path: path, flags: openReadWriteCreate).execute("CREATE TABLE accounts (id INTEGER)")
        #expect(throws: ResultsStoreError.notAResultsDatabase(path: path)) {
            try SQLiteResultsStore(path: path, run: runInfo(), ifExists: .append)
        }
        let db = try Connection(path: path, flags: openReadOnly)
        #expect(try db.query("SELECT name FROM sqlite_schema") == [[.text("accounts")]])
    }

    @Test("a NaN metric fails the run instead of storing NULL")
    func nanMetricRefused() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let path = dir.path("a.sqlite")
        let store = try SQLiteResultsStore(path: path, run: runInfo())
        store.record(MetricSample(name: "ok", timeNs: 0, value: .double(1)))
        store.record(MetricSample(name: "bad", timeNs: 1, value: .double(.nan)))
        #expect { try store.finish(summary()) } throws: { error in
            guard case let .sqlite(_, _, message, _) = error as? ResultsStoreError else { return false }
            return message.contains("NOT NULL")
        }
        let db = try ResultsDatabase(path: path)
        #expect(try db.status(runID: "run-1") == .failed)
        #expect(try db.rowCount("metrics", runID: "run-1") == 0)
    }
}

// SQLite's SQLITE_OPEN_* flags; the test target does not import the C module.
private let openReadWriteCreate: Int32 = 0x0000_0002 | 0x0000_0004
private let openReadOnly: Int32 = 0x0000_0001
