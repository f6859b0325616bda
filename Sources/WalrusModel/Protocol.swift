import Economics
import RedStuff
import SimSupport
import WalrusCrypto

/// The world's dense index of a blob (one per write operation), distinct from its Walrus blob
/// ID (a 32-byte commitment) so that per-blob state can live in arrays.
public struct BlobRef: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var index: UInt32
    @inlinable public init(_ index: UInt32) { self.index = index }
    @inlinable public static func < (a: BlobRef, b: BlobRef) -> Bool { a.index < b.index }
    public var description: String { "blob#\(index)" }
}

/// A client process (dense index).
public struct ClientID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var rawValue: UInt32
    @inlinable public init(_ rawValue: UInt32) { self.rawValue = rawValue }
    @inlinable public static func < (a: ClientID, b: ClientID) -> Bool { a.rawValue < b.rawValue }
    public var description: String { "client\(rawValue)" }
}

/// Who sends and receives messages.
public enum Party: Hashable, Sendable, CustomStringConvertible {
    case node(NodeID)
    case client(ClientID)
    public var description: String {
        switch self {
        case .node(let n): n.description
        case .client(let c): c.description
        }
    }
}

/// A storage confirmation signature: real (Ed25519 over the BCS confirmation message, spec §6)
/// or modeled (an unforgeable tag naming the signer, with the real size).
public struct ConfirmationSignature: Hashable, Sendable {
    public var signer: NodeID
    public var bytes: [UInt8]
    public init(signer: NodeID, bytes: [UInt8]) {
        self.signer = signer
        self.bytes = bytes
    }
}

/// Messages between nodes and clients. Each knows its size on the wire, from the real BCS
/// layouts of what it carries (spec §3.5), so the network charges what Walrus would send.
public enum Message: Sendable {
    /// Client -> node: metadata and the sliver pairs of the node's shards.
    case store(blob: BlobRef, metadata: BlobMetadataWithID, pairs: [SliverPair])
    /// Node -> client: a signed confirmation for all the node's shards, or a refusal.
    case stored(blob: BlobRef, epoch: Epoch, signature: ConfirmationSignature?)
    /// Client -> node: metadata of a blob.
    case metadataRequest(blob: BlobRef)
    case metadataResponse(blob: BlobRef, metadata: BlobMetadataWithID?)
    /// Client -> node: the primary sliver of a pair.
    case sliverRequest(blob: BlobRef, pair: Int)
    case sliverResponse(blob: BlobRef, pair: Int, sliver: Sliver?)
    /// Node -> node: recovery symbols for a pair the requester is missing.
    case recoveryRequest(blob: BlobRef, pair: Int)
    /// Symbols from every pair the responder holds: `forPrimary` target the primary sliver
    /// (they come from secondary slivers), `forSecondary` the secondary one.
    case recoveryResponse(blob: BlobRef, pair: Int, forPrimary: [RecoverySymbol], forSecondary: [RecoverySymbol])
    /// New shard owner -> previous owner, at an epoch change: the pairs of `shard` for `blobs`.
    case syncRequest(shard: ShardIndex, blobs: [BlobRef])
    /// Previous owner -> new owner: what it has (metadata included, the new owner may lack it).
    case syncResponse(shard: ShardIndex, items: [SyncItem], missing: [BlobRef])

    /// Bytes on the wire: BCS payload plus a fixed 64-byte framing/header estimate.
    public var wireBytes: UInt64 {
        let framing: UInt64 = 64
        switch self {
        case .store(_, let metadata, let pairs):
            return framing + Self.metadataBytes(metadata) + pairs.reduce(0) { $0 + Self.pairBytes($1) }
        case .stored(_, _, let sig): return framing + 8 + UInt64(sig?.bytes.count ?? 0)
        case .metadataRequest, .sliverRequest, .recoveryRequest: return framing + 40
        case .metadataResponse(_, let m): return framing + (m.map(Self.metadataBytes) ?? 1)
        case .sliverResponse(_, _, let s): return framing + (s.map(Self.sliverBytes) ?? 1)
        case .recoveryResponse(_, _, let p, let s):
            return framing + (p + s).reduce(0) { $0 + UInt64($1.data.count) + 5 + UInt64($1.proof.path.count) * 33 }
        case .syncRequest(_, let blobs): return framing + 8 + UInt64(blobs.count) * 32
        case .syncResponse(_, let items, let missing):
            return framing + UInt64(missing.count) * 32
                + items.reduce(0) { $0 + Self.pairBytes($1.pair) + Self.metadataBytes($1.metadata) }
        }
    }

    static func sliverBytes(_ s: Sliver) -> UInt64 { UInt64(s.data.count) + 4 + 2 + 2 }
    static func pairBytes(_ p: SliverPair) -> UInt64 { sliverBytes(p.primary) + sliverBytes(p.secondary) }
    /// `BlobMetadataWithID`: id, variant, type, length, ULEB n, 66 bytes per pair.
    static func metadataBytes(_ m: BlobMetadataWithID) -> UInt64 { 32 + 1 + 1 + 8 + 3 + UInt64(m.metadata.hashes.count) * 66 }
}

/// One blob's pair in a shard-sync response.
public struct SyncItem: Sendable {
    public var blob: BlobRef
    public var metadata: BlobMetadataWithID
    public var pair: SliverPair
    public init(blob: BlobRef, metadata: BlobMetadataWithID, pair: SliverPair) {
        self.blob = blob
        self.metadata = metadata
        self.pair = pair
    }
}

/// Transactions submitted to the chain. They execute in finality order.
public enum Transaction: Sendable {
    /// Reserve storage for `epochs` epochs and register the blob (spec §4.2).
    case registerBlob(client: ClientID, blob: BlobRef, blobID: BlobID, unencodedBytes: UInt64, epochs: Int, deletable: Bool)
    /// Certify with confirmations from committee members (the certificate).
    case certifyBlob(client: ClientID, blob: BlobRef, epoch: Epoch, signatures: [ConfirmationSignature])
    case extendBlob(client: ClientID, blob: BlobRef, epochs: Int)
    case deleteBlob(client: ClientID, blob: BlobRef)
    /// A node has synced all shards it gained in `epoch`.
    case epochSyncDone(node: NodeID, epoch: Epoch)
    case votingEnd
    case initiateEpochChange
    /// Move `amount` of stake: withdraw it from `from`'s pool and stake it with `to`.
    case moveStake(from: NodeID, to: NodeID, amount: Frost)

    public var label: String {
        switch self {
        case .registerBlob: "register_blob"
        case .certifyBlob: "certify_blob"
        case .extendBlob: "extend_blob"
        case .deleteBlob: "delete_blob"
        case .epochSyncDone: "epoch_sync_done"
        case .votingEnd: "voting_end"
        case .initiateEpochChange: "initiate_epoch_change"
        case .moveStake: "move_stake"
        }
    }
}

/// What the chain announces; every node and client sees every event (after a lag).
public enum ChainEvent: Sendable {
    case blobRegistered(blob: BlobRef, endEpoch: Epoch)
    case blobCertified(blob: BlobRef, epoch: Epoch, endEpoch: Epoch)
    case blobExtended(blob: BlobRef, endEpoch: Epoch)
    case blobDeleted(blob: BlobRef)
    /// A transaction failed; only its submitter acts on it.
    case transactionFailed(submitter: Party, blob: BlobRef?, reason: String)
    /// Epoch `epoch` started with this committee (previous committee for hand-over).
    case epochChangeStart(epoch: Epoch, committee: Committee, previous: Committee)
    case epochChangeDone(epoch: Epoch)
    case votingEnded(epoch: Epoch)
}
