import Economics
import SimEngine
import SimSupport
import WalrusModel

/// The behaviour policies (`[[policy]]`): economic actors reacting to the epoch that just
/// ended. Each runs once per epoch change, in file order, right after the epoch's
/// `node_epochs` rows are written, and acts only through ordinary transactions.
extension World {
    /// Bytes in a MiB, the storage unit of prices.
    private static let mib = 1_048_576.0

    /// Runs every policy for the finished epoch `ended`.
    func runPolicies(ended: Epoch, now: SimTime, scheduler: inout Scheduler) {
        for policy in scenario.policies {
            switch policy.kind {
            case .operatorExit(let k, let rejoin, let stakeWAL):
                operatorExit(unprofitableEpochs: k, rejoin: rejoin, rejoinStakeWAL: stakeWAL, now: now, scheduler: &scheduler)
            case .priceVotes(let margin, let writeUSD, let threshold):
                priceVotes(margin: margin, writeUSDPerMiB: writeUSD, threshold: threshold, now: now, scheduler: &scheduler)
            case .delegators(let share, let lag, let inertia):
                delegators(sharePermille: share, lagEpochs: lag, inertia: inertia, now: now, scheduler: &scheduler)
            case .commission(let step):
                commissionTowardMedian(stepBP: step, now: now, scheduler: &scheduler)
            }
        }
    }

    /// Operators with `k` unprofitable epochs in a row withdraw all their stake. The node with
    /// the most stake never leaves (a committee needs a member to hold the shards), and nodes
    /// leave largest streak first, ties by id. With `rejoin`, an operator that left stakes
    /// `rejoinStakeWAL` again when the mean operator income per shard of the last epoch, times
    /// its last shard count, would exceed its cost.
    func operatorExit(unprofitableEpochs k: Int, rejoin: Bool, rejoinStakeWAL: UInt64, now: SimTime, scheduler: inout Scheduler) {
        let e = chain.economy
        let epoch = e.epoch.rawValue
        let stakes = nodes.indices.map { e.pool(NodeID(UInt32($0)))?.walBalance(atEpoch: epoch + 1) ?? 0 }
        let anchor = stakes.indices.max { (stakes[$0], $1) < (stakes[$1], $0) }
        var staying = nodes.indices.filter { !econ.left[$0] }.count
        for i in nodes.indices where !econ.left[i] && econ.unprofitableStreak[i] >= k && i != anchor && staying > 1 {
            econ.left[i] = true
            staying -= 1
            submit(.economy(.withdrawAllStake(node: NodeID(UInt32(i)))), from: .node(NodeID(UInt32(i))), now: now, scheduler: &scheduler)
        }
        guard rejoin else { return }
        let committee = e.previousCommittee
        guard committee.totalShards > 0 else { return }
        // Operator income of the last epoch per shard, in USD (commission and fixed subsidies).
        var incomeUSD = 0.0
        if let last = econ.lastIncomeUSD { incomeUSD = last }
        let perShard = incomeUSD / Double(committee.totalShards)
        for i in nodes.indices where econ.left[i] {
            let shards = max(1, econ.lastShards[i])
            let stored = UInt64(Double(econ.usedBytes) * Double(shards) / Double(e.parameters.nShards))
            let expected = perShard * Double(shards) - operatingCostUSD(i, storedBytes: stored, sentBytes: 0)
            guard expected > 0 else { continue }
            econ.left[i] = false
            econ.unprofitableStreak[i] = 0
            submit(.economy(.addStake(node: NodeID(UInt32(i)), amount: Frost(rejoinStakeWAL * Frost.perWAL))),
                   from: .node(NodeID(UInt32(i))), now: now, scheduler: &scheduler)
        }
    }

    /// Cost-plus-margin votes pegged to USD (as Walrus nodes with USD pricing do): the
    /// node's storage cost per MiB and epoch and the write charge, times `1 + margin`,
    /// converted to FROST at the epoch's WAL price (rounded up, as `ceil(usd_nano / wal_usd)`);
    /// a node re-votes only when the FROST value moved more than `threshold`, and then calls
    /// `update_prices` in the same transaction.
    func priceVotes(margin: Double, writeUSDPerMiB: Double, threshold: Double, now: SimTime, scheduler: inout Scheduler) {
        let epochSeconds = Double(chain.economy.parameters.epochDurationMs) / 1_000
        let frostPerUSD = Double(Frost.perWAL) / econ.walUSD
        for i in nodes.indices where !econ.left[i] {
            let storageUSD = econ.storageUSDPerTBMonth[i] * Self.mib / 1e12 * (epochSeconds / (30.0 * 86_400))
            let storage = UInt64(min(1e18, (storageUSD * (1 + margin) * frostPerUSD).rounded(.up)))
            let write = UInt64(min(1e18, (writeUSDPerMiB * (1 + margin) * frostPerUSD).rounded(.up)))
            func moved(_ new: UInt64, _ old: UInt64) -> Bool {
                old == 0 ? new != 0 : abs(Double(new) - Double(old)) / Double(old) > threshold
            }
            guard moved(storage, econ.lastStorageVote[i]) || moved(write, econ.lastWriteVote[i]) else { continue }
            econ.lastStorageVote[i] = storage
            econ.lastWriteVote[i] = write
            submit(.economy(.setVotes(node: NodeID(UInt32(i)), storagePrice: Frost(storage), writePrice: Frost(write),
                                      capacityBytes: nil, updatePrices: chain.economy.parameters.rules.walrusSubsidiesContract)),
                   from: .node(NodeID(UInt32(i))), now: now, scheduler: &scheduler)
        }
    }

    /// Delegators chase yield with a lag and inertia: they judge the return (rewards and
    /// commission per staked FROST) of the epoch `lagEpochs` before the one that ended, and
    /// when the best node's beats the worst staked node's by more than `inertia` (relative),
    /// move `sharePermille` of the worst's stake to the best (ties: lowest id).
    func delegators(sharePermille: UInt64, lagEpochs: Int, inertia: Double, now: SimTime, scheduler: inout Scheduler) {
        guard econ.returns.count > lagEpochs else { return }
        let r = econ.returns[econ.returns.count - 1 - lagEpochs]
        let e = chain.economy
        let epoch = e.epoch.rawValue
        let stakes = nodes.indices.map { e.pool(NodeID(UInt32($0)))?.walBalance(atEpoch: epoch + 1) ?? 0 }
        let candidates = nodes.indices.filter { !econ.left[$0] && stakes[$0] > 0 }
        guard let best = candidates.max(by: { (r[$0], $1) < (r[$1], $0) }),
              let worst = candidates.min(by: { (r[$0], $0) < (r[$1], $1) }), best != worst else { return }
        guard r[best] > r[worst] * (1 + inertia), r[best] > 0 else { return }
        let amount = UInt64(UInt128(stakes[worst]) * UInt128(sharePermille) / 1_000)
        // The contracts keep at least 1 WAL in a stake object; smaller moves are not worth a transaction.
        guard amount >= Frost.perWAL, stakes[worst] - amount >= Frost.perWAL else { return }
        submit(.moveStake(from: NodeID(UInt32(worst)), to: NodeID(UInt32(best)), amount: Frost(amount)),
               from: .node(NodeID(UInt32(worst))), now: now, scheduler: &scheduler)
    }

    /// Every node still operating moves its commission `stepBP` toward the median commission
    /// of the others (rates apply from E+2, as `set_next_commission` does).
    func commissionTowardMedian(stepBP: UInt64, now: SimTime, scheduler: inout Scheduler) {
        let e = chain.economy
        let rates = nodes.indices.map { e.pool(NodeID(UInt32($0)))?.commissionRate.rawValue ?? 0 }
        let active = nodes.indices.filter { !econ.left[$0] }
        guard active.count > 1 else { return }
        for i in active {
            let others = active.filter { $0 != i }.map { rates[$0] }.sorted()
            let median = others[others.count / 2]
            let current = rates[i]
            guard current != median else { continue }
            let next = current < median ? min(median, current + stepBP) : max(median, current - min(current, stepBP))
            submit(.economy(.setCommission(node: NodeID(UInt32(i)), rate: BasisPoints(next))),
                   from: .node(NodeID(UInt32(i))), now: now, scheduler: &scheduler)
        }
    }
}
