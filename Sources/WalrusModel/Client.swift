import Economics
import RedStuff
import SimSupport
import WalrusCrypto

/// What a client writes: real sliver pairs with their metadata, or (modeled encoding) only
/// metadata and sizes.
public struct BlobToWrite: Sendable {
    /// The blob's metadata and ID, as registered and sent with every store (one box, which
    /// all the stores share).
    public let sharedMetadata: SharedMetadata
    /// The blob's metadata and ID.
    public var metadata: BlobMetadataWithID { sharedMetadata.value }
    /// Real pairs by index; empty for a modeled blob.
    public var pairs: [SliverPair]
    /// Sliver sizes of a modeled blob.
    public var modeledSizes: (primary: Int, secondary: Int)?

    /// A blob encoded for real: its metadata and all n pairs.
    public init(encoded: EncodedBlob) {
        sharedMetadata = SharedMetadata(encoded.metadata)
        pairs = encoded.pairs
        modeledSizes = nil
    }

    /// Real pairs with the metadata the writer commits to, which a malicious writer may have
    /// made not match them.
    public init(metadata: BlobMetadataWithID, pairs: [SliverPair]) {
        sharedMetadata = SharedMetadata(metadata)
        self.pairs = pairs
        modeledSizes = nil
    }

    /// A modeled blob (DESIGN §5): self-consistent metadata of a notional encoding
    /// and the byte sizes of each primary and secondary sliver; no pairs.
    public init(modeledMetadata: BlobMetadataWithID, primaryBytes: Int, secondaryBytes: Int) {
        sharedMetadata = SharedMetadata(modeledMetadata)
        pairs = []
        modeledSizes = (primaryBytes, secondaryBytes)
    }

    /// The pairs of `shards` under `mapping`, in the shards' order, as a store carries them.
    func storePairs(ofShards shards: [ShardIndex], mapping: ShardMapping) -> StorePairs {
        if let m = modeledSizes {
            return StorePairs(modeledOfShards: shards, mapping: mapping, primaryBytes: m.primary, secondaryBytes: m.secondary)
        }
        return storePairs(shards.map { mapping.pair(ofShard: $0.index) })
    }

    /// Pairs `indices`, in this order, as a store carries them.
    func storePairs(_ indices: some Collection<Int>) -> StorePairs {
        if let m = modeledSizes { return StorePairs(modeled: indices, primaryBytes: m.primary, secondaryBytes: m.secondary) }
        return StorePairs(indices.map { .real(pairs[$0]) })
    }
}

/// A Walrus client as a state machine: the write flow (encode, register, store, collect
/// confirmations worth 2f+1 shards, certify) and the read flow (metadata, primary slivers
/// until R verify, decode, consistency check), with per-attempt timeouts and retries
/// (spec walrus-staking §6.3-§6.4, walrus-encoding §4.2, §6).
public struct Client {
    /// This client's identity; its chain account is `Chain.clientAccounts[id.rawValue]`.
    public let id: ClientID
    /// How long one attempt of an operation may take before the next
    /// attempt starts (or, after `maxAttempts`, the operation fails).
    public var attemptTimeout: SimDuration
    /// Attempts per operation, counting the first (the scenario keeps it in 1...1000).
    public var maxAttempts: Int

    private var writes: [OperationKey: WriteOp] = [:]
    private var writeByBlob: [BlobRef: UInt64] = [:]
    private var reads: [OperationKey: ReadOp] = [:]
    private var readsByBlob: [BlobRef: [UInt64]] = [:]

    /// An operation's number as the key of `writes` and `reads`, hashed by `mixedTableHash`
    /// rather than SipHash: the tables are looked up for every confirmation and every sliver answer.
    struct OperationKey: Hashable {
        let rawValue: UInt64
        init(_ rawValue: UInt64) { self.rawValue = rawValue }
        func _rawHashValue(seed: Int) -> Int { mixedTableHash(rawValue, seed: seed) }
    }

    private enum TimerKind: UInt64 { case writeTimeout = 1, certifyNow = 2, readTimeout = 3, readProbe = 4, storeNow = 5, storeRetry = 6, readRetry = 7, storeTimeout = 8 }

    /// A read request unanswered this long is presumed lost (its node down or partitioned) and
    /// replaced by a request to another node; a late answer is still taken.
    public var requestTimeout: SimDuration = .seconds(5)

    enum WritePhase { case statusChecking, registering, storing, certifying }

    struct WriteOp {
        var blob: BlobRef
        var start: SimTime
        var attempt = 1
        var phase = WritePhase.registering
        var blob_: BlobToWrite
        var sizeBytes: UInt64
        /// Confirmations of the current attempt, one per signer.
        var confirmations = Confirmations()
        var weight = 0
        var storeStart = SimTime.zero
        var certifyScheduled = false
        var epoch = Epoch(0)
        /// Under the resource model: requests waiting for room among the SDK's sliver writes in
        /// flight, in order: first each member's metadata request (no pairs: its status check and
        /// metadata upload, one permit), in committee order; a member's store batches (some of
        /// its pair indices, two permits a pair) join the end once its metadata is stored.
        var storeQueue: [(node: NodeID, pairs: [Int])] = []
        /// Each member's store batches, queued once its metadata request is answered.
        var batchesAfterMetadata: [NodeID: [[Int]]] = [:]
        /// Sliver writes in flight to each member (2 per pair), released by its answer; 0 while
        /// the member's refused batch waits out the SDK's backoff (the member takes no other batch).
        var storesInFlight: [NodeID: Int] = [:]
        /// The pairs of the batch in flight to each member.
        var inFlightPairs: [NodeID: [Int]] = [:]
        /// When the batch in flight to each member was sent (its answer is due within the
        /// resource model's `storeRequestTimeout`).
        var storeSentAt: [NodeID: SimTime] = [:]
        /// Batches that took their room among the sliver writes in flight but wait for their
        /// member's connections (its batch in flight), in queue order: the SDK takes a request's
        /// global permit before its node permit and holds it while waiting.
        var parkedBatches: [NodeID: [[Int]]] = [:]
        /// Refused batches waiting out the SDK's backoff, and when each goes again.
        var retryQueue: [(node: NodeID, pairs: [Int], at: SimTime)] = []
        /// Retries each member's refused stores took so far.
        var storeRetriesUsed: [NodeID: Int] = [:]
        /// The room taken among the SDK's sliver writes in flight: the sum of `storesInFlight`
        /// and of the parked batches' slivers.
        var sliversInFlight = 0
        /// The blob status check: members that answered and their weight.
        var statusAnswered: Set<NodeID> = []
        var statusWeight = 0
        var epochs = 1
        var deletable = false
    }

    struct ReadOp {
        var blob: BlobRef
        var start: SimTime
        var attempt = 1
        /// Pair indices in the order this read tries them.
        var order: [Int]
        var nextPair = 0
        var metadata: BlobMetadataWithID?
        var metadataTries = 0
        var slivers: [Sliver] = []
        /// Modeled blobs: verified primary slivers received (sizes only).
        var modeledSlivers = 0
        var outstanding = DenseIndexSet()
        /// Requests presumed lost but whose late answers are still welcome.
        var stale = DenseIndexSet()
        /// Pairs already received (verified or not), so retries skip them.
        var answered = DenseIndexSet()
        var bytes: UInt64 = 0
        /// A patch read: the quilt columns (secondary sliver indices) of the patch; `nil` for a
        /// whole-blob read, and after a patch read fell back to one. While set, `outstanding`,
        /// `stale` and `answered` hold column indices, not pairs.
        var patch: Range<Int>?
        /// Verified columns of a patch read (real blobs), and their count for modeled ones.
        var columns: [Sliver] = []
        var modeledColumns = 0
        /// Under the resource model, whether the blob status check is still going on, who
        /// answered it and their weight.
        var statusChecking = false
        var statusAnswered: Set<NodeID> = []
        var statusWeight = 0
        /// Under the resource model, the SDK's read retries taken so far (`ResourceModel.readRetries`),
        /// and whether the read waits out the backoff before its next pass (it asks nothing meanwhile).
        var retries = 0
        var retryPending = false
        /// Under the resource model, the nodes asked for metadata in this pass: the SDK asks
        /// distinct nodes (`node_read_communications_quorum`), and the SDK's read order lists
        /// a node's pairs one after another, so walking it would ask one node again and again.
        var metadataAsked: Set<NodeID> = []

        /// Whether the read waits for `index` (outstanding or stale): the primary sliver of pair
        /// `index` for a whole-blob read, column `index` for a patch read (`column`). The two
        /// kinds never match each other's responses, since both count by index.
        func awaits(_ index: Int, column: Bool = false) -> Bool {
            (patch != nil) == column && (outstanding.contains(index) || stale.contains(index))
        }

        /// Forgets the requests made so far (in flight, presumed lost, answered): the next
        /// request starts again from the first pair (or column) of the order.
        mutating func forgetRequests() {
            outstanding.removeAll()
            stale.removeAll()
            answered.removeAll()
            nextPair = 0
        }
    }

    /// An idle client with no operations in flight.
    public init(id: ClientID, attemptTimeout: SimDuration, maxAttempts: Int) {
        self.id = id
        self.attemptTimeout = attemptTimeout
        self.maxAttempts = maxAttempts
    }


    // MARK: Write

    /// Starts writing an already encoded blob: charge the encoding, register on chain.
    public mutating func startWrite(op: UInt64, blob: BlobRef, encoded: BlobToWrite, sizeBytes: UInt64, epochs: Int,
                                    deletable: Bool, context ctx: ProtocolContext) -> [Action] {
        ActionBuffer.collect {
            startWrite(op: op, blob: blob, encoded: encoded, sizeBytes: sizeBytes, epochs: epochs, deletable: deletable, context: ctx, into: $0)
        }
    }

    /// `startWrite` appending its actions to `actions`, a buffer the caller reuses.
    public mutating func startWrite(op: UInt64, blob: BlobRef, encoded: BlobToWrite, sizeBytes: UInt64, epochs: Int,
                                    deletable: Bool, context ctx: ProtocolContext, into actions: ActionBuffer) {
        var w = WriteOp(blob: blob, start: ctx.now, blob_: encoded, sizeBytes: sizeBytes)
        w.epoch = ctx.view.epoch
        w.epochs = epochs
        w.deletable = deletable
        // One core encodes the blob: the SDK the paper ran encodes several blobs in parallel
        // (rayon over blobs) but each blob's `encode_with_metadata` sequentially (walrus-core
        // had no parallelism then); the client's other cores serve its other writes.
        let encode = ctx.costs.encodeBlob(blobLength: sizeBytes, config: ctx.config)
        actions.append(.cpu(encode))
        actions.append(mark(op, .encoded))
        if ctx.resources?.statusCheck == true {
            // The SDK first asks the nodes for the blob's status (is it already stored?).
            w.phase = .statusChecking
            askStatus(blob, skipping: [], context: ctx, into: actions)
            actions.append(.timer(after: attemptTimeout, token: token(.writeTimeout, op)))
            writes[OperationKey(op)] = w
            writeByBlob[blob] = op
            return
        }
        writes[OperationKey(op)] = w
        writeByBlob[blob] = op
        actions.append(contentsOf: register(op, w))
        actions.append(.timer(after: attemptTimeout, token: token(.writeTimeout, op)))
    }

    /// The reserve-and-register transaction of write `op`, marked as submitted.
    private func register(_ op: UInt64, _ w: WriteOp) -> [Action] {
        [mark(op, .registerSubmitted),
         .submit(.registerBlob(client: id, blob: w.blob, blobID: w.blob_.metadata.blobID, unencodedBytes: w.sizeBytes,
                               epochs: w.epochs, deletable: w.deletable))]
    }

    /// Asks the committee members not in `skipping` for the status of `blob`.
    private func askStatus(_ blob: BlobRef, skipping: Set<NodeID>, context ctx: ProtocolContext, into actions: ActionBuffer) {
        for member in ctx.view.committee.members where !skipping.contains(member.node) {
            actions.append(.send(to: .node(member.node), .blobStatusRequest(blob: blob)))
        }
    }

    /// A status answer from `node` for `blob`: once answers worth f+1 shards are in (at least
    /// one honest node), the waiting write registers and the waiting reads ask for metadata.
    private mutating func takeStatus(_ blob: BlobRef, from node: NodeID, context ctx: ProtocolContext, into actions: ActionBuffer) {
        let weight = ctx.view.committee.weight(of: node)
        guard weight > 0 else { return }
        let n = ctx.config.nShards
        if let op = writeByBlob[blob], var w = writes[OperationKey(op)], w.phase == .statusChecking, w.statusAnswered.insert(node).inserted {
            w.statusWeight += weight
            if Quorum.isValidityQuorum(weight: w.statusWeight, nShards: n) {
                w.phase = .registering
                actions.append(mark(op, .statusChecked))
                actions.append(contentsOf: register(op, w))
            }
            writes[OperationKey(op)] = w
        }
        for op in readsByBlob[blob] ?? [] {
            guard var r = reads[OperationKey(op)], r.statusChecking, r.statusAnswered.insert(node).inserted else { continue }
            r.statusWeight += weight
            if Quorum.isValidityQuorum(weight: r.statusWeight, nShards: n) {
                r.statusChecking = false
                actions.append(mark(op, .statusChecked))
                reads[OperationKey(op)] = r
                requestMetadata(op, context: ctx, into: actions)
            } else {
                reads[OperationKey(op)] = r
            }
        }
    }

    private mutating func sendStores(_ op: UInt64, context ctx: ProtocolContext, into actions: ActionBuffer) {
        guard var w = writes[OperationKey(op)] else { return }
        w.phase = .storing
        w.storeStart = ctx.now
        w.epoch = ctx.view.epoch
        if let r = ctx.resources {
            // The SDK's limits: stores wait in committee order for room among the sliver writes in flight.
            let mapping = ShardMapping(blobID: w.blob_.metadata.blobID, nShards: ctx.config.nShards)
            w.storeQueue = []
            w.batchesAfterMetadata = [:]
            for member in ctx.view.committee.members where !w.confirmations.contains(member.node) {
                let pairs = member.shards.map { mapping.pair(ofShard: $0.index) }
                w.storeQueue.append((member.node, []))
                w.batchesAfterMetadata[member.node] = stride(from: 0, to: pairs.count, by: r.pairsPerStoreBatch).map {
                    Array(pairs[$0..<min(pairs.count, $0 + r.pairsPerStoreBatch)])
                }
            }
            w.storesInFlight = [:]
            w.inFlightPairs = [:]
            w.storeSentAt = [:]
            w.parkedBatches = [:]
            w.retryQueue = []
            w.sliversInFlight = 0
            writes[OperationKey(op)] = w
            actions.append(mark(op, .storeFirstSent))
            sendQueuedStores(op, resources: r, context: ctx, into: actions)
            return
        }
        let mapping = ShardMapping(blobID: w.blob_.metadata.blobID, nShards: ctx.config.nShards)
        var sent = false
        // Room for a store per member at once: grown by doubling, the list was copied a dozen
        // times per write at 10,000 members.
        actions.reserveCapacity(actions.count + ctx.view.committee.members.count + 2)
        for member in ctx.view.committee.members where !w.confirmations.contains(member.node) {
            let pairs = w.blob_.storePairs(ofShards: member.shards, mapping: mapping)
            if !sent { actions.append(mark(op, .storeFirstSent)) }
            sent = true
            actions.append(.send(to: .node(member.node), .store(blob: w.blob, metadata: w.blob_.sharedMetadata, pairs: pairs)))
        }
        if sent { actions.append(mark(op, .storeLastSent)) }
        writes[OperationKey(op)] = w
    }

    /// Sends the queued store batches of write `op` that fit, in queue order, as the SDK the
    /// paper ran does (`retry_with_limits_and_backoff` at `f7135f5b`: a request acquires the
    /// write's permit among `concurrentSliverWrites` first, then one of its node's
    /// `maxNodeConnections`, both from FIFO semaphores). The head batch takes its room (two per
    /// pair; a batch bigger than the whole budget goes alone) and goes if its member has no batch
    /// in flight; otherwise it is parked, still holding its room, until the member's batch in
    /// flight is answered. So a member with many shards can hold the whole budget with one batch
    /// moving: the head-of-line wait the SDK's order has. A member whose refused batch waits out
    /// its backoff is passed over: the SDK queues its slivers only once its metadata is stored.
    private mutating func sendQueuedStores(_ op: UInt64, resources r: ResourceModel, context ctx: ProtocolContext,
                                           into actions: ActionBuffer) {
        guard var w = writes[OperationKey(op)], w.phase == .storing else { return }
        let primary = (try? ctx.config.sliverSize(.primary, blobLength: w.sizeBytes)) ?? 1
        let budget = r.concurrentSliverWrites(primarySliverBytes: primary, nShards: ctx.config.nShards)
        var i = 0
        while i < w.storeQueue.count {
            let (node, pairs) = w.storeQueue[i]
            if w.confirmations.contains(node) { w.storeQueue.remove(at: i); continue }
            if w.storesInFlight[node] == 0 { i += 1; continue }
            let slivers = Self.permits(pairs)
            if w.sliversInFlight > 0 && w.sliversInFlight + slivers > budget { break }
            w.storeQueue.remove(at: i)
            w.sliversInFlight += slivers
            if w.storesInFlight[node] != nil {
                w.parkedBatches[node, default: []].append(pairs)
            } else {
                sendStoreBatch(op, &w, to: node, pairs: pairs, context: ctx, into: actions)
            }
        }
        writes[OperationKey(op)] = w
    }

    /// Sends `pairs` of write `w` (op `op`) to `node`, whose room among the sliver writes in
    /// flight is already taken, with a timer for its answer; marks the last store sent when
    /// nothing is queued or parked.
    private func sendStoreBatch(_ op: UInt64, _ w: inout WriteOp, to node: NodeID, pairs: [Int], context ctx: ProtocolContext,
                                into actions: ActionBuffer) {
        w.storesInFlight[node] = Self.permits(pairs)
        w.inFlightPairs[node] = pairs
        w.storeSentAt[node] = ctx.now
        if let r = ctx.resources { actions.append(.timer(after: r.storeRequestTimeout, token: token(.storeTimeout, op))) }
        actions.append(.send(to: .node(node), .store(blob: w.blob, metadata: w.blob_.sharedMetadata, pairs: w.blob_.storePairs(pairs))))
        if w.storeQueue.isEmpty && w.parkedBatches.isEmpty && w.batchesAfterMetadata.isEmpty { actions.append(mark(op, .storeLastSent)) }
    }

    /// The SDK permits a request takes: one for a metadata request (no pairs), two per pair
    /// (a sliver each) for a store batch.
    private static func permits(_ pairs: [Int]) -> Int { pairs.isEmpty ? 1 : 2 * pairs.count }

    /// Member `node` answered its request of write `op`: frees its room among the sliver writes
    /// in flight; an answered metadata request puts the member's store batches at the end of
    /// the queue (the SDK's `store_pairs` queues its sliver stores once the metadata is stored).
    private mutating func releaseStoreBatch(_ op: UInt64, from node: NodeID) {
        guard var w = writes[OperationKey(op)], let k = w.storesInFlight.removeValue(forKey: node) else { return }
        w.sliversInFlight -= k
        if w.inFlightPairs.removeValue(forKey: node)?.isEmpty == true, let batches = w.batchesAfterMetadata.removeValue(forKey: node) {
            w.storeQueue += batches.map { (node, $0) }
        }
        w.storeSentAt.removeValue(forKey: node)
        writes[OperationKey(op)] = w
    }

    /// Sends member `node`'s next parked batch of write `op` (its room already taken) now that
    /// the member's connections are free; once the member has confirmed, frees the room of all
    /// its parked batches instead.
    private mutating func sendParkedStore(_ op: UInt64, to node: NodeID, context ctx: ProtocolContext, into actions: ActionBuffer) {
        guard var w = writes[OperationKey(op)], w.phase == .storing, w.storesInFlight[node] == nil,
              var parked = w.parkedBatches.removeValue(forKey: node), !parked.isEmpty else { return }
        if w.confirmations.contains(node) {
            w.sliversInFlight -= parked.reduce(0) { $0 + Self.permits($1) }
        } else {
            let pairs = parked.removeFirst()
            if !parked.isEmpty { w.parkedBatches[node] = parked }
            sendStoreBatch(op, &w, to: node, pairs: pairs, context: ctx, into: actions)
        }
        writes[OperationKey(op)] = w
    }

    /// Member `node`'s parked batches of write `op` give their room back: back at the head of
    /// the queue (its metadata was refused, so the SDK has not queued its slivers), or dropped.
    private func unparkStores(of node: NodeID, _ w: inout WriteOp, requeue: Bool) {
        if !requeue { w.batchesAfterMetadata.removeValue(forKey: node) }
        guard let parked = w.parkedBatches.removeValue(forKey: node) else { return }
        w.sliversInFlight -= parked.reduce(0) { $0 + Self.permits($1) }
        if requeue { w.storeQueue.insert(contentsOf: parked.map { (node, $0) }, at: 0) }
    }

    /// Under the resource model, a node answers a store with its status of the blob, not
    /// registered, when it has not seen the registration yet (its chain lags the client's). As
    /// the SDK does, the batch's sliver writes are released and the batch goes to that node
    /// again after the backoff (`ResourceModel.storeRetryDelay`), the node taking no other batch
    /// meanwhile; after `storeRetries` retries the client gives up on the node. Returns `false`
    /// when the answer is not about a store in flight (it answers a status check). A status
    /// check's answer still on its way when the store to the same node goes out (1-3 s of
    /// registration later) would be taken for a refusal and cost that node one backoff.
    private mutating func takeStoreRefusal(_ blob: BlobRef, from node: NodeID, resources r: ResourceModel, context ctx: ProtocolContext,
                                           into actions: ActionBuffer) -> Bool {
        guard let op = writeByBlob[blob] else { return false }
        return failStoreBatch(op, to: node, resources: r, context: ctx, into: actions)
    }

    /// The batch in flight to `node` of write `op` failed (refused, or unanswered for
    /// `storeRequestTimeout`): its room is released and it goes again after the backoff, or,
    /// after `storeRetries` retries, the client gives up on the node. `false` when no batch of
    /// that write is in flight to that node.
    private mutating func failStoreBatch(_ op: UInt64, to node: NodeID, resources r: ResourceModel, context ctx: ProtocolContext,
                                         into actions: ActionBuffer) -> Bool {
        guard var w = writes[OperationKey(op)], w.phase == .storing,
              let k = w.storesInFlight[node], k > 0, let pairs = w.inFlightPairs.removeValue(forKey: node) else { return false }
        w.sliversInFlight -= k
        w.storeSentAt.removeValue(forKey: node)
        let retry = w.storeRetriesUsed[node, default: 0]
        if retry < r.storeRetries {
            w.storeRetriesUsed[node] = retry + 1
            w.storesInFlight[node] = 0
            let delay = r.storeRetryDelay(node: node.index, retry: retry)
            w.retryQueue.append((node, pairs, ctx.now + delay))
            unparkStores(of: node, &w, requeue: true)
            actions.append(.timer(after: delay, token: token(.storeRetry, op)))
        } else {
            w.storesInFlight.removeValue(forKey: node)
            unparkStores(of: node, &w, requeue: false)
            w.storeQueue.removeAll { $0.node == node }
        }
        writes[OperationKey(op)] = w
        sendQueuedStores(op, resources: r, context: ctx, into: actions)
        return true
    }

    private mutating func finishWrite(_ op: UInt64, _ result: FinishedOperation.Result, detail: String, context ctx: ProtocolContext,
                                      into actions: ActionBuffer) {
        guard let w = writes.removeValue(forKey: OperationKey(op)) else { return }
        writeByBlob.removeValue(forKey: w.blob)
        actions.append(.observe(.operationFinished(FinishedOperation(
            id: op, kind: .write, client: id, blob: w.blob, start: w.start, end: ctx.now, result: result,
            bytes: w.sizeBytes, attempts: w.attempt, detail: detail))))
    }

    // MARK: Read

    /// Starts reading `blob`, trying pairs in `order` (a permutation of the pair indices drawn
    /// by the caller from the client's stream). With `patch`, reads one patch of a quilt by its
    /// patch ID: after the metadata, only the secondary slivers of the patch's columns are
    /// fetched and verified, and the patch is decoded from them; if any of them is missing or
    /// fails verification, the read falls back to the whole quilt, as Walrus's quilt client does.
    public mutating func startRead(op: UInt64, blob: BlobRef, order: [Int], patch: Range<Int>? = nil, context ctx: ProtocolContext) -> [Action] {
        ActionBuffer.collect { startRead(op: op, blob: blob, order: order, patch: patch, context: ctx, into: $0) }
    }

    /// `startRead` appending its actions to `actions`, a buffer the caller reuses.
    public mutating func startRead(op: UInt64, blob: BlobRef, order: [Int], patch: Range<Int>? = nil, context ctx: ProtocolContext,
                                   into actions: ActionBuffer) {
        reads[OperationKey(op)] = ReadOp(blob: blob, start: ctx.now, order: order, patch: patch)
        readsByBlob[blob, default: []].append(op)
        if ctx.view.status(blob)?.invalid == true {
            // The status check finds the blob invalid on chain (the SDK reports it does not exist).
            finishRead(op, .invalid, detail: "the blob is invalid on chain", context: ctx, into: actions)
            return
        }
        actions.append(.timer(after: attemptTimeout, token: token(.readTimeout, op)))
        actions.append(.timer(after: requestTimeout, token: token(.readProbe, op)))
        if ctx.resources?.statusCheck == true {
            // The SDK first asks the nodes for the blob's status; metadata requests follow its quorum.
            reads[OperationKey(op)]!.statusChecking = true
            askStatus(blob, skipping: [], context: ctx, into: actions)
        } else {
            requestMetadata(op, context: ctx, into: actions)
        }
    }

    /// Shard owners to read from: during a hand-over, blobs certified before the epoch are
    /// still read from the previous committee (spec §1.6).
    private static func owners(for blob: BlobRef, _ ctx: ProtocolContext) -> [NodeID?] {
        ctx.view.readsPreviousCommittee(blob) ? ctx.view.previousOwnerOf : ctx.view.ownerOf
    }

    private mutating func requestMetadata(_ op: UInt64, context ctx: ProtocolContext, into actions: ActionBuffer) {
        guard var r = reads[OperationKey(op)], let entry = ctx.catalog.entry(r.blob) else { return }
        let n = ctx.config.nShards
        let mapping = ShardMapping(blobID: entry.metadata.blobID, nShards: n)
        let owner = Self.owners(for: r.blob, ctx)
        while r.metadataTries < n {
            let pair = r.order[r.metadataTries % r.order.count]
            r.metadataTries += 1
            if let node = owner[mapping.shard(ofPair: pair)], !ctx.hasResources || r.metadataAsked.insert(node).inserted {
                actions.append(.send(to: .node(node), .metadataRequest(blob: r.blob)))
                reads[OperationKey(op)] = r
                return
            }
        }
        reads[OperationKey(op)] = r
        outOfNodes(op, detail: "no node to ask for metadata", context: ctx, into: actions)
    }

    /// Read `op` asked every node it could without getting what it needs. Under the resource
    /// model, as the SDK's `read_blob_retry_committees` does on `NotEnoughSlivers` and
    /// `NoMetadataReceived`, it starts over after the backoff (`ResourceModel.readRetryDelay`),
    /// at most `readRetries` times: one pass of a read never asks a node twice for a sliver, so
    /// a node that answered "not held" (say, still syncing a shard it just took over) is asked
    /// again only by the next pass. Without the resource model, or with its retries spent, the
    /// read fails with `detail`.
    private mutating func outOfNodes(_ op: UInt64, detail: String, context ctx: ProtocolContext, into actions: ActionBuffer) {
        if reads[OperationKey(op)]?.retryPending == true { return }  // a late answer after the pass ended: the retry is set
        guard let res = ctx.resources, var r = reads[OperationKey(op)], r.retries < res.readRetries else {
            finishRead(op, .failed, detail: detail, context: ctx, into: actions)
            return
        }
        r.retryPending = true
        reads[OperationKey(op)] = r
        actions.append(.timer(after: res.readRetryDelay(op: op, retry: r.retries), token: token(.readRetry, op)))
    }

    /// The pair order of the SDK's read (`request_slivers_and_decode` over
    /// `node_read_communications` at `f7135f5b`): `members`, already in the random order the
    /// caller drew, each member's shards one after another; pairs of shards no member holds (none
    /// in a full committee) go last, so every pair is listed once.
    public static func sdkReadOrder(members: [CommitteeMember], mapping: ShardMapping, nShards: Int) -> [Int] {
        var order = members.flatMap { $0.shards.map { mapping.pair(ofShard: $0.index) } }
        if order.count < nShards {
            var listed = Array(repeating: false, count: nShards)
            for p in order { listed[p] = true }
            order += (0..<nShards).filter { !listed[$0] }
        }
        return order
    }

    /// The next pass of read `op` after its backoff: the SDK refreshes its committees and reads
    /// anew (metadata, then slivers), keeping nothing of the previous pass but the bytes it moved.
    /// It also draws a new order over the (refreshed) read committee: here its members shuffled
    /// by a SplitMix64 sequence of the operation and the retry, so that runs stay deterministic.
    private mutating func retryRead(_ op: UInt64, context ctx: ProtocolContext, into actions: ActionBuffer) {
        guard var r = reads[OperationKey(op)], r.retryPending else { return }
        r.retryPending = false
        r.retries += 1
        if let mapping = ctx.catalog.shardMapping(r.blob) {
            var members = ctx.view.readCommittee(for: r.blob).members
            var state = SeedDerivation.splitMix64(op) ^ UInt64(r.retries) << 40
            for i in stride(from: members.count - 1, to: 0, by: -1) {
                state = SeedDerivation.splitMix64(state)
                members.swapAt(i, Int(state % UInt64(i + 1)))
            }
            let order = Self.sdkReadOrder(members: members, mapping: mapping, nShards: ctx.config.nShards)
            if order.count == r.order.count { r.order = order }
        }
        r.metadata = nil
        r.metadataTries = 0
        r.slivers = []
        r.modeledSlivers = 0
        r.forgetRequests()
        r.metadataAsked.removeAll()
        reads[OperationKey(op)] = r
        requestMetadata(op, context: ctx, into: actions)
    }

    /// What `look` finds in read `op`, or `nil` if there is no such read. The read is reached
    /// in place, through the table's modify accessor (`&reads.values[i]`): reading it through
    /// the table's getter (`reads[OperationKey(op)]?.…`, or `reads.values[i].…`), even one field, copies the
    /// whole read, its sets and slivers, and these lookups run per response; taking it out and
    /// putting it back, as was done, hashed twice and copied it back in. The hot paths (sliver
    /// answers, the requests that follow) work on the read in place the same way.
    private mutating func peekRead<T>(_ op: UInt64, _ look: (inout ReadOp) -> T) -> T? {
        guard let i = reads.index(forKey: OperationKey(op)) else { return nil }
        return look(&reads.values[i])
    }

    /// Whether read `op` waits for `index` (see `ReadOp.awaits`).
    private mutating func awaits(_ op: UInt64, _ index: Int, column: Bool = false) -> Bool {
        peekRead(op) { $0.awaits(index, column: column) } ?? false
    }

    /// Whether read `op` exists and has its metadata.
    private mutating func hasMetadata(_ op: UInt64) -> Bool {
        peekRead(op) { $0.metadata != nil } ?? false
    }

    /// Whether reads of `blob` ask each node once for all the primary slivers it should serve
    /// (`sliversRequest`) instead of once per sliver: for modeled blobs without a resource
    /// model. The calibrated runs under `[resources]` count the SDK's per-sliver requests, and
    /// real-encoding runs keep their event stream, so both keep one request per sliver.
    private static func readsByNode(_ blob: BlobRef, _ ctx: ProtocolContext) -> Bool {
        !ctx.hasResources && ctx.catalog.isModeled(blob)
    }

    private mutating func requestSlivers(_ op: UInt64, context ctx: ProtocolContext, into actions: ActionBuffer) {
        guard let i = reads.index(forKey: OperationKey(op)),
              let held = Self.requestSlivers(for: &reads.values[i], context: ctx, into: actions)  // in place: see `peekRead`
        else { return }
        outOfNodes(op, detail: "only \(held) of \(ctx.config.sliversForDecoding(.primary)) primary slivers available", context: ctx, into: actions)
    }

    /// Asks for the primary slivers read `r` (with its metadata) still needs, as `requestSlivers`
    /// describes. Returns the slivers it holds when it has too few and nothing left to ask:
    /// the read is out of nodes.
    private static func requestSlivers(for r: inout ReadOp, context ctx: ProtocolContext, into actions: ActionBuffer) -> Int? {
        guard let meta = r.metadata else { return nil }
        let need = ctx.config.sliversForDecoding(.primary)
        // Without a resource model both ways of asking below stop once the slivers held and
        // asked for cover R, and then the read is not out of nodes: most answers to a read
        // find it so, and the set-up below (owners, mapping, committee) is then skipped.
        if !ctx.hasResources && r.slivers.count + r.modeledSlivers + r.outstanding.count >= need { return nil }
        let mapping = ctx.catalog.shardMapping(r.blob, blobID: meta.blobID)
        let owner = Self.owners(for: r.blob, ctx)
        if Self.readsByNode(r.blob, ctx) {
            // Walk the pairs in the read's order as below, but each new node is asked at once for
            // every pair of its shards the read has not yet asked for: the read asks about
            // need / (shards per node) nodes, plus at most one node's shards as a margin, and a
            // node that fails or withholds is replaced by the next ones in the order, as a lost or
            // empty per-sliver answer is.
            let committee = ctx.view.readCommittee(for: r.blob)
            while r.slivers.count + r.modeledSlivers + r.outstanding.count < need, r.nextPair < r.order.count {
                let pair = r.order[r.nextPair]
                r.nextPair += 1
                guard !r.answered.contains(pair), !r.stale.contains(pair), !r.outstanding.contains(pair),
                      let node = owner[mapping.shard(ofPair: pair)] else { continue }
                let shards = committee.shards(of: node)
                var pairs: [Int] = []
                pairs.reserveCapacity(shards.count + 1)  // one allocation, not a doubling series
                for shard in shards where owner[shard.index] == node {
                    let p = mapping.pair(ofShard: shard.index)
                    if !r.answered.contains(p), !r.stale.contains(p), r.outstanding.insert(p).inserted { pairs.append(p) }
                }
                if r.outstanding.insert(pair).inserted { pairs.append(pair) }  // owner map and committee disagree: still ask
                actions.append(.send(to: .node(node), .sliversRequest(blob: r.blob, pairs: pairs)))
            }
        } else {
            // Under the resource model the SDK also keeps at most max_data_in_flight bytes of slivers requested.
            var limit = need
            if let res = ctx.resources, let entry = ctx.catalog.entry(r.blob) {
                let sliver = (try? ctx.config.sliverSize(.primary, blobLength: entry.sizeBytes)) ?? 1
                limit = max(1, min(need, Int(res.maxDataInFlight / UInt64(max(1, sliver)))))
            }
            // Keep up to R requests in flight (the SDK's initial read concurrency is n - 2f).
            // Under the resource model, as the SDK's `WeightedFutures::execute_weight` does, the
            // limit holds until R slivers are in, however few are still missing: a read whose last
            // requests went to a crashed node does not then ask one node's shards two at a time.
            let capAtNeed = !ctx.hasResources
            while !capAtNeed || r.slivers.count + r.modeledSlivers + r.outstanding.count < need, r.outstanding.count < limit, r.nextPair < r.order.count {
                let pair = r.order[r.nextPair]
                r.nextPair += 1
                guard !r.answered.contains(pair), !r.stale.contains(pair), let node = owner[mapping.shard(ofPair: pair)] else { continue }
                r.outstanding.insert(pair)
                actions.append(.send(to: .node(node), .sliverRequest(blob: r.blob, pair: pair)))
            }
        }
        // Under the resource model, requests presumed lost count as failed, as the SDK's would
        // once they time out: with nothing left to ask, the pass is over (`outOfNodes`).
        // Without it, the read waits for their late answers or its attempt timeout.
        if r.outstanding.isEmpty && (r.stale.isEmpty || ctx.hasResources) && r.slivers.count + r.modeledSlivers < need {
            return r.slivers.count + r.modeledSlivers
        }
        return nil
    }

    /// Takes the answer for the primary sliver of `pair` into whole-blob read `op` (which awaits
    /// it and has its metadata, `meta`): the pair counts as answered, and the sliver is kept if it
    /// verifies, else reported as rejected. Verification CPU is added to `cpu` (set once any
    /// sliver came), not charged here, so that a batched answer charges it in one action. Does not decode or ask for more.
    /// Static, so that the caller can pass the read in place (see `peekRead`); `client` is this client.
    /// `verdict` memoizes the check of a modeled sliver size for read `r` (an answer's modeled
    /// slivers all have one size: checked and costed once per answer, not per sliver).
    private static func takePrimary(into r: inout ReadOp, pair: Int, sliver: SliverPayload?, bytes: UInt64, client: ClientID, from: Party,
                                    metadata meta: BlobMetadataWithID, cpu: inout SimDuration?, verdict: inout ModeledSliverVerdict,
                                    context ctx: ProtocolContext, into actions: ActionBuffer) {
        if case .modeled(let index, let size)? = sliver {
            takeModeledPrimary(into: &r, pair: pair, index: index, size: size, bytes: bytes, client: client, from: from,
                               metadata: meta, cpu: &cpu, verdict: &verdict, context: ctx, into: actions)
            return
        }
        markAnswered(&r, pair: pair, bytes: bytes)
        guard let s = sliver, s.index == pair else { return }
        cpu = (cpu ?? .zero) + ctx.costs.sliver(bytes: UInt64(s.byteCount), nShards: ctx.config.nShards)
        if ctx.catalog.isValid(primary: s, blob: r.blob, metadata: meta) {
            if case .real(let sliver) = s { r.slivers.append(sliver) }
        } else {
            actions.append(.observe(.responseRejected(by: .client(client), from: from, blob: r.blob, what: "sliver \(pair)")))
        }
    }

    /// `takePrimary` of a modeled sliver (`index`, `size` bytes): verified once per size per
    /// read (`verdict`), counted, not kept.
    @inline(__always)
    private static func takeModeledPrimary(into r: inout ReadOp, pair: Int, index: Int, size: Int, bytes: UInt64, client: ClientID,
                                           from: Party, metadata meta: BlobMetadataWithID, cpu: inout SimDuration?,
                                           verdict: inout ModeledSliverVerdict, context ctx: ProtocolContext, into actions: ActionBuffer) {
        markAnswered(&r, pair: pair, bytes: bytes)
        guard index == pair else { return }
        if size != verdict.bytes {
            verdict = ModeledSliverVerdict(bytes: size, cost: ctx.costs.sliver(bytes: UInt64(size), nShards: ctx.config.nShards),
                                           valid: ctx.catalog.isValid(primary: .modeled(index: index, bytes: size), blob: r.blob, metadata: meta))
        }
        cpu = (cpu ?? .zero) + verdict.cost
        if verdict.valid {
            r.modeledSlivers += 1
        } else {
            actions.append(.observe(.responseRejected(by: .client(client), from: from, blob: r.blob, what: "sliver \(pair)")))
        }
    }

    /// Pair `pair` of read `r` is answered (whatever the answer holds), `bytes` on the wire.
    @inline(__always)
    private static func markAnswered(_ r: inout ReadOp, pair: Int, bytes: UInt64) {
        r.outstanding.remove(pair)
        r.stale.remove(pair)
        r.answered.insert(pair)
        r.bytes += bytes
    }

    /// The verification cost and verdict of a modeled primary sliver of `bytes` bytes for one
    /// read (`bytes` -1: none checked yet).
    struct ModeledSliverVerdict {
        var bytes = -1
        var cost = SimDuration.zero
        var valid = false
    }

    /// Takes into read `r`, if it has its metadata, each pair of a batched answer (`pairs`,
    /// `slivers`) not yet `claimed` by an earlier read that it awaits, claiming it; the answer's
    /// `framing` is charged to the first pair taken. Returns whether it took any.
    private static func takePrimaries(into r: inout ReadOp, pairs: [Int], slivers: SliverAnswers, claimed: UnsafeMutableBufferPointer<Bool>,
                                      framing: inout UInt64, client: ClientID, from: Party, cpu: inout SimDuration?,
                                      context ctx: ProtocolContext, into actions: ActionBuffer) -> Bool {
        guard let meta = r.metadata else { return false }  // once per answer, not per sliver
        if let size = slivers.allServedModeledBytes, !claimed.contains(true),
           takeWholeModeledAnswer(into: &r, pairs: pairs, size: size, framing: &framing, metadata: meta, cpu: &cpu, context: ctx) {
            for k in claimed.indices { claimed[k] = true }
            return true
        }
        var took = false
        var verdict = ModeledSliverVerdict()
        for (k, pair) in pairs.enumerated() where !claimed[k] && r.awaits(pair) {
            claimed[k] = true
            // A compact answer's modeled sliver is taken without making its payload.
            if k < slivers.count, let size = slivers.compactModeledBytes(at: k) {
                takeModeledPrimary(into: &r, pair: pair, index: pair, size: size, bytes: framing + SliverPayload.wireBytes(sliverBytes: size), client: client,
                                   from: from, metadata: meta, cpu: &cpu, verdict: &verdict, context: ctx, into: actions)
            } else {
                let sliver = k < slivers.count ? slivers.payload(at: k, pair: pair) : nil
                takePrimary(into: &r, pair: pair, sliver: sliver, bytes: framing + (sliver?.wireBytes ?? 1), client: client, from: from,
                            metadata: meta, cpu: &cpu, verdict: &verdict, context: ctx, into: actions)
            }
            framing = 0
            took = true
        }
        return took
    }

    /// `takePrimaries` of an honest node's whole answer in one go, when it applies: every pair of
    /// `pairs` (distinct, none negative) served as a modeled sliver of `size` bytes, every one
    /// awaited by read `r` (a whole-blob read), none claimed, and the size valid for the blob.
    /// Then the read's bookkeeping is done a word of pairs at a time, with the same outcome as
    /// pair by pair: each pair answered, its sliver counted, the verification cost charged per
    /// sliver, the framing to the first. Returns false, having changed nothing, when it does not
    /// apply (the caller goes pair by pair).
    private static func takeWholeModeledAnswer(into r: inout ReadOp, pairs: [Int], size: Int, framing: inout UInt64,
                                               metadata meta: BlobMetadataWithID, cpu: inout SimDuration?,
                                               context ctx: ProtocolContext) -> Bool {
        guard r.patch == nil, var lowest = pairs.first else { return false }
        var highest = lowest
        for pair in pairs {
            lowest = min(lowest, pair)
            highest = max(highest, pair)
        }
        guard lowest >= 0 else { return false }
        // A node's shards are mostly one run, and so are their pairs: the mask spans the words
        // between the lowest and the highest pair only.
        let first = lowest >> 6
        return withUnsafeTemporaryAllocation(of: UInt64.self, capacity: highest >> 6 - first + 1) { mask -> Bool in
            mask.initialize(repeating: 0)
            var distinct = 0
            for pair in pairs {
                let bit: UInt64 = 1 << UInt64(pair & 63)
                if mask[pair >> 6 - first] & bit == 0 { distinct += 1 }
                mask[pair >> 6 - first] |= bit
            }
            guard distinct == pairs.count,
                  r.outstanding.coversAll(mask, from: first, with: r.stale),
                  ctx.catalog.isValid(primary: .modeled(index: pairs[0], bytes: size), blob: r.blob, metadata: meta)
            else { return false }
            r.outstanding.subtract(mask, from: first)
            r.stale.subtract(mask, from: first)
            r.answered.formUnion(mask, from: first)
            r.bytes += framing + UInt64(pairs.count) * SliverPayload.wireBytes(sliverBytes: size)
            framing = 0
            cpu = (cpu ?? .zero) + ctx.costs.sliver(bytes: UInt64(size), nShards: ctx.config.nShards) * UInt64(pairs.count)
            r.modeledSlivers += pairs.count
            return true
        }
    }

    /// After primary slivers arrived for read `op`: decode once R are held, else ask for more.
    private mutating func continueRead(_ op: UInt64, context ctx: ProtocolContext, into actions: ActionBuffer) {
        guard let held = peekRead(op, { $0.slivers.count + $0.modeledSlivers }) else { return }
        if held >= ctx.config.sliversForDecoding(.primary) {
            decode(op, context: ctx, into: actions)
        } else {
            requestSlivers(op, context: ctx, into: actions)
        }
    }

    private mutating func finishRead(_ op: UInt64, _ result: FinishedOperation.Result, detail: String, context ctx: ProtocolContext,
                                     into actions: ActionBuffer) {
        guard let r = reads.removeValue(forKey: OperationKey(op)) else { return }
        readsByBlob[r.blob]?.removeAll { $0 == op }
        if readsByBlob[r.blob]?.isEmpty == true { readsByBlob.removeValue(forKey: r.blob) }
        actions.append(.observe(.operationFinished(FinishedOperation(
            id: op, kind: .read, client: id, blob: r.blob, start: r.start, end: ctx.now, result: result,
            bytes: r.bytes, attempts: r.attempt + r.retries, detail: detail))))
    }

    // MARK: Messages, chain events, timers

    /// Handles a message from a node: a storage confirmation (counted once per signer,
    /// current epoch only, by its committee weight; at the 2f+1 quorum, certification is
    /// scheduled after another 0.5 x elapsed + 0.5 s), a metadata response (kept if it
    /// matches the registered blob ID and verifies) or a sliver response (kept if it
    /// verifies; decoding starts once R primary slivers are held, spec walrus-encoding
    /// §4.2). Node-bound messages are ignored. Returns the actions to carry out.
    public mutating func receive(_ message: Message, from: Party, context ctx: ProtocolContext) -> [Action] {
        ActionBuffer.collect { receive(message, from: from, context: ctx, into: $0) }
    }

    /// `receive` appending its actions to `actions`, a buffer the caller reuses (no array per event).
    public mutating func receive(_ message: Message, from: Party, context ctx: ProtocolContext, into actions: ActionBuffer) {
        switch message {
        case .stored(let blob, _, _) where ctx.hasResources && writeByBlob[blob].flatMap({ writes[OperationKey($0)] })?.storesInFlight.isEmpty == false:
            // Under the SDK's limits, any answer frees its sliver writes for the queued stores.
            let op = writeByBlob[blob]!
            if case .node(let node) = from { releaseStoreBatch(op, from: node) }
            takeConfirmation(message, context: ctx, into: actions)
            if case .node(let node) = from { sendParkedStore(op, to: node, context: ctx, into: actions) }
            if let r = ctx.resources { sendQueuedStores(op, resources: r, context: ctx, into: actions) }

        case .stored:
            takeConfirmation(message, context: ctx, into: actions)

        case .blobStatusResponse(let blob, let registered, _):
            guard case .node(let node) = from else { break }
            if !registered, let r = ctx.resources, takeStoreRefusal(blob, from: node, resources: r, context: ctx, into: actions) { break }
            takeStatus(blob, from: node, context: ctx, into: actions)

        case .metadataResponse(let blob, let shared):
            let metadata = shared?.value
            for op in readsByBlob[blob] ?? [] {
                guard peekRead(op, { $0.metadata == nil && !$0.retryPending }) == true, let registered = ctx.catalog.blobID(blob) else { continue }
                actions.append(.cpu(ctx.costs.hashCost * UInt64(2 * ctx.config.nShards)))
                let valid = metadata.map { $0.blobID == registered && ctx.catalog.isValidMetadata($0, blob: blob) } ?? false
                if metadata != nil, !valid { actions.append(.observe(.responseRejected(by: .client(id), from: from, blob: blob, what: "metadata"))) }
                if valid, let m = metadata {
                    actions.append(mark(op, .metadataReceived))
                    reads[OperationKey(op)]!.metadata = m  // a change in place (`_modify`), unlike a read through the table
                    reads[OperationKey(op)]!.bytes += message.wireBytes
                    requestData(op, context: ctx, into: actions)
                } else {
                    requestMetadata(op, context: ctx, into: actions)
                }
                break  // one read consumes one response
            }

        case .sliverResponse(let blob, let pair, let sliver):
            // The first read of the blob awaiting the pair takes it (if it has its metadata).
            // Each read is taken out of the table and put back (one sliver per answer, the
            // calibrated and real-encoding runs' path; batched answers work in place, see `peekRead`).
            for op in readsByBlob[blob] ?? [] {
                guard var r = reads.removeValue(forKey: OperationKey(op)) else { continue }
                guard r.awaits(pair) else { reads[OperationKey(op)] = r; continue }
                guard let meta = r.metadata else { reads[OperationKey(op)] = r; break }
                var cpu: SimDuration?
                var verdict = ModeledSliverVerdict()
                let start = actions.endIndex
                Self.takePrimary(into: &r, pair: pair, sliver: sliver, bytes: message.wireBytes, client: id, from: from, metadata: meta,
                                 cpu: &cpu, verdict: &verdict, context: ctx, into: actions)
                reads[OperationKey(op)] = r
                if let cpu { actions.insert(.cpu(cpu), at: start) }
                continueRead(op, context: ctx, into: actions)
                break
            }

        case .sliversResponse(let blob, let pairs, let slivers):
            // Each pair goes to the first read of the blob awaiting it, as a `sliverResponse`
            // would (walking the reads, not the pairs, so that each read is looked up once);
            // the framing is counted once, on the first read served.
            // Which pairs a read took, and the reads served: on the stack (an answer per node asked).
            let readers = readsByBlob[blob] ?? []
            withUnsafeTemporaryAllocation(of: Bool.self, capacity: pairs.count) { claimed in
              withUnsafeTemporaryAllocation(of: UInt64.self, capacity: readers.count) { served in
                claimed.initialize(repeating: false)
                var servedCount = 0
                var cpu: SimDuration?
                let start = actions.endIndex
                var framing = message.wireBytes - slivers.wireBytes
                let client = id
                for op in readers {
                    guard let i = reads.index(forKey: OperationKey(op)) else { continue }
                    // In place (see `peekRead`): the read, if it has its metadata, takes the pairs it awaits.
                    let took = Self.takePrimaries(into: &reads.values[i], pairs: pairs, slivers: slivers, claimed: claimed,
                                                  framing: &framing, client: client, from: from, cpu: &cpu, context: ctx, into: actions)
                    if took {
                        served.initializeElement(at: servedCount, to: op)
                        servedCount += 1
                    }
                }
                // Verifying the slivers is one CPU action before what it leads to (see `execute`).
                if let cpu { actions.insert(.cpu(cpu), at: start) }
                for op in served[..<servedCount] { continueRead(op, context: ctx, into: actions) }
              }
            }

        case .columnResponse(let blob, let column, let payload):
            guard let op = (readsByBlob[blob] ?? []).first(where: { awaits($0, column, column: true) }),
                  hasMetadata(op), var r = reads[OperationKey(op)], let meta = r.metadata else { break }
            r.outstanding.remove(column)
            r.stale.remove(column)
            r.answered.insert(column)
            r.bytes += message.wireBytes
            guard let s = payload, s.index == column else {
                reads[OperationKey(op)] = r
                fallBackToWholeBlob(op, context: ctx, into: actions)
                break
            }
            actions.append(.cpu(ctx.costs.sliver(bytes: UInt64(s.byteCount), nShards: ctx.config.nShards)))
            guard ctx.catalog.isValid(secondary: s, blob: blob, metadata: meta) else {
                actions.append(.observe(.responseRejected(by: .client(id), from: from, blob: blob, what: "column \(column)")))
                reads[OperationKey(op)] = r
                fallBackToWholeBlob(op, context: ctx, into: actions)
                break
            }
            switch s {
            case .real(let sliver): r.columns.append(sliver)
            case .modeled: r.modeledColumns += 1
            }
            reads[OperationKey(op)] = r
            if let patch = r.patch, r.columns.count + r.modeledColumns == patch.count { decodePatch(op, context: ctx, into: actions) }

        case .store, .metadataRequest, .sliverRequest, .sliversRequest, .columnRequest, .blobStatusRequest, .recoveryRequest, .recoveryResponse, .modeledRecoveryResponse, .syncRequest, .syncResponse,
             .inconsistencyProof, .invalidBlobAttestation:
            break  // node-bound messages
        }
    }

    /// Asks for what the read needs after the metadata: its patch's columns or R primary slivers.
    private mutating func requestData(_ op: UInt64, context ctx: ProtocolContext, into actions: ActionBuffer) {
        guard let patchRead = peekRead(op, { $0.patch != nil }) else { return }
        if patchRead { requestColumns(op, context: ctx, into: actions) } else { requestSlivers(op, context: ctx, into: actions) }
    }

    /// Requests every column of the patch not yet answered or in flight, each from the owner of
    /// the pair holding it (secondary sliver j is in pair n - 1 - j). No owner: whole blob.
    private mutating func requestColumns(_ op: UInt64, context ctx: ProtocolContext, into actions: ActionBuffer) {
        guard var r = reads[OperationKey(op)], let meta = r.metadata, let patch = r.patch else { return }
        let n = ctx.config.nShards
        let mapping = ctx.catalog.shardMapping(r.blob, blobID: meta.blobID)
        let owner = Self.owners(for: r.blob, ctx)
        // A column presumed lost is asked for again: no other node holds it.
        for column in patch where !r.answered.contains(column) && !r.outstanding.contains(column) {
            r.stale.remove(column)
            guard let node = owner[mapping.shard(ofPair: n - 1 - column)] else {
                reads[OperationKey(op)] = r
                fallBackToWholeBlob(op, context: ctx, into: actions)
                return
            }
            r.outstanding.insert(column)
            actions.append(.send(to: .node(node), .columnRequest(blob: r.blob, sliver: column)))
        }
        reads[OperationKey(op)] = r
    }

    /// Turns a patch read into a whole-blob read (Walrus's quilt client does the same when a
    /// column cannot be had): forget the columns and read R primary slivers.
    private mutating func fallBackToWholeBlob(_ op: UInt64, context ctx: ProtocolContext, into actions: ActionBuffer) {
        guard var r = reads[OperationKey(op)], r.patch != nil else { return }
        r.patch = nil
        r.columns = []
        r.modeledColumns = 0
        r.forgetRequests()
        reads[OperationKey(op)] = r
        requestSlivers(op, context: ctx, into: actions)
    }

    /// Decodes the patch from its verified columns: real quilts through the QuiltV1 decoder
    /// (header, identifier, bytes), modeled ones by charging the bytes.
    private mutating func decodePatch(_ op: UInt64, context ctx: ProtocolContext, into actions: ActionBuffer) {
        guard let r = reads[OperationKey(op)], let patch = r.patch, let entry = ctx.catalog.entry(r.blob) else { return }
        let bytes = entry.modeled ? UInt64(ctx.catalog.sliverSizes(r.blob).secondary * r.modeledColumns)
                                  : UInt64(r.columns.reduce(0) { $0 + $1.data.count })
        actions.append(.cpu(ctx.costs.bytes(bytes)))
        if entry.modeled {
            finishRead(op, .ok, detail: "", context: ctx, into: actions)
            return
        }
        do {
            var decoder = QuiltDecoder()
            try decoder.add(r.columns)
            _ = try decoder.blob(internalID: QuiltPatchInternalID(startIndex: UInt16(patch.lowerBound), endIndex: UInt16(patch.upperBound)))
            finishRead(op, .ok, detail: "", context: ctx, into: actions)
        } catch {
            finishRead(op, .inconsistent, detail: "patch decode: \(error)", context: ctx, into: actions)
        }
    }

    /// A storage confirmation: counted once per signer, current epoch only, by its committee
    /// weight; at the 2f+1 quorum, certification is scheduled after another 0.5 x elapsed + 0.5 s.
    private mutating func takeConfirmation(_ message: Message, context ctx: ProtocolContext, into actions: ActionBuffer) {
        guard case .stored(let blob, let epoch, let signature) = message, let sig = signature, epoch == ctx.view.epoch,
              let op = writeByBlob[blob], let i = writes.index(forKey: OperationKey(op)) else { return }
        // Changed in place (`Dictionary.Values`' modify accessor): one lookup, no copy of the
        // write or its confirmations, and this runs per confirmation.
        Self.take(sig, into: &writes.values[i], op: op, context: ctx, actions: actions)
    }

    /// Records confirmation `sig` in write `w` (op `op`) and, at a certification quorum,
    /// schedules the certificate after the SDK's extra wait.
    private static func take(_ sig: ConfirmationSignature, into w: inout WriteOp, op: UInt64, context ctx: ProtocolContext,
                             actions: ActionBuffer) {
        guard w.phase == .storing, !w.confirmations.contains(sig.signer) else { return }
        let weight = ctx.view.committee.weight(of: sig.signer)
        guard weight > 0 else { return }
        if w.confirmations.isEmpty { w.confirmations.reserveCapacity(ctx.view.committee.members.count) }
        w.confirmations.insert(sig)
        w.weight += weight
        guard Quorum.isCertificationQuorum(weight: w.weight, nShards: ctx.config.nShards), !w.certifyScheduled else { return }
        // After the quorum, wait 0.5 x elapsed + 0.5 s for more confirmations (SDK default).
        w.certifyScheduled = true
        let extra = SimDuration(nanoseconds: (ctx.now - w.storeStart).nanoseconds / 2) + .milliseconds(500)
        actions.append(.observe(.phaseMark(op: op, mark: .quorum, backdate: .zero)))
        actions.append(.timer(after: extra, token: timerToken(.certifyNow, op)))
    }

    /// The CPU time of a read's decode and consistency check (`total`), and the check's part of
    /// it. Decoding is one pass over the received bytes. The check, under the resource model, is
    /// what the SDK does: re-encode the decoded blob with its metadata (`decode_and_verify`), on
    /// one core, as costly as the writer's encoding; otherwise one more pass over the bytes.
    private func decodeAndCheckCost(receivedBytes: UInt64, blobBytes: UInt64, context ctx: ProtocolContext) -> (total: SimDuration, check: SimDuration) {
        guard ctx.hasResources else {
            let total = ctx.costs.bytes(receivedBytes * 2)
            return (total, SimDuration(nanoseconds: total.nanoseconds - ctx.costs.bytes(receivedBytes).nanoseconds))
        }
        let check = ctx.costs.encodeBlob(blobLength: blobBytes, config: ctx.config)
        return (ctx.costs.bytes(receivedBytes) + check, check)
    }

    private mutating func decode(_ op: UInt64, context ctx: ProtocolContext, into actions: ActionBuffer) {
        guard let r = reads[OperationKey(op)], let meta = r.metadata, let entry = ctx.catalog.entry(r.blob) else { return }
        actions.append(mark(op, .sliversReceived))
        if entry.modeled {
            // Sizes only: charge the decode and the check, there are no bytes to compare.
            let sizes = ctx.catalog.sliverSizes(r.blob)
            let received = UInt64(sizes.primary * r.modeledSlivers)
            let (total, check) = decodeAndCheckCost(receivedBytes: received, blobBytes: entry.sizeBytes, context: ctx)
            actions.append(.cpu(total))
            actions.append(mark(op, .decoded, backdate: check))
            finishRead(op, .ok, detail: "", context: ctx, into: actions)
            return
        }
        let encodedBytes = UInt64(r.slivers.reduce(0) { $0 + $1.data.count })
        // Decoding, then the consistency check (re-encoding to compare the metadata), each
        // charged as one pass over the encoded bytes; one CPU action, so that the decode mark
        // is backdated by the check's share.
        let (total, check) = decodeAndCheckCost(receivedBytes: encodedBytes, blobBytes: entry.sizeBytes, context: ctx)
        actions.append(.cpu(total))
        actions.append(mark(op, .decoded, backdate: check))
        do {
            let blob = try BlobDecoder(config: ctx.config, metadata: meta).decode(slivers: r.slivers, check: .default, inputsVerified: true)
            let ok = Blake2b256.hash(blob) == entry.contentDigest
            finishRead(op, ok ? .ok : .inconsistent, detail: ok ? "" : "decoded bytes differ from the written blob", context: ctx, into: actions)
        } catch .consistencyCheckFailed(let why) {
            // The encoding is inconsistent: every honest reader's default check fails the same way.
            finishRead(op, .invalid, detail: "consistency check: \(why)", context: ctx, into: actions)
        } catch {
            finishRead(op, .inconsistent, detail: "decode: \(error.description)", context: ctx, into: actions)
        }
    }

    /// Handles a chain event: registration starts the stores, certification ends the write, this
    /// client's failed certification starts a new attempt of the stores (up to `maxAttempts`) and its
    /// failed registration ends the write, and an epoch change voids the confirmations of writes still
    /// storing and resends their stores to the new committee. Returns the actions to carry out.
    public mutating func chainEvent(_ event: ChainEvent, context ctx: ProtocolContext) -> [Action] {
        ActionBuffer.collect { chainEvent(event, context: ctx, into: $0) }
    }

    /// `chainEvent` appending its actions to `actions`, a buffer the caller reuses (no array per event).
    public mutating func chainEvent(_ event: ChainEvent, context ctx: ProtocolContext, into actions: ActionBuffer) {
        switch event {
        case .blobRegistered(let blob, _):
            if let op = writeByBlob[blob], writes[OperationKey(op)]?.phase == .registering {
                actions.append(mark(op, .registerSeen))
                if let delay = ctx.resources?.registrationDelay, delay > .zero {
                    // The SDK waits so that the nodes have seen the registration too.
                    actions.append(.timer(after: delay, token: token(.storeNow, op)))
                } else {
                    sendStores(op, context: ctx, into: actions)
                }
            }
        case .blobCertified(let blob, _, _):
            if let op = writeByBlob[blob] { finishWrite(op, .ok, detail: "", context: ctx, into: actions) }
        case .blobInvalidated(let blob, _):
            for op in readsByBlob[blob] ?? [] { finishRead(op, .invalid, detail: "the chain declared the blob invalid", context: ctx, into: actions) }
        case .transactionFailed(let submitter, let blob?, let reason) where submitter == .client(id):
            guard let op = writeByBlob[blob], var w = writes[OperationKey(op)] else { break }
            if w.phase == .certifying {
                // Typically the epoch changed under us: store again with the new committee.
                w.attempt += 1
                w.confirmations.removeAll()
                w.weight = 0
                w.certifyScheduled = false
                writes[OperationKey(op)] = w
                if w.attempt > maxAttempts {
                    finishWrite(op, .failed, detail: "certification failed: \(reason)", context: ctx, into: actions)
                } else {
                    sendStores(op, context: ctx, into: actions)
                }
            } else {
                finishWrite(op, .failed, detail: "registration failed: \(reason)", context: ctx, into: actions)
            }
        case .epochChangeStart:
            // A registration that ends with the old epoch can no longer be certified (the chain
            // refuses an expired blob, and nodes no longer sign for it): the write fails now
            // instead of retrying until its attempts run out.
            for op in writes.keys.map(\.rawValue).sorted() {
                let w = writes[OperationKey(op)]!
                guard w.phase != .statusChecking, let status = ctx.view.status(w.blob), status.registrationExpired(at: ctx.view.epoch) else { continue }
                finishWrite(op, .failed, detail: "its registration expired (end epoch \(status.endEpoch.rawValue)) before it was certified",
                            context: ctx, into: actions)
            }
            // Confirmations from the old committee are void; stores restart with the new one.
            for op in writes.keys.map(\.rawValue).sorted() where writes[OperationKey(op)]!.phase == .storing {
                writes[OperationKey(op)]!.confirmations.removeAll()
                writes[OperationKey(op)]!.weight = 0
                writes[OperationKey(op)]!.certifyScheduled = false
                sendStores(op, context: ctx, into: actions)
            }
        default:
            break
        }
    }

    /// Handles one of this client's timers: certify now, an attempt's timeout (retry or, past
    /// `maxAttempts`, fail), or a read's probe that replaces requests unanswered for
    /// `requestTimeout`. Unknown or stale tokens do nothing. Returns the actions to carry out.
    public mutating func timerFired(token: UInt64, context ctx: ProtocolContext) -> [Action] {
        ActionBuffer.collect { timerFired(token: token, context: ctx, into: $0) }
    }

    /// `timerFired` appending its actions to `actions`, a buffer the caller reuses (no array per event).
    public mutating func timerFired(token: UInt64, context ctx: ProtocolContext, into actions: ActionBuffer) {
        let op = token >> 8
        switch TimerKind(rawValue: token & 0xff) {
        case .certifyNow:
            guard var w = writes[OperationKey(op)], w.phase == .storing, w.certifyScheduled else { break }
            w.phase = .certifying
            writes[OperationKey(op)] = w
            let signatures = w.confirmations.bySigner
            // Verifying each confirmation and aggregating them (the SDK checks before it sends).
            actions.append(.cpu(ctx.costs.signatureCost * UInt64(signatures.count)))
            guard let certificate = AggregateCertificate.aggregate(signatures, .blobCertification, epoch: w.epoch,
                                                                   blobID: w.blob_.metadata.blobID, mode: ctx.signatures) else { break }
            actions.append(mark(op, .certifySubmitted))
            actions.append(.submit(.certifyBlob(client: id, blob: w.blob, epoch: w.epoch, certificate: certificate)))
        case .storeNow:
            guard writes[OperationKey(op)]?.phase == .registering else { break }
            sendStores(op, context: ctx, into: actions)
        case .storeTimeout:
            // Batches unanswered for the request timeout fail like refused ones (one timer per
            // batch sent; a batch answered meanwhile is no longer in `storeSentAt`).
            guard let w = writes[OperationKey(op)], w.phase == .storing, let r = ctx.resources else { break }
            let due = w.storeSentAt.filter { ctx.now >= $0.value + r.storeRequestTimeout }.keys.sorted()
            for node in due { _ = failStoreBatch(op, to: node, resources: r, context: ctx, into: actions) }
        case .storeRetry:
            // Refused batches whose backoff is over go first in the queue, in the order they fell due.
            guard var w = writes[OperationKey(op)], w.phase == .storing, let r = ctx.resources else { break }
            let due = w.retryQueue.filter { $0.at <= ctx.now }
            guard !due.isEmpty else { break }
            w.retryQueue.removeAll { $0.at <= ctx.now }
            for d in due where w.storesInFlight[d.node] == 0 { w.storesInFlight.removeValue(forKey: d.node) }
            w.storeQueue.insert(contentsOf: due.map { ($0.node, $0.pairs) }, at: 0)
            writes[OperationKey(op)] = w
            sendQueuedStores(op, resources: r, context: ctx, into: actions)
        case .writeTimeout:
            guard var w = writes[OperationKey(op)] else { break }
            w.attempt += 1
            writes[OperationKey(op)] = w
            if w.attempt > maxAttempts {
                finishWrite(op, .failed, detail: "timed out in phase \(w.phase) after \(maxAttempts) attempts", context: ctx, into: actions)
                break
            }
            if w.phase == .storing { sendStores(op, context: ctx, into: actions) }
            if w.phase == .statusChecking { askStatus(w.blob, skipping: w.statusAnswered, context: ctx, into: actions) }
            actions.append(.timer(after: attemptTimeout, token: self.token(.writeTimeout, op)))
        case .readTimeout:
            guard var r = reads[OperationKey(op)] else { break }
            if r.retryPending {
                // Waiting out the SDK's backoff: the retry will start the next pass.
                actions.append(.timer(after: attemptTimeout, token: self.token(.readTimeout, op)))
                break
            }
            r.attempt += 1
            if r.attempt > maxAttempts {
                reads[OperationKey(op)] = r
                finishRead(op, .failed, detail: "timed out with \(r.slivers.count) slivers", context: ctx, into: actions)
                break
            }
            // A new attempt: forget what is pending and go through the pairs again, skipping
            // those already answered (nodes that were down may be back).
            r.outstanding.removeAll()
            r.stale.removeAll()
            r.nextPair = 0
            reads[OperationKey(op)] = r
            if r.statusChecking {
                askStatus(r.blob, skipping: r.statusAnswered, context: ctx, into: actions)
            } else if r.metadata == nil {
                requestMetadata(op, context: ctx, into: actions)
            } else {
                requestData(op, context: ctx, into: actions)
            }
            actions.append(.timer(after: attemptTimeout, token: self.token(.readTimeout, op)))
        case .readProbe:
            // Every few seconds per read: taken out of the table and put back.
            guard var r = reads.removeValue(forKey: OperationKey(op)) else { break }
            let resend = !r.retryPending && !r.statusChecking && r.metadata != nil && !r.outstanding.isEmpty
            if resend {
                r.stale.formUnion(r.outstanding)
                r.outstanding.removeAll()
            }
            reads[OperationKey(op)] = r
            if r.retryPending {
                // Nothing is asked while the read waits out the SDK's backoff.
            } else if r.statusChecking {
                askStatus(r.blob, skipping: r.statusAnswered, context: ctx, into: actions)
            } else if r.metadata == nil {
                requestMetadata(op, context: ctx, into: actions)
            } else if resend {
                requestData(op, context: ctx, into: actions)
            }
            if reads.index(forKey: OperationKey(op)) != nil { actions.append(.timer(after: requestTimeout, token: self.token(.readProbe, op))) }
        case .readRetry:
            retryRead(op, context: ctx, into: actions)
        case nil:
            break
        }
    }

    private func token(_ kind: TimerKind, _ op: UInt64) -> UInt64 { Self.timerToken(kind, op) }

    /// The token of timer `kind` of operation `op`: the op above the low byte, the kind in it.
    private static func timerToken(_ kind: TimerKind, _ op: UInt64) -> UInt64 { op << 8 | kind.rawValue }

    /// The action reporting that operation `op` passed `m`, `backdate` before the shell carries it out.
    private func mark(_ op: UInt64, _ m: OperationMark, backdate: SimDuration = .zero) -> Action {
        .observe(.phaseMark(op: op, mark: m, backdate: backdate))
    }
}

/// A write's confirmations of its current attempt: at most one per signer, in arrival order,
/// with the signers in a bitset by node index (asked per answer and per member on every store
/// round; a hash table of signatures cost a hash per question).
struct Confirmations {
    private var signatures: [ConfirmationSignature] = []
    /// Bit `i % 64` of word `i / 64` is set when node `i` has confirmed.
    private var signers: [UInt64] = []

    /// Whether no member has confirmed.
    var isEmpty: Bool { signatures.isEmpty }

    /// Whether `node` has confirmed.
    func contains(_ node: NodeID) -> Bool {
        let word = node.index >> 6
        return word < signers.count && signers[word] & 1 << UInt64(node.index & 63) != 0
    }

    /// Adds `signature`, whose signer must not have confirmed yet.
    mutating func insert(_ signature: ConfirmationSignature) {
        let i = signature.signer.index
        precondition(!contains(signature.signer), "node \(i) confirmed twice")
        if i >> 6 >= signers.count { signers.append(contentsOf: repeatElement(0, count: i >> 6 + 1 - signers.count)) }
        signers[i >> 6] |= 1 << UInt64(i & 63)
        signatures.append(signature)
    }

    /// Makes room for `count` confirmations.
    mutating func reserveCapacity(_ count: Int) { signatures.reserveCapacity(count) }

    /// Forgets every confirmation (a new attempt).
    mutating func removeAll() {
        signatures.removeAll()
        signers.removeAll()
    }

    /// The confirmations ordered by signer, as the certificate lists them. No sort: a
    /// signature's place is the number of signers below its own, counted in the bitset (the
    /// signers are distinct, so the places are a permutation). O(signatures + words).
    var bySigner: [ConfirmationSignature] {
        // below[w]: signers in the words before word w.
        var below = [Int](repeating: 0, count: signers.count)
        var total = 0
        for w in signers.indices {
            below[w] = total
            total += signers[w].nonzeroBitCount
        }
        return [ConfirmationSignature](unsafeUninitializedCapacity: signatures.count) { buffer, count in
            for signature in signatures {
                let i = signature.signer.index
                let lower = signers[i >> 6] & (1 << UInt64(i & 63) &- 1)
                buffer.initializeElement(at: below[i >> 6] + lower.nonzeroBitCount, to: signature)
            }
            count = signatures.count
        }
    }
}
