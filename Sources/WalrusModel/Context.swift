import BLS12381
import Economics
import RedStuff
import SimSupport
import WalrusCrypto

/// What every state machine is handed when it reacts: the time, the shared chain view, the
/// blob catalog and the parameters. Read-only.
///
/// A context is built for every reaction (every message delivered): the parts that do not
/// change in a run (catalog, parameters, resource model) sit behind one reference, an
/// `Environment` the run builds once, so that a context is the time and two references.
public struct ProtocolContext {
    /// The simulated time of the event being handled.
    public var now: SimTime
    /// The chain as the participants see it (events applied in order, after the chain's lag).
    public let view: ChainView
    /// What does not change in a run.
    public let environment: Environment

    /// The parts of a context that do not change in a run, shared by reference.
    public final class Environment {
        /// Ground truth about blobs, for memoized checks and modeled payloads.
        public let catalog: BlobCatalog
        /// The encoding parameters of the system (n shards, f, symbol counts).
        public let config: EncodingConfig
        /// CPU costs charged to simulated time.
        public let costs: CostModel
        /// Whether confirmations carry real signatures or modeled tags.
        public let signatures: ConfirmationSigner.Mode
        /// The resource model behind a reference (`nil`: CPU costs only): the model is a couple
        /// of hundred bytes, which every `if let` copied.
        let resourceBox: ResourceBox?
        /// Modeled signature tags' shared part, per blob (see `ConfirmationSigner.TagPrefixes`).
        let tagPrefixes = ConfirmationSigner.TagPrefixes()

        /// An environment of `catalog`, the parameters and a boxed resource model (`nil`: none).
        public init(catalog: BlobCatalog, config: EncodingConfig, costs: CostModel, signatures: ConfirmationSigner.Mode,
                    resources: ResourceBox?) {
            self.catalog = catalog
            self.config = config
            self.costs = costs
            self.signatures = signatures
            self.resourceBox = resources
        }
    }

    /// Ground truth about blobs, for memoized checks and modeled payloads.
    public var catalog: BlobCatalog { environment.catalog }
    /// The encoding parameters of the system (n shards, f, symbol counts).
    public var config: EncodingConfig { environment.config }
    /// CPU costs charged to simulated time.
    public var costs: CostModel { environment.costs }
    /// Whether confirmations carry real signatures or modeled tags.
    public var signatures: ConfirmationSigner.Mode { environment.signatures }
    /// The resource model (`[resources]`), or `nil` for CPU costs only.
    public var resources: ResourceModel? { environment.resourceBox?.model }
    /// Whether the run has a resource model: `resources != nil` without copying the model out
    /// of its box (a retain and release of its tables; asked on every store and confirmation).
    public var hasResources: Bool { environment.resourceBox != nil }

    /// A context for one reaction at `now`, as the party seeing `view` sees the run.
    public init(now: SimTime, view: ChainView, environment: Environment) {
        self.now = now
        self.view = view
        self.environment = environment
    }

    /// A context for one reaction at `now`.
    public init(now: SimTime, view: ChainView, catalog: BlobCatalog, config: EncodingConfig, costs: CostModel,
                signatures: ConfirmationSigner.Mode, resources: ResourceModel? = nil) {
        self.init(now: now, view: view, catalog: catalog, config: config, costs: costs, signatures: signatures,
                  resources: resources.map(ResourceBox.init))
    }

    /// A context for one reaction at `now`, sharing a boxed resource model (`nil`: none).
    public init(now: SimTime, view: ChainView, catalog: BlobCatalog, config: EncodingConfig, costs: CostModel,
                signatures: ConfirmationSigner.Mode, resources: ResourceBox?) {
        self.init(now: now, view: view, environment: Environment(catalog: catalog, config: config, costs: costs,
                                                                 signatures: signatures, resources: resources))
    }
}

/// A resource model shared by reference between the contexts of a run (see `ProtocolContext`).
public final class ResourceBox: Sendable {
    /// The model.
    public let model: ResourceModel
    /// Boxes `model`.
    public init(_ model: ResourceModel) { self.model = model }
}

/// What a protocol state machine asks the shell to do. State machines never schedule, send or
/// read the clock themselves (DESIGN §3: protocol logic decides, the shell acts).
public enum Action: Sendable {
    /// Send a message; the shell charges its `wireBytes` to the network, which may delay or drop it.
    case send(to: Party, Message)
    /// Submit a transaction; it executes on chain after a finality delay, in finality order.
    case submit(Transaction)
    /// Call the party's `timerFired(token:)` after `after`.
    case timer(after: SimDuration, token: UInt64)
    /// CPU work: actions after this one in the same batch happen once it is done.
    case cpu(SimDuration)
    /// Disk work (a node's writes, under the resource model): like `cpu`, on the party's disk,
    /// which does one thing at a time.
    case disk(SimDuration)
    /// Report a fact to the shell (results and checkers); it changes no protocol state.
    case observe(Observation)
}

/// Facts the state machines report for results and checkers.
public enum Observation: Sendable {
    /// A client operation ended, successfully or not.
    case operationFinished(FinishedOperation)
    /// `node` rebuilt pair `pair` of `blob` from other nodes' recovery
    /// symbols, moving `bytesMoved` bytes (requests and responses).
    case recovered(node: NodeID, blob: BlobRef, pair: Int, bytesMoved: UInt64)
    /// `node` gave up recovering pair `pair` of `blob`: too few
    /// symbols, a failed decode or an inconsistent encoding (`reason`).
    case recoveryFailed(node: NodeID, blob: BlobRef, pair: Int, reason: String)
    /// `node` found a proof that `blob` is inconsistently encoded (spec
    /// walrus-encoding §5); `verified` says whether the proof checked out.
    case inconsistencyProof(node: NodeID, blob: BlobRef, verified: Bool)
    /// `node` finished syncing `shard` for `epoch`: `blobs` blobs, of which `recoveredBlobs`
    /// were rebuilt by recovery instead of being sent by the previous owner.
    case shardSynced(node: NodeID, shard: ShardIndex, epoch: Epoch, blobs: Int, recoveredBlobs: Int)
    /// `node` refused metadata or a sliver pair of `blob` that failed verification (`reason`).
    case sliverRejected(node: NodeID, blob: BlobRef, reason: String)
    /// `by` (a reader or a recovering node) rejected what `from` served for `blob` (a sliver,
    /// metadata or recovery symbols that failed their checks): how Byzantine answers show.
    case responseRejected(by: Party, from: Party, blob: BlobRef, what: String)
    /// Client operation `op` passed `mark`, `backdate` before the moment the shell carries
    /// this action out (which is after any CPU work listed before it in the same batch); the
    /// shell keeps the latest time of each mark for the operation's phases (`op_phases`).
    case phaseMark(op: UInt64, mark: OperationMark, backdate: SimDuration)
}

/// A finished client operation.
public struct FinishedOperation: Sendable {
    /// What the operation was. Only `write` and `read` are produced:
    /// lifecycle workloads submit their transactions without an operation.
    public enum Kind: String, Sendable { case write, read, extend, delete }
    /// How it ended: `ok`, `failed` (gave up or timed out), `notFound`
    /// (`not_found`; not produced by the current client) or `inconsistent` (a read
    /// whose decoded bytes differ from the written blob, or that failed to decode), or `invalid`
    /// (a read of a blob whose encoding is inconsistent: the consistency check failed, or the
    /// chain declared it invalid; what every honest reader of such a blob gets).
    public enum Result: String, Sendable { case ok, failed, notFound = "not_found", inconsistent, invalid }
    /// The operation's id, as the shell numbered it when starting it.
    public var id: UInt64
    /// Whether it was a write or a read.
    public var kind: Kind
    /// The client that ran it.
    public var client: ClientID
    /// The blob written or read.
    public var blob: BlobRef
    /// When the client started it.
    public var start: SimTime
    /// When it ended (certification seen for a write, decode done or given up for a read); not before `start`.
    public var end: SimTime
    /// How it ended.
    public var result: Result
    /// Bytes of the operation: the blob's unencoded size for a write; for a
    /// read, the wire bytes of the metadata and sliver responses it received.
    public var bytes: UInt64
    /// Attempts made, counting the first.
    public var attempts: Int
    /// Why it failed or was inconsistent; empty on success.
    public var detail: String

    /// An operation record; the shell numbers operations, state machines fill in the rest.
    public init(id: UInt64, kind: Kind, client: ClientID, blob: BlobRef, start: SimTime, end: SimTime, result: Result,
                bytes: UInt64, attempts: Int, detail: String) {
        self.id = id
        self.kind = kind
        self.client = client
        self.blob = blob
        self.start = start
        self.end = end
        self.result = result
        self.bytes = bytes
        self.attempts = attempts
        self.detail = detail
    }
}

/// The chain state every participant can see (the latest chain events, applied in order).
/// Shared, read-only for the state machines; the shell updates it as events are delivered.
public final class ChainView {
    /// The epoch of the latest `epochChangeStart` applied; 0 before genesis.
    public internal(set) var epoch = Epoch(0)
    /// The committee of `epoch`, with each member's shards.
    public internal(set) var committee = Committee.empty
    /// The committee of the epoch before `epoch`, which still serves blobs
    /// certified earlier until the hand-over is done (spec walrus-staking §1.6).
    public internal(set) var previousCommittee = Committee.empty
    /// Whether the current epoch's shard hand-over reached its quorum (`EpochChangeDone`).
    public internal(set) var handoverDone = true
    /// `ownerOf[shard]` in the current / previous committee.
    public internal(set) var ownerOf: [NodeID?]
    /// `previousOwnerOf[shard]`: the owner in `previousCommittee`, `nil` for none.
    public internal(set) var previousOwnerOf: [NodeID?]
    /// Chain status per blob, indexed by `BlobRef`.
    public internal(set) var blobs: [BlobStatus] = []
    /// Certified, unexpired, undeleted blobs the chain declared invalid, in `BlobRef` order:
    /// users may still ask for them (and learn they are invalid).
    public internal(set) var invalidCertified: [BlobRef] = []
    /// Certified, unexpired, undeleted, valid blobs in `BlobRef` order (kept sorted).
    public internal(set) var liveCertified: [BlobRef] = []

    /// What the chain says of one blob.
    public struct BlobStatus: Sendable {
        /// Whether its registration has been applied.
        public var registered = false
        /// The epoch its certification executed in; `nil` until certified.
        public var certifiedEpoch: Epoch?
        /// The first epoch in which it is no longer stored; extensions move it later.
        public var endEpoch = Epoch(0)
        /// Whether its owner deleted it.
        public var deleted = false
        /// Whether the chain declared it invalid (an f+1 invalid-blob certificate, spec §6.6).
        public var invalid = false
        /// Registered, not deleted, not invalid. Says nothing of expiry: compare `endEpoch` with the view's epoch.
        public var isLive: Bool { registered && !deleted && !invalid }
        /// Whether its registration has run out by `epoch` (its end epoch has come): nobody can
        /// certify it any more, and nodes no longer sign for it.
        public func registrationExpired(at epoch: Epoch) -> Bool { registered && endEpoch <= epoch }
    }

    /// A view at epoch 0 with no committee, no blobs and no owner for any of the `nShards` shards.
    public init(nShards: Int) {
        ownerOf = Array(repeating: nil, count: nShards)
        previousOwnerOf = Array(repeating: nil, count: nShards)
    }

    /// A copy of the view as it is now, which later events do not change: what a party cut off
    /// from the chain goes on seeing.
    public func snapshot() -> ChainView {
        let copy = ChainView(nShards: ownerOf.count)
        copy.epoch = epoch
        copy.committee = committee
        copy.previousCommittee = previousCommittee
        copy.handoverDone = handoverDone
        copy.ownerOf = ownerOf
        copy.previousOwnerOf = previousOwnerOf
        copy.blobs = blobs
        copy.liveCertified = liveCertified
        copy.invalidCertified = invalidCertified
        return copy
    }

    /// Whether reads of `blob` go to `previousCommittee`: during a hand-over, blobs certified
    /// before the epoch are still read from the committee that stored them (spec §1.6; Walrus's
    /// `ActiveCommittees::read_committee`).
    public func readsPreviousCommittee(_ blob: BlobRef) -> Bool {
        guard !handoverDone, let certified = status(blob)?.certifiedEpoch else { return false }
        return certified < epoch
    }

    /// The committee reads of `blob` go to now (see `readsPreviousCommittee`).
    public func readCommittee(for blob: BlobRef) -> Committee {
        readsPreviousCommittee(blob) ? previousCommittee : committee
    }

    /// The chain's status of `blob`; `nil` when its index is beyond every blob an applied event named.
    public func status(_ blob: BlobRef) -> BlobStatus? {
        Int(blob.index) < blobs.count ? blobs[Int(blob.index)] : nil
    }

    /// Applies an event (the shell calls this once per event, before the participants react).
    public func apply(_ event: ChainEvent) {
        switch event {
        case .blobRegistered(let b, let end):
            ensure(b)
            blobs[Int(b.index)].registered = true
            blobs[Int(b.index)].endEpoch = end
        case .blobCertified(let b, let e, let end):
            ensure(b)
            blobs[Int(b.index)].certifiedEpoch = e
            blobs[Int(b.index)].endEpoch = end
            let i = liveCertified.partitioningIndex { $0 >= b }
            if i == liveCertified.count || liveCertified[i] != b { liveCertified.insert(b, at: i) }
        case .blobExtended(let b, let end):
            ensure(b)
            blobs[Int(b.index)].endEpoch = end
        case .blobDeleted(let b):
            ensure(b)
            blobs[Int(b.index)].deleted = true
            liveCertified.removeAll { $0 == b }
            invalidCertified.removeAll { $0 == b }
        case .epochChangeStart(let e, let c, let p):
            epoch = e
            committee = c
            previousCommittee = p
            handoverDone = p.isEmpty
            previousOwnerOf = ownerOf
            ownerOf = Array(repeating: nil, count: ownerOf.count)
            for m in c.members { for s in m.shards { ownerOf[s.index] = m.node } }
            liveCertified.removeAll { blobs[Int($0.index)].endEpoch <= e }
            invalidCertified.removeAll { blobs[Int($0.index)].endEpoch <= e }
        case .blobInvalidated(let b, _):
            ensure(b)
            blobs[Int(b.index)].invalid = true
            if liveCertified.contains(b) {
                liveCertified.removeAll { $0 == b }
                invalidCertified.insert(b, at: invalidCertified.partitioningIndex { $0 >= b })
            }
        case .epochChangeDone:
            handoverDone = true
        case .votingEnded, .transactionFailed:
            break
        }
    }

    private func ensure(_ b: BlobRef) {
        while blobs.count <= Int(b.index) { blobs.append(BlobStatus()) }
    }
}

extension RandomAccessCollection where Index == Int {
    /// The first index whose element satisfies `predicate`, which must be false then true
    /// along the collection (binary search).
    func partitioningIndex(where predicate: (Element) -> Bool) -> Int {
        var lo = startIndex, hi = endIndex
        while lo < hi {
            let mid = (lo + hi) / 2
            if predicate(self[mid]) { hi = mid } else { lo = mid + 1 }
        }
        return lo
    }
}

/// How participants check slivers against metadata.
///
/// `full`: every check runs `SliverPair.verify` (expand, hash n symbols, compare the Merkle
/// root). `memoized`: a pair byte-identical to the one an *honest* encoder produced for that
/// blob is accepted without recomputing, because verification is a pure function of (bytes,
/// metadata) and the encoder derived the metadata from exactly those bytes; anything else —
/// a different byte, a blob from a dishonest client — runs the full check. The outcome is the
/// same either way; only the host CPU time differs (simulated CPU time is charged the same).
public enum VerificationMode: String, Sendable { case full, memoized }

/// Ground truth about blobs that the shell keeps: what honest encoders produced. Used for the
/// memoized verification and by the checkers; state machines treat it as an oracle only where
/// `VerificationMode.memoized` says so.
public final class BlobCatalog {
    /// What the shell knows of one blob it created.
    public struct Entry {
        /// The metadata and blob ID the writer registered (real, or notional for a modeled blob).
        public var metadata: BlobMetadataWithID
        /// The honest encoding, by pair index (empty when the payload is not kept).
        public var pairs: [SliverPair]
        /// Unencoded size in bytes.
        public var sizeBytes: UInt64
        /// BLAKE2b-256 of the blob's bytes, to check reads.
        public var contentDigest: Digest32
        /// Whether an honest encoder produced the metadata and pairs. Memoized checks trust only honest entries.
        public var honest: Bool
        /// Modeled encoding (DESIGN §5): the blob has sizes and a commitment but no slivers;
        /// `metadata` is a real, self-consistent metadata of a notional encoding.
        public var modeled: Bool
        /// Under digest payloads: BLAKE2b-256 of each honest pair's bytes, by pair index, for
        /// memoized checks without keeping the bytes.
        public var pairHashes: [Digest32] = []
        /// An entry; `pairHashes` starts empty and `add` fills it under digest payloads.
        public init(metadata: BlobMetadataWithID, pairs: [SliverPair], sizeBytes: UInt64, contentDigest: Digest32, honest: Bool,
                    modeled: Bool = false) {
            self.metadata = metadata
            self.pairs = pairs
            self.sizeBytes = sizeBytes
            self.contentDigest = contentDigest
            self.honest = honest
            self.modeled = modeled
        }
    }
    /// `entries[blob.index]`: the entry of each blob added, `nil` for indices never added.
    public internal(set) var entries: [Entry?] = []
    /// `facts[blob.index]`: what the hot lookups ask of each blob, apart from the entries.
    private var facts: [Facts] = []
    /// What is looked up of a blob on paths taken per node and per message, computed once when
    /// it is added: reading even one field of an `Entry?` in `entries` copied (retained) the
    /// whole entry, and the rotation and sliver sizes cost a 128-bit remainder and two size
    /// computations per lookup.
    private struct Facts {
        /// Whether the index was added, and how.
        var kind = Kind.absent
        /// The blob's shard rotation (`BlobID.rotationOffset`).
        var shardOffset: UInt32 = 0
        /// Its primary and secondary sliver sizes.
        var sliverSizes = (primary: 0, secondary: 0)
        /// The ID it was added with (zero for an index never added).
        var blobID = BlobID(digest: .zero)
        enum Kind: UInt8 { case absent, real, modeled }
    }
    /// The encoding parameters, for the checks that do run.
    public let config: EncodingConfig
    /// Whether sliver and metadata checks may be memoized for honest blobs.
    public let mode: VerificationMode
    /// `payload = digest`: the catalog keeps no sliver bytes (nodes keep hashes) and
    /// regenerates a blob's pairs with `regenerate` when a node must serve them.
    public let keepsPayload: Bool
    /// Re-creates a blob's honest sliver pairs (its content comes from a seeded stream).
    public var regenerate: ((BlobRef) -> [SliverPair]?)?
    /// Recently regenerated blobs, most recent last (a node serving one blob usually serves
    /// many pairs of it in a row).
    private var regenerated: [(BlobRef, [SliverPair])] = []
    private let regeneratedCapacity = 4
    /// How many times a blob's pairs were regenerated (digest payloads), a measure of that mode's CPU cost.
    public private(set) var regenerations = 0

    /// An empty catalog; `keepsPayload == false` is `payload = digest`.
    public init(config: EncodingConfig, mode: VerificationMode, keepsPayload: Bool = true) {
        self.config = config
        self.mode = mode
        self.keepsPayload = keepsPayload
    }

    /// The honest bytes of pair `index` of `blob`, regenerated if need be, provided they hash
    /// to `hash` (what the node stored); `nil` otherwise.
    public func materialize(_ blob: BlobRef, index: Int, hash: Digest32) -> SliverPair? {
        let pairs: [SliverPair]
        if let hit = regenerated.firstIndex(where: { $0.0 == blob }) {
            let e = regenerated.remove(at: hit)
            regenerated.append(e)
            pairs = e.1
        } else if let e = entry(blob), !e.pairs.isEmpty {
            pairs = e.pairs
        } else if let fresh = regenerate?(blob) {
            regenerations += 1
            regenerated.append((blob, fresh))
            if regenerated.count > regeneratedCapacity { regenerated.removeFirst() }
            pairs = fresh
        } else {
            return nil
        }
        guard index < pairs.count, PairPayload.contentHash(pairs[index]) == hash else { return nil }
        return pairs[index]
    }

    /// Whether `blob` was added as a modeled blob (sizes and a commitment, no slivers).
    public func isModeled(_ blob: BlobRef) -> Bool {
        facts(blob)?.kind == .modeled
    }

    /// The shard mapping of `blob` (its rotation, computed once when it was added), or `nil`
    /// if it was never added.
    public func shardMapping(_ blob: BlobRef) -> ShardMapping? {
        facts(blob).map { ShardMapping(nShards: config.nShards, offset: Int($0.shardOffset)) }
    }

    /// The shard mapping of `blobID` for `blob`: the precomputed one when `blobID` is the ID the
    /// blob was added with (the usual case), else computed from `blobID` (a lying or other
    /// metadata maps its own way).
    public func shardMapping(_ blob: BlobRef, blobID: BlobID) -> ShardMapping {
        if self.blobID(blob) == blobID, let m = shardMapping(blob) { return m }
        return ShardMapping(blobID: blobID, nShards: config.nShards)
    }

    /// The blob ID `blob` was registered with, or `nil` if it was never added.
    public func blobID(_ blob: BlobRef) -> BlobID? {
        facts(blob)?.blobID
    }

    /// The facts of `blob`, or `nil` if it was never added.
    private func facts(_ blob: BlobRef) -> Facts? {
        let i = Int(blob.index)
        return i < facts.count && facts[i].kind != .absent ? facts[i] : nil
    }

    /// The entry of `blob`, or `nil` if it was never added.
    public func entry(_ blob: BlobRef) -> Entry? { Int(blob.index) < entries.count ? entries[Int(blob.index)] : nil }

    /// Registers a blob. Under digest payloads the pairs are replaced by their hashes.
    public func add(_ blob: BlobRef, _ entry: Entry) {
        while entries.count <= Int(blob.index) { entries.append(nil) }
        while facts.count <= Int(blob.index) { facts.append(Facts()) }
        facts[Int(blob.index)] = Facts(
            kind: entry.modeled ? .modeled : .real,
            shardOffset: UInt32(entry.metadata.blobID.rotationOffset(nShards: config.nShards)),
            sliverSizes: ((try? config.sliverSize(.primary, blobLength: entry.sizeBytes)) ?? 0,
                          (try? config.sliverSize(.secondary, blobLength: entry.sizeBytes)) ?? 0),
            blobID: entry.metadata.blobID)
        var e = entry
        if !keepsPayload && !e.pairs.isEmpty {
            e.pairHashes = e.pairs.map(PairPayload.contentHash)
            e.pairs = []
        }
        entries[Int(blob.index)] = e
    }

    /// Makes room for blob indices up to `count` past the highest added, without regrowing
    /// (a run that knows how many blobs it writes reserves them once; doubling leaves up to
    /// half of each table unused). Changes no entry.
    public func reserveCapacity(_ count: Int) {
        entries.reserveCapacity(entries.count + count)
        facts.reserveCapacity(facts.count + count)
    }

    /// Drops the kept encoding of a blob that expired or was deleted: nobody stores or reads
    /// it any more, and at scale these copies are most of the memory.
    public func release(_ blob: BlobRef) {
        guard Int(blob.index) < entries.count else { return }
        entries[Int(blob.index)]?.pairs = []
    }

    /// Whether `metadata` is well formed and its hashes imply its blob ID (spec §3.4). Under
    /// `memoized`, metadata equal to an honest encoder's for this blob is known to pass.
    /// A modeled blob's metadata is notional (shared pair hashes, a drawn ID; DESIGN §5): it is
    /// valid when it is the metadata the writer registered, as modeled pairs are.
    public func isValidMetadata(_ metadata: BlobMetadataWithID, blob: BlobRef) -> Bool {
        if let e = entry(blob), e.modeled { return e.metadata == metadata }
        if mode == .memoized, let e = entry(blob), e.honest, e.metadata == metadata { return true }
        return (try? metadata.verify(config: config)) != nil
    }

    /// Sizes of a pair's primary and secondary slivers for `blob`.
    public func sliverSizes(_ blob: BlobRef) -> (primary: Int, secondary: Int) {
        facts(blob)?.sliverSizes ?? (0, 0)
    }

    /// The sliver sizes a valid pair of modeled `blob` has when sent with `metadata`, or `nil`
    /// when no pair is valid (the blob is not modeled or `metadata` is not its metadata): the
    /// per-blob part of `isValid(_:index:blob:metadata:)` for modeled pairs, asked once per store.
    public func modeledSliverSizes(_ blob: BlobRef, metadata: BlobMetadataWithID) -> (primary: Int, secondary: Int)? {
        guard let e = entry(blob), e.modeled, e.metadata == metadata else { return nil }
        return sliverSizes(blob)
    }

    /// Whether `payload` (claimed to be pair `index`) is valid for `metadata`. A modeled pair is
    /// valid when the blob is modeled, the metadata is its metadata and the sizes are right.
    public func isValid(_ payload: PairPayload, index: Int, blob: BlobRef, metadata: BlobMetadataWithID) -> Bool {
        switch payload {
        case .real(let pair):
            return isValid(pair, index: index, blob: blob, metadata: metadata)
        case .digest:
            return false  // never on the wire
        case .modeled:
            return Self.isValidModeled(payload, index: index, sizes: modeledSliverSizes(blob, metadata: metadata))
        }
    }

    /// Whether `payload` (claimed to be pair `index`) is a valid modeled pair for a blob whose
    /// valid pairs have `sizes` (`modeledSliverSizes`; `nil`: no pair is valid). The modeled case
    /// of `isValid(_:index:blob:metadata:)`, for callers that ask `modeledSliverSizes` once.
    public static func isValidModeled(_ payload: PairPayload, index: Int, sizes: (primary: Int, secondary: Int)?) -> Bool {
        guard case .modeled(let i, let a, let b) = payload, i == index, let sizes else { return false }
        return a == sizes.primary && b == sizes.secondary
    }

    /// Whether a served primary sliver is valid (see `isValid(_:index:blob:metadata:)`).
    public func isValid(primary payload: SliverPayload, blob: BlobRef, metadata: BlobMetadataWithID) -> Bool {
        switch payload {
        case .real(let s): return isValid(primary: s, blob: blob, metadata: metadata)
        case .modeled(_, let bytes):
            guard let e = entry(blob), e.modeled, e.metadata == metadata else { return false }
            return bytes == sliverSizes(blob).primary
        }
    }

    /// Whether a secondary sliver (a quilt column) is valid for `metadata`: a real one verifies
    /// against its Merkle root (or equals the honest sliver, memoized); a modeled one has the
    /// modeled size.
    public func isValid(secondary payload: SliverPayload, blob: BlobRef, metadata: BlobMetadataWithID) -> Bool {
        switch payload {
        case .real(let s):
            guard s.axis == .secondary else { return false }
            let pair = config.nShards - 1 - s.index
            if mode == .memoized, let e = entry(blob), e.honest, e.metadata == metadata, pair >= 0, pair < e.pairs.count,
               e.pairs[pair].secondary == s {
                return true
            }
            return (try? s.verify(metadata: metadata.metadata, config: config)) != nil
        case .modeled(_, let bytes):
            guard let e = entry(blob), e.modeled, e.metadata == metadata else { return false }
            return bytes == sliverSizes(blob).secondary
        }
    }

    /// Whether `pair` (claimed to be pair `index`) is valid for `metadata`.
    public func isValid(_ pair: SliverPair, index: Int, blob: BlobRef, metadata: BlobMetadataWithID) -> Bool {
        guard pair.primary.index == index, pair.secondary.index == config.nShards - 1 - index else { return false }
        if mode == .memoized, let e = entry(blob), e.honest, e.metadata == metadata {
            if index < e.pairs.count, e.pairs[index] == pair { return true }
            if index < e.pairHashes.count, e.pairHashes[index] == PairPayload.contentHash(pair) { return true }
        }
        return (try? pair.verify(metadata: metadata.metadata, config: config)) != nil
    }

    /// Whether a single primary sliver is valid.
    public func isValid(primary sliver: Sliver, blob: BlobRef, metadata: BlobMetadataWithID) -> Bool {
        guard sliver.axis == .primary else { return false }
        if mode == .memoized, let e = entry(blob), e.honest, e.metadata == metadata, sliver.index < e.pairs.count,
           e.pairs[sliver.index].primary == sliver {
            return true
        }
        if mode == .memoized, let e = entry(blob), e.honest, e.metadata == metadata, !e.pairHashes.isEmpty,
           let honest = materialize(blob, index: sliver.index, hash: e.pairHashes[sliver.index]), honest.primary == sliver {
            return true
        }
        return (try? sliver.verify(metadata: metadata.metadata, config: config)) != nil
    }
}

/// Confirmation signing as Walrus does it: BLS12-381 `min_pk` (fastcrypto), public keys in G1
/// (48 bytes), signatures in G2 (96 bytes), aggregated into certificates; or modeled tags of the
/// same sizes.
public struct ConfirmationSigner: Sendable {
    /// `real` signs with BLS12-381; `modeled` writes a 96-byte tag of signer, epoch, blob ID and
    /// intent (unforgeable in the simulation, as cheap as a byte copy on the host).
    public enum Mode: String, Sendable { case real, modeled }
    /// How this signer signs.
    public let mode: Mode
    /// The node that signs.
    public let node: NodeID
    /// The key pair under `real`. Boxed: inline, the keys were most of a node's struct and
    /// pushed its hot state (`isUp`, the holdings) cache lines apart, a miss more per message
    /// at thousands of nodes.
    private let keys: KeyPair?
    private final class KeyPair: Sendable {
        let secret: SecretKey
        let `public`: PublicKey
        init(_ secret: SecretKey) { self.secret = secret; self.public = secret.publicKey }
    }
    var secretKey: SecretKey? { keys?.secret }
    /// The BLS public key the chain verifies with; `nil` under `modeled`.
    public var publicKey: PublicKey? { keys?.public }

    /// Keys derive deterministically from `seed` (32 bytes from the node's stream), the IKM of
    /// the IETF KeyGen.
    public init(node: NodeID, mode: Mode, seed: [UInt8]) {
        self.node = node
        self.mode = mode
        keys = mode == .real && seed.count >= 32 ? (try? SecretKey(ikm: seed)).map(KeyPair.init) : nil
    }

    /// The BCS bytes a node signs about `blobID` in `epoch`: the storage confirmation
    /// (permanent persistence, spec walrus-encoding §6) or the invalid-blob attestation
    /// (`InvalidBlobIdMsg`, intent 2, spec staking §6.6).
    public static func message(_ intent: IntentType = .blobCertification, epoch: Epoch, blobID: BlobID) -> [UInt8] {
        var w = BCSWriter()
        if intent == .invalidBlobID {
            InvalidBlobIDMessage(epoch: epoch.rawValue, blobID: blobID).encode(to: &w)
        } else {
            StorageConfirmation(epoch: epoch.rawValue, blobID: blobID, persistence: .permanent).encode(to: &w)
        }
        return w.bytes
    }

    /// This node's signature over `intent`'s message about `blobID` in `epoch`, per `mode`: a
    /// confirmation that it stores all its slivers, or an attestation that the blob is invalid.
    public func sign(_ intent: IntentType = .blobCertification, epoch: Epoch, blobID: BlobID) -> ConfirmationSignature {
        sign(intent, epoch: epoch, blobID: blobID, prefixes: nil)
    }

    /// `sign`, a modeled tag folded on from the memo's prefix for `blobID` (every node of the
    /// committee signs each blob: the prefix is folded once, not once per node).
    func sign(_ intent: IntentType = .blobCertification, epoch: Epoch, blobID: BlobID, prefixes: TagPrefixes?) -> ConfirmationSignature {
        if mode == .real, let secretKey {
            return ConfirmationSignature(signer: node, bytes: secretKey.sign(Self.message(intent, epoch: epoch, blobID: blobID)).compressed)
        }
        let prefix = prefixes?.prefix(intent, epoch: epoch, blobID: blobID) ?? Self.foldPrefix(intent, epoch: epoch, blobID: blobID)
        return ConfirmationSignature(signer: node, modeledTag: Self.fold(signers: CollectionOfOne(node), from: prefix))
    }

    /// The size of a modeled tag: a BLS signature's (compressed G2).
    public static let tagBytes = 96

    /// The modeled signature of `signers` (one, or a certificate's set): 96 bytes binding them,
    /// the intent, the epoch and the blob. Unforgeable in the simulation because only this
    /// function makes it; it needs no cryptographic hash, only a function whose output differs
    /// when any input differs: SplitMix64 steps folding the inputs into one state (`fold`),
    /// expanded to twelve words (`expand`). (It runs for every store at every node: a BLAKE2b
    /// here was 5% of a modeled Mainnet month.)
    static func tag(signers: [NodeID], _ intent: IntentType, epoch: Epoch, blobID: BlobID) -> [UInt8] {
        expand(fold(signers: signers, intent, epoch: epoch, blobID: blobID))
    }

    /// The state a modeled tag of `signers`, `intent`, `epoch` and `blobID` expands from.
    static func fold(signers: some Sequence<NodeID>, _ intent: IntentType, epoch: Epoch, blobID: BlobID) -> UInt64 {
        fold(signers: signers, from: foldPrefix(intent, epoch: epoch, blobID: blobID))
    }

    /// `fold`'s state after the intent, the epoch and the blob ID, before any signer: what
    /// every signer of one blob shares.
    static func foldPrefix(_ intent: IntentType, epoch: Epoch, blobID: BlobID) -> UInt64 {
        var state = SeedDerivation.splitMix64(0x7461_6700 ^ UInt64(intent.rawValue))  // "tag"
        state = SeedDerivation.splitMix64(state ^ UInt64(epoch.rawValue))
        let d = blobID.digest
        for word in [d.w0, d.w1, d.w2, d.w3] { state = SeedDerivation.splitMix64(state ^ word) }
        return state
    }

    /// `fold` on from `prefix` (`foldPrefix`), over the signers.
    static func fold(signers: some Sequence<NodeID>, from prefix: UInt64) -> UInt64 {
        var state = prefix
        for signer in signers { state = SeedDerivation.splitMix64(state ^ UInt64(signer.rawValue)) }
        return state
    }

    /// The last `foldPrefix` of each of a few hundred blob IDs, direct-mapped: the committee's
    /// nodes sign a blob within moments of each other, and its six dependent SplitMix64 steps
    /// were 2% of a modeled world's time. A pure function's memo, so it changes no result.
    final class TagPrefixes {
        private struct Entry {
            var blobID: BlobID
            var epoch: Epoch
            var intent: IntentType
            var state: UInt64
        }
        private var entries = [Entry?](repeating: nil, count: 256)

        /// `foldPrefix(intent, epoch:, blobID:)`, from the memo when it was the last asked for
        /// in its slot.
        func prefix(_ intent: IntentType, epoch: Epoch, blobID: BlobID) -> UInt64 {
            let slot = Int(truncatingIfNeeded: blobID.digest.w0 ^ UInt64(epoch.rawValue)) & (entries.count - 1)
            if let e = entries[slot], e.blobID == blobID, e.epoch == epoch, e.intent == intent { return e.state }
            let state = ConfirmationSigner.foldPrefix(intent, epoch: epoch, blobID: blobID)
            entries[slot] = Entry(blobID: blobID, epoch: epoch, intent: intent, state: state)
            return state
        }
    }

    /// A modeled tag's `tagBytes` bytes, from its folded state.
    static func expand(_ folded: UInt64) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: tagBytes) { tag, count in
            for k in 0 ..< tagBytes / 8 {
                let word = SeedDerivation.splitMix64(folded ^ UInt64(k)).littleEndian
                withUnsafeBytes(of: word) { tag.baseAddress!.advanced(by: 8 * k).initialize(from: $0.bindMemory(to: UInt8.self).baseAddress!, count: 8) }
            }
            count = tagBytes
        }
    }

    /// Verifies a signature over `intent`'s message claimed by `signature.signer` with that
    /// signer's public key.
    public static func verify(_ signature: ConfirmationSignature, _ intent: IntentType = .blobCertification, epoch: Epoch,
                              blobID: BlobID, mode: Mode, publicKey: PublicKey?) -> Bool {
        switch mode {
        case .real:
            guard let pk = publicKey, let sig = try? Signature(compressed: signature.bytes) else { return false }
            return pk.verify(sig, message: message(intent, epoch: epoch, blobID: blobID))
        case .modeled:
            let expected = fold(signers: CollectionOfOne(signature.signer), intent, epoch: epoch, blobID: blobID)
            if case .modeledTag(let state) = signature.storage { return state == expected }
            return signature.bytes == expand(expected)
        }
    }
}

/// A certificate as the chain receives it: the signers (ascending) and one aggregate signature
/// (96 bytes) over the same message, checked against the sum of the signers' public keys.
public struct AggregateCertificate: Sendable, Hashable {
    /// The nodes whose signatures are aggregated, ascending, each once.
    public var signers: [NodeID]
    /// The aggregate BLS signature (compressed G2), or the modeled tag of the signer set.
    public var signature: [UInt8]

    /// Aggregates `signatures` (one per signer; later duplicates are ignored), per `mode`.
    /// `nil` when there are none or a real signature does not decode.
    public static func aggregate(_ signatures: [ConfirmationSignature], _ intent: IntentType, epoch: Epoch, blobID: BlobID,
                                 mode: ConfirmationSigner.Mode) -> AggregateCertificate? {
        var chosen = signatures
        if !zip(chosen, chosen.dropFirst()).allSatisfy({ $0.signer < $1.signer }) {
            // Each signer's first signature, by signer (callers mostly pass them so already).
            var seen = Set<NodeID>()
            chosen = signatures.filter { seen.insert($0.signer).inserted }.sorted { $0.signer < $1.signer }
        }
        let signers = chosen.map(\.signer)
        guard !signers.isEmpty else { return nil }
        switch mode {
        case .real:
            let sigs = chosen.compactMap { try? Signature(compressed: $0.bytes) }
            guard sigs.count == signers.count, let aggregate = try? Signature.aggregate(sigs) else { return nil }
            return AggregateCertificate(signers: signers, signature: aggregate.compressed)
        case .modeled:
            return AggregateCertificate(signers: signers, signature: ConfirmationSigner.tag(signers: signers, intent, epoch: epoch, blobID: blobID))
        }
    }

    /// Whether the aggregate is valid for `intent`'s message about `blobID` in `epoch` under the
    /// signers' keys (`publicKey(node)`), per `mode`.
    public func verify(_ intent: IntentType, epoch: Epoch, blobID: BlobID, mode: ConfirmationSigner.Mode,
                       publicKey: (NodeID) -> PublicKey?) -> Bool {
        guard !signers.isEmpty, zip(signers, signers.dropFirst()).allSatisfy({ $0 < $1 }) else { return false }
        switch mode {
        case .real:
            let keys = signers.compactMap(publicKey)
            guard keys.count == signers.count, let sig = try? Signature(compressed: signature) else { return false }
            return BLS.fastAggregateVerify(publicKeys: keys, message: ConfirmationSigner.message(intent, epoch: epoch, blobID: blobID),
                                           signature: sig)
        case .modeled:
            return signature == ConfirmationSigner.tag(signers: signers, intent, epoch: epoch, blobID: blobID)
        }
    }
}

/// Costs charged to simulated CPU time (DESIGN §5), calibrated constants rather than host time.
public struct CostModel: Sendable {
    /// Encoding / expansion throughput, bytes of encoded output per second.
    public var encodeBytesPerSecond: UInt64
    /// One BLAKE2b call on a small input.
    public var hashCost: SimDuration
    /// CPU time per confirmation signature, made by a node or per signature a client puts in a certificate.
    public var signatureCost: SimDuration
    /// A cost model; `encodeBytesPerSecond` is raised to at least 1 so that costs stay finite.
    public init(encodeBytesPerSecond: UInt64, hashCost: SimDuration = .nanoseconds(200), signatureCost: SimDuration) {
        self.encodeBytesPerSecond = max(1, encodeBytesPerSecond)
        self.hashCost = hashCost
        self.signatureCost = signatureCost
    }

    /// The time to encode, expand or decode `n` bytes at `encodeBytesPerSecond`, rounded down to the ns.
    public func bytes(_ n: UInt64) -> SimDuration {
        // In 64 bits whenever `n` x 10^9 fits (below ~18 GB): the 128-bit division is a library call.
        let scaled = n.multipliedReportingOverflow(by: 1_000_000_000)
        if !scaled.overflow { return SimDuration(nanoseconds: scaled.partialValue / encodeBytesPerSecond) }
        return SimDuration(nanoseconds: UInt64((UInt128(n) * 1_000_000_000) / UInt128(encodeBytesPerSecond)))
    }

    /// Encoding a blob: its encoded bytes plus ~3 n^2 hash calls (spec §10).
    public func encodeBlob(encodedBytes: UInt64, nShards: Int) -> SimDuration {
        bytes(encodedBytes) + hashCost * UInt64(3 * nShards * nShards)
    }

    /// Encoding a blob of `blobLength` unencoded bytes under `config`, as its writer does (and
    /// a reader's consistency check does again): `encodeBlob` of its on-chain encoded length.
    public func encodeBlob(blobLength: UInt64, config: EncodingConfig) -> SimDuration {
        encodeBlob(encodedBytes: (try? config.encodedBlobLength(blobLength: blobLength)) ?? 0, nShards: config.nShards)
    }

    /// Verifying (or expanding and hashing) one sliver of `bytes`: expansion plus ~2n hashes.
    public func sliver(bytes n: UInt64, nShards: Int) -> SimDuration {
        expansion(bytes: n, nShards: nShards) + hashCost * UInt64(2 * nShards)
    }

    /// Expanding one sliver of `bytes` to all `nShards` symbols, without hashing them.
    public func expansion(bytes n: UInt64, nShards: Int) -> SimDuration {
        bytes(n * UInt64(max(1, nShards)) / UInt64(max(1, nShards / 3)))
    }
}
