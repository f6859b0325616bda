/// A named per-run metric: SQL over one results database returning `(run_id, value)`, one row per
/// run that has a value (runs without one, e.g. no successful reads, return no row or `NULL`).
///
/// The queries read only the documented schema (`Results/README.md`), so they work on a single
/// run's file and on a merged sweep alike.
public struct NamedMetric: Hashable, Sendable {
    /// The name `--metric` takes, e.g. `write_latency_p50`.
    public var name: String
    /// One line: what the value is, with its unit.
    public var summary: String
    /// The query: one row `(run_id, value)` per run with a value.
    public var sql: String

    /// The named metrics, sorted by name.
    public static let all: [NamedMetric] = [
        latencyPercentile(kind: "write", p: 50), latencyPercentile(kind: "write", p: 99),
        latencyPercentile(kind: "read", p: 50), latencyPercentile(kind: "read", p: 99),
        NamedMetric(
            name: "availability",
            summary: "share of finished reads that succeeded (0...1)",
            sql: """
                SELECT run_id, avg(outcome = 'success') FROM ops
                WHERE kind = 'read' AND outcome != 'unfinished' GROUP BY run_id
                """),
        NamedMetric(
            name: "recovery_bytes",
            summary: "bytes moved by sliver recovery over the run (last recovery_bytes sample)",
            sql: """
                SELECT run_id, value FROM (
                    SELECT run_id, value, row_number() OVER (PARTITION BY run_id ORDER BY seq DESC) AS r
                    FROM metrics WHERE name = 'recovery_bytes')
                WHERE r = 1
                """),
        NamedMetric(
            name: "rewards_per_node",
            summary: "WAL paid out as rewards (flows of kind reward) per storage node",
            sql: """
                SELECT r.run_id,
                       coalesce((SELECT sum(f.amount_frost) FROM flows AS f WHERE f.run_id = r.run_id AND f.kind = 'reward'), 0)
                       / 1e9 / (SELECT count(*) FROM nodes AS n WHERE n.run_id = r.run_id)
                FROM runs AS r
                """),
        NamedMetric(
            name: "burned_wal",
            summary: "WAL burned over the run (sum of epochs.burned_frost)",
            sql: """
                SELECT r.run_id, coalesce((SELECT sum(e.burned_frost) FROM epochs AS e WHERE e.run_id = r.run_id), 0) / 1e9
                FROM runs AS r
                """),
        NamedMetric(
            name: "events",
            summary: "events the simulation processed",
            sql: "SELECT run_id, event_count FROM runs"),
    ].sorted { $0.name < $1.name }

    /// The metric called `name`, or `nil`.
    public static func named(_ name: String) -> NamedMetric? { all.first { $0.name == name } }

    /// Nearest-rank percentile `p` (the smallest latency with at least p% of the run's successful
    /// operations of `kind` at or below it), in seconds.
    static func latencyPercentile(kind: String, p: Int) -> NamedMetric {
        NamedMetric(
            name: "\(kind)_latency_p\(p)",
            summary: "\(p)th percentile (nearest rank) of successful \(kind) latency, seconds",
            sql: """
                SELECT run_id, min(CASE WHEN rank >= \(p) * n / 100.0 THEN latency_s END) FROM (
                    SELECT run_id, (end_ns - start_ns) / 1e9 AS latency_s,
                           row_number() OVER (PARTITION BY run_id ORDER BY end_ns - start_ns) AS rank,
                           count(*) OVER (PARTITION BY run_id) AS n
                    FROM ops WHERE kind = '\(kind)' AND outcome = 'success' AND end_ns IS NOT NULL)
                GROUP BY run_id
                """)
    }
}
