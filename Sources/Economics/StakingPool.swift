import SimSupport

/// Epoch-keyed pending amounts (`pending_values.move`), kept sorted by epoch so that every
/// traversal is deterministic.
public struct PendingValues: Hashable, Sendable {
    /// One pending amount (FROST, shares or basis points, as the owner uses it) keyed by epoch number.
    public struct Entry: Hashable, Sendable { public var epoch: UInt32; public var value: UInt64 }
    /// The entries, sorted by epoch, at most one per epoch.
    public private(set) var entries: [Entry] = []

    /// An empty map.
    public init() {}

    private func find(_ epoch: UInt32) -> (found: Bool, index: Int) {
        var lo = 0, hi = entries.count
        while lo < hi { let m = (lo + hi) / 2; if entries[m].epoch < epoch { lo = m + 1 } else { hi = m } }
        return (lo < entries.count && entries[lo].epoch == epoch, lo)
    }

    /// Adds `value` to the entry keyed `epoch`, inserting it in epoch order if absent. O(entries).
    public mutating func insertOrAdd(_ epoch: UInt32, _ value: UInt64) {
        let (found, i) = find(epoch)
        if found { entries[i].value += value } else { entries.insert(Entry(epoch: epoch, value: value), at: i) }
    }
    /// Sets the entry keyed `epoch` to `value`, inserting it in epoch order if absent. O(entries).
    public mutating func insertOrReplace(_ epoch: UInt32, _ value: UInt64) {
        let (found, i) = find(epoch)
        if found { entries[i].value = value } else { entries.insert(Entry(epoch: epoch, value: value), at: i) }
    }
    /// Subtracts from an existing entry; `false` (and no change) if absent or too small
    /// (`EMissingEpochValue`, `EReduceValueTooLarge`).
    public mutating func reduce(_ epoch: UInt32, _ value: UInt64) -> Bool {
        let (found, i) = find(epoch)
        guard found, entries[i].value >= value else { return false }
        entries[i].value -= value
        return true
    }
    /// The value keyed exactly `epoch`, or `nil`; earlier entries do not count. O(log entries).
    public func value(exactly epoch: UInt32) -> UInt64? {
        let (found, i) = find(epoch)
        return found ? entries[i].value : nil
    }
    /// Sum of the values keyed `<= epoch`.
    public func valueAt(_ epoch: UInt32) -> UInt64 {
        var sum: UInt64 = 0
        for e in entries where e.epoch <= epoch { sum += e.value }
        return sum
    }
    /// Removes the entries keyed `<= epoch` and returns their sum.
    public mutating func flush(_ epoch: UInt32) -> UInt64 {
        var cut = 0, sum: UInt64 = 0
        while cut < entries.count && entries[cut].epoch <= epoch { sum += entries[cut].value; cut += 1 }
        entries.removeFirst(cut)
        return sum
    }
}

/// A pool's share price at one epoch (`exchange_rate.move`): `wal / shares`, or flat (1:1)
/// when either is 0. Conversions floor, through 128 bits.
public struct ExchangeRate: Hashable, Sendable {
    /// The WAL side of the rate in FROST; 0 exactly when the rate is flat. Never below ``shares``.
    public var walFrost: UInt64
    /// The share side of the rate; 0 exactly when the rate is flat.
    public var shares: UInt64
    /// The 1:1 rate of a pool with no stake yet.
    public static let flat = ExchangeRate(walFrost: 0, shares: 0)
    /// Normalises to ``flat`` when either side is 0. Traps if `shares > walFrost` (`EInvalidRate`).
    public init(walFrost: UInt64, shares: UInt64) {
        // `EInvalidRate`: share_amount <= wal_amount always holds for a pool (rewards only grow
        // the WAL side).
        precondition(shares <= walFrost, "EInvalidRate")
        if walFrost == 0 || shares == 0 { self.walFrost = 0; self.shares = 0 } else { self.walFrost = walFrost; self.shares = shares }
    }
    /// Whether conversions are the identity.
    public var isFlat: Bool { shares == 0 }
    /// `floor(shareAmount × wal / shares)` in FROST; the identity when flat.
    public func toWal(_ shareAmount: UInt64) -> UInt64 {
        isFlat ? shareAmount : UInt64(UInt128(shareAmount) * UInt128(walFrost) / UInt128(shares))
    }
    /// `floor(walAmount × shares / wal)`, `walAmount` in FROST; the identity when flat.
    public func toShares(_ walAmount: UInt64) -> UInt64 {
        isFlat ? walAmount : UInt64(UInt128(walAmount) * UInt128(shares) / UInt128(walFrost))
    }
}

/// A node's price and capacity votes (`VotingParams`, spec §3.2-3.3). They persist until
/// changed.
public struct Votes: Hashable, Sendable {
    /// Storage price vote: FROST per storage unit (1 MiB encoded) per epoch.
    public var storagePriceFrost: Frost
    /// Write price vote: FROST per storage unit (1 MiB encoded), paid once at registration.
    public var writePriceFrost: Frost
    /// Capacity vote: the bytes this node offers; scaled by `N / shards` to a network figure at `voting_end`.
    public var capacityBytes: UInt64
    /// Sets the three votes as given.
    public init(storagePriceFrost: Frost, writePriceFrost: Frost, capacityBytes: UInt64) {
        self.storagePriceFrost = storagePriceFrost; self.writePriceFrost = writePriceFrost; self.capacityBytes = capacityBytes
    }
}

/// An exchange rate recorded when a pool was advanced into `epoch`.
public struct RateRecord: Hashable, Sendable { public var epoch: UInt32; public var rate: ExchangeRate }

/// One node's staking pool (spec §2.1, §2.4, `staking_pool.move`).
///
/// `walBalance` is an accounting figure (active stake plus compounded rewards); the WAL
/// itself sits in the StakedWal principals, `rewardsPoolFrost` and `commissionFrost`.
public struct StakingPool: Hashable, Sendable {
    /// The node that owns the pool; also its index in the economy's pool array.
    public let node: NodeID
    /// The node's current price and capacity votes; they apply only when tallied (spec §3.2).
    public var votes: Votes
    /// The epoch the pool became active: its registration epoch, or the next one if the committee was already
    /// selected. Rates before it read as flat.
    public internal(set) var activationEpoch: UInt32
    /// The last epoch the pool was advanced into; its registration epoch until the first advance.
    public internal(set) var latestEpoch: UInt32
    /// Active stake plus compounded delegator rewards, in FROST (bookkeeping; see the type's comment).
    public internal(set) var walBalance: UInt64 = 0
    /// Shares outstanding against ``walBalance``; never more than it.
    public internal(set) var numShares: UInt64 = 0
    /// FROST of stake not yet active, keyed by activation epoch.
    public internal(set) var pendingStake = PendingValues()
    /// Shares of requested withdrawals, keyed by withdraw epoch.
    public internal(set) var pendingSharesWithdraw = PendingValues()
    /// Principal of stake withdrawn after being counted for the next committee but before
    /// activation, keyed by withdraw epoch (= activation + 1).
    public internal(set) var preActiveWithdrawals = PendingValues()
    /// Commission rates in bp waiting to apply, keyed by the epoch they take effect (E+2 when set).
    public internal(set) var pendingCommissionRate = PendingValues()
    /// The operator's share of each epoch reward, in `0...10_000` bp.
    public internal(set) var commissionRate: BasisPoints
    /// Recorded rates, sorted by epoch.
    public internal(set) var exchangeRates: [RateRecord]
    /// FROST held for delegators' rewards, paid out with withdrawals.
    public internal(set) var rewardsPoolFrost: UInt64 = 0
    /// FROST of commission held for the operator, blocked commission included.
    public internal(set) var commissionFrost: UInt64 = 0
    /// [CURRENT] the part of `commissionFrost` not collectable before the next `voting_end`.
    public internal(set) var blockedCommissionFrost: UInt64 = 0
    /// The account ``WalrusEconomy/collectCommission(node:)`` pays.
    public internal(set) var commissionReceiver: AccountID
    /// The `StorageNodeCap`'s `last_epoch_sync_done`.
    public internal(set) var lastEpochSyncDone: UInt32 = 0
    /// Bytes of blobs on the node's deny list (spec §3.6).
    public internal(set) var denyListSizeBytes: UInt64 = 0
    /// StakedWal objects ever minted for this pool, in creation order.
    public internal(set) var stakeIDs: [StakeID] = []

    init(node: NodeID, votes: Votes, commissionRate: BasisPoints, receiver: AccountID,
         currentEpoch: UInt32, committeeSelected: Bool) {
        self.node = node
        self.votes = votes
        self.commissionRate = commissionRate
        self.commissionReceiver = receiver
        // Spec §2.1: activation E+1 if the next committee is already selected, else E.
        self.activationEpoch = committeeSelected ? currentEpoch + 1 : currentEpoch
        self.latestEpoch = currentEpoch
        self.exchangeRates = [RateRecord(epoch: activationEpoch, rate: .flat)]
    }

    /// `exchange_rate_at_epoch`: the latest rate recorded at or before `epoch`, but not before
    /// the pool's activation; flat otherwise.
    public func exchangeRate(at epoch: UInt32) -> ExchangeRate {
        var lo = 0, hi = exchangeRates.count
        while lo < hi { let m = (lo + hi) / 2; if exchangeRates[m].epoch <= epoch { lo = m + 1 } else { hi = m } }
        guard lo > 0 else { return .flat }
        let e = exchangeRates[lo - 1]
        return e.epoch >= activationEpoch ? e.rate : .flat
    }

    private mutating func recordRate(_ epoch: UInt32, _ rate: ExchangeRate) {
        if let last = exchangeRates.last, last.epoch == epoch { exchangeRates[exchangeRates.count - 1].rate = rate; return }
        precondition(exchangeRates.last.map { $0.epoch < epoch } ?? true, "exchange rates recorded out of order")
        exchangeRates.append(RateRecord(epoch: epoch, rate: rate))
    }

    /// Shares of the pre-active withdrawals keyed `<= epoch`, each converted at the rate of
    /// its activation epoch (withdraw epoch − 1).
    private func preActiveShares(upTo epoch: UInt32) -> UInt64 {
        var shares: UInt64 = 0
        for e in preActiveWithdrawals.entries where e.epoch <= epoch {
            shares += exchangeRate(at: e.epoch - 1).toShares(e.value)
        }
        return shares
    }

    /// `wal_balance_at_epoch` (spec §2.4): the projected balance used for the active set.
    public func walBalance(atEpoch epoch: UInt32) -> UInt64 {
        let rate = ExchangeRate(walFrost: walBalance, shares: numShares)
        let withdrawing = rate.toWal(pendingSharesWithdraw.valueAt(epoch) + preActiveShares(upTo: epoch))
        let gross = walBalance + pendingStake.valueAt(epoch)
        return gross >= withdrawing ? gross - withdrawing : 0
    }

    /// `calculate_rewards`: what `principal` staked at `activation` earned by `withdraw`.
    public func rewards(principal: UInt64, activation: UInt32, withdraw: UInt32) -> UInt64 {
        let shares = exchangeRate(at: activation).toShares(principal)
        let wal = exchangeRate(at: withdraw).toWal(shares)
        return wal >= principal ? wal - principal : 0
    }

    /// Splits `reward` into commission and delegator rewards and rolls the pool into
    /// `epoch` (spec §2.4 `advance_epoch`). Returns the commission.
    mutating func advance(to epoch: UInt32, rewardFrost reward: UInt64, blockCommission: Bool) -> UInt64 {
        precondition(epoch > latestEpoch, "EPoolAlreadyUpdated")
        let commission = UInt64(UInt128(reward) * UInt128(commissionRate.rawValue) / UInt128(BasisPoints.denominator))
        commissionFrost += commission
        if blockCommission { blockedCommissionFrost += commission }
        // Mainnet applies only an entry keyed exactly `epoch` (the dev contracts take the latest
        // entry <= epoch); entries for epochs in which the pool was not advanced never apply.
        if let rate = pendingCommissionRate.value(exactly: epoch) {
            commissionRate = BasisPoints(rate)
            _ = pendingCommissionRate.flush(epoch)
        }
        let toDelegators = reward - commission
        rewardsPoolFrost += toDelegators
        walBalance += toDelegators
        latestEpoch = epoch
        processPendingStake(epoch)
        return commission
    }

    /// `process_pending_stake`: record `rate(epoch)` before adding new stake, then apply the
    /// pending stake and withdrawals keyed `<= epoch`.
    private mutating func processPendingStake(_ epoch: UInt32) {
        let rate = ExchangeRate(walFrost: walBalance, shares: numShares)
        recordRate(epoch, rate)
        walBalance += pendingStake.flush(epoch)
        let preShares = preActiveShares(upTo: epoch)
        _ = preActiveWithdrawals.flush(epoch)
        let shares = pendingSharesWithdraw.flush(epoch)
        // The contract asserts `wal_balance >= withdrawal` (ECalculationError), which the
        // deployed rules guarantee; only the principal-slashing extension can leave a rounding
        // shortfall of a few FROST, so clamp. `walBalance` is bookkeeping: no WAL is created.
        let withdrawal = min(rate.toWal(shares + preShares), walBalance)
        walBalance -= withdrawal
        numShares = rate.toShares(walBalance)
    }

    // MARK: Staking operations (`staking_pool.move`), with the committee facts passed in

    /// `stake`: pending at E+1, or E+2 once the next committee is selected. Returns the
    /// activation epoch.
    mutating func addStake(_ amount: UInt64, epoch e: UInt32, committeeSelected: Bool) -> UInt32 {
        let activation = e + (committeeSelected ? 2 : 1)
        pendingStake.insertOrAdd(activation, amount)
        return activation
    }

    /// `request_withdraw_stake`: validates, then records the pending withdrawal and marks the
    /// stake withdrawing. Throws without changing anything.
    mutating func requestWithdraw(_ sw: inout StakedWal, inCurrent: Bool, inNext: Bool, epoch e: UInt32) throws(EconomicsError) {
        guard sw.principalFrost.rawValue > 0 else { throw .zeroAmount }
        guard sw.state == .staked else { throw .wrongStakeState(sw.id, "not staked (ENotStaked)") }
        guard !sw.canWithdrawEarly(inNext: inNext, epoch: e) else { throw .mustWithdrawDirectly(sw.id) }
        let a = sw.activationEpoch.rawValue
        if a == e + 1 {
            // Counted for the selected next committee but not active yet: it earns exactly
            // epoch E+1 (spec §2.3 b, first case).
            preActiveWithdrawals.insertOrAdd(a + 1, sw.principalFrost.rawValue)
            sw.state = .withdrawing(withdrawEpoch: Epoch(a + 1))
            return
        }
        guard a <= e else { throw .wrongStakeState(sw.id, "activation epoch not reached") }
        let withdrawEpoch: UInt32
        if inNext { withdrawEpoch = e + 2 } else if inCurrent { withdrawEpoch = e + 1 } else { throw .mustWithdrawDirectly(sw.id) }
        let shares = exchangeRate(at: a).toShares(sw.principalFrost.rawValue)
        guard shares != 0 else { throw .wrongStakeState(sw.id, "zero shares (EZeroShares)") }
        pendingSharesWithdraw.insertOrAdd(withdrawEpoch, shares)
        sw.state = .withdrawing(withdrawEpoch: Epoch(withdrawEpoch))
    }

    /// `withdraw_stake` (spec §2.3 a, b, c): validates, then settles the pool side and returns
    /// the rewards to pay next to the principal (capped at the pool's rewards, as the contract
    /// does for rounding). Throws without changing anything.
    mutating func withdraw(_ sw: StakedWal, inCurrent: Bool, inNext: Bool, epoch e: UInt32) throws(EconomicsError) -> UInt64 {
        let principal = sw.principalFrost.rawValue
        guard principal > 0 else { throw .zeroAmount }
        let a = sw.activationEpoch.rawValue
        var rewards: UInt64 = 0
        if sw.canWithdrawEarly(inNext: inNext, epoch: e) {
            // (a) one step, no rewards.
            guard pendingStake.reduce(a, principal) else { throw .wrongStakeState(sw.id, "pending stake missing") }
        } else if !inCurrent && !inNext && sw.state == .staked {
            // (c) inactive node: one step, rewards up to now.
            if a > e {
                guard pendingStake.reduce(a, principal) else { throw .wrongStakeState(sw.id, "pending stake missing") }
            } else {
                pendingSharesWithdraw.insertOrAdd(e, exchangeRate(at: a).toShares(principal))
                rewards = self.rewards(principal: principal, activation: a, withdraw: e)
            }
        } else {
            // (b) second step of a two-step withdrawal.
            guard case .withdrawing(let we) = sw.state else { throw .wrongStakeState(sw.id, "not withdrawing (ENotWithdrawing)") }
            guard we.rawValue <= e else { throw .withdrawEpochNotReached(sw.id, withdrawEpoch: we) }
            guard a <= e else { throw .wrongStakeState(sw.id, "activation epoch not reached") }
            rewards = self.rewards(principal: principal, activation: a, withdraw: we.rawValue)
        }
        rewards = min(rewards, rewardsPoolFrost)
        rewardsPoolFrost -= rewards
        return rewards
    }

    /// Commission the receiver may collect now.
    public var collectableCommissionFrost: UInt64 {
        commissionFrost > blockedCommissionFrost ? commissionFrost - blockedCommissionFrost : 0
    }
}

/// The state of a StakedWal object (spec §2.1).
public enum StakeState: Hashable, Sendable {
    /// Active or waiting to activate; no withdrawal requested.
    case staked
    /// Withdrawal requested: the owner can withdraw from `withdrawEpoch` on, with rewards up to it.
    case withdrawing(withdrawEpoch: Epoch)
    /// Paid out; the object no longer exists on chain.
    case withdrawn
}

/// A StakedWal receipt (spec §2.1): principal held on behalf of `owner` in `node`'s pool.
public struct StakedWal: Hashable, Sendable {
    /// The object's identity; also its index in the economy's stake array.
    public let id: StakeID
    /// The node whose pool holds the principal.
    public let node: NodeID
    /// The account that staked and that withdrawals pay.
    public let owner: AccountID
    /// The staked FROST; lowered only by a split or the principal-slashing extension, 0 once withdrawn.
    public internal(set) var principalFrost: Frost
    /// The first epoch in which the stake counts and earns: E+1, or E+2 if staked after `voting_end` (spec §2.2).
    public let activationEpoch: Epoch
    /// Where the object is in its life: staked, withdrawing, or withdrawn.
    public internal(set) var state: StakeState

    /// `can_withdraw_early`: still staked, and activating at E+2, or at E+1 with the node not
    /// in the (selected) next committee: withdrawn in one step, without rewards.
    public func canWithdrawEarly(inNext: Bool, epoch e: UInt32) -> Bool {
        guard state == .staked else { return false }
        let a = activationEpoch.rawValue
        return a == e + 2 || (a == e + 1 && !inNext)
    }
}
