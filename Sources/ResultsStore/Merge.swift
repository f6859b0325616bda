import CSQLite
import ResultRecords
import SimSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What `merge` did with each run it saw, in the order it saw them.
public struct MergeReport: Hashable, Sendable {
    /// What `merge` did with one source run, decided by its status and the destination's copy, if any.
    public enum Outcome: Hashable, Sendable {
        /// Copied into the destination, which did not have it.
        case copied
        /// Copied over the destination's copy, which was `incomplete` or `failed`.
        case replaced(previous: RunStatus)
        /// The destination already has this run, complete, with the same event digest.
        case skippedPresent
        /// The destination already has a complete run with this id but another event digest:
        /// the same scenario and seed gave different results (another code version, or a
        /// broken determinism). Neither copy is touched; `merge`'s caller must report it.
        case conflict(destinationDigest: String, sourceDigest: String)
        /// The source's copy did not complete, so it is not a result to keep.
        case skippedNotComplete(RunStatus)
    }

    /// One source run and its outcome.
    public struct Entry: Hashable, Sendable {
        /// The path of the source file the run came from, as passed to `merge`.
        public var source: String
        /// The run's `run_id`, the key under which its rows are copied.
        public var runID: String
        /// Whether the run was copied, replaced or skipped, and why.
        public var outcome: Outcome
    }

    /// One entry per run of each source: sources in the order given, runs of a source in `run_id` order.
    public var entries: [Entry] = []

    /// Ids of the runs copied (or replaced) into the destination.
    public var copied: [String] {
        entries.compactMap {
            switch $0.outcome {
            case .copied, .replaced: $0.runID
            case .skippedPresent, .skippedNotComplete, .conflict: nil
            }
        }
    }

    /// The entries for runs left out.
    public var skipped: [Entry] {
        entries.filter {
            switch $0.outcome {
            case .copied, .replaced: false
            case .skippedPresent, .skippedNotComplete, .conflict: true
            }
        }
    }

    /// The entries for runs present in both with different event digests.
    public var conflicts: [Entry] {
        entries.filter { if case .conflict = $0.outcome { true } else { false } }
    }
}

extension ResultsDatabase {
    /// Copies the complete runs of each file in `sources` into `destination` (created if
    /// absent), so per-run files of a sweep combine into one, and a resumed sweep can merge
    /// again without duplicating anything (DESIGN §8).
    ///
    /// Per run: a run the destination already holds as `complete` is skipped when its event
    /// digest is the source's, and reported as a `conflict` (nothing copied) when not; a source run
    /// that is not `complete` (interrupted or failed) is skipped; a complete run replaces an
    /// `incomplete` or `failed` copy in the destination. Sources are only read, and must all
    /// be results files of the current schema version, which is checked before the
    /// destination is created or changed. Each source is then merged in one transaction, so
    /// an error leaves the destination exactly as the previous source left it.
    public static func merge(sources: [String], into destination: String) throws(ResultsStoreError) -> MergeReport {
        let destinationReal = canonicalPath(destination)
        for source in sources where canonicalPath(source) == destinationReal {
            throw .mergeIntoSource(path: destination)
        }
        // Every source must be readable before the destination is touched.
        for source in sources { _ = try ResultsDatabase(path: source) }
        let db = try openResultsFileForWriting(destination)
        let columns = try Schema.tables.map { (table, key) throws(ResultsStoreError) in
            (table, key, try Schema.columns(db, table).joined(separator: ", "))
        }

        var report = MergeReport()
        for source in sources {
            try db.prepare("ATTACH DATABASE ?1 AS src").run([.text(source)])
            defer { try? db.execute("DETACH DATABASE src") }
            let entries = try db.transaction { () throws(ResultsStoreError) -> [MergeReport.Entry] in
                var entries: [MergeReport.Entry] = []
                let runs = try db.query("""
                    SELECT s.run_id, s.status, m.status, s.event_digest, m.event_digest FROM src.runs AS s
                    LEFT JOIN main.runs AS m ON m.run_id = s.run_id ORDER BY s.run_id
                    """)
                for row in runs {
                    guard case let .text(runID) = row[0], case let .text(s) = row[1], let status = RunStatus(rawValue: s)
                    else { throw .notAResultsDatabase(path: source) }
                    let present: RunStatus? = if case let .text(p) = row[2] { RunStatus(rawValue: p) } else { nil }

                    let outcome: MergeReport.Outcome
                    switch (status, present) {
                    case (.incomplete, _), (.failed, _): outcome = .skippedNotComplete(status)
                    case (.complete, .complete):
                        let source = row[3].description, present = row[4].description
                        outcome = source == present ? .skippedPresent : .conflict(destinationDigest: present, sourceDigest: source)
                    case let (.complete, previous?): outcome = .replaced(previous: previous)
                    case (.complete, nil): outcome = .copied
                    }
                    switch outcome {
                    case .skippedPresent, .skippedNotComplete, .conflict: break
                    case .copied, .replaced:
                        if present != nil {
                            for (table, _, _) in columns {
                                try db.prepare("DELETE FROM main.\(table) WHERE run_id = ?1").run([.text(runID)])
                            }
                        }
                        for (table, key, list) in columns {
                            try db.prepare("""
                                INSERT INTO main.\(table) (\(list)) SELECT \(list) FROM src.\(table)
                                WHERE run_id = ?1 ORDER BY \(key)
                                """).run([.text(runID)])
                        }
                    }
                    entries.append(.init(source: source, runID: runID, outcome: outcome))
                }
                return entries
            }
            report.entries += entries
        }
        try? db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return report
    }
}

/// The absolute path with symbolic links resolved, or the path itself if it does not exist.
private func canonicalPath(_ path: String) -> String {
    guard let resolved = realpath(path, nil) else { return path }
    defer { free(resolved) }
    return String(cString: resolved)
}
