import Economics
import SimSupport

/// A call of the Walrus contracts that no protocol step of a node or client makes, but that
/// operators, delegators and anyone (for permissionless calls) make: votes, price updates,
/// subsidies, commission, leaving, slashing. The world submits them for its economic actors
/// (`[[policy]]` tables, the subsidy contracts' schedule); they execute like every transaction,
/// after finality, against the same `WalrusEconomy`.
public enum EconomyCall: Sendable, Equatable {
    /// `set_storage_price_vote` / `set_write_price_vote` / `set_node_capacity_vote` of the
    /// node's pool; `nil` leaves that vote as it is. With `updatePrices` [CURRENT], the same
    /// transaction then calls `update_prices`, as nodes pegged to USD do after re-voting.
    case setVotes(node: NodeID, storagePrice: Frost?, writePrice: Frost?, capacityBytes: UInt64?, updatePrices: Bool)
    /// [CURRENT] `update_prices` (permissionless): prices := the 2/3 quorum of the current
    /// committee's votes. Nodes pegged to USD call it right after changing a vote.
    case updatePrices
    /// `walrus_subsidies::process_subsidies` (permissionless; nodes call it about 5 minutes
    /// before and right after each epoch change).
    case processSubsidies
    /// `collect_commission`: the node's unblocked commission to its operator's account.
    case collectCommission(node: NodeID)
    /// `set_next_commission`: the rate applies from epoch E+2.
    case setCommission(node: NodeID, rate: BasisPoints)
    /// The operator leaves: every stake object of the node is withdrawn (at once where the
    /// contracts allow it, else requested and finished at its withdraw epoch), so the node
    /// drops out of the next committee selection and its shards move away through the
    /// ordinary epoch change and shard sync.
    case withdrawAllStake(node: NodeID)
    /// The operator (re)joins: stakes `amount` with the node from the stake-churn account.
    case addStake(node: NodeID, amount: Frost)
    /// Sets the bytes of blobs on the node's deny list (reduces its reward weight).
    case setDenyListSize(node: NodeID, bytes: UInt64)
    /// `vote_for_slashing` of `voter` against `candidate` [CURRENT].
    case voteForSlashing(voter: NodeID, candidate: NodeID)
    /// `execute_slashing` of `candidate` [CURRENT]: burns its whole commission.
    case executeSlashing(candidate: NodeID)
    /// NOT DEPLOYED (whitepaper): burns `basisPoints` of the node's active staked principal.
    case slashPrincipal(node: NodeID, basisPoints: BasisPoints)
    /// NOT DEPLOYED (whitepaper): the node failed storage challenges for `failedShards` shards.
    case failedChallenge(node: NodeID, failedShards: Int)

    /// The contract function's name, e.g. `update_prices`; rejection reasons start with it.
    public var label: String {
        switch self {
        case .setVotes: "set_votes"
        case .updatePrices: "update_prices"
        case .processSubsidies: "process_subsidies"
        case .collectCommission: "collect_commission"
        case .setCommission: "set_next_commission"
        case .withdrawAllStake: "withdraw_stake"
        case .addStake: "stake_with_pool"
        case .setDenyListSize: "set_deny_list_size"
        case .voteForSlashing: "vote_for_slashing"
        case .executeSlashing: "execute_slashing"
        case .slashPrincipal: "slash_principal"
        case .failedChallenge: "storage_challenge"
        }
    }
}

extension Chain {
    /// Executes one `EconomyCall`; throws what the economy throws (the value is then unchanged,
    /// except for `withdrawAllStake`, whose steps are each complete and valid on their own).
    mutating func runEconomy(_ call: EconomyCall, now: SimTime) throws -> [ChainEvent] {
        switch call {
        case .setVotes(let node, let storage, let write, let capacity, let update):
            let before = economy
            do {
                if let storage { try economy.setStoragePriceVote(node: node, price: storage) }
                if let write { try economy.setWritePriceVote(node: node, price: write) }
                if let capacity { try economy.setCapacityVote(node: node, capacityBytes: capacity) }
                if update { try economy.updatePrices() }
            } catch {
                economy = before
                throw error
            }
        case .updatePrices:
            try economy.updatePrices()
        case .processSubsidies:
            try economy.processSubsidies()
        case .collectCommission(let node):
            _ = try economy.collectCommission(node: node)
        case .setCommission(let node, let rate):
            try economy.setCommission(node: node, rate: rate)
        case .withdrawAllStake(let node):
            guard node.index < stakesByNode.count else { throw ChainError.rejected("unknown node \(node)") }
            // One object at a time, each step complete: a failure leaves the rest with the node.
            while let id = stakesByNode[node.index].first {
                if economy.stake(id) != nil {
                    if economy.canWithdrawEarly(id) {
                        _ = try economy.withdraw(id)
                    } else {
                        _ = try economy.requestWithdraw(id)
                        pendingWithdrawals.append(id)
                    }
                }
                stakesByNode[node.index].removeFirst()
            }
        case .addStake(let node, let amount):
            guard let churn = churnAccount else { throw ChainError.rejected("no churn account") }
            guard node.index < stakesByNode.count else { throw ChainError.rejected("unknown node \(node)") }
            stakesByNode[node.index].append(try economy.stake(owner: churn, node: node, amount: amount))
        case .setDenyListSize(let node, let bytes):
            try economy.setDenyListSize(node: node, bytes: bytes)
        case .voteForSlashing(let voter, let candidate):
            try economy.voteForSlashing(voter: voter, candidate: candidate)
        case .executeSlashing(let candidate):
            try economy.executeSlashing(candidate: candidate)
        case .slashPrincipal(let node, let bp):
            try economy.slashPrincipal(node: node, basisPoints: bp)
        case .failedChallenge(let node, let shards):
            try economy.recordFailedChallenge(node: node, failedShards: shards)
        }
        return []
    }

    /// Genesis: creates the `walrus_subsidies` contract with its rates and creation snapshot
    /// and funds its pool with `poolFrost` freshly minted FROST (a funder account of its own).
    public mutating func createWalrusSubsidies(usageRate: BasisPoints, basePerNodeFrost: Frost, perShardFrost: Frost,
                                               poolFrost: Frost) throws(EconomicsError) {
        try economy.createWalrusSubsidies(usageRate: usageRate, basePerNodeFrost: basePerNodeFrost, perShardFrost: perShardFrost)
        let funder = try economy.openAccount(initialBalance: poolFrost)
        try economy.fundWalrusSubsidyPool(from: funder, amount: poolFrost)
    }

    /// Genesis: sets the old `subsidies` contract's rates and funds its pool with `poolFrost`
    /// freshly minted FROST (a funder account of its own).
    public mutating func createBuyerSubsidies(buyerRate: BasisPoints, systemRate: BasisPoints, poolFrost: Frost) throws(EconomicsError) {
        try economy.setBuyerSubsidyRates(buyer: buyerRate, system: systemRate)
        let funder = try economy.openAccount(initialBalance: poolFrost)
        try economy.fundBuyerSubsidyPool(from: funder, amount: poolFrost)
    }

    /// How many stake objects the chain still holds staked with `node` (not withdrawn or
    /// requested); 0 once its operator left.
    public func activeStakeObjects(of node: NodeID) -> Int {
        node.index < stakesByNode.count ? stakesByNode[node.index].count : 0
    }
}
