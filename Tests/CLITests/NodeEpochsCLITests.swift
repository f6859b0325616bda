import Foundation
import TestSupport
import Testing

/// `node_epochs` as written to SQLite agrees with the `flows` table, per epoch and node, with
/// the query documented in Results/README.md.
@Suite struct NodeEpochsDatabaseTests {
    static let scenario = """
        name = "node-epochs"
        seed = 3
        duration = "45m"

        [nodes]
        count = 6
        shards = 12
        commission_bp = [0, 1000, 2000, 5000, 8000, 10000]
        fixed_cost_usd = [0, 0, 0, 1, 1, 1]

        [economics]
        preset = "testnet"
        epoch_duration = "10m"

        [economics.subsidies]
        usage_rate_bp = 5000
        base_frost = 1000000
        per_shard_frost = 10000
        pool_wal = 1000

        [fidelity]
        encoding = "modeled"
        signatures = "modeled"

        [[workload]]
        name = "uploads"
        kind = "writes"
        count = 60
        inter_arrival_s = { kind = "exponential", mean = 30 }
        size = "1MiB"
        lifetime_epochs = [2, 5]
        """

    @Test func sumsEqualTheFlowsPerEpochAndNode() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("s.toml")
        try Self.scenario.write(to: file, atomically: true, encoding: .utf8)
        let db = dir.appendingPathComponent("r.sqlite").path
        let run = try CLI.run(["run", file.path, "--out", db, "--quiet"])
        #expect(run.status == 0, "\(run.stderr)")
        let mismatches = """
            SELECT count(*) FROM node_epochs n WHERE n.rewards_frost != (SELECT coalesce(sum(amount_frost), 0) FROM flows f \
            WHERE f.run_id = n.run_id AND f.epoch = n.epoch AND f.kind = 'reward' AND f.payee = 'poolRewards(node' || n.node_id || ')') \
            OR n.commission_frost != (SELECT coalesce(sum(amount_frost), 0) FROM flows f WHERE f.run_id = n.run_id AND f.epoch = n.epoch \
            AND f.kind = 'commission' AND f.payee = 'poolCommission(node' || n.node_id || ')') \
            OR n.subsidies_frost != (SELECT coalesce(sum(amount_frost), 0) FROM flows f WHERE f.run_id = n.run_id AND f.epoch = n.epoch \
            AND f.kind = 'subsidy' AND f.payee = 'poolCommission(node' || n.node_id || ')')
            """
        func scalar(_ sql: String) throws -> String {
            try CLI.shell("sqlite3 \(db) \"\(sql)\"").trimmingCharacters(in: .whitespacesAndNewlines)
        }
        #expect(try scalar(mismatches) == "0")
        #expect(try Int(scalar("SELECT count(*) FROM node_epochs")) ?? 0 >= 6 * 3)
        #expect(try Int(scalar("SELECT sum(rewards_frost) > 0 AND sum(commission_frost) > 0 AND sum(subsidies_frost) > 0 FROM node_epochs")) == 1)
        // Costs show as losses in both units for the nodes that pay 1 USD an epoch and earn little.
        #expect(try Int(scalar("SELECT count(*) FROM node_epochs WHERE (profit_frost < 0) != (profit_usd < 0)")) == 0)
        #expect(try Int(scalar("SELECT count(*) FROM node_epochs WHERE profit_frost < 0")) ?? 0 > 0)
        // The human view reads in WAL and USD.
        #expect(try Int(scalar("SELECT count(*) FROM node_epochs_h WHERE cost_usd > 0")) ?? 0 > 0)
    }
}
