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
    case mint
    case stake
    case withdraw
    case storagePayment
    case writeFee
    case reward
    case commission
    case commissionCollected
    case rolloverToNextEpoch
    case burn
    case subsidy
    case subsidyFunding
    case buyerRefund
    case slash
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
