import ResultsStore

/// What is wrong with a report's inputs. Each case names the thing at fault.
public enum ReportError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The database could not be opened or read (not a results database, missing, corrupt).
    case database(String)
    /// `--metric` named no metric this code defines.
    case unknownMetric(name: String, known: [String])
    /// A `--by` key path is not among the parameters the runs were swept over.
    case keyNotSwept(key: String, swept: [String])
    /// A `--by` key path is swept in some complete runs and absent from this one.
    case keyMissingInRun(key: String, runID: String)
    /// The metric query failed in SQLite.
    case queryFailed(String)
    /// The metric query returned no rows.
    case noRows
    /// The metric query's rows do not have exactly two columns, `(run_id, value)`.
    case wrongColumnCount(found: Int)
    /// The first column of a row is not a run id (text).
    case badRunID(found: String)
    /// A row's value is neither a number nor NULL.
    case nonNumericValue(runID: String, found: String)
    /// The query returned a run id the database does not hold.
    case unknownRun(runID: String)
    /// The query returned the same run twice.
    case duplicateRun(runID: String)
    /// The database holds no complete run, or none of the complete runs has a value.
    case noValues(completeRuns: Int)

    /// One line naming what is wrong and how to fix it.
    public var description: String {
        switch self {
        case let .database(message): return message
        case let .unknownMetric(name, known): return "unknown metric \"\(name)\"; known metrics: \(known.joined(separator: ", "))"
        case let .keyNotSwept(key, swept):
            return "--by \(key): not a parameter these runs were swept over; swept key paths: "
                + (swept.isEmpty ? "none (the runs have no sweep parameters)" : swept.joined(separator: ", "))
        case let .keyMissingInRun(key, runID): return "--by \(key): run \(runID) has no value for it (runs of different sweeps?)"
        case let .queryFailed(message): return "the metric query failed: \(message)"
        case .noRows: return "the metric query returned no rows; it must return (run_id, value) for each run"
        case let .wrongColumnCount(found): return "the metric query returned \(found) column(s); it must return two: (run_id, value)"
        case let .badRunID(found): return "the metric query's first column must be a run id (text), got \(found)"
        case let .nonNumericValue(runID, found): return "the metric query's value for run \(runID) is not a number: \(found)"
        case let .unknownRun(runID): return "the metric query returned run \(runID), which the database does not hold"
        case let .duplicateRun(runID): return "the metric query returned run \(runID) more than once; it must return one row per run"
        case let .noValues(completeRuns):
            return completeRuns == 0 ? "the database holds no complete run" : "none of the \(completeRuns) complete run(s) has a value for the metric"
        }
    }
}

/// Statistics of one metric over the runs of a sweep, grouped into sweep points.
///
/// A sweep point is one combination of values of the `by` key paths; its runs are the complete
/// runs with those values (all seeds, and any other swept parameter). Points are ordered by
/// their values, numerically where both values are numbers, else as text; `differences` compare
/// every other point with the first (the baseline).
///
/// Only `complete` runs count; a value the query returns for an `incomplete` or `failed` run is
/// left out, and `NULL` values are left out (the run has no value, e.g. no successful read).
public struct SweepReport: Hashable, Sendable {
    /// One sweep point and the statistics of its runs' values.
    public struct Point: Hashable, Sendable {
        /// The point's value of each `by` key path, in the order of `by`, as the runs record them.
        public var values: [String]
        /// Statistics of the point's runs' values.
        public var summary: Summary
        /// The runs with a value, sorted.
        public var runIDs: [String]
    }

    /// `point - baseline`, paired and unpaired.
    public struct Difference: Hashable, Sendable {
        /// The baseline point's `by` values (the first point).
        public var baseline: [String]
        /// The compared point's `by` values.
        public var point: [String]
        /// Statistics of the per-pair differences `point - baseline`, pairing runs of the same
        /// scenario file (`scenario_digest`) with the same seed and the same value of every
        /// parameter outside `by`: common random numbers make this interval far tighter than the
        /// unpaired one. `nil` when the points share no pair.
        public var paired: Summary?
        /// Welch's interval, treating the two points' runs as independent samples.
        public var unpaired: UnpairedDifference
    }

    /// The metric's name, or `sql` for a query given with `--sql`.
    public var metric: String
    /// The key paths the runs are grouped by.
    public var by: [String]
    /// The sweep points, in order (the first is the baseline).
    public var points: [Point]
    /// Every other point against the baseline.
    public var differences: [Difference]

    /// Computes the report of `metricSQL` (a query returning `(run_id, value)`) over the complete
    /// runs of `database`, grouped by `by` (key paths recorded in `runs.parameters_json`).
    public static func build(
        database: ResultsDatabase, metric: String, metricSQL: String, by: [String]
    ) throws(ReportError) -> SweepReport {
        func read(_ sql: String) throws(ReportError) -> [[DBValue]] {
            do { return try database.query(sql) } catch { throw .database(error.description) }
        }
        let allRuns = try read("SELECT run_id, status, seed, scenario_digest FROM runs ORDER BY run_id")
        var status: [String: String] = [:], origin: [String: String] = [:]
        for row in allRuns {
            guard case let .text(id) = row[0], case let .text(s) = row[1], case let .integer(seed) = row[2],
                  case let .text(digest) = row[3] else { continue }
            status[id] = s
            origin[id] = "file=\(digest)\u{1F}seed=\(seed)"
        }
        let complete = allRuns.compactMap { row -> String? in
            if case let .text(id) = row[0], case .text("complete") = row[1] { id } else { nil }
        }

        // Each complete run's sweep parameters, key path -> value as recorded.
        var parameters: [String: [String: String]] = [:]
        for row in try read("""
            SELECT r.run_id, j.key, j.value FROM runs AS r, json_each(r.parameters_json) AS j
            WHERE r.status = 'complete' ORDER BY r.run_id, j.key
            """) {
            guard case let .text(id) = row[0], case let .text(key) = row[1] else { continue }
            parameters[id, default: [:]][key] = text(row[2])
        }
        let swept = Set(parameters.values.flatMap(\.keys)).sorted()
        for key in by where !swept.contains(key) { throw .keyNotSwept(key: key, swept: swept) }

        let rows: [[DBValue]]
        do { rows = try database.query(metricSQL) } catch {
            if case let .sqlite(_, _, message, _) = error { throw .queryFailed(message) }
            throw .queryFailed(error.description)
        }
        guard let first = rows.first else { throw .noRows }
        guard first.count == 2 else { throw .wrongColumnCount(found: first.count) }
        var values: [String: Double] = [:]
        var seen = Set<String>()
        for row in rows {
            guard case let .text(id) = row[0] else { throw .badRunID(found: row[0].description) }
            guard seen.insert(id).inserted else { throw .duplicateRun(runID: id) }
            guard let s = status[id] else { throw .unknownRun(runID: id) }
            let v: Double
            switch row[1] {
            case .null: continue
            case let .integer(x): v = Double(x)
            case let .real(x): v = x
            case .text, .blob: throw .nonNumericValue(runID: id, found: row[1].description)
            }
            if s == "complete" { values[id] = v }
        }
        guard !values.isEmpty else { throw .noValues(completeRuns: complete.count) }

        // Group runs into points; pair runs across points by seed and the parameters outside `by`.
        let byKeys = Set(by)
        var groups: [[String]: [(run: String, pair: String, value: Double)]] = [:]
        for id in complete {
            guard let v = values[id] else { continue }
            let p = parameters[id] ?? [:]
            var point: [String] = []
            for key in by {
                guard let x = p[key] else { throw .keyMissingInRun(key: key, runID: id) }
                point.append(x)
            }
            let others = p.keys.filter { !byKeys.contains($0) }.sorted().map { "\($0)=\(p[$0]!)" }
            let pair = ([origin[id] ?? ""] + others).joined(separator: "\u{1F}")
            groups[point, default: []].append((id, pair, v))
        }
        let keys = groups.keys.sorted(by: pointPrecedes)
        let points = keys.map { k in
            let runs = groups[k]!.sorted { $0.run < $1.run }
            return Point(values: k, summary: Summary(runs.map(\.value))!, runIDs: runs.map(\.run))
        }
        var differences: [Difference] = []
        if let base = keys.first {
            var baseByPair: [String: Double] = [:]
            for r in groups[base]! { baseByPair[r.pair] = r.value }
            for (k, point) in zip(keys, points).dropFirst() {
                // A pair key appearing twice in one point cannot be paired unambiguously; the
                // key includes every parameter outside `by`, so it is unique within a point.
                let d = groups[k]!.sorted { $0.run < $1.run }.compactMap { r in baseByPair[r.pair].map { r.value - $0 } }
                differences.append(Difference(baseline: base, point: k, paired: Summary(d),
                                              unpaired: UnpairedDifference(a: points[0].summary, b: point.summary)))
            }
        }
        return SweepReport(metric: metric, by: by, points: points, differences: differences)
    }
}

/// A parameter value as text. Runs record each sweep value as its TOML literal (`300`,
/// `"1KiB"`, `{ kind = "equal" }`); a plain TOML string loses its quotes (`1KiB`), anything else
/// stays as written.
private func text(_ v: DBValue) -> String {
    guard case let .text(s) = v else { return v.description }
    if s.count >= 2, s.hasPrefix("\""), s.hasSuffix("\""), !s.dropFirst().dropLast().contains(where: { $0 == "\"" || $0 == "\\" }) {
        return String(s.dropFirst().dropLast())
    }
    return s
}

/// The value of a number, or of a size or duration with a unit (`16KiB`, `1.5MB`, `250ms`,
/// `2h`), in bytes or seconds, so that a sweep over sizes sorts by size; `nil` otherwise.
func sortableNumber(_ s: String) -> Double? {
    if let x = Double(s) { return x }
    let units: [(String, Double)] = [
        ("kib", 0x1p10), ("mib", 0x1p20), ("gib", 0x1p30), ("tib", 0x1p40), ("pib", 0x1p50),
        ("kb", 1e3), ("mb", 1e6), ("gb", 1e9), ("tb", 1e12), ("pb", 1e15), ("b", 1),
        ("ns", 1e-9), ("us", 1e-6), ("ms", 1e-3), ("s", 1), ("m", 60), ("h", 3600), ("d", 86400),
    ]
    let lower = s.lowercased()
    for (unit, scale) in units where lower.hasSuffix(unit) {
        if let x = Double(lower.dropLast(unit.count)) { return x * scale }
    }
    return nil
}

/// Orders point values component by component: numerically when both parse as numbers (sizes
/// and durations by their magnitude), numbers before text, text by Unicode scalars.
/// Deterministic and independent of hashing.
func pointPrecedes(_ a: [String], _ b: [String]) -> Bool {
    for (x, y) in zip(a, b) where x != y {
        switch (sortableNumber(x), sortableNumber(y)) {
        case let (u?, v?) where u != v: return u < v
        case (_?, nil): return true
        case (nil, _?): return false
        default: return Array(x.unicodeScalars.map(\.value)).lexicographicallyPrecedes(y.unicodeScalars.map(\.value))
        }
    }
    return a.count < b.count
}
