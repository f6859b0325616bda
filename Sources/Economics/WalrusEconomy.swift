import SimSupport

/// The whole on-chain economic state of a Walrus network: the staking object (epochs,
/// committees, pools, active set), the system object (prices, capacity, the storage fund ring
/// buffer), the two subsidy contracts, commission slashing, and the user accounts that pay in
/// and get paid out.
///
/// The world owns one value and calls an operation whenever the corresponding chain
/// transaction executes. Every operation validates first and mutates after: a thrown
/// ``EconomicsError`` leaves the value unchanged (it is `Equatable`, so tests check exactly
/// that). Time comes in as milliseconds (the Sui clock) or ``SimTime``; the library never
/// reads a clock, draws randomness, or iterates a dictionary.
///
/// Conservation (issue item 6): WAL is created only by ``openAccount(initialBalance:)`` and
/// destroyed only by burns, so at every point
/// `minted = accounts + staked principal + pool rewards + commission + storage fund +
/// subsidy pools + burned`; ``conservationReport()`` checks it to the FROST.
public struct WalrusEconomy: Equatable, Sendable {
    /// The parameters the economy was created with; validated by `init`, fixed for its lifetime.
    public let parameters: EconomicsParameters
    var rules: ProtocolRules { parameters.rules }
    var nShards: Int { parameters.nShards }

    // MARK: Staking object (spec §1, §2)

    /// The current epoch: 0 at creation, one more at each ``initiateEpochChange(atMs:)``.
    public private(set) var epoch = Epoch(0)
    /// Where the epoch state machine is (spec §1.1); decides which of the epoch calls is allowed.
    public private(set) var state: EpochState
    /// `first_epoch_start`: when voting end and the first epoch change become allowed.
    public let firstEpochStartMs: UInt64
    /// The committee holding the shards in ``epoch``; empty in epoch 0.
    public private(set) var committee = Committee.empty
    /// The committee of the epoch before; empty until the second epoch change.
    public private(set) var previousCommittee = Committee.empty
    /// The committee `voting_end` fixed for the next epoch; `nil` before it.
    public private(set) var nextCommittee: Committee?
    /// Capacity chosen at `voting_end` for the next epoch (spec §3.3).
    public private(set) var nextCapacityBytes: UInt64?
    /// [LAUNCH] prices chosen at `voting_end` for the next epoch (spec §3.2).
    public private(set) var nextPrices: (storage: Frost, write: Frost)? {
        get { nextStoragePrice.flatMap { s in nextWritePrice.map { (s, $0) } } }
        set { nextStoragePrice = newValue?.storage; nextWritePrice = newValue?.write }
    }
    private var nextStoragePrice: Frost?
    private var nextWritePrice: Frost?
    /// Candidates for the next committee, each at its stake projected to the epoch being elected.
    public private(set) var activeSet: ActiveSet
    /// Pools by dense node index.
    private var pools: [StakingPool?] = []
    /// Registered nodes in registration order.
    public private(set) var registeredNodes: [NodeID] = []
    private var stakes: [StakedWal] = []

    // MARK: System object (spec §3, §4)

    /// `ring[i]` is the account of epoch `epoch + i`, `i < maxEpochsAhead`.
    public private(set) var ring: [EpochAccount]
    /// Bytes for sale in each epoch, set at every epoch change to `max(voted capacity, used)`; 0 before the first.
    public private(set) var totalCapacityBytes: UInt64 = 0
    /// The storage price in force: FROST per storage unit (1 MiB encoded) per epoch.
    public private(set) var storagePriceFrost: Frost
    /// The write price in force: FROST per storage unit, paid once at registration.
    public private(set) var writePriceFrost: Frost
    private var storages: [StorageResource] = []
    private var blobs: [BlobObject] = []

    // MARK: Subsidies (spec §3.8)

    /// Old `subsidies` contract: pool and rates (bp of the cost, each <= 10,000).
    public private(set) var buyerSubsidyPoolFrost: UInt64 = 0
    /// Share of a purchase's cost refunded to the buyer from the pool, in bp.
    public private(set) var buyerSubsidyRate = BasisPoints.zero
    /// Share of a purchase's cost added from the pool to the storage fund, in bp.
    public private(set) var systemSubsidyRate = BasisPoints.zero
    /// `walrus_subsidies` contract [CURRENT].
    public private(set) var walrusSubsidyPoolFrost: UInt64 = 0
    /// Usage subsidy rate in bp of new payments, up to 1,000,000 (100x).
    public private(set) var usageSubsidyRate = BasisPoints.zero
    /// FROST added to each previous-committee member's commission once per epoch.
    public private(set) var baseSubsidyFrost: UInt64 = 0
    /// FROST per shard added on top of ``baseSubsidyFrost``, by the shards the member held.
    public private(set) var perShardSubsidyFrost: UInt64 = 0
    private var walrusSubsidyLatestEpoch: UInt32 = 0
    /// `already_subsidized_balances`: per ring slot, the reward balance already subsidized.
    private var alreadySubsidized: [EpochAccount]

    // MARK: Slashing (spec §3.9) and extensions

    private var slashingProposals: [SlashingProposal?] = []
    private var failedChallengeShards: [Int] = []

    // MARK: Accounts and totals

    private var balances: [UInt64] = []
    /// All FROST ever minted (sum of the accounts' initial balances).
    public private(set) var totalMintedFrost: UInt64 = 0
    /// All FROST ever burned, by any mechanism.
    public private(set) var totalBurnedFrost: UInt64 = 0
    private var flowLog: [Flow] = []

    /// A new economy at epoch 0, created at `creationTimeMs` (spec §1.1: the state starts as
    /// `EpochChangeDone(creation)`, and `first_epoch_start = creation + epoch_zero_duration`).
    public init(parameters: EconomicsParameters, creationTimeMs: UInt64 = 0) throws(EconomicsError) {
        if let e = parameters.validationError() { throw e }
        self.parameters = parameters
        self.state = .epochChangeDone(doneAtMs: creationTimeMs)
        self.firstEpochStartMs = creationTimeMs + parameters.epochZeroDurationMs
        self.activeSet = ActiveSet(maxSize: parameters.activeSetCap, thresholdFrost: parameters.activeSetThresholdFrost.rawValue)
        self.ring = (0 ..< parameters.maxEpochsAhead).map { EpochAccount(epoch: Epoch(UInt32($0)), usedCapacityBytes: 0, rewardsFrost: 0) }
        self.alreadySubsidized = ring
        // The contracts start with no committee (and [CURRENT] `update_prices` would then
        // return u64::MAX); we start from the configured prices so epoch 0 is usable.
        self.storagePriceFrost = parameters.initialStoragePriceFrost
        self.writePriceFrost = parameters.initialWritePriceFrost
    }

    /// Compares every piece of state, the undrained flow log included. O(size of the state).
    public static func == (a: WalrusEconomy, b: WalrusEconomy) -> Bool {
        a.parameters == b.parameters && a.epoch == b.epoch && a.state == b.state && a.committee == b.committee
            && a.previousCommittee == b.previousCommittee && a.nextCommittee == b.nextCommittee
            && a.nextCapacityBytes == b.nextCapacityBytes && a.nextStoragePrice == b.nextStoragePrice
            && a.nextWritePrice == b.nextWritePrice && a.activeSet == b.activeSet && a.pools == b.pools
            && a.registeredNodes == b.registeredNodes && a.stakes == b.stakes && a.ring == b.ring
            && a.totalCapacityBytes == b.totalCapacityBytes && a.storagePriceFrost == b.storagePriceFrost
            && a.writePriceFrost == b.writePriceFrost && a.storages == b.storages && a.blobs == b.blobs
            && a.buyerSubsidyPoolFrost == b.buyerSubsidyPoolFrost && a.buyerSubsidyRate == b.buyerSubsidyRate
            && a.systemSubsidyRate == b.systemSubsidyRate && a.walrusSubsidyPoolFrost == b.walrusSubsidyPoolFrost
            && a.usageSubsidyRate == b.usageSubsidyRate && a.baseSubsidyFrost == b.baseSubsidyFrost
            && a.perShardSubsidyFrost == b.perShardSubsidyFrost && a.walrusSubsidyLatestEpoch == b.walrusSubsidyLatestEpoch
            && a.alreadySubsidized == b.alreadySubsidized && a.slashingProposals == b.slashingProposals
            && a.failedChallengeShards == b.failedChallengeShards && a.balances == b.balances
            && a.totalMintedFrost == b.totalMintedFrost && a.totalBurnedFrost == b.totalBurnedFrost
            && a.flowLog == b.flowLog
    }

    /// Sui clock milliseconds of a simulated instant (floor).
    public static func milliseconds(_ t: SimTime) -> UInt64 { t.nanoseconds / 1_000_000 }

    /// Makes room for `count` more blob registrations (each a blob object and a storage
    /// resource) without regrowing: a run that knows how many blobs it will write reserves
    /// them once instead of doubling, whose last step leaves up to half of each array unused.
    /// Changes no state; untouched capacity costs address space, not resident memory.
    public mutating func reserveCapacity(blobs count: Int) {
        storages.reserveCapacity(storages.count + count)
        blobs.reserveCapacity(blobs.count + count)
    }

    // MARK: - Reading the state

    /// Whether `voting_end` has fixed the next committee this epoch (the state is `NextParamsSelected`).
    public var committeeSelected: Bool { nextCommittee != nil }
    /// The node's staking pool, or `nil` if the node never registered. O(1).
    public func pool(_ node: NodeID) -> StakingPool? { node.index < pools.count ? pools[node.index] : nil }
    /// The StakedWal object, withdrawn ones included, or `nil` for an unknown ID. O(1).
    public func stake(_ id: StakeID) -> StakedWal? { Int(id.rawValue) < stakes.count ? stakes[Int(id.rawValue)] : nil }
    /// The storage resource, attached ones included, or `nil` for an unknown ID. O(1).
    public func storage(_ id: StorageID) -> StorageResource? { Int(id.rawValue) < storages.count ? storages[Int(id.rawValue)] : nil }
    /// The blob object, deleted ones included, or `nil` for an unknown ID. O(1).
    public func blob(_ id: BlobObjectID) -> BlobObject? { Int(id.rawValue) < blobs.count ? blobs[Int(id.rawValue)] : nil }
    /// The account's balance in FROST, or `nil` for an unknown account. O(1).
    public func balance(of account: AccountID) -> Frost? { account.index < balances.count ? Frost(balances[account.index]) : nil }
    /// Accounts opened so far; valid `AccountID`s are `0 ..< accountCount`.
    public var accountCount: Int { balances.count }
    /// Bytes reserved in the current epoch.
    public var usedCapacityBytes: UInt64 { ring[0].usedCapacityBytes }

    /// When `voting_end` becomes allowed, or `nil` if the state is not `EpochChangeDone`
    /// (spec §1.1: `t_done + D/2`; epoch 0: `first_epoch_start`).
    public var votingEndAllowedAtMs: UInt64? {
        guard case .epochChangeDone(let t) = state else { return nil }
        return epoch.rawValue == 0 ? firstEpochStartMs : t + parameters.epochDurationMs / 2
    }

    /// When `initiate_epoch_change` becomes allowed, or `nil` if the state is not
    /// `NextParamsSelected` (spec §1.1: `t_done + D`; epoch 0: `first_epoch_start`).
    public var epochChangeAllowedAtMs: UInt64? {
        guard case .nextParamsSelected(let t) = state else { return nil }
        return epoch.rawValue == 0 ? firstEpochStartMs : t + parameters.epochDurationMs
    }

    /// The committee as the world wants it: node → shard indices, sorted by node id.
    public var committeeAssignments: [(node: NodeID, shards: [ShardIndex])] { committee.members.map { ($0.node, $0.shards) } }

    /// Removes and returns the WAL movements logged since the last call.
    public mutating func drainFlows() -> [Flow] {
        defer { flowLog.removeAll(keepingCapacity: true) }
        return flowLog
    }
    /// The movements logged and not yet drained.
    public var pendingFlows: [Flow] { flowLog }

    // MARK: - Internals shared by operations

    /// Logs a movement; `at` defaults to the current epoch. Everything an epoch change moves
    /// is logged at the epoch that ended.
    private mutating func log(_ kind: FlowKind, _ from: FlowEndpoint, _ to: FlowEndpoint, _ amount: UInt64, at: Epoch? = nil) {
        guard amount > 0 else { return }
        flowLog.append(Flow(epoch: at ?? epoch, kind: kind, from: from, to: to, amountFrost: Frost(amount)))
    }

    private func checkAccount(_ a: AccountID) throws(EconomicsError) {
        guard a.index < balances.count else { throw .unknownAccount(a) }
    }
    private func checkFunds(_ a: AccountID, _ amount: UInt64) throws(EconomicsError) {
        try checkAccount(a)
        guard balances[a.index] >= amount else {
            throw .insufficientBalance(account: a, neededFrost: Frost(amount), availableFrost: Frost(balances[a.index]))
        }
    }
    private func checkNode(_ node: NodeID) throws(EconomicsError) -> Int {
        guard node.index < pools.count, pools[node.index] != nil else { throw .unknownNode(node) }
        return node.index
    }
    private func checkStake(_ id: StakeID) throws(EconomicsError) -> Int {
        let i = Int(id.rawValue)
        guard i < stakes.count, stakes[i].state != .withdrawn else { throw .unknownStake(id) }
        return i
    }

    /// The epoch whose committee the active set currently elects (spec §1.3): E+1 before
    /// `voting_end`, E+2 after.
    private var selectionEpoch: UInt32 { epoch.rawValue + (committeeSelected ? 2 : 1) }

    private mutating func refreshActiveSet(_ i: Int) {
        let p = pools[i]!
        activeSet.insertOrUpdate(p.node, stakeFrost: p.walBalance(atEpoch: selectionEpoch))
    }

    // MARK: - Accounts (the only mint)

    /// Opens an account holding `initialBalance` freshly minted FROST (genesis allocation).
    /// This is the only place WAL is created.
    public mutating func openAccount(initialBalance: Frost = .zero) throws(EconomicsError) -> AccountID {
        guard totalMintedFrost.addingReportingOverflow(initialBalance.rawValue).overflow == false else { throw .amountOverflow }
        guard balances.count < Int(UInt32.max) else { throw .amountOverflow }
        let id = AccountID(UInt32(balances.count))
        balances.append(initialBalance.rawValue)
        totalMintedFrost += initialBalance.rawValue
        log(.mint, .mint, .account(id), initialBalance.rawValue)
        return id
    }

    /// Moves WAL between accounts (a plain coin transfer).
    public mutating func transfer(from: AccountID, to: AccountID, amount: Frost) throws(EconomicsError) {
        try checkAccount(to)
        try checkFunds(from, amount.rawValue)
        balances[from.index] -= amount.rawValue
        balances[to.index] += amount.rawValue
    }

    // MARK: - Nodes (spec §2.1)

    /// Largest node index accepted; NodeIDs index dense arrays.
    public static let maxNodeIndex = 1 << 22

    /// `register_candidate`: creates the node's pool with its commission rate and initial
    /// votes. No stake needed; the pool activates at E, or E+1 if the next committee is
    /// already selected.
    public mutating func registerCandidate(node: NodeID, commissionReceiver: AccountID,
                                           commission: BasisPoints? = nil, votes: Votes) throws(EconomicsError) {
        guard node.index < Self.maxNodeIndex else { throw .nodeIDOutOfRange(node) }
        if node.index < pools.count, pools[node.index] != nil { throw .nodeAlreadyRegistered(node) }
        try checkAccount(commissionReceiver)
        let rate = commission ?? parameters.defaultCommission
        guard rate.rawValue <= BasisPoints.denominator else { throw .commissionRateTooHigh(rate) }
        if node.index >= pools.count {
            let grow = node.index + 1 - pools.count
            pools.append(contentsOf: repeatElement(nil, count: grow))
            slashingProposals.append(contentsOf: repeatElement(nil, count: grow))
            failedChallengeShards.append(contentsOf: repeatElement(0, count: grow))
        }
        pools[node.index] = StakingPool(node: node, votes: votes, commissionRate: rate, receiver: commissionReceiver,
                                        currentEpoch: epoch.rawValue, committeeSelected: committeeSelected)
        registeredNodes.append(node)
    }

    /// `set_next_commission`: the new rate applies from epoch E+2 (spec §2.5).
    public mutating func setCommission(node: NodeID, rate: BasisPoints) throws(EconomicsError) {
        let i = try checkNode(node)
        guard rate.rawValue <= BasisPoints.denominator else { throw .commissionRateTooHigh(rate) }
        pools[i]!.pendingCommissionRate.insertOrReplace(epoch.rawValue + 2, rate.rawValue)
    }

    /// Sets the account that ``collectCommission(node:)`` pays. Throws for an unknown node or account.
    public mutating func setCommissionReceiver(node: NodeID, receiver: AccountID) throws(EconomicsError) {
        let i = try checkNode(node)
        try checkAccount(receiver)
        pools[i]!.commissionReceiver = receiver
    }

    /// `collect_commission`: pays the collectable (unblocked) commission to the receiver.
    @discardableResult
    public mutating func collectCommission(node: NodeID) throws(EconomicsError) -> Frost {
        let i = try checkNode(node)
        let amount = pools[i]!.collectableCommissionFrost
        pools[i]!.commissionFrost -= amount
        let receiver = pools[i]!.commissionReceiver
        balances[receiver.index] += amount
        log(.commissionCollected, .poolCommission(node), .account(receiver), amount)
        return Frost(amount)
    }

    /// Price and capacity votes persist until changed (spec §3.2). [CURRENT] they take effect
    /// on the next ``updatePrices()`` or epoch change; [LAUNCH] at the next `voting_end`.
    public mutating func setStoragePriceVote(node: NodeID, price: Frost) throws(EconomicsError) {
        pools[try checkNode(node)]!.votes.storagePriceFrost = price
    }
    /// Sets the node's write price vote, FROST per storage unit; timing as for ``setStoragePriceVote(node:price:)``.
    public mutating func setWritePriceVote(node: NodeID, price: Frost) throws(EconomicsError) {
        pools[try checkNode(node)]!.votes.writePriceFrost = price
    }
    /// Sets the node's capacity vote in bytes; tallied at the next `voting_end` (spec §3.3).
    public mutating func setCapacityVote(node: NodeID, capacityBytes: UInt64) throws(EconomicsError) {
        pools[try checkNode(node)]!.votes.capacityBytes = capacityBytes
    }

    /// Bytes of blobs on a node's deny list; reduces its reward share (spec §3.6).
    public mutating func setDenyListSize(node: NodeID, bytes: UInt64) throws(EconomicsError) {
        pools[try checkNode(node)]!.denyListSizeBytes = bytes
    }

    /// `try_join_active_set`: re-evaluates the node's projected stake against the set.
    public mutating func tryJoinActiveSet(node: NodeID) throws(EconomicsError) {
        refreshActiveSet(try checkNode(node))
    }

    // MARK: - Staking (spec §2.2, §2.3)

    /// `stake_with_pool`: moves `amount` from `owner` into a new StakedWal. It activates at
    /// E+1 before `voting_end`, at E+2 after (spec §2.2).
    public mutating func stake(owner: AccountID, node: NodeID, amount: Frost) throws(EconomicsError) -> StakeID {
        let i = try checkNode(node)
        guard amount.rawValue > 0 else { throw .zeroAmount }
        guard amount >= parameters.minStakeFrost else { throw .stakeBelowMinimum(minimumFrost: parameters.minStakeFrost) }
        try checkFunds(owner, amount.rawValue)
        guard stakes.count < Int(UInt32.max) else { throw .amountOverflow }
        let id = StakeID(UInt32(stakes.count))
        balances[owner.index] -= amount.rawValue
        let activation = pools[i]!.addStake(amount.rawValue, epoch: epoch.rawValue, committeeSelected: committeeSelected)
        stakes.append(StakedWal(id: id, node: node, owner: owner, principalFrost: amount,
                                activationEpoch: Epoch(activation), state: .staked))
        pools[i]!.stakeIDs.append(id)
        refreshActiveSet(i)
        log(.stake, .account(owner), .stakedPrincipal(node), amount.rawValue)
        return id
    }

    /// Splits `amount` off a StakedWal into a new one with the same node, activation and
    /// state; both parts must keep at least the minimum principal (`staked_wal::split`).
    public mutating func splitStake(_ id: StakeID, amount: Frost) throws(EconomicsError) -> StakeID {
        let s = try checkStake(id)
        let sw = stakes[s]
        guard amount <= sw.principalFrost else {
            throw .insufficientStake(stake: id, requestedFrost: amount, principalFrost: sw.principalFrost)
        }
        let rest = sw.principalFrost.rawValue - amount.rawValue
        guard amount >= parameters.minStakeFrost, rest >= parameters.minStakeFrost.rawValue else {
            throw .stakeBelowMinimum(minimumFrost: parameters.minStakeFrost)
        }
        let newID = StakeID(UInt32(stakes.count))
        stakes[s].principalFrost = Frost(rest)
        stakes.append(StakedWal(id: newID, node: sw.node, owner: sw.owner, principalFrost: amount,
                                activationEpoch: sw.activationEpoch, state: sw.state))
        pools[sw.node.index]!.stakeIDs.append(newID)
        return newID
    }

    private func inNext(_ node: NodeID) -> Bool { nextCommittee?.contains(node) ?? false }

    /// Whether the stake can be withdrawn in one step without rewards (spec §2.3 a).
    public func canWithdrawEarly(_ id: StakeID) -> Bool {
        guard let sw = stake(id) else { return false }
        return sw.canWithdrawEarly(inNext: inNext(sw.node), epoch: epoch.rawValue)
    }

    /// `request_withdraw_stake` (spec §2.3 b): marks the stake withdrawing and returns its
    /// withdraw epoch: E+2 if the node is in the selected next committee (or the stake was
    /// counted for it), E+1 if only in the current committee.
    @discardableResult
    public mutating func requestWithdraw(_ id: StakeID) throws(EconomicsError) -> Epoch {
        let s = try checkStake(id)
        var sw = stakes[s]
        let i = sw.node.index
        var pool = pools[i]!
        try pool.requestWithdraw(&sw, inCurrent: committee.contains(sw.node), inNext: inNext(sw.node), epoch: epoch.rawValue)
        pools[i] = pool
        stakes[s] = sw
        refreshActiveSet(i)
        guard case .withdrawing(let we) = sw.state else { preconditionFailure("request_withdraw left the stake staked") }
        return we
    }

    /// `withdraw_stake` (spec §2.3 a, b, c): pays principal plus rewards to the owner and
    /// returns the amount paid.
    @discardableResult
    public mutating func withdraw(_ id: StakeID) throws(EconomicsError) -> Frost {
        let s = try checkStake(id)
        let sw = stakes[s]
        let i = sw.node.index
        var pool = pools[i]!
        let rewards = try pool.withdraw(sw, inCurrent: committee.contains(sw.node), inNext: inNext(sw.node), epoch: epoch.rawValue)
        pools[i] = pool
        let principal = sw.principalFrost.rawValue
        stakes[s].state = .withdrawn
        stakes[s].principalFrost = .zero
        balances[sw.owner.index] += principal + rewards
        refreshActiveSet(i)
        log(.withdraw, .stakedPrincipal(sw.node), .account(sw.owner), principal)
        log(.withdraw, .poolRewards(sw.node), .account(sw.owner), rewards)
        return Frost(principal + rewards)
    }

    // MARK: - Epoch state machine (spec §1.1)

    /// `epoch_sync_done`: the node reports its shards for `epoch` synced. Returns `true` when
    /// this report completed the 2f+1 quorum (state → `EpochChangeDone(now)`).
    @discardableResult
    public mutating func epochSyncDone(node: NodeID, epoch reported: Epoch, atMs nowMs: UInt64) throws(EconomicsError) -> Bool {
        let i = try checkNode(node)
        guard reported == epoch else { throw .wrongEpoch(expected: epoch, actual: reported) }
        guard pools[i]!.lastEpochSyncDone < epoch.rawValue else { throw .duplicateSyncDone(node) }
        let weight = committee.weight(of: node)
        guard weight > 0 else { throw .notInCommittee(node) }
        pools[i]!.lastEpochSyncDone = epoch.rawValue
        guard case .epochChangeSync(let w) = state else { return false }
        let total = w + weight
        if Apportionment.isQuorum(weight: total, shards: nShards) {
            state = .epochChangeDone(doneAtMs: nowMs)
            return true
        }
        state = .epochChangeSync(syncedShards: total)
        return false
    }

    /// ``epochSyncDone(node:epoch:atMs:)`` at the Sui-clock millisecond of `time` (floor).
    @discardableResult
    public mutating func epochSyncDone(node: NodeID, epoch reported: Epoch, at time: SimTime) throws(EconomicsError) -> Bool {
        try epochSyncDone(node: node, epoch: reported, atMs: Self.milliseconds(time))
    }

    /// Selects the next committee from the active set (spec §1.3, §1.4), without mutating.
    public func computeNextCommittee() throws(EconomicsError) -> Committee {
        let entries = activeSet.entries
        guard let counts = Apportionment.dhondt(stakes: entries.map(\.stakeFrost), shards: nShards) else {
            if activeSet.totalStakeFrost == 0 { throw .noStake }
            throw .invalidParameter("shard caps cannot hold \(nShards) shards with \(entries.count) nodes")
        }
        var distribution: [(node: NodeID, shards: Int)] = []
        distribution.reserveCapacity(entries.count)
        for (e, c) in zip(entries, counts) where c > 0 { distribution.append((e.node, c)) }
        return committee.isEmpty ? Committee.initialize(distribution) : committee.transition(to: distribution)
    }

    /// `voting_end` (spec §1.1): allowed in `EpochChangeDone(t)` from `t + D/2` (epoch 0:
    /// from `first_epoch_start`). Unblocks the previous committee's commission [CURRENT],
    /// fixes the next committee and its capacity (and [LAUNCH] its prices).
    public mutating func votingEnd(atMs nowMs: UInt64) throws(EconomicsError) {
        guard case .epochChangeDone(let tDone) = state else { throw .wrongEpochState(expected: .epochChangeDone, actual: state) }
        let allowed = votingEndAllowedAtMs!
        guard nowMs >= allowed else { throw .tooEarly(nowMs: nowMs, allowedAtMs: allowed) }
        let next = try computeNextCommittee()

        for m in previousCommittee.members { pools[m.node.index]!.blockedCommissionFrost = 0 }
        var capacityVotes: [(value: UInt64, weight: Int)] = []
        var storageVotes: [(value: UInt64, weight: Int)] = []
        var writeVotes: [(value: UInt64, weight: Int)] = []
        for m in next.members {
            let v = pools[m.node.index]!.votes
            let w = m.shards.count
            // The node's capacity scaled to an implied network capacity, saturating (spec §3.3).
            let implied = UInt128(v.capacityBytes) * UInt128(nShards) / UInt128(w)
            capacityVotes.append((implied > UInt128(UInt64.max) ? UInt64.max : UInt64(implied), w))
            storageVotes.append((v.storagePriceFrost.rawValue, w))
            writeVotes.append((v.writePriceFrost.rawValue, w))
        }
        nextCapacityBytes = Apportionment.quorumAbove(capacityVotes, shards: nShards)
        if rules.pricesFromNextCommitteeAtVotingEnd {
            nextStoragePrice = Apportionment.quorumBelow(storageVotes, shards: nShards).map(Frost.init)
            nextWritePrice = Apportionment.quorumBelow(writeVotes, shards: nShards).map(Frost.init)
        }
        nextCommittee = next
        state = .nextParamsSelected(doneAtMs: tDone)
    }

    /// ``votingEnd(atMs:)`` at the Sui-clock millisecond of `time` (floor).
    public mutating func votingEnd(at time: SimTime) throws(EconomicsError) { try votingEnd(atMs: Self.milliseconds(time)) }

    /// `quorum_below` of the current committee's votes (`recalculate_prices`); `u64::MAX`
    /// for both when the committee is empty, as in the contract.
    public func quorumPrices() -> (storage: Frost, write: Frost) {
        guard !committee.isEmpty else { return (Frost(.max), Frost(.max)) }
        var sv: [(value: UInt64, weight: Int)] = [], wv: [(value: UInt64, weight: Int)] = []
        for m in committee.members {
            let v = pools[m.node.index]!.votes
            sv.append((v.storagePriceFrost.rawValue, m.shards.count))
            wv.append((v.writePriceFrost.rawValue, m.shards.count))
        }
        return (Frost(Apportionment.quorumBelow(sv, shards: nShards) ?? .max),
                Frost(Apportionment.quorumBelow(wv, shards: nShards) ?? .max))
    }

    /// [CURRENT] `update_prices` (permissionless): prices := `quorum_below` of the current
    /// committee's current votes (spec §3.2).
    public mutating func updatePrices() throws(EconomicsError) {
        guard !rules.pricesFromNextCommitteeAtVotingEnd else { throw .featureNotInProfile("update_prices (current profile)") }
        (storagePriceFrost, writePriceFrost) = quorumPrices()
    }

    /// `initiate_epoch_change` (spec §1.1, §2.6, §3.6): allowed in `NextParamsSelected(t)`
    /// from `t + D` (epoch 0: from `first_epoch_start`). In order: [CURRENT] burn a share of
    /// the finished epoch's slot; pay the rest to the outgoing committee by
    /// shards × (used − deny list), leftovers to the new epoch's slot; advance every
    /// outgoing and newly joined pool; the next committee becomes current and the state
    /// `EpochChangeSync(0)`; [CURRENT] prices from the new committee.
    @discardableResult
    public mutating func initiateEpochChange(atMs nowMs: UInt64) throws(EconomicsError) -> EpochChangeReport {
        guard case .nextParamsSelected = state else { throw .wrongEpochState(expected: .nextParamsSelected, actual: state) }
        let allowed = epochChangeAllowedAtMs!
        guard nowMs >= allowed else { throw .tooEarly(nowMs: nowMs, allowedAtMs: allowed) }
        let next = nextCommittee!
        let oldEpoch = epoch, newEpoch = epoch.next

        // Burn [CURRENT] (`extract_burn_balance`: floor(value * 3 / 100)).
        var finished = ring.removeFirst()
        let burn = UInt64(UInt128(finished.rewardsFrost) * UInt128(rules.burnBasisPoints) / UInt128(BasisPoints.denominator))
        finished.rewardsFrost -= burn
        totalBurnedFrost += burn
        log(.burn, .storageFund(oldEpoch), .burned, burn)
        ring.append(EpochAccount(epoch: Epoch(oldEpoch.rawValue + UInt32(parameters.maxEpochsAhead)), usedCapacityBytes: 0, rewardsFrost: 0))

        // System advance: capacity (and [LAUNCH] prices) for the new epoch.
        totalCapacityBytes = max(nextCapacityBytes ?? 0, ring[0].usedCapacityBytes)
        if rules.pricesFromNextCommitteeAtVotingEnd, let s = nextStoragePrice, let w = nextWritePrice {
            storagePriceFrost = s
            writePriceFrost = w
        }

        // Rewards of the outgoing committee (spec §3.6).
        let old = committee
        let used = finished.usedCapacityBytes
        var weights = [UInt128](); weights.reserveCapacity(old.count)
        var totalWeight: UInt128 = 0
        for m in old.members {
            let deny = min(pools[m.node.index]!.denyListSizeBytes, used)
            let w = UInt128(m.shards.count) * UInt128(used - deny)
            weights.append(w)
            totalWeight += w
        }
        let pot = finished.rewardsFrost
        let denominator = max(totalWeight, 1)
        var rewards = [UInt64](); rewards.reserveCapacity(old.count)
        var paid: UInt64 = 0
        for w in weights {
            let r = UInt64(UInt128(pot) * w / denominator)
            rewards.append(r)
            paid += r
        }
        let leftover = pot - paid
        ring[0].rewardsFrost += leftover
        log(.rolloverToNextEpoch, .storageFund(oldEpoch), .storageFund(newEpoch), leftover)

        // NOT DEPLOYED: storage-challenge reward forfeits.
        var forfeited: UInt64 = 0
        if parameters.extensions.storageChallenges {
            for (k, m) in old.members.enumerated() where failedChallengeShards[m.node.index] > 0 {
                let f = rewards[k] * parameters.extensions.rewardForfeitBasisPoints / BasisPoints.denominator
                rewards[k] -= f
                forfeited += f
                log(.challengePenalty, .storageFund(oldEpoch), .burned, f)
            }
            totalBurnedFrost += forfeited
        }

        // Staking advance.
        epoch = newEpoch
        previousCommittee = old
        committee = next
        nextCommittee = nil
        nextCapacityBytes = nil
        nextStoragePrice = nil
        nextWritePrice = nil
        state = .epochChangeSync(syncedShards: 0)
        var payouts: [NodePayout] = []
        payouts.reserveCapacity(old.count)
        for (k, m) in old.members.enumerated() {
            let i = m.node.index
            let commission = pools[i]!.advance(to: newEpoch.rawValue, rewardFrost: rewards[k],
                                               blockCommission: rules.commissionLockedUntilVotingEnd)
            refreshActiveSet(i)
            log(.commission, .storageFund(oldEpoch), .poolCommission(m.node), commission, at: oldEpoch)
            log(.reward, .storageFund(oldEpoch), .poolRewards(m.node), rewards[k] - commission, at: oldEpoch)
            payouts.append(NodePayout(node: m.node, shards: m.shards.count, rewardFrost: Frost(rewards[k]), commissionFrost: Frost(commission)))
        }
        let (left, joined) = old.diff(next)
        for node in joined {
            _ = pools[node.index]!.advance(to: newEpoch.rawValue, rewardFrost: 0, blockCommission: rules.commissionLockedUntilVotingEnd)
            refreshActiveSet(node.index)
        }

        // NOT DEPLOYED: principal slashing for failed challenges, then reset the tallies.
        if parameters.extensions.storageChallenges {
            for m in old.members where failedChallengeShards[m.node.index] > 0 {
                if parameters.extensions.principalSlashing {
                    let bp = min(BasisPoints.denominator,
                                 parameters.extensions.penaltyPerFailedShardBasisPoints.multipliedReportingOverflow(by: UInt64(failedChallengeShards[m.node.index])).partialValue)
                    applyPrincipalSlash(m.node.index, basisPoints: bp, kind: .challengePenalty, at: oldEpoch)
                }
                failedChallengeShards[m.node.index] = 0
            }
        }

        if !rules.pricesFromNextCommitteeAtVotingEnd { (storagePriceFrost, writePriceFrost) = quorumPrices() }

        return EpochChangeReport(newEpoch: newEpoch, burnedFrost: Frost(burn), distributedFrost: Frost(paid - forfeited),
                                 rolledOverFrost: Frost(leftover), forfeitedFrost: Frost(forfeited), payouts: payouts,
                                 movedShards: old.isEmpty ? 0 : old.movedShardCount(to: next), joined: joined, left: left)
    }

    /// ``initiateEpochChange(atMs:)`` at the Sui-clock millisecond of `time` (floor).
    @discardableResult
    public mutating func initiateEpochChange(at time: SimTime) throws(EconomicsError) -> EpochChangeReport {
        try initiateEpochChange(atMs: Self.milliseconds(time))
    }

    // MARK: - Storage and blobs (spec §3.4, §3.5, §4.2)

    /// A validated payment and reservation, ready to apply.
    private struct Reservation {
        var sizeBytes: UInt64
        var startOffset: Int
        var endOffset: Int
        var perEpochFrost: UInt64
        var totalFrost: UInt64
        var checkCapacity: Bool
    }

    private func planReservation(sizeBytes: UInt64, startOffset: Int, endOffset: Int, pay: Bool, checkCapacity: Bool) throws(EconomicsError) -> Reservation {
        guard endOffset > startOffset else { throw .emptyPeriod }
        guard endOffset <= parameters.maxEpochsAhead else {
            throw .horizonExceeded(endEpoch: Epoch(epoch.rawValue + UInt32(clamping: endOffset)),
                                   maxEndEpoch: Epoch(epoch.rawValue + UInt32(parameters.maxEpochsAhead)))
        }
        guard sizeBytes > 0 else { throw .invalidSize }
        var perEpoch: UInt64 = 0, total: UInt64 = 0
        if pay {
            let (p, o1) = StorageUnits.units(encodedBytes: sizeBytes).multipliedReportingOverflow(by: storagePriceFrost.rawValue)
            let (t, o2) = p.multipliedReportingOverflow(by: UInt64(endOffset - startOffset))
            guard !o1, !o2 else { throw .amountOverflow }
            perEpoch = p; total = t
        }
        for k in startOffset ..< endOffset {
            let (u, o) = ring[k].usedCapacityBytes.addingReportingOverflow(sizeBytes)
            if checkCapacity, o || u > totalCapacityBytes {
                throw .capacityExceeded(epoch: ring[k].epoch, usedBytes: ring[k].usedCapacityBytes, requestedBytes: sizeBytes, capacityBytes: totalCapacityBytes)
            }
            if o { throw .amountOverflow }
        }
        return Reservation(sizeBytes: sizeBytes, startOffset: startOffset, endOffset: endOffset,
                           perEpochFrost: perEpoch, totalFrost: total, checkCapacity: checkCapacity)
    }

    private mutating func applyReservation(_ r: Reservation, payer: AccountID?) {
        if let payer { balances[payer.index] -= r.totalFrost }
        for k in r.startOffset ..< r.endOffset {
            ring[k].usedCapacityBytes += r.sizeBytes
            ring[k].rewardsFrost += r.perEpochFrost
            if let payer { log(.storagePayment, .account(payer), .storageFund(ring[k].epoch), r.perEpochFrost) }
        }
    }

    private mutating func newStorage(_ r: Reservation) -> StorageID {
        let id = StorageID(UInt32(storages.count))
        storages.append(StorageResource(id: id, startEpoch: epoch + UInt32(r.startOffset), endEpoch: epoch + UInt32(r.endOffset),
                                        sizeBytes: r.sizeBytes, attached: false))
        return id
    }

    /// `reserve_space`: `sizeBytes` of encoded capacity for epochs `[E, E + epochs)`, paid
    /// at the current storage price per unit and epoch into each epoch's slot; every epoch
    /// must have room under the current total capacity (spec §3.3, §3.4).
    public mutating func reserveSpace(payer: AccountID, sizeBytes: UInt64, epochs: Int) throws(EconomicsError) -> StorageID {
        try checkAccount(payer)
        guard epochs > 0 else { throw .emptyPeriod }
        let r = try planReservation(sizeBytes: sizeBytes, startOffset: 0, endOffset: epochs, pay: true, checkCapacity: true)
        try checkFunds(payer, r.totalFrost)
        applyReservation(r, payer: payer)
        return newStorage(r)
    }

    /// [CURRENT] `reserve_space_for_epochs`: storage for `[start, end)`, `start` clamped to
    /// the current epoch, `end − E <= maxEpochsAhead`.
    public mutating func reserveSpace(payer: AccountID, sizeBytes: UInt64, startEpoch: Epoch, endEpoch: Epoch) throws(EconomicsError) -> StorageID {
        guard rules.futureStartReservations else { throw .featureNotInProfile("reserve_space_for_epochs (current profile)") }
        try checkAccount(payer)
        let start = max(startEpoch, epoch)
        guard endEpoch > start else { throw .emptyPeriod }
        let r = try planReservation(sizeBytes: sizeBytes, startOffset: Int(start.rawValue - epoch.rawValue),
                                    endOffset: Int(endEpoch.rawValue - epoch.rawValue), pay: true, checkCapacity: true)
        try checkFunds(payer, r.totalFrost)
        applyReservation(r, payer: payer)
        return newStorage(r)
    }

    /// Event blobs (spec §4.4): storage for the full horizon, without payment or capacity
    /// check.
    public mutating func reserveEventBlobSpace(sizeBytes: UInt64) throws(EconomicsError) -> StorageID {
        let r = try planReservation(sizeBytes: sizeBytes, startOffset: 0, endOffset: parameters.maxEpochsAhead, pay: false, checkCapacity: false)
        applyReservation(r, payer: nil)
        return newStorage(r)
    }

    /// The write fee of a blob (spec §3.5): `units(encoded) × write price`.
    public func writeFee(unencodedBytes: UInt64) throws(EconomicsError) -> Frost {
        guard let encoded = StorageUnits.encodedBlobBytes(unencodedBytes: unencodedBytes, nShards: nShards) else { throw .invalidSize }
        let (fee, o) = StorageUnits.units(encodedBytes: encoded).multipliedReportingOverflow(by: writePriceFrost.rawValue)
        guard !o else { throw .amountOverflow }
        return Frost(fee)
    }

    /// `register_blob`: attaches a storage resource valid now and large enough for the encoded
    /// blob, and pays the write fee into the current epoch's slot.
    public mutating func registerBlob(payer: AccountID, storage sid: StorageID, unencodedBytes: UInt64, deletable: Bool) throws(EconomicsError) -> BlobObjectID {
        guard let st = storage(sid), !st.attached else { throw .unknownStorage(sid) }
        guard st.startEpoch <= epoch, epoch < st.endEpoch else { throw .storageNotCurrent(sid) }
        guard let encoded = StorageUnits.encodedBlobBytes(unencodedBytes: unencodedBytes, nShards: nShards) else { throw .invalidSize }
        guard encoded <= st.sizeBytes else { throw .storageTooSmall(neededBytes: encoded, availableBytes: st.sizeBytes) }
        let fee = try writeFee(unencodedBytes: unencodedBytes).rawValue
        try checkFunds(payer, fee)
        balances[payer.index] -= fee
        ring[0].rewardsFrost += fee
        log(.writeFee, .account(payer), .storageFund(epoch), fee)
        storages[Int(sid.rawValue)].attached = true
        let id = BlobObjectID(UInt32(blobs.count))
        blobs.append(BlobObject(id: id, unencodedBytes: unencodedBytes, encodedBytes: encoded, storage: sid, registeredEpoch: epoch,
                                certifiedEpoch: nil, endEpoch: st.endEpoch, deletable: deletable, deleted: false))
        return id
    }

    /// `certify_blob` as far as the economy cares (the certificate itself is the world's):
    /// not yet certified and not expired.
    public mutating func certifyBlob(_ id: BlobObjectID) throws(EconomicsError) {
        guard let b = blob(id), !b.deleted else { throw .unknownBlob(id) }
        guard b.certifiedEpoch == nil else { throw .blobAlreadyCertified(id) }
        guard epoch < b.endEpoch else { throw .blobExpired(id) }
        blobs[Int(id.rawValue)].certifiedEpoch = epoch
    }

    private func planExtension(_ id: BlobObjectID, epochs: Int) throws(EconomicsError) -> Reservation {
        guard let b = blob(id), !b.deleted else { throw .unknownBlob(id) }
        guard b.certifiedEpoch != nil else { throw .blobNotCertified(id) }
        guard epoch < b.endEpoch else { throw .blobExpired(id) }
        guard epochs > 0 else { throw .emptyPeriod }
        let start = Int(b.endEpoch.rawValue - epoch.rawValue)
        let size = storages[Int(b.storage.rawValue)].sizeBytes
        return try planReservation(sizeBytes: size, startOffset: start, endOffset: start + epochs, pay: true, checkCapacity: true)
    }

    private mutating func applyExtension(_ id: BlobObjectID, _ r: Reservation, payer: AccountID) {
        applyReservation(r, payer: payer)
        let k = UInt32(r.endOffset - r.startOffset)
        blobs[Int(id.rawValue)].endEpoch = blobs[Int(id.rawValue)].endEpoch + k
        let sid = Int(blobs[Int(id.rawValue)].storage.rawValue)
        storages[sid].endEpoch = storages[sid].endEpoch + k
    }

    /// `extend_blob`: pays `units(storage size) × price × epochs` into the slots after the
    /// current end; `(end − E) + epochs <= maxEpochsAhead`; capacity checked.
    public mutating func extendBlob(payer: AccountID, blob id: BlobObjectID, epochs: Int) throws(EconomicsError) {
        try checkAccount(payer)
        let r = try planExtension(id, epochs: epochs)
        try checkFunds(payer, r.totalFrost)
        applyExtension(id, r, payer: payer)
    }

    /// `delete_blob`: a deletable, unexpired blob returns its storage for reuse; no refund,
    /// and the reserved capacity stays counted (spec §3.4).
    public mutating func deleteBlob(_ id: BlobObjectID) throws(EconomicsError) -> StorageID {
        guard let b = blob(id), !b.deleted else { throw .unknownBlob(id) }
        guard b.deletable else { throw .blobNotDeletable(id) }
        guard epoch < b.endEpoch else { throw .blobExpired(id) }
        blobs[Int(id.rawValue)].deleted = true
        storages[Int(b.storage.rawValue)].attached = false
        return b.storage
    }

    // MARK: - Old `subsidies` contract (spec §3.8)

    /// Sets the old `subsidies` contract's buyer and system rates, in bp of the cost; each at most 10,000.
    public mutating func setBuyerSubsidyRates(buyer: BasisPoints, system: BasisPoints) throws(EconomicsError) {
        guard buyer.rawValue <= BasisPoints.denominator, system.rawValue <= BasisPoints.denominator else {
            throw .invalidParameter("subsidy rates must be <= 10000 bp")
        }
        buyerSubsidyRate = buyer
        systemSubsidyRate = system
    }

    /// Moves `amount` from `from` into the old `subsidies` pool. Throws if the account is unknown or short.
    public mutating func fundBuyerSubsidyPool(from: AccountID, amount: Frost) throws(EconomicsError) {
        try checkFunds(from, amount.rawValue)
        balances[from.index] -= amount.rawValue
        buyerSubsidyPoolFrost += amount.rawValue
        log(.subsidyFunding, .account(from), .buyerSubsidyPool, amount.rawValue)
    }

    /// `allocate_subsidies`: (buyer, system) shares of `cost`, scaled down in proportion to
    /// the rates when the pool is short.
    private func allocateSubsidies(costFrost cost: UInt64) -> (buyer: UInt64, system: UInt64) {
        let pool = buyerSubsidyPoolFrost
        guard pool > 0 else { return (0, 0) }
        let b = mulDiv(cost, buyerSubsidyRate.rawValue, BasisPoints.denominator)!
        let s = mulDiv(cost, systemSubsidyRate.rawValue, BasisPoints.denominator)!
        if pool >= b + s { return (b, s) }
        let rates = buyerSubsidyRate.rawValue + systemSubsidyRate.rawValue
        return (mulDiv(pool, buyerSubsidyRate.rawValue, rates)!, mulDiv(pool, systemSubsidyRate.rawValue, rates)!)
    }

    /// Applies a subsidised purchase: the buyer pays `cost − buyer subsidy`; the pool pays
    /// the buyer subsidy and adds the system subsidy spread over `[E, E + epochsAhead)` with
    /// the remainder in the current epoch (`add_subsidy`). Note the contract spreads the
    /// system subsidy of an *extension* over the epochs from now, not over the extension.
    private mutating func applySubsidised(_ r: Reservation, payer: AccountID, epochsAhead: Int,
                                          then apply: (inout WalrusEconomy) -> Void) throws(EconomicsError) {
        let (buyerSub, systemSub) = allocateSubsidies(costFrost: r.totalFrost)
        try checkFunds(payer, r.totalFrost - buyerSub)
        // Credit the refund first so that debiting the full cost cannot underflow; the net
        // is the contract's: the buyer pays `cost − buyer subsidy`.
        balances[payer.index] += buyerSub
        apply(&self)
        buyerSubsidyPoolFrost -= buyerSub + systemSub
        log(.buyerRefund, .buyerSubsidyPool, .account(payer), buyerSub)
        let per = systemSub / UInt64(epochsAhead)
        for k in 0 ..< epochsAhead {
            ring[k].rewardsFrost += per
            log(.subsidy, .buyerSubsidyPool, .storageFund(ring[k].epoch), per)
        }
        let rest = systemSub - per * UInt64(epochsAhead)
        ring[0].rewardsFrost += rest
        log(.subsidy, .buyerSubsidyPool, .storageFund(epoch), rest)
    }

    /// `subsidies::reserve_space`: ``reserveSpace(payer:sizeBytes:epochs:)`` through the old
    /// subsidies contract.
    public mutating func reserveSpaceSubsidised(payer: AccountID, sizeBytes: UInt64, epochs: Int) throws(EconomicsError) -> StorageID {
        guard buyerSubsidyPoolFrost > 0 else { return try reserveSpace(payer: payer, sizeBytes: sizeBytes, epochs: epochs) }
        try checkAccount(payer)
        guard epochs > 0 else { throw .emptyPeriod }
        let r = try planReservation(sizeBytes: sizeBytes, startOffset: 0, endOffset: epochs, pay: true, checkCapacity: true)
        var sid = StorageID(0)
        try applySubsidised(r, payer: payer, epochsAhead: epochs) { me in
            me.applyReservation(r, payer: payer)
            sid = me.newStorage(r)
        }
        return sid
    }

    /// `subsidies::extend_blob`.
    public mutating func extendBlobSubsidised(payer: AccountID, blob id: BlobObjectID, epochs: Int) throws(EconomicsError) {
        guard buyerSubsidyPoolFrost > 0 else { return try extendBlob(payer: payer, blob: id, epochs: epochs) }
        try checkAccount(payer)
        let r = try planExtension(id, epochs: epochs)
        try applySubsidised(r, payer: payer, epochsAhead: epochs) { me in me.applyExtension(id, r, payer: payer) }
    }

    // MARK: - `walrus_subsidies` contract [CURRENT] (spec §3.8)

    /// Sets the contract's rates: `usageRate` up to 1,000,000 bp; `base + perShard × 1000`
    /// must fit in u64 (`EInvalidSubsidyRate`).
    public mutating func setWalrusSubsidies(usageRate: BasisPoints, basePerNodeFrost: Frost, perShardFrost: Frost) throws(EconomicsError) {
        guard rules.walrusSubsidiesContract else { throw .featureNotInProfile("walrus_subsidies (current profile)") }
        guard usageRate.rawValue <= 1_000_000 else { throw .invalidParameter("usage subsidy rate must be <= 1000000 bp") }
        guard UInt128(basePerNodeFrost.rawValue) + UInt128(perShardFrost.rawValue) * 1_000 <= UInt128(UInt64.max) else { throw .amountOverflow }
        usageSubsidyRate = usageRate
        baseSubsidyFrost = basePerNodeFrost.rawValue
        perShardSubsidyFrost = perShardFrost.rawValue
    }

    /// `walrus_subsidies_inner::new` [CURRENT]: creates the contract now with its rates
    /// (checked as ``setWalrusSubsidies(usageRate:basePerNodeFrost:perShardFrost:)`` does) and
    /// takes the creation snapshot the contract takes: every ring slot's current rewards count
    /// as already subsidized (payments made before the contract existed earn no usage subsidy),
    /// and the fixed subsidies start with the current epoch's previous committee
    /// (`latest_epoch = epoch − 1`, or 0 in epoch 0). Validates before mutating.
    public mutating func createWalrusSubsidies(usageRate: BasisPoints, basePerNodeFrost: Frost, perShardFrost: Frost) throws(EconomicsError) {
        var probe = self
        try probe.setWalrusSubsidies(usageRate: usageRate, basePerNodeFrost: basePerNodeFrost, perShardFrost: perShardFrost)
        self = probe
        alreadySubsidized = ring
        walrusSubsidyLatestEpoch = epoch.rawValue == 0 ? 0 : epoch.rawValue - 1
    }

    /// [CURRENT] Moves `amount` from `from` into the `walrus_subsidies` pool. Throws if the contract is off or the funds short.
    public mutating func fundWalrusSubsidyPool(from: AccountID, amount: Frost) throws(EconomicsError) {
        guard rules.walrusSubsidiesContract else { throw .featureNotInProfile("walrus_subsidies (current profile)") }
        try checkFunds(from, amount.rawValue)
        balances[from.index] -= amount.rawValue
        walrusSubsidyPoolFrost += amount.rawValue
        log(.subsidyFunding, .account(from), .walrusSubsidyPool, amount.rawValue)
    }

    /// `process_subsidies` (permissionless; nodes call it around each epoch change): once per
    /// epoch, each member of the previous committee gets `base + shards × perShard` added to
    /// its commission; then every ring slot gets `rate × (new payments since last time)`.
    /// Aborts (typed error, no change) if the pool cannot pay.
    public mutating func processSubsidies() throws(EconomicsError) {
        guard rules.walrusSubsidiesContract else { throw .featureNotInProfile("walrus_subsidies (current profile)") }
        var pool = walrusSubsidyPoolFrost
        var fixed: [(node: NodeID, amount: UInt64)] = []
        let e = epoch.rawValue
        let payFixed = e > 0 && walrusSubsidyLatestEpoch < e - 1
        if payFixed {
            for m in previousCommittee.members {
                let v = baseSubsidyFrost + UInt64(m.shards.count) * perShardSubsidyFrost
                guard pool >= v else { throw .insufficientSubsidyFunds(neededFrost: Frost(v), availableFrost: Frost(pool)) }
                pool -= v
                fixed.append((m.node, v))
            }
        }
        var already = alreadySubsidized
        while already[0].epoch < ring[0].epoch {
            let last = already.removeFirst()
            already.append(EpochAccount(epoch: last.epoch + UInt32(already.count + 1), usedCapacityBytes: 0, rewardsFrost: 0))
        }
        var usage = [UInt64](repeating: 0, count: ring.count)
        for k in 0 ..< ring.count {
            let fresh = ring[k].rewardsFrost >= already[k].rewardsFrost ? ring[k].rewardsFrost - already[k].rewardsFrost : 0
            let v = UInt64(UInt128(fresh) * UInt128(usageSubsidyRate.rawValue) / UInt128(BasisPoints.denominator))
            guard v <= pool else { throw .insufficientSubsidyFunds(neededFrost: Frost(v), availableFrost: Frost(pool)) }
            pool -= v
            usage[k] = v
            already[k].rewardsFrost = ring[k].rewardsFrost + v
        }
        // Apply.
        if payFixed { walrusSubsidyLatestEpoch = e - 1 }
        let block = rules.commissionLockedUntilVotingEnd && !committeeSelected
        for f in fixed {
            pools[f.node.index]!.commissionFrost += f.amount
            if block { pools[f.node.index]!.blockedCommissionFrost += f.amount }
            log(.subsidy, .walrusSubsidyPool, .poolCommission(f.node), f.amount)
        }
        for k in 0 ..< ring.count {
            ring[k].rewardsFrost += usage[k]
            log(.subsidy, .walrusSubsidyPool, .storageFund(ring[k].epoch), usage[k])
        }
        alreadySubsidized = already
        walrusSubsidyPoolFrost = pool
    }

    // MARK: - Commission slashing [CURRENT] (spec §3.9)

    /// `vote_for_slashing`: a current committee member votes, with its shard weight, to burn
    /// `candidate`'s commission. Proposals from earlier epochs are reset.
    public mutating func voteForSlashing(voter: NodeID, candidate: NodeID) throws(EconomicsError) {
        guard rules.commissionSlashing else { throw .featureNotInProfile("slashing (current profile)") }
        _ = try checkNode(voter)
        let c = try checkNode(candidate)
        let weight = committee.weight(of: voter)
        guard weight > 0 else { throw .notInCommittee(voter) }
        var p = slashingProposals[c].flatMap { $0.epoch == epoch ? $0 : nil } ?? SlashingProposal(epoch: epoch, voters: [], votedShards: 0)
        guard !p.voters.contains(voter) else { throw .duplicateVote(voter: voter, candidate: candidate) }
        p.voters.append(voter)
        p.votedShards += weight
        slashingProposals[c] = p
    }

    /// `execute_slashing`: with a same-epoch quorum of votes, burns the candidate's whole
    /// commission (blocked and unblocked) and removes the proposal. Returns the burned amount.
    @discardableResult
    public mutating func executeSlashing(candidate: NodeID) throws(EconomicsError) -> Frost {
        guard rules.commissionSlashing else { throw .featureNotInProfile("slashing (current profile)") }
        let c = try checkNode(candidate)
        guard let p = slashingProposals[c] else { throw .noSlashingProposal(candidate) }
        guard p.epoch == epoch else { throw .wrongEpoch(expected: epoch, actual: p.epoch) }
        guard Apportionment.isQuorum(weight: p.votedShards, shards: nShards) else {
            throw .notEnoughVotes(candidate: candidate, votedShards: p.votedShards, neededShards: (2 * nShards) / 3 + 1)
        }
        slashingProposals[c] = nil
        let amount = pools[c]!.commissionFrost
        pools[c]!.commissionFrost = 0
        pools[c]!.blockedCommissionFrost = 0
        totalBurnedFrost += amount
        log(.slash, .poolCommission(candidate), .burned, amount)
        return Frost(amount)
    }

    // MARK: - Whitepaper extensions (NOT in the deployed contracts)

    /// NOT DEPLOYED (whitepaper storage challenges). Records that `node` failed challenges
    /// for `failedShards` shards in the current epoch; settled at the next epoch change.
    public mutating func recordFailedChallenge(node: NodeID, failedShards: Int) throws(EconomicsError) {
        guard parameters.extensions.storageChallenges else { throw .featureNotInProfile("storage challenges (whitepaper extension, off)") }
        let i = try checkNode(node)
        guard committee.contains(node) else { throw .notInCommittee(node) }
        guard failedShards > 0, failedShards <= committee.weight(of: node) else { throw .invalidParameter("failedShards must be in 1...node's shards") }
        failedChallengeShards[i] += failedShards
    }

    /// NOT DEPLOYED (whitepaper slashing of staked principal): burns `basisPoints` of the
    /// principal of every active, still-staked StakedWal of the node (pending and withdrawing
    /// stake is spared). The pool's balance and shares shrink by the slashed principal and its
    /// shares, so the exchange rate is nearly unchanged. Returns the burned amount.
    @discardableResult
    public mutating func slashPrincipal(node: NodeID, basisPoints: BasisPoints) throws(EconomicsError) -> Frost {
        guard parameters.extensions.principalSlashing else { throw .featureNotInProfile("principal slashing (whitepaper extension, off)") }
        let i = try checkNode(node)
        guard basisPoints.rawValue <= BasisPoints.denominator else { throw .invalidParameter("basisPoints must be <= 10000") }
        return Frost(applyPrincipalSlash(i, basisPoints: basisPoints.rawValue, kind: .slash))
    }

    @discardableResult
    private mutating func applyPrincipalSlash(_ i: Int, basisPoints bp: UInt64, kind: FlowKind, at: Epoch? = nil) -> UInt64 {
        var burned: UInt64 = 0, burnedShares: UInt64 = 0
        let e = epoch.rawValue
        for id in pools[i]!.stakeIDs {
            let s = Int(id.rawValue)
            guard stakes[s].state == .staked, stakes[s].activationEpoch.rawValue <= e else { continue }
            let p = stakes[s].principalFrost.rawValue
            let cut = p * bp / BasisPoints.denominator
            guard cut > 0 else { continue }
            burnedShares += pools[i]!.exchangeRate(at: stakes[s].activationEpoch.rawValue).toShares(cut)
            stakes[s].principalFrost = Frost(p - cut)
            burned += cut
        }
        pools[i]!.walBalance -= min(burned, pools[i]!.walBalance)
        pools[i]!.numShares -= min(burnedShares, pools[i]!.numShares)
        if pools[i]!.numShares > pools[i]!.walBalance { pools[i]!.numShares = pools[i]!.walBalance }
        totalBurnedFrost += burned
        log(kind, .stakedPrincipal(pools[i]!.node), .burned, burned, at: at)
        refreshActiveSet(i)
        return burned
    }

    // MARK: - Conservation (issue item 6)

    /// Sums every place WAL can be. O(accounts + stakes + pools + ring): cheap enough for
    /// every epoch.
    public func conservationReport() -> ConservationReport {
        var r = ConservationReport()
        r.mintedFrost = UInt128(totalMintedFrost)
        r.burnedFrost = UInt128(totalBurnedFrost)
        for b in balances { r.accountsFrost += UInt128(b) }
        for s in stakes { r.stakedPrincipalFrost += UInt128(s.principalFrost.rawValue) }
        for case let p? in pools {
            r.poolRewardsFrost += UInt128(p.rewardsPoolFrost)
            r.commissionFrost += UInt128(p.commissionFrost)
        }
        for a in ring { r.storageFundFrost += UInt128(a.rewardsFrost) }
        r.subsidyPoolsFrost = UInt128(buyerSubsidyPoolFrost) + UInt128(walrusSubsidyPoolFrost)
        return r
    }
}

/// Where all WAL is, and whether it adds up.
public struct ConservationReport: Hashable, Sendable {
    /// All WAL ever created, in FROST: the sum of the initial balances of opened accounts.
    public var mintedFrost: UInt128 = 0
    /// FROST in account balances.
    public var accountsFrost: UInt128 = 0
    /// FROST in the principals of StakedWal objects not yet withdrawn.
    public var stakedPrincipalFrost: UInt128 = 0
    /// FROST in the pools' delegator reward balances (`rewards_pool`).
    public var poolRewardsFrost: UInt128 = 0
    /// FROST in the pools' commission balances, blocked commission included.
    public var commissionFrost: UInt128 = 0
    /// FROST in the reward slots of the future-accounting ring buffer.
    public var storageFundFrost: UInt128 = 0
    /// FROST in the two subsidy contracts' pools together.
    public var subsidyPoolsFrost: UInt128 = 0
    /// All WAL ever destroyed, in FROST.
    public var burnedFrost: UInt128 = 0
    /// Everything accounted for, burned WAL included.
    public var heldFrost: UInt128 {
        accountsFrost + stakedPrincipalFrost + poolRewardsFrost + commissionFrost + storageFundFrost + subsidyPoolsFrost + burnedFrost
    }
    /// `minted == accounts + staked + pool rewards + commission + storage fund + subsidy
    /// pools + burned`, to the FROST.
    public var isBalanced: Bool { heldFrost == mintedFrost }
}

/// What one pool received at an epoch change.
public struct NodePayout: Hashable, Sendable {
    /// The member of the outgoing committee.
    public var node: NodeID
    /// The shards it held in the epoch that ended; its reward weight with the bytes used.
    public var shards: Int
    /// The node's whole reward (commission included, after any forfeit).
    public var rewardFrost: Frost
    /// The part of ``rewardFrost`` credited to the pool's commission; the rest went to delegators.
    public var commissionFrost: Frost
}

/// The outcome of ``WalrusEconomy/initiateEpochChange(atMs:)``.
public struct EpochChangeReport: Hashable, Sendable {
    /// The epoch that began.
    public var newEpoch: Epoch
    /// [CURRENT] FROST burned from the finished epoch's slot (`burnBasisPoints`); forfeits not included.
    public var burnedFrost: Frost
    /// FROST paid to the outgoing committee's pools, commission included and forfeits excluded.
    public var distributedFrost: Frost
    /// FROST the division left over (rounding, or no weight at all), moved into the new epoch's slot.
    public var rolledOverFrost: Frost
    /// NOT DEPLOYED: rewards burned for failed storage challenges.
    public var forfeitedFrost: Frost
    /// One entry per member of the outgoing committee, by node id.
    public var payouts: [NodePayout]
    /// Shards changing owner: Σ max(0, old − new).
    public var movedShards: Int
    /// Nodes in the new committee but not the outgoing one, sorted by id.
    public var joined: [NodeID]
    /// Nodes in the outgoing committee but not the new one, sorted by id.
    public var left: [NodeID]
}

/// A commission-slashing proposal (`slashing.move`).
struct SlashingProposal: Hashable, Sendable {
    var epoch: Epoch
    var voters: [NodeID]
    var votedShards: Int
}

extension WalrusEconomy {
    /// `reserve_space` then `register_blob` on the new storage, as one transaction (the SDK's
    /// single programmable transaction): every check of both calls runs, in their order and with
    /// their errors, before anything changes, so a failure leaves the economy as it was. Callers
    /// need no copy of the economy to undo a half-done registration (a copy makes the next
    /// mutation copy every per-blob array: quadratic over a long run).
    public mutating func reserveAndRegisterBlob(payer: AccountID, sizeBytes: UInt64, epochs: Int, unencodedBytes: UInt64,
                                                deletable: Bool) throws(EconomicsError) -> (storage: StorageID, blob: BlobObjectID) {
        try checkAccount(payer)
        guard epochs > 0 else { throw .emptyPeriod }
        let r = try planReservation(sizeBytes: sizeBytes, startOffset: 0, endOffset: epochs, pay: true, checkCapacity: true)
        try checkFunds(payer, r.totalFrost)
        // What `registerBlob` checks on the storage `reserveSpace` would create.
        guard let encoded = StorageUnits.encodedBlobBytes(unencodedBytes: unencodedBytes, nShards: nShards) else { throw .invalidSize }
        guard encoded <= sizeBytes else { throw .storageTooSmall(neededBytes: encoded, availableBytes: sizeBytes) }
        let fee = try writeFee(unencodedBytes: unencodedBytes).rawValue
        let left = balances[payer.index] - r.totalFrost
        guard left >= fee else {
            throw .insufficientBalance(account: payer, neededFrost: Frost(fee), availableFrost: Frost(left))
        }
        applyReservation(r, payer: payer)
        let storage = newStorage(r)
        return (storage, try registerBlob(payer: payer, storage: storage, unencodedBytes: unencodedBytes, deletable: deletable))
    }
}
