import SimSupport

/// One storage node in one finished epoch: its place in the committee, its votes, what it was
/// paid for that epoch and what running it cost (`node_epochs`, documented in
/// `Results/README.md`). Money is FROST as paid by the contracts; costs and profit are USD at
/// the epoch's WAL price (derived figures, hence doubles).
///
/// Invariant the world keeps: per (epoch, node), `rewardsFrost`, `commissionFrost` and
/// `subsidiesFrost` equal the sums of the `flows` rows of that epoch of kind `reward` into the
/// node's `poolRewards`, `commission` into its `poolCommission`, and `subsidy` into its
/// `poolCommission`.
public struct NodeEpochRecord: Hashable, Sendable {
    /// The finished epoch.
    public var epoch: Epoch
    /// The node.
    public var node: NodeID
    /// Whether the node was in the epoch's committee.
    public var inCommittee: Bool
    /// Shards it held in the epoch (0 outside the committee).
    public var shards: UInt32
    /// Its pool's stake in the epoch, FROST.
    public var stakeFrost: UInt64
    /// Its commission rate in force at the epoch's end, bp.
    public var commissionBP: UInt64
    /// Its storage price vote at the epoch's end, FROST per MiB unit per epoch.
    public var storagePriceVoteFrost: UInt64
    /// Its write price vote at the epoch's end, FROST per MiB unit.
    public var writePriceVoteFrost: UInt64
    /// Its capacity vote at the epoch's end, bytes.
    public var capacityVoteBytes: UInt64
    /// Delegators' part of its epoch reward, FROST (flows `reward`).
    public var rewardsFrost: UInt64
    /// Operator's part of its epoch reward, FROST (flows `commission`).
    public var commissionFrost: UInt64
    /// Subsidies added to its commission during the epoch, FROST (flows `subsidy` to its commission).
    public var subsidiesFrost: UInt64
    /// WAL/USD price of the epoch.
    public var walUSD: Double
    /// Operating cost of the epoch, USD: fixed + storage + egress.
    public var costUSD: Double
    /// Operator profit of the epoch, USD: (commission + subsidies) at `walUSD`, minus `costUSD`.
    public var profitUSD: Double
    /// Bytes it was paid to store: the epoch's used capacity times its share of the shards.
    public var storedBytes: UInt64
    /// Bytes its network endpoint sent during the epoch.
    public var bytesSent: UInt64
    /// Bytes its network endpoint received during the epoch.
    public var bytesReceived: UInt64
    /// Bytes its sliver recoveries moved during the epoch.
    public var recoveryBytes: UInt64

    /// A row with every column given.
    public init(epoch: Epoch, node: NodeID, inCommittee: Bool, shards: UInt32, stakeFrost: UInt64, commissionBP: UInt64,
                storagePriceVoteFrost: UInt64, writePriceVoteFrost: UInt64, capacityVoteBytes: UInt64,
                rewardsFrost: UInt64, commissionFrost: UInt64, subsidiesFrost: UInt64, walUSD: Double,
                costUSD: Double, profitUSD: Double, storedBytes: UInt64, bytesSent: UInt64, bytesReceived: UInt64,
                recoveryBytes: UInt64) {
        self.epoch = epoch; self.node = node; self.inCommittee = inCommittee; self.shards = shards
        self.stakeFrost = stakeFrost; self.commissionBP = commissionBP
        self.storagePriceVoteFrost = storagePriceVoteFrost; self.writePriceVoteFrost = writePriceVoteFrost
        self.capacityVoteBytes = capacityVoteBytes; self.rewardsFrost = rewardsFrost
        self.commissionFrost = commissionFrost; self.subsidiesFrost = subsidiesFrost; self.walUSD = walUSD
        self.costUSD = costUSD; self.profitUSD = profitUSD; self.storedBytes = storedBytes
        self.bytesSent = bytesSent; self.bytesReceived = bytesReceived; self.recoveryBytes = recoveryBytes
    }
}
