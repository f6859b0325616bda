import SimSupport

/// A holder of WAL outside the staking and storage machinery: a user, a node operator, a
/// funder. Dense from 0, in the order accounts were opened.
public struct AccountID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The dense index, 0 for the first account opened.
    public var rawValue: UInt32
    /// Wraps a raw index; the economy only hands out IDs of accounts it opened.
    @inlinable public init(_ rawValue: UInt32) { self.rawValue = rawValue }
    /// `rawValue` as an `Int`, for indexing the economy's dense per-account arrays.
    @inlinable public var index: Int { Int(rawValue) }
    /// Orders by `rawValue`, which is creation order.
    public static func < (a: AccountID, b: AccountID) -> Bool { a.rawValue < b.rawValue }
    /// `account<n>`, as logs and error messages print it.
    public var description: String { "account\(rawValue)" }
}

/// A StakedWal object (spec §2.1), dense from 0 in creation order.
public struct StakeID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The dense index, 0 for the first StakedWal created.
    public var rawValue: UInt32
    /// Wraps a raw index; the economy only hands out IDs of stakes it created.
    @inlinable public init(_ rawValue: UInt32) { self.rawValue = rawValue }
    /// Orders by `rawValue`, which is creation order.
    public static func < (a: StakeID, b: StakeID) -> Bool { a.rawValue < b.rawValue }
    /// `stake<n>`, as logs and error messages print it.
    public var description: String { "stake\(rawValue)" }
}

/// A `Storage` resource (spec §3.4), dense from 0.
public struct StorageID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The dense index, 0 for the first Storage resource reserved.
    public var rawValue: UInt32
    /// Wraps a raw index; the economy only hands out IDs of resources it created.
    @inlinable public init(_ rawValue: UInt32) { self.rawValue = rawValue }
    /// Orders by `rawValue`, which is creation order.
    public static func < (a: StorageID, b: StorageID) -> Bool { a.rawValue < b.rawValue }
    /// `storage<n>`, as logs and error messages print it.
    public var description: String { "storage\(rawValue)" }
}

/// A registered `Blob` object (spec §4.1), dense from 0. Not the content blob id.
public struct BlobObjectID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The dense index, 0 for the first blob registered.
    public var rawValue: UInt32
    /// Wraps a raw index; the economy only hands out IDs of blobs it registered.
    @inlinable public init(_ rawValue: UInt32) { self.rawValue = rawValue }
    /// Orders by `rawValue`, which is registration order.
    public static func < (a: BlobObjectID, b: BlobObjectID) -> Bool { a.rawValue < b.rawValue }
    /// `blob<n>`, as logs and error messages print it.
    public var description: String { "blob\(rawValue)" }
}

/// Where WAL sits. Together these places hold all minted WAL (see
/// ``WalrusEconomy/conservationReport()``).
public enum FlowEndpoint: Hashable, Sendable {
    /// Outside the system: the source of minting.
    case mint
    /// A user account's balance.
    case account(AccountID)
    /// Principal inside StakedWal objects of a node's pool.
    case stakedPrincipal(NodeID)
    /// A pool's `rewards_pool` (delegators' accrued rewards).
    case poolRewards(NodeID)
    /// A pool's `commission` balance (the operator's).
    case poolCommission(NodeID)
    /// The reward slot of one epoch in the future-accounting ring buffer (the storage fund).
    case storageFund(Epoch)
    /// The old `subsidies` contract's pool.
    case buyerSubsidyPool
    /// The `walrus_subsidies` contract's pool.
    case walrusSubsidyPool
    /// Destroyed WAL.
    case burned
}

/// What a movement of WAL was for.
public enum FlowKind: String, Hashable, Sendable {
    /// An account opened with an initial balance: WAL created.
    case mint
    /// An account staked into a pool's principal.
    case stake
    /// Principal or rewards paid back to the staker's account.
    case withdraw
    /// A storage purchase or extension paid into one epoch's slot of the storage fund.
    case storagePayment
    /// A registration's write fee, paid into the current epoch's slot.
    case writeFee
    /// The delegators' part of a node's epoch reward, into its pool's rewards.
    case reward
    /// The operator's part of a node's epoch reward, into its pool's commission.
    case commission
    /// Commission paid out to the pool's commission receiver.
    case commissionCollected
    /// What an epoch's reward division left over, moved to the next epoch's slot.
    case rolloverToNextEpoch
    /// The [CURRENT] share of a finished epoch's slot burned at the epoch change.
    case burn
    /// A subsidy paid from either subsidy pool into storage-fund slots or a pool's commission.
    case subsidy
    /// An account funding one of the subsidy pools.
    case subsidyFunding
    /// The old `subsidies` contract paying back part of a buyer's cost.
    case buyerRefund
    /// Burned commission (`execute_slashing`) or, NOT DEPLOYED, burned principal.
    case slash
    /// NOT DEPLOYED: reward forfeited or principal burned for failed storage challenges.
    case challengePenalty
}

/// One movement of WAL, for the results database (DESIGN §7 `flows`).
public struct Flow: Hashable, Sendable {
    /// The epoch in which the movement happened; for an epoch change, the epoch that ended.
    public var epoch: Epoch
    /// What the movement was for; stored in snake case in the results database.
    public var kind: FlowKind
    /// Where the WAL left; `.mint` for newly minted WAL.
    public var from: FlowEndpoint
    /// Where the WAL arrived; `.burned` for destroyed WAL.
    public var to: FlowEndpoint
    /// The amount moved, in FROST (10^9 per WAL).
    public var amountFrost: Frost
    /// Records a movement as given; it does not check that `from` holds `amountFrost`.
    public init(epoch: Epoch, kind: FlowKind, from: FlowEndpoint, to: FlowEndpoint, amountFrost: Frost) {
        self.epoch = epoch; self.kind = kind; self.from = from; self.to = to; self.amountFrost = amountFrost
    }
}
