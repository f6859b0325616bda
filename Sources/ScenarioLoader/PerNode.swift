import SimEngine
import SimSupport
import Simulation

/// Per-node values and the economy's tables: `[nodes]` keys that may differ per node,
/// `[economics.wal_price]`, `[economics.subsidies]`, `[economics.buyer_subsidies]` and
/// `[[policy]]`. The per-node helper is shared by every per-node key (votes, costs, and any
/// later per-node property such as capacity or provider), so they all read the same way.
extension ScenarioDecoder {
    /// A per-node value: a number (or, for a quantity with units, a size or duration string)
    /// for every node, an array with one value per node, or a distribution table
    /// `{ kind = "...", ... }` each node draws from. Lengths are checked against `nodes.count`
    /// by `Scenario.validate()`, which names the key.
    func perNode(_ node: TOMLNode, at path: String, unit: Quantity = .bytes) throws(ScenarioError) -> PerNodeValue {
        switch node {
        case .array(let items):
            var values: [Double] = []
            for (i, item) in items.enumerated() { values.append(try quantity(item, at: KeyPath.element(path, i), unit: unit)) }
            return .list(values)
        default:
            return .distribution(try distribution(node, at: path, unit: unit))
        }
    }

    /// The per-node keys of `[nodes]` into `spec`: scalars keep their old meaning (the same
    /// value for every node); arrays and distributions make the value per node.
    func decodeNodeEconomics(_ t: TableReader, into spec: inout NodesSpec) throws(ScenarioError) {
        func scalarOrPerNode(_ key: String, unit: Quantity = .bytes) throws(ScenarioError) -> PerNodeValue? {
            guard let node = t.entries[key] else { return nil }
            switch node {
            case .array, .table: return try perNode(node, at: t.keyPath(key), unit: unit)
            default: return nil
            }
        }
        spec.economics.commissionBP = try scalarOrPerNode("commission_bp")
        spec.economics.storagePriceFrost = try scalarOrPerNode("storage_price_frost")
        spec.economics.writePriceFrost = try scalarOrPerNode("write_price_frost")
        spec.economics.capacityBytes = try scalarOrPerNode("capacity")
        for (key, set) in [("fixed_cost_usd", \NodeEconomicsSpec.fixedCostUSD),
                           ("storage_cost_usd_per_tb_month", \NodeEconomicsSpec.storageCostUSDPerTBMonth),
                           ("egress_cost_usd_per_tb", \NodeEconomicsSpec.egressCostUSDPerTB)] {
            if let node = t.entries[key] { spec.economics[keyPath: set] = try perNode(node, at: t.keyPath(key)) }
        }
    }

    /// `[economics.wal_price]`: `kind = "constant" | "gbm" | "series"`.
    func decodeWalPrice(_ t: TableReader) throws(ScenarioError) -> WalPricePath {
        let kinds = ["constant", "gbm", "series"]
        try t.expectKeys(["kind", "usd", "drift", "volatility", "series"])
        let kind = try t.choice("kind", kinds) ?? "constant"
        switch kind {
        case "gbm":
            try t.expectKeys(["kind", "usd", "drift", "volatility"], context: "a gbm WAL price")
            return .gbm(initialUSD: try t.double("usd") ?? 0.5, driftPerYear: try t.double("drift") ?? 0,
                        volatilityPerYear: try t.double("volatility") ?? 0)
        case "series":
            try t.expectKeys(["kind", "series"], context: "a series WAL price")
            guard let items = try t.array("series") else { throw t.fail("series", "missing required key (USD per WAL of epochs 0, 1, ...)", kind: .missingKey) }
            var prices: [Double] = []
            for (i, item) in items.enumerated() { prices.append(try TableReader.double(item, at: KeyPath.element(t.keyPath("series"), i), context)) }
            return .series(prices)
        default:
            try t.expectKeys(["kind", "usd"], context: "a constant WAL price")
            return .constant(usd: try t.double("usd") ?? 0.5)
        }
    }

    /// `[economics.subsidies]`: the `walrus_subsidies` contract.
    func decodeSubsidies(_ t: TableReader) throws(ScenarioError) -> WalrusSubsidySpec {
        try t.expectKeys(["usage_rate_bp", "base_frost", "per_shard_frost", "pool_wal", "start_epoch"])
        var s = WalrusSubsidySpec()
        if let v = try t.uint("usage_rate_bp") { s.usageRateBP = v }
        if let v = try t.uint("base_frost") { s.basePerNodeFrost = v }
        if let v = try t.uint("per_shard_frost") { s.perShardFrost = v }
        if let v = try t.uint("pool_wal") { s.poolWAL = v }
        if let v = try t.uint("start_epoch", max: UInt64(UInt32.max)) { s.startEpoch = UInt32(v) }
        return s
    }

    /// `[economics.buyer_subsidies]`: the old `subsidies` contract.
    func decodeBuyerSubsidies(_ t: TableReader) throws(ScenarioError) -> BuyerSubsidySpec {
        try t.expectKeys(["buyer_rate_bp", "system_rate_bp", "pool_wal"])
        var s = BuyerSubsidySpec()
        if let v = try t.uint("buyer_rate_bp") { s.buyerRateBP = v }
        if let v = try t.uint("system_rate_bp") { s.systemRateBP = v }
        if let v = try t.uint("pool_wal") { s.poolWAL = v }
        return s
    }

    static let policyKinds: [String: [String]] = [
        "operator_exit": ["unprofitable_epochs", "rejoin", "rejoin_stake_wal"],
        "price_votes": ["margin", "write_usd_per_mib", "revote_threshold"],
        "delegators": ["share_permille", "lag_epochs", "inertia"],
        "commission": ["step_bp"],
    ]

    /// One `[[policy]]` table.
    func decodePolicy(_ t: TableReader) throws(ScenarioError) -> PolicySpec {
        let kinds = Self.policyKinds.keys.sorted()
        try t.expectKeys(["kind"] + kinds.flatMap { Self.policyKinds[$0]! }.uniqued())
        _ = try t.required("kind", "one of \(kinds.joined(separator: ", "))")
        let kind = try t.choice("kind", kinds)!
        try t.expectKeys(["kind"] + Self.policyKinds[kind]!, context: "policy kind \"\(kind)\"")
        switch kind {
        case "operator_exit":
            guard let k = try t.int("unprofitable_epochs") else { throw t.fail("unprofitable_epochs", "missing required key (epochs in a row with a loss before leaving)", kind: .missingKey) }
            return PolicySpec(kind: .operatorExit(unprofitableEpochs: k, rejoin: try t.bool("rejoin") ?? false,
                                                  rejoinStakeWAL: try t.uint("rejoin_stake_wal") ?? 1_000_000))
        case "price_votes":
            return PolicySpec(kind: .priceVotes(margin: try t.double("margin") ?? 0.2, writeUSDPerMiB: try t.double("write_usd_per_mib") ?? 0,
                                                revoteThreshold: try t.double("revote_threshold") ?? 0.1))
        case "delegators":
            return PolicySpec(kind: .delegators(sharePermille: try t.uint("share_permille") ?? 50, lagEpochs: try t.int("lag_epochs") ?? 1,
                                                inertia: try t.double("inertia") ?? 0.1))
        default:
            return PolicySpec(kind: .commission(stepBP: try t.uint("step_bp") ?? 100))
        }
    }
}
