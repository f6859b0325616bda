import SimEngine
import SimSupport

/// A parameter that may differ from node to node: every node draws its own value from a
/// distribution (a constant is the distribution `.constant`), or the scenario lists one value
/// per node. Shared by every per-node key of `[nodes]`; each key draws from a stream of its own
/// (`PerNodeValue.values(count:streams:key:)`), so adding a key never shifts another's draws.
public enum PerNodeValue: Sendable, Equatable {
    /// Node i's value is the i-th draw of the distribution (in node order).
    case distribution(Distribution)
    /// Node i's value is `list[i]`; the list must have one value per node.
    case list([Double])

    /// Every node gets `value`.
    public static func constant(_ value: Double) -> PerNodeValue { .distribution(.constant(value)) }

    /// The values of nodes `0 ..< count`, drawn in node order from the stream
    /// `nodes.<key>` of `streams` (a list is returned as it is; validation checked its length).
    public func values(count: Int, streams: RandomStreams, key: String) -> [Double] {
        switch self {
        case .list(let values):
            return values
        case .distribution(let d):
            let stream = streams.stream("nodes." + key)
            return (0..<count).map { _ in d.sample(stream) }
        }
    }

    /// Checks the value against the node count and a lower bound, naming `path` (scenario
    /// spelling, e.g. `nodes.fixed_cost_usd`) in the error.
    func validate(count: Int, path: String, minimum: Double = 0, maximum: Double = .greatestFiniteMagnitude) throws(ScenarioValidationError) {
        switch self {
        case .list(let values):
            guard values.count == count else {
                throw ScenarioValidationError(keyPath: path, message: "expected one value per node (\(count)), got \(values.count)")
            }
            for (i, v) in values.enumerated() where !(v.isFinite && v >= minimum && v <= maximum) {
                throw ScenarioValidationError(keyPath: "\(path)[\(i)]", message: "expected a value in \(minimum)...\(maximum), got \(v)")
            }
        case .distribution(let d):
            do { try d.validate() } catch { throw ScenarioValidationError(keyPath: path, message: error.description) }
            if case .constant(let v) = d, !(v >= minimum && v <= maximum) {
                throw ScenarioValidationError(keyPath: path, message: "expected a value in \(minimum)...\(maximum), got \(v)")
            }
        }
    }
}

/// What differs between nodes beyond their stake and region: their votes, commission and
/// operating costs (`[nodes]` keys; each a number, a distribution or a per-node list).
/// Draws below the key's minimum are clamped to it (a normal can go negative; a cost cannot).
public struct NodeEconomicsSpec: Sendable, Equatable {
    /// Per-node commission in bp (`commission_bp` as a list or distribution); `nil`: `nodes.commission` for all.
    public var commissionBP: PerNodeValue?
    /// Per-node storage price vote, FROST per MiB unit per epoch; `nil`: `nodes.storagePriceFrost` for all.
    public var storagePriceFrost: PerNodeValue?
    /// Per-node write price vote, FROST per MiB unit; `nil`: `nodes.writePriceFrost` for all.
    public var writePriceFrost: PerNodeValue?
    /// Per-node capacity vote in bytes; `nil`: `nodes.capacityBytes` for all.
    public var capacityBytes: PerNodeValue?
    /// Fixed operating cost per epoch, USD (`fixed_cost_usd`).
    public var fixedCostUSD: PerNodeValue = .constant(0)
    /// Storage cost, USD per TB (10^12 bytes) stored for a 30-day month (`storage_cost_usd_per_tb_month`).
    public var storageCostUSDPerTBMonth: PerNodeValue = .constant(0)
    /// Egress cost, USD per TB (10^12 bytes) sent (`egress_cost_usd_per_tb`).
    public var egressCostUSDPerTB: PerNodeValue = .constant(0)
    /// No heterogeneity and no costs: every node votes the `[nodes]` scalars and costs nothing.
    public init() {}

    /// Whether any operator cost can be non-zero (otherwise profit is income alone).
    public var hasCosts: Bool {
        [fixedCostUSD, storageCostUSDPerTBMonth, egressCostUSDPerTB].contains { $0 != .constant(0) }
    }
}

/// The WAL/USD exchange rate over epochs (`[economics.wal_price]`).
public enum WalPricePath: Sendable, Equatable {
    /// The same price in every epoch.
    case constant(usd: Double)
    /// Geometric Brownian motion from `initialUSD`, with yearly drift and volatility, stepped once
    /// per epoch from the `wal.price` stream: `p ← p·exp((μ − σ²/2)Δt + σ√Δt·Z)`, Δt in years.
    case gbm(initialUSD: Double, driftPerYear: Double, volatilityPerYear: Double)
    /// USD per WAL of epochs 0, 1, 2, ...; epochs past the end keep the last value.
    case series([Double])
}

/// The `walrus_subsidies` contract [CURRENT] (`[economics.subsidies]`): created at the start of
/// `startEpoch` (with the contract's creation snapshot), its pool funded with `poolWAL` minted WAL.
public struct WalrusSubsidySpec: Sendable, Equatable {
    /// Usage subsidy in bp of new payments (`usage_rate_bp`, up to 1,000,000 = 100x).
    public var usageRateBP: UInt64 = 0
    /// FROST per previous-committee member per epoch (`base_frost`).
    public var basePerNodeFrost: UInt64 = 0
    /// FROST per shard per epoch on top of the base (`per_shard_frost`).
    public var perShardFrost: UInt64 = 0
    /// WAL in the pool at creation (`pool_wal`).
    public var poolWAL: UInt64 = 0
    /// The epoch whose start creates the contract (`start_epoch`; 0: at genesis).
    public var startEpoch: UInt32 = 0
    /// A contract paying nothing, with an empty pool, created at genesis.
    public init() {}
}

/// The old `subsidies` contract (`[economics.buyer_subsidies]`): purchases go through it while
/// its pool (funded at genesis with `poolWAL` minted WAL) lasts.
public struct BuyerSubsidySpec: Sendable, Equatable {
    /// Share of a purchase refunded to the buyer, bp (`buyer_rate_bp`, at most 10,000).
    public var buyerRateBP: UInt64 = 0
    /// Share of a purchase added to the storage fund, bp (`system_rate_bp`, at most 10,000).
    public var systemRateBP: UInt64 = 0
    /// WAL in the pool at genesis (`pool_wal`).
    public var poolWAL: UInt64 = 0
    /// Rates 0 and an empty pool.
    public init() {}
}

/// A behaviour of the economic actors (`[[policy]]`), deterministic from its own stream
/// (`policy`, its index).
public struct PolicySpec: Sendable, Equatable {
    /// What the policy does.
    public var kind: Kind
    /// A policy doing `kind`.
    public init(kind: Kind) { self.kind = kind }

    /// The behaviours.
    public enum Kind: Sendable, Equatable {
        /// Operators leave after `unprofitableEpochs` consecutive epochs with negative profit
        /// (USD): they withdraw all stake, so the next committee leaves them out and their
        /// shards move through the real epoch change and shard sync. With `rejoin`, an
        /// operator that left stakes back `rejoinStakeWAL` once the epoch's expected profit
        /// (the committee's mean income per shard times its last shard count, minus its cost)
        /// is positive.
        case operatorExit(unprofitableEpochs: Int, rejoin: Bool, rejoinStakeWAL: UInt64)
        /// Price votes as cost plus margin, pegged to USD: each epoch every node votes
        /// `cost × (1 + margin)` per MiB unit and epoch (its storage cost, converted to FROST at
        /// the epoch's WAL price) and `write × (1 + margin)` for writes (`writeUSDPerMiB`), and
        /// re-votes only when the FROST value moved more than `revoteThreshold` (Walrus nodes: 10%),
        /// then calls `update_prices`, as nodes pegged to USD do.
        case priceVotes(margin: Double, writeUSDPerMiB: Double, revoteThreshold: Double)
        /// Delegators move `sharePermille` of the stake of the worst-returning node toward the
        /// best-returning one each epoch, judging returns from `lagEpochs` epochs back, and
        /// only when the best beats the worst by more than `inertia` (relative).
        case delegators(sharePermille: UInt64, lagEpochs: Int, inertia: Double)
        /// Each epoch, every node moves its commission `stepBP` toward the committee's median
        /// commission (price competition between operators).
        case commission(stepBP: UInt64)
    }
}

extension Scenario {
    /// The per-node economics of `[nodes]`: lists of the right length, values in range.
    func validateNodeEconomics() throws(ScenarioValidationError) {
        let e = nodes.economics, n = nodes.count
        try e.commissionBP?.validate(count: n, path: "nodes.commission_bp", maximum: Double(BasisPoints.denominator))
        try e.storagePriceFrost?.validate(count: n, path: "nodes.storage_price_frost", maximum: 1e18)
        try e.writePriceFrost?.validate(count: n, path: "nodes.write_price_frost", maximum: 1e18)
        try e.capacityBytes?.validate(count: n, path: "nodes.capacity", maximum: Double(ScenarioLimits.maxBytes))
        try e.fixedCostUSD.validate(count: n, path: "nodes.fixed_cost_usd")
        try e.storageCostUSDPerTBMonth.validate(count: n, path: "nodes.storage_cost_usd_per_tb_month")
        try e.egressCostUSDPerTB.validate(count: n, path: "nodes.egress_cost_usd_per_tb")
    }

    /// The WAL price path, the subsidy contracts and the policies.
    func validateEconomy() throws(ScenarioValidationError) {
        func fail(_ path: String, _ message: String) -> ScenarioValidationError { ScenarioValidationError(keyPath: path, message: message) }
        switch economics.walPrice {
        case .constant(let usd):
            guard usd.isFinite, usd > 0 else { throw fail("economics.wal_price.usd", "expected a price > 0 USD, got \(usd)") }
        case .gbm(let p0, let mu, let sigma):
            guard p0.isFinite, p0 > 0 else { throw fail("economics.wal_price.usd", "expected a price > 0 USD, got \(p0)") }
            guard mu.isFinite else { throw fail("economics.wal_price.drift", "expected a finite yearly drift, got \(mu)") }
            guard sigma.isFinite, sigma >= 0 else { throw fail("economics.wal_price.volatility", "expected a yearly volatility >= 0, got \(sigma)") }
        case .series(let prices):
            guard !prices.isEmpty else { throw fail("economics.wal_price.series", "expected at least one price") }
            for (i, p) in prices.enumerated() where !(p.isFinite && p > 0) {
                throw fail("economics.wal_price.series[\(i)]", "expected a price > 0 USD, got \(p)")
            }
        }
        let profileCurrent = economics.profile == .current
        if let s = economics.subsidies {
            guard profileCurrent else { throw fail("economics.subsidies", "the walrus_subsidies contract exists in the current profile only") }
            guard s.usageRateBP <= 1_000_000 else { throw fail("economics.subsidies.usage_rate_bp", "expected 0...1000000 bp, got \(s.usageRateBP)") }
            guard s.poolWAL <= ScenarioLimits.maxWAL else { throw fail("economics.subsidies.pool_wal", "expected at most \(ScenarioLimits.maxWAL) WAL, got \(s.poolWAL)") }
            guard UInt128(s.basePerNodeFrost) + UInt128(s.perShardFrost) * 1_000 <= UInt128(UInt64.max) else {
                throw fail("economics.subsidies.per_shard_frost", "base_frost + 1000 x per_shard_frost must fit 64 bits")
            }
        }
        if let b = economics.buyerSubsidies {
            guard b.buyerRateBP <= 10_000 else { throw fail("economics.buyer_subsidies.buyer_rate_bp", "expected 0...10000 bp, got \(b.buyerRateBP)") }
            guard b.systemRateBP <= 10_000 else { throw fail("economics.buyer_subsidies.system_rate_bp", "expected 0...10000 bp, got \(b.systemRateBP)") }
            guard b.poolWAL <= ScenarioLimits.maxWAL else { throw fail("economics.buyer_subsidies.pool_wal", "expected at most \(ScenarioLimits.maxWAL) WAL, got \(b.poolWAL)") }
        }
        for (i, p) in policies.enumerated() {
            let path = "policy[\(i)]"
            switch p.kind {
            case .operatorExit(let k, _, let stake):
                guard (1...10_000).contains(k) else { throw fail("\(path).unprofitable_epochs", "expected 1...10000 epochs, got \(k)") }
                guard stake <= ScenarioLimits.maxWAL else { throw fail("\(path).rejoin_stake_wal", "expected at most \(ScenarioLimits.maxWAL) WAL, got \(stake)") }
            case .priceVotes(let margin, let write, let threshold):
                guard margin.isFinite, margin > -1 else { throw fail("\(path).margin", "expected a margin > -1 (a share of cost), got \(margin)") }
                guard write.isFinite, write >= 0 else { throw fail("\(path).write_usd_per_mib", "expected a USD amount >= 0, got \(write)") }
                guard threshold.isFinite, threshold >= 0 else { throw fail("\(path).revote_threshold", "expected a share >= 0, got \(threshold)") }
            case .delegators(let share, let lag, let inertia):
                guard share <= 1_000 else { throw fail("\(path).share_permille", "expected 0...1000, got \(share)") }
                guard (0...1_000).contains(lag) else { throw fail("\(path).lag_epochs", "expected 0...1000 epochs, got \(lag)") }
                guard inertia.isFinite, inertia >= 0 else { throw fail("\(path).inertia", "expected a relative margin >= 0, got \(inertia)") }
            case .commission(let step):
                guard step <= 10_000 else { throw fail("\(path).step_bp", "expected 0...10000 bp, got \(step)") }
            }
        }
        if storageChallengesRequested { throw fail("economics.storage_challenges", Self.extensionRefusal("storage challenges")) }
        if principalSlashingRequested { throw fail("economics.principal_slashing", Self.extensionRefusal("principal slashing")) }
    }

    /// Whether the scenario turns on the storage-challenge extension, which no world behaviour
    /// exercises yet (no challenge protocol runs between nodes), so it would change nothing.
    var storageChallengesRequested: Bool { economics.storageChallenges }
    /// Whether the scenario turns on principal slashing, which nothing in the world triggers yet.
    var principalSlashingRequested: Bool { economics.principalSlashing }

    static func extensionRefusal(_ what: String) -> String {
        "\(what) is a whitepaper extension (NOT in the deployed contracts) that no behaviour of the simulated world triggers yet, so it would change nothing in a run; it is refused rather than silently ignored. The Economics library implements it for direct use."
    }
}
