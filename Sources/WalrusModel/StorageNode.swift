import Economics
import RedStuff
import SimSupport
import WalrusCrypto

/// A storage node as a state machine (spec walrus-staking §1.5, walrus-encoding §4-§6):
/// a message, chain event or timer in; actions out. It never schedules, sends or reads a clock.
///
/// Its work is split by concern over four files:
/// - this one: the node's state, crash and restart, and the dispatch of what arrives;
/// - `StorageNode+Storing.swift`: verifying and storing sliver pairs, signing confirmations,
///   serving metadata and slivers;
/// - `StorageNode+Recovery.swift`: recovering missing pairs from other nodes' recovery symbols;
/// - `StorageNode+ShardSync.swift`: pulling gained shards from their previous owners at an epoch
///   change (falling back to recovery) and reporting `epoch_sync_done`.
///
/// Invariants: a node holds only pairs it verified against the blob's metadata (or, modeled,
/// whose sizes match); it signs a confirmation only once every pair of every shard it owns for
/// that blob is stored; a crashed node (`isUp == false`) reacts to nothing.
public struct StorageNode {

    /// The node's dense index, also its staking pool's identity in the economics.
    public let id: NodeID
    /// False between `crash()` and `restart(loseDisk:context:)`.
    public internal(set) var isUp = true
    /// How the node behaves (`StorageNode+Byzantine.swift`); set by the shell for a fault's span.
    public var behaviour: Behaviour = .honest
    /// The node's signing key (confirmations, invalid-blob attestations); its public half is on chain.
    public let signer: ConfirmationSigner
    /// Stored data of real (and digest-payload) blobs: per blob, metadata and the pairs held
    /// (any shard, current or recently lost).
    var stored: [BlobRef: StoredBlob] = [:]
    /// Stored data of modeled blobs: per shard, the blobs whose pair on it the node holds
    /// (`StorageNode+ModeledHoldings.swift`); no record per blob.
    var modeledHeld = ShardHoldings()
    /// Store requests that arrived before the node saw the blob's registration.
    var earlyStores: [BlobRef: [(from: Party, metadata: BlobMetadataWithID, pairs: StorePairs)]] = [:]
    /// Blobs this node found inconsistently encoded or the chain declared invalid.
    public internal(set) var invalidBlobs: Set<BlobRef> = []
    /// Recent blobs of which the node stored every pair of its shards (it signed for them) in
    /// the current epoch: what lets the blob sync at certification, which every member runs
    /// for every blob, answer "nothing missing" without walking the holdings
    /// (`scheduleBlobSync`). Emptied whenever held pairs can go: an epoch change, a lost disk.
    var signedThisEpoch = BlobWindow()
    /// Recoveries in progress (running, queued or backing off), by (blob, pair).
    var recoveries: [RecoveryKey: RecoveryState] = [:]
    /// Recoveries waiting for a free slot, in arrival order.
    var recoveryQueue: [RecoveryKey] = []
    /// Recoveries with a round under way (at most `maxConcurrentRecoveries`).
    var activeRecoveries = 0
    /// Pairs whose recovery waits for a metadata response, by blob, in request order.
    var awaitingMetadata: [BlobRef: [Int]] = [:]
    /// Invalidations this node drives, by blob.
    var invalidations: [BlobRef: Invalidation] = [:]
    /// Expanded slivers kept to answer recovery requests (host-side cache).
    var expansionCache = ExpansionCache()
    /// The source slivers whose Merkle trees the node keeps to serve recovery symbols (simulated
    /// state: it decides what serving costs). Lost on a crash.
    var proofCache = ProofCache()
    /// Source-sliver trees `proofCache` keeps (Walrus: `max_proof_cache_elements`, 7,500).
    public var proofCacheCapacity = 7_500
    /// Blobs whose expanded slivers the cache keeps.
    public var expansionCacheBlobs = 4
    /// How many recoveries may have a round under way at once; the rest wait in `recoveryQueue`.
    public var maxConcurrentRecoveries = 64
    /// Shard sync of the current epoch.
    var sync = SyncState()
    /// Timer tokens: low 8 bits the kind, the rest an argument.
    enum TimerKind: UInt64 { case syncTimeout = 1, recoveryRetry = 2, recoveryTimeout = 3, blobSync = 4, metadataTimeout = 5, syncRetry = 6 }

    /// Blobs per shard-sync request (Walrus: `sliver_count_per_sync_request`, 1000).
    public var syncBlobsPerRequest = 1_000
    /// How long a shard's previous owner may take to answer a sync request.
    public var syncRequestTimeout: SimDuration = .seconds(60)
    /// Back-off after an unanswered sync request; doubles per attempt up to `syncRetryMax`
    /// (Walrus: `shard_sync_retry_min_backoff`, 1 min).
    public var syncRetryMin: SimDuration = .minutes(1)
    /// The longest back-off between sync attempts (Walrus: `shard_sync_retry_max_backoff`, 10 min).
    public var syncRetryMax: SimDuration = .minutes(10)
    /// Without progress for this long, a shard is recovered instead of pulled (Walrus:
    /// `shard_sync_retry_switch_to_recovery_interval`, 12 h).
    public var syncSwitchToRecovery: SimDuration = .hours(12)
    /// How long one recovery-symbol request may go unanswered before the node is given up on
    /// and replaced (Walrus: `sliver_request_timeout`, 45 s, per request).
    public var recoveryRequestTimeout: SimDuration = .seconds(45)
    /// How long a recovering node waits for one node's metadata before asking the next
    /// (Walrus: `metadata_request_timeout`, 5 s).
    public var metadataRequestTimeout: SimDuration = .seconds(5)
    /// Back-off before the second round of a recovery that ran out of nodes to ask; it doubles
    /// per round up to `recoveryRetryMax` (Walrus: `retry_interval_min`, 1 s).
    public var recoveryRetryMin: SimDuration = .seconds(1)
    /// The longest back-off between recovery rounds (Walrus: `retry_interval_max`, 1 h).
    public var recoveryRetryMax: SimDuration = .hours(1)
    /// Wait after a blob's certification before recovering what the node misses of it, for
    /// blobs up to 100 MiB; twice this for larger ones (Walrus's live-upload deferral: 15 s and
    /// 30 s), since their slivers may still be arriving from the writer.
    public var blobSyncDelay: SimDuration = .seconds(15)

    // Read only by Byzantine behaviours: after the state every message's handling reads, which
    // at thousands of nodes is a cache miss away per node and best kept in one or two lines.
    /// Shared by the nodes of one Byzantine fault, so they target the same blobs.
    public var behaviourSeed: UInt64 = 0
    /// The share of blobs (permille) a Byzantine behaviour applies to; 1000: all.
    public var behaviourBlobsPermille: UInt64 = 1_000

    struct StoredBlob {
        var metadata: BlobMetadataWithID
        var pairs: [Int: PairPayload]
    }

    struct RecoveryKey: Hashable, Comparable {
        var blob: BlobRef
        var pair: Int
        static func < (a: RecoveryKey, b: RecoveryKey) -> Bool { (a.blob, a.pair) < (b.blob, b.pair) }
    }

    /// What an outstanding recovery request is expected to bring: for each target axis, one
    /// symbol per pair the node holds whose symbol is not held yet (zero for an axis not asked).
    struct Promise {
        var primary: Int
        var secondary: Int
        /// When the request times out (sent + `recoveryRequestTimeout`).
        var deadline: SimTime
    }

    /// One recovery: what it knows, what it has, whom it waits for.
    struct RecoveryState {
        /// The blob's metadata, once the node has it (stored, or fetched and verified).
        var metadata: BlobMetadataWithID?
        /// Verified symbols for the target's primary sliver, by source sliver index.
        var forPrimary: [Int: RecoverySymbol] = [:]
        /// Verified symbols for the target's secondary sliver, by source sliver index.
        var forSecondary: [Int: RecoverySymbol] = [:]
        /// Modeled blobs: the source pairs whose symbols arrived, per target axis.
        var modeledPrimary = DenseIndexSet()
        var modeledSecondary = DenseIndexSet()
        /// The nodes to ask in this round, in order; those before `nextCandidate` were taken.
        var candidates: [NodeID] = []
        /// How many of `candidates` symbol requests have taken (asked or passed over) this
        /// round: a cursor, since removing the first of thousands of candidates per request
        /// made a round quadratic in the committee size.
        var nextCandidate = 0
        /// Nodes asked in this round that have not answered, with what they should bring.
        /// Changed only through `expect`, `settle` and `forgetOutstanding`, which keep the
        /// promised totals.
        private(set) var outstanding: [NodeID: Promise] = [:]
        /// `promised(.primary)` and `promised(.secondary)`, kept as requests come and go: a sum
        /// over `outstanding` per request sent was quadratic in the committee size.
        private var promisedPrimary = 0, promisedSecondary = 0
        /// Candidates asked for metadata so far in this round (in `candidates` order).
        var metadataTries = 0
        /// The requests of this round in the order sent, each with its deadline: the front
        /// outstanding one times out first. Entries of nodes that answered since are skipped.
        var sent: [(node: NodeID, deadline: SimTime)] = []
        /// How many of `sent` were dealt with (answered or timed out).
        var sentHead = 0
        /// Whether this round's request timer is scheduled (at most one is at a time).
        var timerPending = false
        /// Rounds started (wrapping); timers carry it so stale ones are ignored.
        var round: UInt8 = 0
        /// Whether a round is under way (holding a slot).
        var active = false
        /// Bytes of the responses taken in (symbols and metadata).
        var bytesMoved: UInt64 = 0
        /// The shard this pair belongs to, when it is part of a shard sync.
        var syncShard: ShardIndex?

        /// Distinct verified sources held for the target sliver of `axis`.
        func have(_ axis: SliverAxis) -> Int {
            axis == .primary ? max(forPrimary.count, modeledPrimary.count) : max(forSecondary.count, modeledSecondary.count)
        }

        /// Sources outstanding requests should still bring for `axis`.
        func promised(_ axis: SliverAxis) -> Int { axis == .primary ? promisedPrimary : promisedSecondary }

        /// Records a request to `node` expected to bring `promise` (replacing any earlier one).
        mutating func expect(_ promise: Promise, from node: NodeID) {
            settle(node)
            outstanding[node] = promise
            sent.append((node, promise.deadline))
            promisedPrimary += promise.primary
            promisedSecondary += promise.secondary
        }

        /// `node` answered (or is given up on): its promise no longer counts.
        mutating func settle(_ node: NodeID) {
            guard let promise = outstanding.removeValue(forKey: node) else { return }
            promisedPrimary -= promise.primary
            promisedSecondary -= promise.secondary
        }

        /// Whether the symbol source pair `pair` yields for the target's `axis` sliver is held.
        /// Real symbols are keyed by their source sliver's index: for the primary target a
        /// secondary sliver (index `nShards - 1 - pair`), for the secondary target a primary one.
        func hasSymbol(fromPair pair: Int, for axis: SliverAxis, config: EncodingConfig) -> Bool {
            axis == .primary
                ? modeledPrimary.contains(pair) || forPrimary[config.sliverIndex(ofPair: pair, axis: .secondary)] != nil
                : modeledSecondary.contains(pair) || forSecondary[config.sliverIndex(ofPair: pair, axis: .primary)] != nil
        }

        /// Gives up on every outstanding request (a new round).
        mutating func forgetOutstanding() {
            outstanding = [:]
            sent = []
            sentHead = 0
            promisedPrimary = 0
            promisedSecondary = 0
        }

        /// Gives up on the outstanding requests whose deadline is `now` or earlier.
        mutating func expireRequests(now: SimTime) {
            while sentHead < sent.count, sent[sentHead].deadline <= now {
                let (node, deadline) = sent[sentHead]
                sentHead += 1
                if outstanding[node]?.deadline == deadline { settle(node) }
            }
            if sentHead > 1024, sentHead * 2 > sent.count {  // drop the dealt-with prefix now and then
                sent.removeFirst(sentHead)
                sentHead = 0
            }
        }

        /// The deadline of the earliest outstanding request, if any (skipping answered ones).
        mutating func nextDeadline() -> SimTime? {
            while sentHead < sent.count {
                let (node, deadline) = sent[sentHead]
                if outstanding[node]?.deadline == deadline { return deadline }
                sentHead += 1
            }
            return nil
        }
    }

    /// The shard sync of one epoch.
    struct SyncState {
        var epoch = Epoch(0)
        /// Blobs still to sync per gained shard; the shard is done when its set is empty.
        var pending: [ShardIndex: PendingBlobs] = [:]
        var recoveredPerShard: [ShardIndex: Int] = [:]
        /// When each shard's sync last made progress (a response from the owner).
        var lastProgress: [ShardIndex: SimTime] = [:]
        /// The attempt whose timers are current, per shard (-1: switched to recovery).
        var attempt: [ShardIndex: Int] = [:]
        /// Blobs of the current attempt not yet asked for, per shard, in request order: a shard
        /// is pulled one request at a time, the next going out when the previous is answered.
        var unrequested: [ShardIndex: ArraySlice<BlobRef>] = [:]
        /// Requests sent and not yet answered, per shard: at most one, briefly two after a retry.
        var outstanding: [ShardIndex: Int] = [:]
        var reported = true
        /// Blobs whose metadata a request of this sync asked for, with the shard of that request:
        /// each is asked once, by the first request that names it while the node lacks it (and
        /// again by a retry of that shard's requests).
        var metadataAsked: [BlobRef: ShardIndex] = [:]
        /// Pairs that came without metadata while the node still lacked it (the request asking
        /// for it not answered yet), by blob, with their shard: taken once the metadata comes.
        var awaitingMetadata: [BlobRef: [(shard: ShardIndex, item: SyncItem)]] = [:]
    }

    /// Exponential back-off: `min * 2^attempt`, capped at `max` (saturating, never wrapping).
    static func backoff(min: SimDuration, max: SimDuration, attempt: Int) -> SimDuration {
        let factor = UInt64(1) << UInt64(Swift.min(Swift.max(0, attempt), 62))
        let (delay, overflow) = min.nanoseconds.multipliedReportingOverflow(by: factor)
        return SimDuration(nanoseconds: overflow ? max.nanoseconds : Swift.min(max.nanoseconds, delay))
    }

    /// A node that holds nothing yet and signs with `signer`.
    public init(id: NodeID, signer: ConfirmationSigner) {
        self.id = id
        self.signer = signer
    }

    /// Whether the node holds pair `pair` of `blob`, a blob with real (or digest) payloads; a
    /// modeled blob needs `holds(_:pair:context:)`, which reads the catalog and the view.
    public func holds(_ blob: BlobRef, pair: Int) -> Bool { stored[blob]?.pairs[pair] != nil }

    /// Pair indices of `blob` the node holds, ascending, for a blob with real (or digest)
    /// payloads; a modeled blob needs `heldPairs(_:context:)`.
    public func heldPairs(_ blob: BlobRef) -> [Int] { stored[blob]?.pairs.keys.sorted() ?? [] }

    // MARK: Crash and restart

    /// Stops the node: work in progress (recoveries, stores waiting for a registration) is lost;
    /// stored data stays unless the restart says otherwise.
    public mutating func crash() {
        isUp = false
        recoveries.removeAll()
        recoveryQueue.removeAll()
        activeRecoveries = 0
        awaitingMetadata.removeAll()
        expansionCache = ExpansionCache()
        proofCache = ProofCache()
        invalidations.removeAll()
        earlyStores.removeAll()
    }

    /// Restarts; with `loseDisk` all stored data is gone. The node then recovers, blob by blob,
    /// every live certified blob of its shards it does not hold.
    public mutating func restart(loseDisk: Bool, context: ProtocolContext) -> [Action] {
        ActionBuffer.collect { restart(loseDisk: loseDisk, context: context, into: $0) }
    }

    /// `restart` appending its actions to `actions`, a buffer the caller reuses.
    public mutating func restart(loseDisk: Bool, context: ProtocolContext, into actions: ActionBuffer) {
        isUp = true
        if loseDisk {
            stored.removeAll()
            modeledHeld.removeAll()
            invalidBlobs.removeAll()
            signedThisEpoch = BlobWindow()
        }
        let view = context.view
        if sync.epoch != view.epoch {
            // The node slept through an epoch change: catch up with the chain, which includes
            // syncing the shards it gained and reporting `epoch_sync_done`.
            startEpoch(view.epoch, committee: view.committee, previous: view.previousCommittee, context: context, into: actions)
        }
        for blob in view.liveCertified { scheduleMissing(blob, context: context, into: actions) }
    }

    // MARK: Dispatch

    /// Reacts to a message from `from`. A node that is down ignores everything.
    public mutating func receive(_ message: Message, from: Party, context ctx: ProtocolContext) -> [Action] {
        ActionBuffer.collect { receive(message, from: from, context: ctx, into: $0) }
    }

    /// `receive` appending its actions to `actions`, a buffer the caller reuses (no array per event).
    public mutating func receive(_ message: Message, from: Party, context ctx: ProtocolContext, into actions: ActionBuffer) {
        guard isUp else { return }
        if let lie = misbehave(message, from: from, context: ctx) { actions.append(contentsOf: lie); return }
        switch message {
        case .store(let blob, let metadata, let pairs):
            receiveStore(blob: blob, metadata: metadata.value, pairs: pairs, from: from, context: ctx, into: actions)
        case .metadataRequest(let blob):
            if let r = ctx.resources { actions.append(.cpu(r.requestOverhead)) }
            actions.append(.send(to: from, .metadataResponse(blob: blob, metadata: storedMetadata(blob, ctx).map(SharedMetadata.init))))
        case .metadataResponse(let blob, let metadata):
            takeMetadata(blob, metadata?.value, from: from, bytes: message.wireBytes, context: ctx, into: actions)
        case .sliverRequest(let blob, let pair):
            if let r = ctx.resources { actions.append(.cpu(r.requestOverhead)) }
            actions.append(.send(to: from, .sliverResponse(blob: blob, pair: pair, sliver: servable(blob, pair, ctx)?.primary)))
        case .sliversRequest(let blob, let pairs):
            actions.append(.send(to: from, .sliversResponse(blob: blob, pairs: pairs, slivers: servePrimaries(blob, pairs: pairs, context: ctx))))
        case .columnRequest(let blob, let sliver):
            let n = ctx.config.nShards
            let payload = (0..<n).contains(sliver) ? servable(blob, n - 1 - sliver, ctx)?.secondary(nShards: n) : nil
            actions.append(.send(to: from, .columnResponse(blob: blob, sliver: sliver, payload: payload)))
        case .recoveryRequest(let blob, let target, let axes):
            serveRecoveryRequest(blob: blob, target: target, axes: axes, from: from, context: ctx, into: actions)
        case .modeledRecoveryResponse(let blob, let pair, let axes, let sources, let valid, _):
            takeModeledRecoveryResponse(RecoveryKey(blob: blob, pair: pair), from: from, bytes: message.wireBytes, axes: axes,
                                        sources: sources, valid: valid, context: ctx, into: actions)
        case .recoveryResponse(let blob, let pair, let forPrimary, let forSecondary):
            takeRecoveryResponse(RecoveryKey(blob: blob, pair: pair), from: from, bytes: message.wireBytes, forPrimary: forPrimary,
                                 forSecondary: forSecondary, context: ctx, into: actions)
        case .syncRequest(let shard, let blobs, let metadataFor):
            serveSyncRequest(shard: shard, blobs: blobs, metadataFor: metadataFor, from: from, context: ctx, into: actions)
        case .syncResponse(let shard, let items, let missing):
            takeSyncResponse(shard: shard, items: items, missing: missing, context: ctx, into: actions)
        case .inconsistencyProof(let blob, let proof):
            verifyInconsistencyProof(blob, proof: proof, from: from, context: ctx, into: actions)
        case .invalidBlobAttestation(let blob, let epoch, let signature):
            takeAttestation(blob, epoch: epoch, signature: signature, from: from, context: ctx, into: actions)
        case .blobStatusRequest(let blob):
            let status = ctx.view.status(blob)
            if let r = ctx.resources { actions.append(.cpu(r.requestOverhead)) }
            actions.append(.send(to: from, .blobStatusResponse(blob: blob, registered: status?.registered ?? false,
                                                               certified: status?.certifiedEpoch != nil)))
        case .stored, .sliverResponse, .sliversResponse, .columnResponse, .blobStatusResponse:
            break  // client-bound messages; a node ignores them
        }
    }

    /// Reacts to a chain event (every node sees every event, after the chain's lag).
    public mutating func chainEvent(_ event: ChainEvent, context ctx: ProtocolContext) -> [Action] {
        ActionBuffer.collect { chainEvent(event, context: ctx, into: $0) }
    }

    /// `chainEvent` appending its actions to `actions`, a buffer the caller reuses (no array per event).
    public mutating func chainEvent(_ event: ChainEvent, context ctx: ProtocolContext, into actions: ActionBuffer) {
        guard isUp else { return }
        switch event {
        case .blobRegistered(let blob, _):
            if !earlyStores.isEmpty, let early = earlyStores.removeValue(forKey: blob) {  // no hashing in the common case
                for s in early { handleStore(blob: blob, metadata: s.metadata, pairs: s.pairs, from: s.from, context: ctx, into: actions) }
            }
        case .blobCertified(let blob, _, _):
            // Blob sync: recover what we should hold but missed (spec staking §1.5.4).
            scheduleBlobSync(blob, context: ctx, into: actions)
        case .blobDeleted(let blob):
            stored.removeValue(forKey: blob)
            expansionCache.remove(blob)
        case .blobInvalidated(let blob, _):
            blobInvalidated(blob, context: ctx, into: actions)
        case .epochChangeStart(let epoch, let committee, let previous):
            startEpoch(epoch, committee: committee, previous: previous, context: ctx, into: actions)
        case .blobExtended, .epochChangeDone, .votingEnded, .transactionFailed:
            break
        }
    }

    /// Reacts to a timer this node set (`Action.timer`) with `token`.
    public mutating func timerFired(token: UInt64, context ctx: ProtocolContext) -> [Action] {
        ActionBuffer.collect { timerFired(token: token, context: ctx, into: $0) }
    }

    /// `timerFired` appending its actions to `actions`, a buffer the caller reuses (no array per event).
    public mutating func timerFired(token: UInt64, context ctx: ProtocolContext, into actions: ActionBuffer) {
        guard isUp else { return }
        switch TimerKind(rawValue: token & 0xff) {
        case .syncTimeout:
            syncTimedOut(shard: ShardIndex(UInt16(truncatingIfNeeded: token >> 8)), attempt: Int(UInt32(truncatingIfNeeded: token >> 32)),
                         context: ctx, into: actions)
        case .syncRetry:
            syncRetry(shard: ShardIndex(UInt16(truncatingIfNeeded: token >> 8)), attempt: Int(UInt32(truncatingIfNeeded: token >> 32)),
                      context: ctx, into: actions)
        case .blobSync:
            let blob = BlobRef(UInt32(truncatingIfNeeded: token >> 8))
            scheduleMissing(blob, shards: blobSyncShards(blob, ctx), context: ctx, into: actions)
        case .recoveryRetry:
            let (key, round) = Self.recoveryKey(token: token)
            retryRecovery(key, round: round, context: ctx, into: actions)
        case .recoveryTimeout:
            let (key, round) = Self.recoveryKey(token: token)
            recoveryRequestsTimedOut(key, round: round, context: ctx, into: actions)
        case .metadataTimeout:
            let (key, tries) = Self.recoveryKey(token: token)
            metadataTimedOut(key, tries: tries, context: ctx, into: actions)
        case nil:
            break
        }
    }
}
