import Economics
#if canImport(Glibc)
import Glibc
#endif
import ResultRecords
import SimEngine
import SimSupport
import WalrusModel

/// The economy of the world beyond the protocol: per-node votes and costs, the WAL price,
/// the subsidy contracts' schedule, what each node earned and spent per epoch (`node_epochs`),
/// and the behaviour policies that react to it.
///
/// Everything here is driven by the chain: a node's epoch is closed right after the
/// `initiate_epoch_change` transaction that ends it executes, when every flow of that epoch is
/// known (the contracts log an epoch change's payments at the epoch that ended, and nothing
/// later can be logged at it). Policies then act by submitting ordinary transactions
/// (`Transaction.economy`), which execute after finality like any other. A scenario with no
/// costs, subsidies or policies schedules nothing and draws nothing here, so its event stream
/// is the same as before this layer existed.
struct EconomyState {
    /// What one node was paid during one epoch, by kind of flow (FROST).
    struct Income {
        var rewards: [UInt64]
        var commission: [UInt64]
        var subsidies: [UInt64]
        init(count: Int) {
            rewards = Array(repeating: 0, count: count)
            commission = rewards
            subsidies = rewards
        }

        /// Adds `amount` of a reward, commission or subsidy flow (any other kind counts as a
        /// subsidy) to node `node`'s income.
        mutating func add(_ kind: Economics.FlowKind, _ amount: UInt64, node: Int) {
            switch kind {
            case .reward: rewards[node] &+= amount
            case .commission: commission[node] &+= amount
            default: subsidies[node] &+= amount
            }
        }
    }

    /// Genesis commission (bp), storage and write votes (FROST per unit) and capacity votes (bytes), per node.
    let commissionBP: [UInt64]
    let storageVote: [UInt64]
    let writeVote: [UInt64]
    let capacityVote: [UInt64]
    /// Operating costs per node: fixed USD per epoch, USD per TB-month stored, USD per TB sent.
    let fixedUSD: [Double]
    let storageUSDPerTBMonth: [Double]
    let egressUSDPerTB: [Double]
    /// The WAL price of the current epoch, and the stream a GBM path steps with.
    var walUSD: Double
    let priceStream: RandomStream
    /// One stream per policy (`policy`, its index).
    let policyStreams: [RandomStream]
    /// Income by epoch (looked up by key only, never iterated).
    var income: [UInt32: Income] = [:]
    /// The current epoch's used capacity, as of the last transaction in it.
    var usedBytes: UInt64 = 0
    /// Network counters at the start of the current epoch, and recovery bytes in it, per node.
    var sentMark: [UInt64]
    var receivedMark: [UInt64]
    var recoveryBytes: [UInt64]
    /// Consecutive unprofitable epochs in the committee, whether the operator left, per node.
    var unprofitableStreak: [Int]
    var left: [Bool]
    /// Each node's last storage and write votes (FROST), for the re-vote threshold.
    var lastStorageVote: [UInt64]
    var lastWriteVote: [UInt64]
    /// Delegators' realized return per finished epoch and node: rewards / stake.
    var returns: [[Double]] = []
    /// The most recent shard count each node held while in a committee.
    var lastShards: [Int]
    /// Whether the `walrus_subsidies` contract exists yet.
    var subsidiesCreated = false
    /// All operators' income (commission and subsidies) of the last finished epoch, USD.
    var lastIncomeUSD: Double?
    /// Factor on the gaps between writes (a `demand` policy; 1 without one).
    var writeGapScale = 1.0

    /// The per-node values of `scenario`, each key from its own stream.
    init(scenario: Scenario, streams: RandomStreams) {
        let n = scenario.nodes.count, e = scenario.nodes.economics
        func ints(_ v: PerNodeValue?, _ key: String, default d: UInt64, max m: UInt64) -> [UInt64] {
            guard let v else { return Array(repeating: d, count: n) }
            return v.values(count: n, streams: streams, key: key).map { UInt64(min(Double(m), max(0, $0.rounded()))) }
        }
        func costs(_ v: PerNodeValue, _ key: String) -> [Double] { v.values(count: n, streams: streams, key: key).map { max(0, $0) } }
        commissionBP = ints(e.commissionBP, "commission_bp", default: scenario.nodes.commission.rawValue, max: BasisPoints.denominator)
        storageVote = ints(e.storagePriceFrost, "storage_price_frost", default: scenario.nodes.storagePriceFrost, max: 1 << 60)
        writeVote = ints(e.writePriceFrost, "write_price_frost", default: scenario.nodes.writePriceFrost, max: 1 << 60)
        // Without a per-node `capacity`, each node votes its `capacities` entry (or the scalar).
        capacityVote = e.capacityBytes == nil ? (0..<n).map { scenario.nodes.capacity(ofNode: $0) }
            : ints(e.capacityBytes, "capacity", default: scenario.nodes.capacityBytes, max: ScenarioLimits.maxBytes)
        fixedUSD = costs(e.fixedCostUSD, "fixed_cost_usd")
        storageUSDPerTBMonth = costs(e.storageCostUSDPerTBMonth, "storage_cost_usd_per_tb_month")
        egressUSDPerTB = costs(e.egressCostUSDPerTB, "egress_cost_usd_per_tb")
        priceStream = streams.stream("wal.price")
        policyStreams = scenario.policies.indices.map { streams.stream("policy", index: UInt64($0)) }
        walUSD = switch scenario.economics.walPrice {
        case .constant(let usd): usd
        case .gbm(let p0, _, _): p0
        case .series(let prices): prices[0]
        }
        sentMark = Array(repeating: 0, count: n)
        receivedMark = sentMark
        recoveryBytes = sentMark
        unprofitableStreak = Array(repeating: 0, count: n)
        left = Array(repeating: false, count: n)
        lastStorageVote = storageVote
        lastWriteVote = writeVote
        lastShards = Array(repeating: 0, count: n)
    }
}

/// Seconds in the 30-day month that storage costs are quoted per.
private let secondsPerMonth = 30.0 * 86_400
/// Seconds in a 365-day year, for the GBM's yearly drift and volatility.
private let secondsPerYear = 365.0 * 86_400

extension World {
    /// Genesis: the subsidy contracts that start at epoch 0 (each funded by a minted account of
    /// its own) and the nodes' deny lists.
    func createGenesisSubsidies() throws(WorldError) {
        if let b = scenario.economics.buyerSubsidies {
            do {
                try chain.createBuyerSubsidies(buyerRate: BasisPoints(b.buyerRateBP), systemRate: BasisPoints(b.systemRateBP),
                                               poolFrost: Frost(b.poolWAL * Frost.perWAL))
            } catch { throw .invalid("economics.buyer_subsidies", "\(error)") }
        }
        if let s = scenario.economics.subsidies, s.startEpoch == 0 { try createWalrusSubsidies(s) }
        if let deny = scenario.nodes.economics.denyListBytes {
            let bytes = deny.values(count: nodes.count, streams: streams, key: "deny_list_bytes")
            for (i, b) in bytes.enumerated() where b >= 1 {
                do { try chain.setDenyListSize(node: NodeID(UInt32(i)), bytes: UInt64(min(Double(ScenarioLimits.maxBytes), b.rounded()))) } catch {
                    throw .invalid("nodes.deny_list_bytes", "node \(i): \(error)")
                }
            }
        }
    }

    func createWalrusSubsidies(_ s: WalrusSubsidySpec) throws(WorldError) {
        do {
            try chain.createWalrusSubsidies(usageRate: BasisPoints(s.usageRateBP), basePerNodeFrost: Frost(s.basePerNodeFrost),
                                            perShardFrost: Frost(s.perShardFrost), poolFrost: Frost(s.poolWAL * Frost.perWAL))
        } catch { throw .invalid("economics.subsidies", "\(error)") }
        econ.subsidiesCreated = true
    }

    /// Takes in the WAL movements just drained from the chain: each payment to a node's pool
    /// counts toward that node's income in the flow's epoch.
    func accountFlows(_ flows: [Flow]) {
        for f in flows {
            let node: NodeID
            switch (f.kind, f.to) {
            case (.reward, .poolRewards(let n)), (.commission, .poolCommission(let n)), (.subsidy, .poolCommission(let n)):
                node = n
            default:
                continue
            }
            guard node.index < nodes.count else { continue }
            // In place (the dictionary's modify accessor): a copy taken out and stored back made
            // every flow copy the epoch's per-node arrays, O(nodes) per flow and O(nodes^2) at an
            // epoch change, which pays every pool: 7% of the instructions of a 100-blob run at
            // 10,000 nodes.
            econ.income[f.epoch.rawValue, default: .init(count: nodes.count)].add(f.kind, f.amountFrost.rawValue, node: node.index)
        }
    }

    /// Called after every executed transaction: tracks the epoch's used capacity, and when the
    /// transaction was the epoch change, closes the epoch that ended and lets policies act.
    func afterTransaction(_ tx: Transaction, before epoch: Epoch, now: SimTime, scheduler: inout Scheduler) {
        let e = chain.economy
        guard e.epoch != epoch else {
            econ.usedBytes = e.usedCapacityBytes
            if case .votingEnd = tx, e.committeeSelected, e.parameters.extensions.storageChallenges {
                runStorageChallenges(now: now, scheduler: &scheduler)
            }
            return
        }
        // Epoch 0 is the genesis instant (no committee, no time): nothing to close.
        if epoch.rawValue > 0 { closeEpoch(epoch, now: now) }
        econ.usedBytes = e.usedCapacityBytes
        stepWalPrice(to: e.epoch)
        if let s = scenario.economics.subsidies, !econ.subsidiesCreated, e.epoch.rawValue >= s.startEpoch {
            // The contract is created at the start of its epoch, with the contract's snapshot.
            // Validation checked its rates, profile and that its pool fits the FROST supply,
            // the only ways creating it can fail.
            do { try createWalrusSubsidies(s) } catch { preconditionFailure("validated subsidies failed: \(error)") }
        }
        if econ.subsidiesCreated {
            // Nodes call process_subsidies right after each epoch change ...
            submit(.economy(.processSubsidies), from: .node(NodeID(0)), now: now, scheduler: &scheduler)
            // ... and about 5 minutes before the next one (one epoch duration from now).
            let d = e.parameters.epochDurationMs * 1_000_000
            let before = d > 600_000_000_000 ? d - 300_000_000_000 : d / 2
            scheduler.schedule(after: SimDuration(nanoseconds: before), target: 0, kind: Kind.economy.rawValue)
        }
        runPolicies(ended: epoch, now: now, scheduler: &scheduler)
    }

    /// The world's economy timer: target 0 is the `process_subsidies` call before an epoch
    /// change; target k > 0 executes the commission slashing of node k − 1.
    func economyTimer(_ target: UInt32, now: SimTime, scheduler: inout Scheduler) {
        if target == 0 {
            submit(.economy(.processSubsidies), from: .node(NodeID(0)), now: now, scheduler: &scheduler)
        } else {
            submit(.economy(.executeSlashing(candidate: NodeID(target - 1))), from: .node(NodeID(0)), now: now, scheduler: &scheduler)
        }
    }

    /// The WAL price of `epoch` (constant, the next GBM step, or the series' value).
    func stepWalPrice(to epoch: Epoch) {
        switch scenario.economics.walPrice {
        case .constant(let usd):
            econ.walUSD = usd
        case .gbm(_, let mu, let sigma):
            let dt = Double(chain.economy.parameters.epochDurationMs) / 1_000 / secondsPerYear
            let z = econ.priceStream.normal(mean: 0, standardDeviation: 1)
            econ.walUSD *= exp((mu - sigma * sigma / 2) * dt + sigma * dt.squareRoot() * z)
        case .series(let prices):
            econ.walUSD = prices[min(Int(epoch.rawValue), prices.count - 1)]
        }
    }

    /// What running node `i` cost in an epoch that stored `storedBytes` and sent `sentBytes`, USD.
    func operatingCostUSD(_ i: Int, storedBytes: UInt64, sentBytes: UInt64) -> Double {
        let epochSeconds = Double(chain.economy.parameters.epochDurationMs) / 1_000
        return econ.fixedUSD[i]
            + econ.storageUSDPerTBMonth[i] * Double(storedBytes) / 1e12 * (epochSeconds / secondsPerMonth)
            + econ.egressUSDPerTB[i] * Double(sentBytes) / 1e12
    }

    /// Writes every node's row of the finished `epoch` and updates the policies' view of it.
    func closeEpoch(_ epoch: Epoch, now: SimTime) {
        let e = chain.economy
        // After the change, the committee of the finished epoch is the previous one.
        let committee = e.previousCommittee
        let income = econ.income.removeValue(forKey: epoch.rawValue) ?? .init(count: nodes.count)
        var returns = [Double](repeating: 0, count: nodes.count)
        var incomeUSD = 0.0
        for i in nodes.indices {
            let id = NodeID(UInt32(i))
            let shards = committee.weight(of: id)
            if shards > 0 { econ.lastShards[i] = shards }
            let pool = e.pool(id)
            let stake = pool?.walBalance(atEpoch: epoch.rawValue) ?? 0
            let endpoint = network.endpoint(EndpointID(UInt32(i)))
            let sent = endpoint.bytesSent &- econ.sentMark[i]
            let received = endpoint.bytesReceived &- econ.receivedMark[i]
            econ.sentMark[i] = endpoint.bytesSent
            econ.receivedMark[i] = endpoint.bytesReceived
            let stored = e.parameters.nShards > 0
                ? UInt64(UInt128(econ.usedBytes) * UInt128(shards) / UInt128(e.parameters.nShards)) : 0
            let cost = operatingCostUSD(i, storedBytes: stored, sentBytes: sent)
            let operatorFrost = income.commission[i] &+ income.subsidies[i]
            let profit = Double(operatorFrost) / Double(Frost.perWAL) * econ.walUSD - cost
            incomeUSD += Double(operatorFrost) / Double(Frost.perWAL) * econ.walUSD
            let costFrost = min(9e18, (cost / econ.walUSD * Double(Frost.perWAL)).rounded())
            let profitFrost = Int64(clamping: Int128(operatorFrost) - Int128(Int64(costFrost)))
            // What a delegator earns per staked FROST (the commission is the operator's).
            returns[i] = stake > 0 ? Double(income.rewards[i]) / Double(stake) : 0
            // Operators judge the epochs they served in: outside the committee a node earns
            // nothing by construction (and a newcomer's first subsidies arrive an epoch late).
            if shards > 0 {
                econ.unprofitableStreak[i] = profit < 0 ? econ.unprofitableStreak[i] + 1 : 0
            }
            sink?.record(NodeEpochRecord(
                epoch: epoch, node: id, inCommittee: shards > 0, shards: UInt32(shards), stakeFrost: stake,
                commissionBP: pool?.commissionRate.rawValue ?? 0,
                storagePriceVoteFrost: pool?.votes.storagePriceFrost.rawValue ?? 0,
                writePriceVoteFrost: pool?.votes.writePriceFrost.rawValue ?? 0,
                capacityVoteBytes: pool?.votes.capacityBytes ?? 0,
                rewardsFrost: income.rewards[i], commissionFrost: income.commission[i], subsidiesFrost: income.subsidies[i],
                walUSD: econ.walUSD, costUSD: cost, profitUSD: profit, profitFrost: profitFrost, storedBytes: stored, bytesSent: sent,
                bytesReceived: received, recoveryBytes: econ.recoveryBytes[i]))
            econ.recoveryBytes[i] = 0
        }
        econ.returns.append(returns)
        econ.lastIncomeUSD = incomeUSD
    }

    /// NOT DEPLOYED (whitepaper storage challenges): once per epoch, when `voting_end` executes,
    /// every committee member is challenged for its shards. The challenge protocol itself is
    /// not simulated; its outcome is: a node that is crashed, or under a Byzantine behaviour
    /// that withholds, corrupts or never stores slivers (`withhold`, `corrupt_slivers`,
    /// `lazy_signer`, `silent`), fails for all its shards, and the failure is recorded on chain
    /// (settled at the epoch change: reward forfeit and, with principal slashing, a cut of its
    /// staked principal).
    func runStorageChallenges(now: SimTime, scheduler: inout Scheduler) {
        for m in chain.economy.committee.members {
            let i = m.node.index
            guard i < nodes.count, failsChallenges(i) else { continue }
            submit(.economy(.failedChallenge(node: m.node, failedShards: m.shards.count)), from: .node(NodeID(0)), now: now, scheduler: &scheduler)
        }
    }

    /// Whether node `i` would fail a storage challenge now (see `runStorageChallenges`).
    func failsChallenges(_ i: Int) -> Bool {
        if crashed[i] { return true }
        guard let j = byzantineHolds[i].last, case .byzantine(_, let behaviour, let permille) = scenario.faults[j].kind, permille > 0 else { return false }
        switch behaviour {
        case .withhold, .corruptSlivers, .lazySigner, .silent: return true
        default: return false
        }
    }
}
