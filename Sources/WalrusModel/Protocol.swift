import Economics
import RedStuff
import SimSupport
import WalrusCrypto

/// The world's dense index of a blob (one per write operation), distinct from its Walrus blob
/// ID (a 32-byte commitment) so that per-blob state can live in arrays.
public struct BlobRef: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The dense blob index, from 0 in the order writes start; the index of per-blob arrays.
    public var index: UInt32
    /// Wraps a raw blob index; no range check.
    @inlinable public init(_ index: UInt32) { self.index = index }
    /// Orders by index, i.e. by the order writes started.
    @inlinable public static func < (a: BlobRef, b: BlobRef) -> Bool { a.index < b.index }
    /// `blob#<index>`, e.g. `blob#7`, for logs.
    public var description: String { "blob#\(index)" }
    /// Hashes as its index.
    @inlinable public func hash(into hasher: inout Hasher) { hasher.combine(index) }
    /// The table hash of its index (`mixedTableHash`, not SipHash): blob-keyed tables are
    /// looked up per message (a client's writes and reads by blob); this is the standard
    /// library's entry point for such keys.
    @inlinable public func _rawHashValue(seed: Int) -> Int { mixedTableHash(UInt64(index), seed: seed) }
}

/// A client process (dense index).
public struct ClientID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The dense client number, from 0; the index of per-client arrays and of `Chain.clientAccounts`.
    public var rawValue: UInt32
    /// Wraps a raw client number; no range check.
    @inlinable public init(_ rawValue: UInt32) { self.rawValue = rawValue }
    /// Orders by `rawValue`.
    @inlinable public static func < (a: ClientID, b: ClientID) -> Bool { a.rawValue < b.rawValue }
    /// `client<rawValue>`, e.g. `client0`, for logs.
    public var description: String { "client\(rawValue)" }
}

/// Who sends and receives messages.
public enum Party: Hashable, Sendable, CustomStringConvertible {
    /// A storage node.
    case node(NodeID)
    /// A client.
    case client(ClientID)
    /// The node's or client's description, e.g. `node3` or `client0`.
    public var description: String {
        switch self {
        case .node(let n): n.description
        case .client(let c): c.description
        }
    }
}

/// A node's signature over a storage confirmation or an invalid-blob attestation: real
/// (BLS12-381, 96 bytes compressed) or modeled (an unforgeable tag of the same size, see
/// `ConfirmationSigner.tag`).
///
/// A modeled tag is held as the 64-bit state it expands from, not as its 96 bytes: a node signs
/// once per store, and a byte array per signature was an allocation per store at every node of
/// a modeled run. Equality and hashing are those of the bytes, whichever way they are held.
public struct ConfirmationSignature: Hashable, Sendable {
    /// The node that signed; the chain weighs the signature by this node's shards in the committee.
    public var signer: NodeID
    /// How the signature is held: its bytes, or a modeled tag's state.
    enum Storage: Sendable {
        case bytes([UInt8])
        case modeledTag(UInt64)
    }
    var storage: Storage

    /// A signature `bytes` claimed by `signer`; unchecked until the chain verifies it.
    public init(signer: NodeID, bytes: [UInt8]) {
        self.signer = signer
        self.storage = .bytes(bytes)
    }

    /// The modeled tag expanded from `state` (`ConfirmationSigner.fold`), claimed by `signer`.
    init(signer: NodeID, modeledTag state: UInt64) {
        self.signer = signer
        self.storage = .modeledTag(state)
    }

    /// The signature's bytes (a modeled tag's are expanded from its state on each call).
    public var bytes: [UInt8] {
        switch storage {
        case .bytes(let b): b
        case .modeledTag(let state): ConfirmationSigner.expand(state)
        }
    }

    /// The signature's size on the wire, without expanding a modeled tag.
    public var byteCount: Int {
        switch storage {
        case .bytes(let b): b.count
        case .modeledTag: ConfirmationSigner.tagBytes
        }
    }

    /// Same signer and same bytes (modeled tags compare by state, which fixes the bytes).
    public static func == (a: Self, b: Self) -> Bool {
        guard a.signer == b.signer else { return false }
        if case .modeledTag(let x) = a.storage, case .modeledTag(let y) = b.storage { return x == y }
        return a.bytes == b.bytes
    }

    /// The signer and the bytes, so that equal signatures hash alike however they are held.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(signer)
        hasher.combine(bytes)
    }
}

/// A sliver pair as the protocol carries it: the real bytes, or (modeled encoding, DESIGN §5)
/// only its index and sizes. Modeled pairs cost what real ones cost on the network and in CPU
/// time, but carry no bytes and are trusted rather than verified.
public enum PairPayload: Sendable, Equatable {
    /// Real sliver bytes, verified on receipt.
    case real(SliverPair)
    /// A modeled pair (DESIGN §5): pair `index` and the byte sizes of its primary and secondary slivers.
    case modeled(index: Int, primaryBytes: Int, secondaryBytes: Int)
    /// A pair a node stores under `payload = digest`: its sizes and the BLAKE2b-256 of its bytes,
    /// which are regenerated when the node must serve them. Never sent.
    case digest(index: Int, primaryBytes: Int, secondaryBytes: Int, hash: Digest32)

    /// The pair index (= primary sliver index).
    public var index: Int {
        switch self {
        case .real(let p): p.index
        case .modeled(let i, _, _): i
        case .digest(let i, _, _, _): i
        }
    }

    /// Sliver bytes of both slivers.
    public var byteCount: Int {
        switch self {
        case .real(let p): p.primary.data.count + p.secondary.data.count
        case .modeled(_, let a, let b), .digest(_, let a, let b, _): a + b
        }
    }

    /// The primary sliver, as served to readers (`nil` for a digest-only pair, which must be
    /// regenerated first).
    public var primary: SliverPayload? {
        switch self {
        case .real(let p): .real(p.primary)
        case .modeled(let i, let a, _): .modeled(index: i, bytes: a)
        case .digest: nil
        }
    }

    /// The secondary sliver (sliver `n - 1 - index`, one column of the blob), as served to a
    /// patch reader (`nil` for a digest-only pair, which must be regenerated first).
    public func secondary(nShards: Int) -> SliverPayload? {
        switch self {
        case .real(let p): .real(p.secondary)
        case .modeled(let i, _, let b): .modeled(index: nShards - 1 - i, bytes: b)
        case .digest: nil
        }
    }

    /// BLAKE2b-256 over a pair's bytes (primary then secondary), what digest storage keeps.
    public static func contentHash(_ pair: SliverPair) -> Digest32 {
        Blake2b256.hash(pair.primary.data + pair.secondary.data)
    }

    /// BCS bytes on the wire (two `SliverData`).
    var wireBytes: UInt64 { Self.wireBytes(pairBytes: byteCount) }
    /// BCS bytes on the wire of a pair whose two slivers hold `pairBytes` bytes together.
    static func wireBytes(pairBytes: Int) -> UInt64 { UInt64(pairBytes) + 16 }
}

/// A blob's metadata held by reference: what a store and a metadata answer carry.
///
/// Metadata with its ID is 56 bytes; inline, it made every `Message` (and every `Action` and
/// in-flight record holding one) that large, and each was moved several times per message. A
/// write's n stores share the client's one box, so a message is about half the size and a
/// store copies one reference. Immutable: the value a box holds never changes.
public final class SharedMetadata: Sendable, Equatable {
    /// The metadata and its claimed blob ID.
    public let value: BlobMetadataWithID
    /// Boxes `value`.
    public init(_ value: BlobMetadataWithID) { self.value = value }
    /// Equal when the metadata are (not the boxes).
    public static func == (a: SharedMetadata, b: SharedMetadata) -> Bool { a === b || a.value == b.value }
}

/// The sliver pairs a store carries, read as a collection of `PairPayload`. A modeled blob's
/// pairs (all of one size) are kept compact: stores are the most frequent message of a modeled
/// run, and an array of payload enums cost an element-by-element build and destruction per
/// store at every node. The pairs of a committee member's shards, what an honest client sends,
/// are that member's shard list (shared with the committee: nothing is allocated) and the
/// blob's rotation; other modeled pairs are 16-bit indices. Anything else (real pairs, modeled
/// ones of mixed or very large sizes) is kept as given. Every form yields the same payloads in
/// the same order.
public struct StorePairs: RandomAccessCollection, Sendable, ExpressibleByArrayLiteral {
    private enum Storage: Sendable {
        case payloads([PairPayload])
        /// Pair indices.
        case indices([UInt16], sizes: UInt64)
        /// The pairs of `shards` (in this order) under the mapping with `rotation` (offset in
        /// the high 16 bits, shard count in the low 16).
        case ofShards([ShardIndex], rotation: UInt32, sizes: UInt64)
    }
    private let storage: Storage

    /// The pairs as given.
    public init(_ payloads: [PairPayload]) { storage = .payloads(payloads) }

    /// The pairs listed, as given.
    public init(arrayLiteral elements: PairPayload...) { self.init(elements) }

    /// Modeled pairs `indices` (in this order), each with slivers of `primaryBytes` and
    /// `secondaryBytes`: compact when the indices fit 16 bits and the sizes 32 bits.
    public init(modeled indices: some Collection<Int>, primaryBytes: Int, secondaryBytes: Int) {
        if let sizes = Self.packed(primaryBytes, secondaryBytes) {
            // Reserve and append: `init(unsafeUninitializedCapacity:)` allocates through the
            // standard library's unspecialized path (a metadata lookup per store).
            var compact: [UInt16] = []
            compact.reserveCapacity(indices.count)
            for i in indices {
                guard let i16 = UInt16(exactly: i) else { break }
                compact.append(i16)
            }
            if compact.count == indices.count {
                storage = .indices(compact, sizes: sizes)
                return
            }
        }
        storage = .payloads(indices.map { .modeled(index: $0, primaryBytes: primaryBytes, secondaryBytes: secondaryBytes) })
    }

    /// The modeled pairs of `shards` (in this order) under `mapping`, each with slivers of
    /// `primaryBytes` and `secondaryBytes`.
    public init(modeledOfShards shards: [ShardIndex], mapping: ShardMapping, primaryBytes: Int, secondaryBytes: Int) {
        if let sizes = Self.packed(primaryBytes, secondaryBytes),
           let offset = UInt16(exactly: mapping.offset), let n = UInt16(exactly: mapping.nShards) {
            self.init(storage: .ofShards(shards, rotation: UInt32(offset) << 16 | UInt32(n), sizes: sizes))
        } else {
            self.init(modeled: shards.lazy.map { mapping.pair(ofShard: $0.index) }, primaryBytes: primaryBytes, secondaryBytes: secondaryBytes)
        }
    }

    private init(storage: Storage) {
        self.storage = storage
    }

    /// Both sliver sizes in one word, primary above, when each fits 32 bits.
    private static func packed(_ primary: Int, _ secondary: Int) -> UInt64? {
        guard let p = UInt32(exactly: primary), let s = UInt32(exactly: secondary) else { return nil }
        return UInt64(p) << 32 | UInt64(s)
    }

    private static func mapping(_ rotation: UInt32) -> ShardMapping {
        ShardMapping(nShards: Int(rotation & 0xFFFF), offset: Int(rotation >> 16))
    }

    /// Positions run from 0.
    public var startIndex: Int { 0 }
    /// The number of pairs.
    public var endIndex: Int {
        switch storage {
        case .payloads(let a): a.count
        case .indices(let a, _): a.count
        case .ofShards(let a, _, _): a.count
        }
    }

    /// The pair at `position`, as a payload (built on the fly for the compact forms).
    public subscript(position: Int) -> PairPayload {
        switch storage {
        case .payloads(let a): a[position]
        case .indices, .ofShards:
            .modeled(index: pairIndex(at: position), primaryBytes: Int(sizes >> 32), secondaryBytes: Int(sizes & 0xFFFF_FFFF))
        }
    }

    /// The pair index of the pair at `position`.
    public func pairIndex(at position: Int) -> Int {
        switch storage {
        case .payloads(let a): a[position].index
        case .indices(let a, _): Int(a[position])
        case .ofShards(let a, let rotation, _): Self.mapping(rotation).pair(ofShard: a[position].index)
        }
    }

    /// Both sizes of the compact forms (0 for given payloads).
    private var sizes: UInt64 {
        switch storage {
        case .payloads: 0
        case .indices(_, let sizes), .ofShards(_, _, let sizes): sizes
        }
    }

    /// The sliver sizes every pair has when the pairs are modeled and kept compact, for a
    /// receiver that checks the sizes once rather than per pair; `nil` for given payloads.
    public var uniformSizes: (primaryBytes: Int, secondaryBytes: Int)? {
        if case .payloads = storage { return nil }
        return (Int(sizes >> 32), Int(sizes & 0xFFFF_FFFF))
    }

    /// Whether the pairs are exactly those of `shards` under `mapping`, one for one and in
    /// order: O(1) for an honest store of the very shard list `shards` is.
    public func arePairs(of shards: [ShardIndex], _ mapping: ShardMapping) -> Bool {
        guard count == shards.count else { return false }
        if case .ofShards(let a, let rotation, _) = storage, Self.mapping(rotation) == mapping, a == shards { return true }
        for k in shards.indices where pairIndex(at: k) != mapping.pair(ofShard: shards[k].index) { return false }
        return true
    }

    /// The pairs as given, when not in a compact modeled form.
    public var payloads: [PairPayload]? {
        guard case .payloads(let a) = storage else { return nil }
        return a
    }

    /// BCS bytes on the wire of all the pairs.
    var wireBytes: UInt64 {
        switch storage {
        case .payloads(let a): a.reduce(0) { $0 + $1.wireBytes }
        case .indices, .ofShards: UInt64(count) * PairPayload.wireBytes(pairBytes: Int((sizes >> 32) + (sizes & 0xFFFF_FFFF)))
        }
    }
}

/// One sliver as served to a reader: real bytes or, for a modeled blob, its size.
public enum SliverPayload: Sendable, Equatable {
    /// A real primary sliver, verified by the reader.
    case real(Sliver)
    /// A modeled primary sliver: its index and size in bytes.
    case modeled(index: Int, bytes: Int)
    /// The sliver index (= pair index for a primary sliver).
    public var index: Int {
        switch self {
        case .real(let s): s.index
        case .modeled(let i, _): i
        }
    }
    /// Sliver bytes.
    public var byteCount: Int {
        switch self {
        case .real(let s): s.data.count
        case .modeled(_, let b): b
        }
    }
    /// BCS bytes on the wire (`SliverData`).
    var wireBytes: UInt64 { Self.wireBytes(sliverBytes: byteCount) }
    /// BCS bytes on the wire of a sliver of `sliverBytes` bytes.
    static func wireBytes(sliverBytes: Int) -> UInt64 { UInt64(sliverBytes) + 8 }
}

/// The primary slivers of a batched answer (`sliversResponse`), one per pair asked, `nil` for
/// a pair not served. An honest answer for a modeled blob, modeled slivers of the asked pairs
/// all of one size, is kept as that size and the positions not served (usually none: nothing
/// is allocated); anything else as the payloads given. It was an array of optional payloads
/// per answer, allocated, then destroyed element by element through the generic witness: a
/// few percent of a modeled run. Both forms answer the same payload at every position.
public struct SliverAnswers: Sendable, Equatable {
    enum Storage: Sendable, Equatable {
        /// Position `k` holds `.modeled(index: pairs[k], bytes:)` unless `k` is in `missing` (ascending).
        case modeled(count: Int, bytes: Int, missing: [Int])
        /// The payloads as given.
        case payloads([SliverPayload?])
    }
    let storage: Storage

    /// The answers `serve` gives for each of `pairs`, in order; `serve` is called once per
    /// pair. (A node's serving closure captures the node: it builds with `Builder` instead, so
    /// that nothing copies the node.)
    public init(pairs: [Int], serve: (Int) -> SliverPayload?) {
        var builder = Builder(pairs: pairs)
        for pair in pairs { builder.append(serve(pair)) }
        self = builder.answers
    }

    /// Builds the answers for `pairs` one at a time, in order, compact while they allow it.
    public struct Builder {
        private let pairs: [Int]
        private var bytes = -1
        private var missing: [Int] = []
        private var payloads: [SliverPayload?]? = nil
        private var next = 0

        /// No answer yet for `pairs`.
        public init(pairs: [Int]) { self.pairs = pairs }

        /// Appends the answer for the next pair asked.
        public mutating func append(_ answer: SliverPayload?) {
            defer { next += 1 }
            if payloads != nil { payloads!.append(answer); return }
            switch answer {
            case nil:
                missing.append(next)
                return
            case .modeled(let index, let b)? where index == pairs[next] && (bytes == -1 || b == bytes):
                bytes = b
                return
            default:
                // Not compact: the payloads so far are what the compact form implies.
                var all: [SliverPayload?] = []
                all.reserveCapacity(pairs.count)
                var m = 0
                for j in 0..<next {
                    if m < missing.count && missing[m] == j { all.append(nil); m += 1 } else { all.append(.modeled(index: pairs[j], bytes: bytes)) }
                }
                all.append(answer)
                payloads = all
            }
        }

        /// The answers appended (one per pair asked once every pair has its answer).
        public var answers: SliverAnswers {
            if let payloads { return SliverAnswers(payloads) }
            return SliverAnswers(modeled: next, bytes: max(0, bytes), missing: missing)
        }
    }

    /// The answers as given, one per pair asked.
    public init(_ payloads: [SliverPayload?]) { storage = .payloads(payloads) }

    /// `count` answers, each the asked pair's modeled sliver of `bytes` bytes except at the
    /// positions `missing` (ascending), which were not served.
    init(modeled count: Int, bytes: Int, missing: [Int]) { storage = .modeled(count: count, bytes: bytes, missing: missing) }

    /// The number of answers (the pairs asked).
    public var count: Int {
        switch storage {
        case .modeled(let count, _, _): count
        case .payloads(let a): a.count
        }
    }

    /// The answer at position `k` for pair `pair` (the pair asked there).
    public func payload(at k: Int, pair: Int) -> SliverPayload? {
        switch storage {
        case .modeled(_, let bytes, let missing): isMissing(k, missing) ? nil : .modeled(index: pair, bytes: bytes)
        case .payloads(let a): a[k]
        }
    }

    /// The size of the modeled sliver of the pair asked at `k`, when the answers are in the
    /// compact form and it was served; `nil` otherwise (ask `payload(at:pair:)`).
    @inline(__always) func compactModeledBytes(at k: Int) -> Int? {
        guard case .modeled(_, let bytes, let missing) = storage, !isMissing(k, missing) else { return nil }
        return bytes
    }

    /// The one size of the answers' modeled slivers when they are in the compact form and every
    /// pair asked was served (an honest node's whole answer); `nil` otherwise.
    var allServedModeledBytes: Int? {
        guard case .modeled(let count, let bytes, let missing) = storage, count > 0, missing.isEmpty else { return nil }
        return bytes
    }

    /// BCS bytes of the answers on the wire: each served sliver's, one byte per one not served.
    public var wireBytes: UInt64 {
        switch storage {
        case .modeled(let count, let bytes, let missing):
            UInt64(count - missing.count) * SliverPayload.wireBytes(sliverBytes: bytes) + UInt64(missing.count)
        case .payloads(let a): a.reduce(0) { $0 + ($1?.wireBytes ?? 1) }
        }
    }

    @inline(__always) private func isMissing(_ k: Int, _ missing: [Int]) -> Bool {
        !missing.isEmpty && missing.contains(k)
    }
}

/// The kinds of `Message`, as its cases (a real and a modeled recovery response are one kind):
/// what `bench world` counts deliveries by. The raw value, 0 up, indexes per-kind counters.
public enum MessageKind: Int, CaseIterable, Sendable {
    /// A write's messages: `Message.store` and `Message.stored`.
    case store, stored
    /// A read's and a recovery's metadata and primary slivers, asked one or several at a time.
    case metadataRequest, metadataResponse, sliverRequest, sliverResponse, sliversRequest, sliversResponse
    /// A quilt patch read's columns (secondary slivers).
    case columnRequest, columnResponse
    /// Recovery symbols (real or modeled), and the invalid-blob proof and attestation.
    case recoveryRequest, recoveryResponse, inconsistencyProof, invalidBlobAttestation
    /// Shard sync at an epoch change, and the SDK's blob status check.
    case syncRequest, syncResponse, blobStatusRequest, blobStatusResponse

    /// The case's name, e.g. `recoveryRequest`.
    public var name: String { String(describing: self) }
}

/// Messages between nodes and clients. Each knows its size on the wire, from the real BCS
/// layouts of what it carries (spec §3.5), so the network charges what Walrus would send.
public enum Message: Sendable {
    /// Client -> node: metadata and the sliver pairs of the node's shards.
    case store(blob: BlobRef, metadata: SharedMetadata, pairs: StorePairs)
    /// Node -> client: a signed confirmation for all the node's shards, or a refusal.
    case stored(blob: BlobRef, epoch: Epoch, signature: ConfirmationSignature?)
    /// Client -> node: metadata of a blob.
    case metadataRequest(blob: BlobRef)
    /// Node -> client: the node's metadata of `blob`, or `nil` if it has none.
    case metadataResponse(blob: BlobRef, metadata: SharedMetadata?)
    /// Client -> node: the primary sliver of a pair.
    case sliverRequest(blob: BlobRef, pair: Int)
    /// Node -> client: the primary sliver of pair `pair`, or `nil` if the node does not hold it.
    case sliverResponse(blob: BlobRef, pair: Int, sliver: SliverPayload?)
    /// Client -> node, modeled encoding without a resource model only: the primary slivers of
    /// `pairs` (pairs of the node's shards), asked in one request instead of one per sliver so
    /// that a modeled read costs a message per node rather than per sliver. Each pair is served,
    /// withheld or corrupted exactly as a `sliverRequest` for it would be.
    case sliversRequest(blob: BlobRef, pairs: [Int])
    /// Node -> client: the answer to a `sliversRequest`, `slivers[i]` the primary sliver of
    /// `pairs[i]` or `nil` if the node does not hold (or withholds) it.
    case sliversResponse(blob: BlobRef, pairs: [Int], slivers: SliverAnswers)
    /// Client -> node: secondary sliver `sliver` of a blob, i.e. one column of a quilt (a patch
    /// read fetches only its patch's columns, as Walrus's quilt client does).
    case columnRequest(blob: BlobRef, sliver: Int)
    /// Node -> client: secondary sliver `sliver`, or `nil` if the node does not hold it.
    case columnResponse(blob: BlobRef, sliver: Int, payload: SliverPayload?)
    /// Node -> node: recovery symbols for a pair the requester is missing, for the target
    /// slivers `axes` names (the requester asks each node only for what decoding still needs).
    case recoveryRequest(blob: BlobRef, pair: Int, axes: RecoveryAxes)
    /// Symbols from every pair the responder holds: `forPrimary` target the primary sliver
    /// (they come from secondary slivers), `forSecondary` the secondary one.
    case recoveryResponse(blob: BlobRef, pair: Int, forPrimary: [RecoverySymbol], forSecondary: [RecoverySymbol])
    /// For a modeled blob: the pair indices whose slivers the responder's symbols come from
    /// (one symbol per pair and requested axis), whether they would verify (a corrupting node's
    /// do not), and their size on the wire.
    case modeledRecoveryResponse(blob: BlobRef, pair: Int, axes: RecoveryAxes, sources: [Int], valid: Bool, bytes: UInt64)
    /// Node -> node: proof that `blob` is inconsistently encoded, asking for an attestation.
    case inconsistencyProof(blob: BlobRef, proof: InconsistencyProof)
    /// Node -> node: the answer, a signed invalid-blob attestation (or `nil`: the proof did not
    /// verify).
    case invalidBlobAttestation(blob: BlobRef, epoch: Epoch, signature: ConfirmationSignature?)
    /// New shard owner -> previous owner, at an epoch change: the pairs of `shard` for `blobs`,
    /// and the metadata of `metadataFor` (a subset of `blobs` the new owner lacks and has not
    /// asked for in another request of this sync).
    case syncRequest(shard: ShardIndex, blobs: [BlobRef], metadataFor: [BlobRef])
    /// Previous owner -> new owner: the pairs it has, with the metadata asked for, and the blobs
    /// it cannot serve.
    case syncResponse(shard: ShardIndex, items: [SyncItem], missing: [BlobRef])
    /// Client -> node: the blob's status as the node sees it (the SDK's status check before a
    /// write or read; sent only under the resource model).
    case blobStatusRequest(blob: BlobRef)
    /// Node -> client: the node's view of the blob (`registered`: it has seen the registration;
    /// `certified`: the certification).
    case blobStatusResponse(blob: BlobRef, registered: Bool, certified: Bool)

    /// What the message is, without its contents (for counts by kind; inlinable: asked per delivery).
    @inlinable public var kind: MessageKind {
        switch self {
        case .store: .store
        case .stored: .stored
        case .metadataRequest: .metadataRequest
        case .metadataResponse: .metadataResponse
        case .sliverRequest: .sliverRequest
        case .sliverResponse: .sliverResponse
        case .sliversRequest: .sliversRequest
        case .sliversResponse: .sliversResponse
        case .columnRequest: .columnRequest
        case .columnResponse: .columnResponse
        case .recoveryRequest: .recoveryRequest
        case .recoveryResponse, .modeledRecoveryResponse: .recoveryResponse
        case .inconsistencyProof: .inconsistencyProof
        case .invalidBlobAttestation: .invalidBlobAttestation
        case .syncRequest: .syncRequest
        case .syncResponse: .syncResponse
        case .blobStatusRequest: .blobStatusRequest
        case .blobStatusResponse: .blobStatusResponse
        }
    }

    /// Bytes on the wire: BCS payload plus a fixed 64-byte framing/header estimate.
    public var wireBytes: UInt64 {
        let framing: UInt64 = 64
        switch self {
        case .store(_, let metadata, let pairs):
            return framing + Self.metadataBytes(metadata.value) + pairs.wireBytes
        case .stored(_, _, let sig): return framing + 8 + UInt64(sig?.byteCount ?? 0)
        case .metadataRequest, .sliverRequest, .recoveryRequest, .columnRequest, .blobStatusRequest: return framing + 40
        case .blobStatusResponse: return framing + 48  // the BCS BlobStatus: variant, object ID, epochs, counts
        case .metadataResponse(_, let m): return framing + (m.map { Self.metadataBytes($0.value) } ?? 1)
        case .sliverResponse(_, _, let s), .columnResponse(_, _, let s): return framing + (s?.wireBytes ?? 1)
        case .sliversRequest(_, let pairs): return framing + 40 + 2 * UInt64(pairs.count)
        case .sliversResponse(_, _, let slivers): return framing + slivers.wireBytes
        case .recoveryResponse(_, _, let p, let s):
            return framing + (p + s).reduce(0) { $0 + UInt64($1.data.count) + 5 + UInt64($1.proof.path.count) * 33 }
        case .modeledRecoveryResponse(_, _, _, _, _, let bytes): return framing + bytes
        case .syncRequest(_, let blobs, let metadataFor): return framing + 8 + UInt64(blobs.count + metadataFor.count) * 32
        case .inconsistencyProof(_, let proof):
            return framing + 34 + proof.symbols.reduce(0) { $0 + UInt64($1.data.count) + 5 + UInt64($1.proof.path.count) * 33 }
        case .invalidBlobAttestation(_, _, let sig): return framing + 39 + UInt64(sig?.byteCount ?? 0)
        case .syncResponse(_, let items, let missing):
            return framing + UInt64(missing.count) * 32
                + items.reduce(0) { $0 + 32 + $1.pair.wireBytes + ($1.metadata.map(Self.metadataBytes) ?? 0) }
        }
    }

    /// `BlobMetadataWithID`: id, variant, type, length, ULEB n, 66 bytes per pair.
    static func metadataBytes(_ m: BlobMetadataWithID) -> UInt64 { 32 + 1 + 1 + 8 + 3 + UInt64(m.metadata.hashes.count) * 66 }
}

/// Which target slivers a recovery request wants symbols for: `primary` symbols come from the
/// responder's secondary slivers, `secondary` ones from its primary slivers (spec §4.1).
public enum RecoveryAxes: UInt8, Sendable, Equatable {
    /// Symbols for both target slivers of the pair.
    case both
    /// Symbols for the target's primary sliver only.
    case primary
    /// Symbols for the target's secondary sliver only.
    case secondary

    /// Whether symbols for the primary target are wanted.
    public var wantsPrimary: Bool { self != .secondary }
    /// Whether symbols for the secondary target are wanted.
    public var wantsSecondary: Bool { self != .primary }
    /// How many axes are wanted (1 or 2).
    public var count: Int { self == .both ? 2 : 1 }
}

/// One blob's pair in a shard-sync response: the blob ID and the pair, as Walrus's
/// `SyncShardResponse` (`(BlobId, Sliver)`), and the blob's metadata when the new owner asked
/// for it.
///
/// Walrus sends no metadata with synced slivers: every committee member received every blob's
/// metadata from its writer, and a node that lacks it syncs it once per blob before its shards
/// (`sync_certified_blob_metadata`). Sending it with every pair, as this model once did, sent a
/// node that gains k shards k copies of 66n bytes per blob (660 KB at 10,000 shards), and at
/// 10,000 shards the new owners' downlinks took minutes per epoch change, long enough for the
/// writes of those minutes to be certified without them and recovered pair by pair.
public struct SyncItem: Sendable {
    /// The blob the pair belongs to.
    public var blob: BlobRef
    /// The blob's metadata, if the request asked for it (`nil`: not on the wire).
    public var metadata: BlobMetadataWithID?
    /// The pair of the synced shard; never `.digest` on the wire.
    public var pair: PairPayload
    /// An item of `blob`'s pair `pair`, with the blob's metadata if asked for.
    public init(blob: BlobRef, metadata: BlobMetadataWithID?, pair: PairPayload) {
        self.blob = blob
        self.metadata = metadata
        self.pair = pair
    }
}

/// Transactions submitted to the chain. They execute in finality order.
public enum Transaction: Sendable {
    /// Reserve storage for `epochs` epochs and register the blob (spec §4.2).
    case registerBlob(client: ClientID, blob: BlobRef, blobID: BlobID, unencodedBytes: UInt64, epochs: Int, deletable: Bool)
    /// Certify with the aggregate certificate of committee members' confirmations.
    case certifyBlob(client: ClientID, blob: BlobRef, epoch: Epoch, certificate: AggregateCertificate)
    /// Add `epochs` epochs to a registered blob's storage, paid by the blob's owner (staking spec §4.2).
    case extendBlob(client: ClientID, blob: BlobRef, epochs: Int)
    /// Delete a deletable blob (staking spec §4.2).
    case deleteBlob(client: ClientID, blob: BlobRef)
    /// A node has synced all shards it gained in `epoch`.
    case epochSyncDone(node: NodeID, epoch: Epoch)
    /// `voting_end` (staking spec §1.1): fixes the next committee; allowed from half an epoch
    /// after the sync quorum. The world's driver submits it; a rejected early call is retried.
    case votingEnd
    /// `initiate_epoch_change` (staking spec §1.1, §3.6): pays out the finished epoch and makes
    /// the next committee current; allowed from one epoch duration after the sync quorum.
    case initiateEpochChange
    /// Move `amount` of stake: withdraw it from `from`'s pool and stake it with `to`.
    case moveStake(from: NodeID, to: NodeID, amount: Frost)
    /// `invalidate_blob_id`: the aggregate attestation of nodes holding f+1 shards that `blob`
    /// is invalid.
    case invalidateBlob(node: NodeID, blob: BlobRef, epoch: Epoch, certificate: AggregateCertificate)
    /// A call of the economy's contracts that no protocol step makes: votes, price updates,
    /// subsidies, commission, stake withdrawal, slashing (see `EconomyCall`, `Chain+Economy.swift`).
    case economy(EconomyCall)

    /// The contract function's name in snake case, e.g. `register_blob`; rejection reasons start with it.
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
        case .invalidateBlob: "invalidate_blob_id"
        case .economy(let call): call.label
        }
    }
}

/// What the chain announces; every node and client sees every event (after a lag).
public enum ChainEvent: Sendable {
    /// Registration executed: the blob is stored until `endEpoch` (exclusive).
    case blobRegistered(blob: BlobRef, endEpoch: Epoch)
    /// Certification executed in `epoch`: the blob is available until `endEpoch` (exclusive).
    case blobCertified(blob: BlobRef, epoch: Epoch, endEpoch: Epoch)
    /// The blob's storage was extended to `endEpoch` (exclusive).
    case blobExtended(blob: BlobRef, endEpoch: Epoch)
    /// The blob was deleted; nodes drop its slivers.
    case blobDeleted(blob: BlobRef)
    /// `InvalidBlobID`: the blob's encoding was proven inconsistent (spec §6.6).
    case blobInvalidated(blob: BlobRef, epoch: Epoch)
    /// A transaction failed; only its submitter acts on it.
    case transactionFailed(submitter: Party, blob: BlobRef?, reason: String)
    /// Epoch `epoch` started with this committee (previous committee for hand-over).
    case epochChangeStart(epoch: Epoch, committee: Committee, previous: Committee)
    /// The 2f+1 sync quorum for `epoch` was reached (`EpochChangeDone`): the hand-over is over,
    /// and clients read every blob from the current committee.
    case epochChangeDone(epoch: Epoch)
    /// `voting_end` executed during `epoch`: the next committee is fixed.
    case votingEnded(epoch: Epoch)
}
