/// The results schema (documented column by column in `Results/README.md`).
///
/// Invariants the rest of the module relies on:
/// - Every table has `run_id` as its first column, so one file can hold many runs (`merge`).
/// - Every table has a primary key, and rows are compared and copied in key order, so two
///   databases with the same rows give the same digest whatever their insertion history.
///   Tables without a natural key use `seq`, the record's position among its run's records
///   of that kind.
/// - Tables are `STRICT` (no silent type coercion) and `WITHOUT ROWID` (the key is the row's
///   only identity; nothing depends on hidden rowids).
/// - Columns holding wall-clock values are named `wall_*`; nothing else reads the clock, and
///   content digests skip exactly these columns.
/// - Integers are nanoseconds (`*_ns`), FROST (`*_frost`), bytes (`*_bytes`) or basis points
///   (`*_bp`). Views named `*_h` show them in seconds, WAL, MiB/GiB and percent.
enum Schema {
    /// Ordered migrations: `migrations[k]` takes a database from version `k` to `k + 1`
    /// (`PRAGMA user_version`). Version 0 is an empty file, so the first entry creates the
    /// schema. To change the schema, append an entry; never edit a released one.
    static let migrations: [[String]] = [version1, version2, version3, version4, version5, version6]

    /// The schema version this code writes.
    static var currentVersion: Int32 { Int32(migrations.count) }

    /// The run-scoped tables in the order digests and merges visit them, with their keys.
    static let tables: [(name: String, key: String)] = [
        ("runs", "run_id"),
        ("nodes", "run_id, node_id"),
        ("epochs", "run_id, epoch"),
        ("committee", "run_id, epoch, node_id"),
        ("blobs", "run_id, blob_index"),
        ("ops", "run_id, op_id"),
        ("flows", "run_id, seq"),
        ("metrics", "run_id, seq"),
        ("faults", "run_id, seq"),
        ("node_epochs", "run_id, epoch, node_id"),
        ("op_phases", "run_id, op_id, seq"),
    ]

    /// Whether a column holds a wall-clock value (and so is excluded from content digests).
    static func isWallClock(_ column: String) -> Bool { column.hasPrefix("wall_") }

    /// Version 6: operator profit in FROST next to USD (`node_epochs.profit_frost`: commission
    /// and subsidies minus the cost converted at the epoch's WAL price; negative for a loss).
    /// Rows written before it read 0.
    static let version6: [String] = [
        "ALTER TABLE node_epochs ADD COLUMN profit_frost INTEGER NOT NULL DEFAULT 0",
        "DROP VIEW node_epochs_h",
        """
        CREATE VIEW node_epochs_h AS SELECT
            run_id, epoch, node_id, in_committee, shards, stake_frost / 1e9 AS stake_wal,
            commission_bp / 100.0 AS commission_pct,
            storage_price_vote_frost / 1e9 AS storage_price_vote_wal_per_mib_epoch,
            write_price_vote_frost / 1e9 AS write_price_vote_wal_per_mib,
            capacity_vote_bytes / 1073741824.0 AS capacity_vote_gib,
            rewards_frost / 1e9 AS rewards_wal, commission_frost / 1e9 AS commission_wal,
            subsidies_frost / 1e9 AS subsidies_wal,
            (commission_frost + subsidies_frost) / 1e9 * wal_usd AS operator_income_usd,
            wal_usd, cost_usd, profit_usd, profit_frost / 1e9 AS profit_wal,
            stored_bytes / 1073741824.0 AS stored_gib, bytes_sent / 1073741824.0 AS sent_gib,
            bytes_received / 1073741824.0 AS received_gib, recovery_bytes / 1073741824.0 AS recovery_gib
        FROM node_epochs
        """,
    ]

    /// Version 5: the phases of each client operation (`op_phases`), for write and read
    /// latency breakdowns (Walrus paper figures 9 and 10).
    static let version5: [String] = [
        """
        CREATE TABLE op_phases (
            run_id   TEXT    NOT NULL REFERENCES runs(run_id),
            op_id    INTEGER NOT NULL,
            seq      INTEGER NOT NULL,
            phase    TEXT    NOT NULL,
            kind     TEXT    NOT NULL CHECK (kind IN ('phase', 'span')),
            start_ns INTEGER NOT NULL,
            end_ns   INTEGER NOT NULL,
            PRIMARY KEY (run_id, op_id, seq)
        ) STRICT, WITHOUT ROWID
        """,
        """
        CREATE VIEW op_phases_h AS SELECT
            p.run_id, p.op_id, o.kind AS op_kind, o.bytes / 1048576.0 AS size_mib, p.seq, p.phase, p.kind,
            p.start_ns / 1e9 AS start_s, p.end_ns / 1e9 AS end_s, (p.end_ns - p.start_ns) / 1e9 AS duration_s
        FROM op_phases p LEFT JOIN ops o ON o.run_id = p.run_id AND o.op_id = p.op_id
        """,
    ]

    /// Version 2: blobs declared invalid on chain (inconsistent encodings) say when.
    static let version2: [String] = [
        "ALTER TABLE blobs ADD COLUMN invalid_ns INTEGER",
        "DROP VIEW blobs_h",
        """
        CREATE VIEW blobs_h AS SELECT
            run_id, blob_index, blob_id, size_bytes / 1048576.0 AS size_mib,
            encoded_size_bytes / 1048576.0 AS encoded_size_mib,
            CASE WHEN size_bytes > 0 THEN encoded_size_bytes * 1.0 / size_bytes END AS expansion,
            registered_ns / 1e9 AS registered_s, certified_ns / 1e9 AS certified_s,
            (certified_ns - registered_ns) / 1e9 AS certify_delay_s, end_epoch, status, deletable,
            invalid_ns / 1e9 AS invalid_s
        FROM blobs
        """,
    ]

    /// Version 3: quilts. A blob says which writes workload wrote it and how many records it
    /// holds (1 for a plain blob, its patch count for a quilt).
    static let version3: [String] = [
        "ALTER TABLE blobs ADD COLUMN records INTEGER NOT NULL DEFAULT 1",
        "ALTER TABLE blobs ADD COLUMN workload TEXT",
        "DROP VIEW blobs_h",
        """
        CREATE VIEW blobs_h AS SELECT
            run_id, blob_index, blob_id, size_bytes / 1048576.0 AS size_mib,
            encoded_size_bytes / 1048576.0 AS encoded_size_mib,
            CASE WHEN size_bytes > 0 THEN encoded_size_bytes * 1.0 / size_bytes END AS expansion,
            registered_ns / 1e9 AS registered_s, certified_ns / 1e9 AS certified_s,
            (certified_ns - registered_ns) / 1e9 AS certify_delay_s, end_epoch, status, deletable,
            invalid_ns / 1e9 AS invalid_s, records, workload
        FROM blobs
        """,
    ]

    /// Version 4: one row per storage node and finished epoch, with what it was paid, what it
    /// cost and its votes (issue 13). USD columns are REAL: derived figures, not ledger values.
    static let version4: [String] = [
        """
        CREATE TABLE node_epochs (
            run_id                   TEXT    NOT NULL REFERENCES runs(run_id),
            epoch                    INTEGER NOT NULL,
            node_id                  INTEGER NOT NULL,
            in_committee             INTEGER NOT NULL CHECK (in_committee IN (0, 1)),
            shards                   INTEGER NOT NULL,
            stake_frost              INTEGER NOT NULL,
            commission_bp            INTEGER NOT NULL,
            storage_price_vote_frost INTEGER NOT NULL,
            write_price_vote_frost   INTEGER NOT NULL,
            capacity_vote_bytes      INTEGER NOT NULL,
            rewards_frost            INTEGER NOT NULL,
            commission_frost         INTEGER NOT NULL,
            subsidies_frost          INTEGER NOT NULL,
            wal_usd                  REAL    NOT NULL,
            cost_usd                 REAL    NOT NULL,
            profit_usd               REAL    NOT NULL,
            stored_bytes             INTEGER NOT NULL,
            bytes_sent               INTEGER NOT NULL,
            bytes_received           INTEGER NOT NULL,
            recovery_bytes           INTEGER NOT NULL,
            PRIMARY KEY (run_id, epoch, node_id)
        ) STRICT, WITHOUT ROWID
        """,
        """
        CREATE VIEW node_epochs_h AS SELECT
            run_id, epoch, node_id, in_committee, shards, stake_frost / 1e9 AS stake_wal,
            commission_bp / 100.0 AS commission_pct,
            storage_price_vote_frost / 1e9 AS storage_price_vote_wal_per_mib_epoch,
            write_price_vote_frost / 1e9 AS write_price_vote_wal_per_mib,
            capacity_vote_bytes / 1073741824.0 AS capacity_vote_gib,
            rewards_frost / 1e9 AS rewards_wal, commission_frost / 1e9 AS commission_wal,
            subsidies_frost / 1e9 AS subsidies_wal,
            (commission_frost + subsidies_frost) / 1e9 * wal_usd AS operator_income_usd,
            wal_usd, cost_usd, profit_usd,
            stored_bytes / 1073741824.0 AS stored_gib, bytes_sent / 1073741824.0 AS sent_gib,
            bytes_received / 1073741824.0 AS received_gib, recovery_bytes / 1073741824.0 AS recovery_gib
        FROM node_epochs
        """,
    ]

    static let version1: [String] = [
        """
        CREATE TABLE runs (
            run_id          TEXT    NOT NULL PRIMARY KEY,
            scenario_name   TEXT    NOT NULL,
            scenario_digest TEXT    NOT NULL,
            scenario_text   TEXT    NOT NULL,
            parameters_json TEXT    NOT NULL,
            seed            INTEGER NOT NULL,
            code_version    TEXT    NOT NULL,
            toolchain       TEXT    NOT NULL,
            fidelity        TEXT    NOT NULL,
            status          TEXT    NOT NULL CHECK (status IN ('incomplete', 'complete', 'failed')),
            failure_reason  TEXT,
            event_count     INTEGER,
            event_digest    TEXT,
            end_ns          INTEGER,
            wall_started_at  TEXT,
            wall_finished_at TEXT,
            wall_elapsed_ns  INTEGER
        ) STRICT, WITHOUT ROWID
        """,
        """
        CREATE TABLE nodes (
            run_id              TEXT    NOT NULL REFERENCES runs(run_id),
            node_id             INTEGER NOT NULL,
            name                TEXT    NOT NULL,
            region              TEXT    NOT NULL,
            profile             TEXT    NOT NULL,
            capacity_bytes      INTEGER NOT NULL,
            commission_bp       INTEGER NOT NULL,
            initial_stake_frost INTEGER NOT NULL,
            PRIMARY KEY (run_id, node_id)
        ) STRICT, WITHOUT ROWID
        """,
        """
        CREATE TABLE epochs (
            run_id                      TEXT    NOT NULL REFERENCES runs(run_id),
            epoch                       INTEGER NOT NULL,
            start_ns                    INTEGER NOT NULL,
            sync_done_ns                INTEGER,
            end_ns                      INTEGER,
            storage_price_frost_per_mib INTEGER NOT NULL,
            write_price_frost_per_mib   INTEGER NOT NULL,
            capacity_bytes              INTEGER NOT NULL,
            used_capacity_bytes         INTEGER NOT NULL,
            total_stake_frost           INTEGER NOT NULL,
            reward_pool_frost           INTEGER NOT NULL,
            burned_frost                INTEGER NOT NULL,
            PRIMARY KEY (run_id, epoch)
        ) STRICT, WITHOUT ROWID
        """,
        """
        CREATE TABLE committee (
            run_id      TEXT    NOT NULL REFERENCES runs(run_id),
            epoch       INTEGER NOT NULL,
            node_id     INTEGER NOT NULL,
            shard_count INTEGER NOT NULL,
            stake_frost INTEGER NOT NULL,
            PRIMARY KEY (run_id, epoch, node_id)
        ) STRICT, WITHOUT ROWID
        """,
        """
        CREATE TABLE blobs (
            run_id             TEXT    NOT NULL REFERENCES runs(run_id),
            blob_index         INTEGER NOT NULL,
            blob_id            TEXT    NOT NULL,
            size_bytes         INTEGER NOT NULL,
            encoded_size_bytes INTEGER NOT NULL,
            registered_ns      INTEGER,
            certified_ns       INTEGER,
            end_epoch          INTEGER NOT NULL,
            status             TEXT    NOT NULL,
            deletable          INTEGER NOT NULL CHECK (deletable IN (0, 1)),
            PRIMARY KEY (run_id, blob_index)
        ) STRICT, WITHOUT ROWID
        """,
        """
        CREATE TABLE ops (
            run_id     TEXT    NOT NULL REFERENCES runs(run_id),
            op_id      INTEGER NOT NULL,
            kind       TEXT    NOT NULL,
            blob_index INTEGER,
            client_id  INTEGER NOT NULL,
            start_ns   INTEGER NOT NULL,
            end_ns     INTEGER,
            outcome    TEXT    NOT NULL,
            bytes      INTEGER NOT NULL,
            attempts   INTEGER NOT NULL,
            details    TEXT,
            PRIMARY KEY (run_id, op_id)
        ) STRICT, WITHOUT ROWID
        """,
        """
        CREATE TABLE flows (
            run_id       TEXT    NOT NULL REFERENCES runs(run_id),
            seq          INTEGER NOT NULL,
            epoch        INTEGER NOT NULL,
            time_ns      INTEGER NOT NULL,
            kind         TEXT    NOT NULL,
            payer        TEXT    NOT NULL,
            payee        TEXT    NOT NULL,
            amount_frost INTEGER NOT NULL,
            PRIMARY KEY (run_id, seq)
        ) STRICT, WITHOUT ROWID
        """,
        // `value` is ANY: counts stay exact integers, measurements stay doubles.
        """
        CREATE TABLE metrics (
            run_id  TEXT    NOT NULL REFERENCES runs(run_id),
            seq     INTEGER NOT NULL,
            name    TEXT    NOT NULL,
            time_ns INTEGER NOT NULL,
            value   ANY     NOT NULL,
            PRIMARY KEY (run_id, seq)
        ) STRICT, WITHOUT ROWID
        """,
        """
        CREATE TABLE faults (
            run_id   TEXT    NOT NULL REFERENCES runs(run_id),
            seq      INTEGER NOT NULL,
            start_ns INTEGER NOT NULL,
            kind     TEXT    NOT NULL,
            target   TEXT    NOT NULL,
            details  TEXT    NOT NULL,
            end_ns   INTEGER,
            PRIMARY KEY (run_id, seq)
        ) STRICT, WITHOUT ROWID
        """,
        // Views in human units. 1 MiB = 2^20 bytes, 1 GiB = 2^30 bytes, 1 WAL = 10^9 FROST.
        """
        CREATE VIEW runs_h AS SELECT
            run_id, scenario_name, seed, status, failure_reason, code_version, toolchain, fidelity,
            event_count, event_digest, end_ns / 1e9 AS end_s,
            wall_started_at, wall_finished_at, wall_elapsed_ns / 1e9 AS wall_elapsed_s
        FROM runs
        """,
        """
        CREATE VIEW nodes_h AS SELECT
            run_id, node_id, name, region, profile, capacity_bytes / 1073741824.0 AS capacity_gib,
            commission_bp / 100.0 AS commission_pct, initial_stake_frost / 1e9 AS initial_stake_wal
        FROM nodes
        """,
        """
        CREATE VIEW epochs_h AS SELECT
            run_id, epoch, start_ns / 1e9 AS start_s, sync_done_ns / 1e9 AS sync_done_s,
            (sync_done_ns - start_ns) / 1e9 AS sync_duration_s, end_ns / 1e9 AS end_s,
            (end_ns - start_ns) / 1e9 AS duration_s,
            storage_price_frost_per_mib / 1e9 AS storage_price_wal_per_mib_epoch,
            write_price_frost_per_mib / 1e9 AS write_price_wal_per_mib,
            capacity_bytes / 1073741824.0 AS capacity_gib, used_capacity_bytes / 1073741824.0 AS used_capacity_gib,
            total_stake_frost / 1e9 AS total_stake_wal, reward_pool_frost / 1e9 AS reward_pool_wal,
            burned_frost / 1e9 AS burned_wal
        FROM epochs
        """,
        """
        CREATE VIEW committee_h AS SELECT
            run_id, epoch, node_id, shard_count, stake_frost / 1e9 AS stake_wal
        FROM committee
        """,
        """
        CREATE VIEW blobs_h AS SELECT
            run_id, blob_index, blob_id, size_bytes / 1048576.0 AS size_mib,
            encoded_size_bytes / 1048576.0 AS encoded_size_mib,
            CASE WHEN size_bytes > 0 THEN encoded_size_bytes * 1.0 / size_bytes END AS expansion,
            registered_ns / 1e9 AS registered_s, certified_ns / 1e9 AS certified_s,
            (certified_ns - registered_ns) / 1e9 AS certify_delay_s, end_epoch, status, deletable
        FROM blobs
        """,
        """
        CREATE VIEW ops_h AS SELECT
            run_id, op_id, kind, blob_index, client_id, start_ns / 1e9 AS start_s, end_ns / 1e9 AS end_s,
            (end_ns - start_ns) / 1e9 AS latency_s, outcome, bytes / 1048576.0 AS size_mib, attempts, details
        FROM ops
        """,
        """
        CREATE VIEW flows_h AS SELECT
            run_id, seq, epoch, time_ns / 1e9 AS time_s, kind, payer, payee, amount_frost / 1e9 AS amount_wal
        FROM flows
        """,
        """
        CREATE VIEW metrics_h AS SELECT run_id, seq, name, time_ns / 1e9 AS time_s, value FROM metrics
        """,
        """
        CREATE VIEW faults_h AS SELECT
            run_id, seq, start_ns / 1e9 AS start_s, end_ns / 1e9 AS end_s, (end_ns - start_ns) / 1e9 AS duration_s,
            kind, target, details
        FROM faults
        """,
    ]

    /// Brings the database to `currentVersion`, one migration per transaction, so a failure
    /// leaves it at the last complete version. Refuses files that hold foreign tables or a
    /// newer schema.
    static func migrate(_ db: Connection) throws(ResultsStoreError) {
        var version = try userVersion(db)
        if version == 0 {
            let foreign = try db.scalar("SELECT count(*) FROM sqlite_schema")
            guard foreign == .integer(0) else { throw .notAResultsDatabase(path: db.path) }
        }
        guard version <= currentVersion else {
            throw .unsupportedSchemaVersion(path: db.path, found: version, supported: currentVersion)
        }
        while version < currentVersion {
            let steps = migrations[Int(version)]
            try db.transaction { () throws(ResultsStoreError) in
                for sql in steps { try db.execute(sql) }
                try db.execute("PRAGMA user_version = \(version + 1)")
            }
            version += 1
        }
    }

    static func userVersion(_ db: Connection) throws(ResultsStoreError) -> Int32 {
        guard case let .integer(v) = try db.scalar("PRAGMA user_version") else { return 0 }
        return Int32(truncatingIfNeeded: v)
    }

    /// Checks that an existing file is a results database of exactly this version, for readers,
    /// which must not modify what they read.
    static func requireCurrent(_ db: Connection) throws(ResultsStoreError) {
        let version = try userVersion(db)
        if version == 0 { throw .notAResultsDatabase(path: db.path) }
        guard version == currentVersion else {
            throw .unsupportedSchemaVersion(path: db.path, found: version, supported: currentVersion)
        }
    }

    /// The columns of `table` in declaration order.
    static func columns(_ db: Connection, _ table: String, schema: String = "main") throws(ResultsStoreError) -> [String] {
        try db.query("SELECT name FROM pragma_table_info(?1, ?2) ORDER BY cid", [.text(table), .text(schema)])
            .compactMap { if case let .text(name) = $0.first { name } else { nil } }
    }
}
