import Economics
import Glibc  // log, as the random streams use it (SimEngine)
import RedStuff
import SimSupport
import WalrusCrypto

/// Recovery of missing sliver pairs from other nodes' recovery symbols (spec walrus-encoding
/// §4.1, walrus-staking §1.5.4, §6.5): after certification for pairs a node missed, after a
/// restart, and during shard sync when the previous owner cannot deliver.
///
/// How a recovery of pair `p` of a blob runs, following Walrus's node:
/// 1. Metadata: from the node's own store, or fetched over the network from the first node that
///    serves metadata matching the blob ID (its bytes are paid for like any message).
/// 2. Symbols: the node's own other pairs yield some. It then asks other nodes (the current
///    committee and, during a hand-over, the previous one), largest shard weight first, for just
///    the symbols decoding still needs: `R = n - 2f` distinct sources for the secondary sliver,
///    `C = n - f` for the primary one; further nodes only for the primary axis once the
///    secondary is covered. Symbols are verified as they arrive and kept by source index, so a
///    corrupt, duplicate or moved-shard answer never counts twice or at all.
/// 3. Nodes that answer short, wrongly or not at all (each request within
///    `recoveryRequestTimeout` of being sent) are replaced by the next ones. When every node has been asked and symbols are still missing, the recovery
///    backs off (`recoveryRetryMin` doubling up to `recoveryRetryMax`) and starts a new round,
///    keeping the symbols it has, until it succeeds or the blob expires or is deleted.
/// 4. Decoding yields the pair (stored) or an inconsistency proof (reported; the blob is not
///    retried).
extension StorageNode {
    // MARK: Starting

    /// Blob sync after certification (spec staking §1.5.4): after `blobSyncDelay` (slivers of a
    /// blob still being uploaded may yet arrive), recover every pair of the node's shards it
    /// does not hold. A node that holds them all already does nothing, as Walrus's node skips
    /// the sync of a blob `is_stored_at_all_shards_at_epoch` (`process_blob_certified_event`).
    ///
    /// A blob the node signed for in this epoch misses nothing: it stored every pair of the
    /// same shards, and nothing held has gone since (`signedThisEpoch` is emptied when it can).
    /// The chain's `invalid` flag is the one state under which the full check would still
    /// count such pairs missing (a modeled blob the chain declared invalid is not held), so it
    /// sends those to the full check. At 10,000 nodes the full check's walk over each
    /// member's holdings was a sixth of the run, in cache misses.
    ///
    /// `mutating` though it changes nothing but `actions`: called from `chainEvent` (mutating),
    /// a non-mutating call copied the whole node (392 bytes) to pass it, at every node for every
    /// certified blob.
    mutating func scheduleBlobSync(_ blob: BlobRef, context ctx: ProtocolContext, into actions: ActionBuffer) {
        if signedThisEpoch.contains(blob.index), ctx.view.status(blob)?.invalid == false { return }
        guard missesAnyPair(blob, shards: blobSyncShards(blob, ctx), context: ctx) else { return }
        let large = (ctx.catalog.entry(blob)?.sizeBytes ?? 0) > 100 << 20
        actions.append(.timer(after: large ? blobSyncDelay * 2 : blobSyncDelay, token: TimerKind.blobSync.rawValue | UInt64(blob.index) << 8))
    }

    /// Starts recovering every pair of `blob` this node should hold and does not: on the node's
    /// current shards, or on `shards` when given; nothing for a blob that is not certified and live.
    mutating func scheduleMissing(_ blob: BlobRef, shards: [ShardIndex]? = nil, context ctx: ProtocolContext, into actions: ActionBuffer) {
        for p in missingPairs(blob, shards: shards, context: ctx) {
            startRecovery(blob, pair: p, syncShard: nil, context: ctx, into: actions)
        }
    }

    /// The pairs of `blob` on the node's current shards, or on `shards` when given, that it
    /// should hold and does not, in shard order; none for a blob that is not certified and live.
    func missingPairs(_ blob: BlobRef, shards: [ShardIndex]? = nil, context ctx: ProtocolContext) -> [Int] {
        var missing: [Int] = []
        forEachMissingPair(blob, shards: shards, ctx) { missing.append($0); return true }
        return missing
    }

    /// Whether `missingPairs` has any, found without listing them (every node asks this of
    /// every certified blob).
    func missesAnyPair(_ blob: BlobRef, shards: [ShardIndex]? = nil, context ctx: ProtocolContext) -> Bool {
        var any = false
        forEachMissingPair(blob, shards: shards, ctx) { _ in any = true; return false }
        return any
    }

    /// Calls `body` with each pair `missingPairs` lists, in order, until it returns false.
    private func forEachMissingPair(_ blob: BlobRef, shards: [ShardIndex]?, _ ctx: ProtocolContext, _ body: (Int) -> Bool) {
        guard isLive(blob, ctx), let mapping = ctx.catalog.shardMapping(blob) else { return }
        // A kept modeled blob is held on a shard exactly when the shard's ranges have it
        // (`holds`, with the per-blob checks made once instead of per shard).
        let modeled = stored[blob] == nil && isModeled(blob, ctx) && modeledKept(blob, ctx)
        for shard in shards ?? ctx.view.committee.shards(of: id) {
            if modeled && modeledHeld.contains(blob.index, shard: shard) { continue }  // no pair index needed
            let p = mapping.pair(ofShard: shard.index)
            if modeled || !holds(blob, pair: p, context: ctx) { guard body(p) else { return } }
        }
    }

    /// The shards a blob sync of `blob` recovers: the node's shards in the epoch the blob was
    /// certified, as Walrus's node recovers for the shard assignment of the certification
    /// event it processes (`BlobSynchronizer::recover_blob_slivers`). A blob certified just
    /// before an epoch change is the previous owners' to hold, recover and hand over; the new
    /// owners get it by shard sync, which lists every blob certified before the change. (A
    /// blob certified two epochs back, which a node only sees after sleeping through a change,
    /// is left to the catch-up of `restart`.)
    func blobSyncShards(_ blob: BlobRef, _ ctx: ProtocolContext) -> [ShardIndex] {
        guard let certified = ctx.view.status(blob)?.certifiedEpoch, certified < ctx.view.epoch else {
            return ctx.view.committee.shards(of: id)
        }
        return certified.rawValue + 1 == ctx.view.epoch.rawValue ? ctx.view.previousCommittee.shards(of: id) : []
    }

    /// Whether `blob` is certified, undeleted and unexpired, so worth recovering.
    func isLive(_ blob: BlobRef, _ ctx: ProtocolContext) -> Bool {
        guard let st = ctx.view.status(blob) else { return false }
        return st.certifiedEpoch != nil && !st.deleted && st.endEpoch > ctx.view.epoch
            && (invalidBlobs.isEmpty || !invalidBlobs.contains(blob))  // hashing skipped in the common case
    }

    /// Starts recovering pair `pair` of `blob` (as part of syncing `syncShard`, if given). At most
    /// `maxConcurrentRecoveries` run at once; the others wait in `recoveryQueue`.
    mutating func startRecovery(_ blob: BlobRef, pair: Int, syncShard: ShardIndex?, context ctx: ProtocolContext,
                                into actions: ActionBuffer) {
        let key = RecoveryKey(blob: blob, pair: pair)
        guard recoveries.index(forKey: key) == nil else {  // not `recoveries[key]`, which copies the state
            if let shard = syncShard, recoveries[key]!.syncShard == nil { recoveries[key]!.syncShard = shard }
            return
        }
        var state = RecoveryState()
        state.syncShard = syncShard
        recoveries[key] = state
        recoveryQueue.append(key)
        startQueuedRecoveries(context: ctx, into: actions)
    }

    /// Starts rounds for queued recoveries while fewer than `maxConcurrentRecoveries` are active.
    mutating func startQueuedRecoveries(context ctx: ProtocolContext, into actions: ActionBuffer) {
        while activeRecoveries < maxConcurrentRecoveries, !recoveryQueue.isEmpty {
            let key = recoveryQueue.removeFirst()
            guard recoveries[key] != nil else { continue }
            beginRound(key, context: ctx, into: actions)
        }
    }

    // MARK: Rounds

    /// A round: candidates afresh (every other node of both committees, largest weight first),
    /// then metadata if missing, then symbol requests. The recovery holds a slot until the round
    /// ends (success, inconsistency, or back-off).
    mutating func beginRound(_ key: RecoveryKey, context ctx: ProtocolContext, into actions: ActionBuffer) {
        guard var state = recoveries[key] else { return }
        guard isLive(key.blob, ctx), !holds(key.blob, pair: key.pair, context: ctx) else {
            // The caller's loop goes on with the queue: starting it again from here nested one
            // call per dropped recovery, deep enough to overflow the stack when thousands of
            // queued recoveries had become moot (a modeled year, day 210). Same order either way.
            drop(key, startingQueued: false, context: ctx, into: actions)
            return
        }
        activeRecoveries += 1
        state.active = true
        state.round &+= 1
        state.candidates = candidateNodes(for: key, round: state.round, ctx)
        state.nextCandidate = 0
        state.metadataTries = 0
        state.forgetOutstanding()
        state.timerPending = false  // a timer of an earlier round is stale
        if state.metadata == nil, let held = storedMetadata(key.blob, ctx) { state.metadata = held }
        recoveries[key] = state
        if state.metadata == nil {
            askForMetadata(key, context: ctx, into: actions)
        } else {
            addOwnSymbols(key, context: ctx, into: actions)
            requestMore(key, context: ctx, into: actions)
        }
    }

    /// Other nodes of the current and (during a hand-over) previous committee in a random order
    /// weighted by the shards they hold, drawn afresh each round, as Walrus's node orders them
    /// (`RemainingShards::new`: `choose_multiple_weighted` by shard count): larger nodes tend to
    /// come first, but the recoveries of many pairs do not all ask the same few nodes first,
    /// which queued them behind each other's requests at thousands of nodes. The draw is a
    /// weighted shuffle (Efraimidis-Spirakis: descending `log(u) / weight`) with `u` hashed
    /// from (node, blob, pair, round), so it costs no random stream and never changes with the
    /// order events elsewhere ran in. Nodes holding nothing come last.
    func candidateNodes(for key: RecoveryKey, round: UInt8, _ ctx: ProtocolContext) -> [NodeID] {
        var nodes: [NodeID] = []
        var listed = Set<NodeID>([id])  // not `nodes.contains`: quadratic at thousands of members
        for m in ctx.view.committee.members + ctx.view.previousCommittee.members where listed.insert(m.node).inserted {
            nodes.append(m.node)
        }
        let salt = SeedDerivation.splitMix64(UInt64(key.blob.index) << 24 ^ UInt64(UInt16(truncatingIfNeeded: key.pair)) << 8 ^ UInt64(round))
        let keys = nodes.map { node -> Double in
            let weight = heldWeight(node, ctx)
            guard weight > 0 else { return -.infinity }
            let u = (Double(SeedDerivation.splitMix64(UInt64(node.rawValue) ^ salt) >> 11) + 0.5) * 0x1p-53  // in (0, 1)
            return log(u) / Double(weight)
        }
        return nodes.indices.sorted { (keys[$0], nodes[$1].rawValue) > (keys[$1], nodes[$0].rawValue) }.map { nodes[$0] }
    }

    /// How many shards `node` holds pairs of (`forEachHeldShard`).
    func heldWeight(_ node: NodeID, _ ctx: ProtocolContext) -> Int {
        var count = 0
        forEachHeldShard(of: node, ctx) { _ in count += 1 }
        return count
    }

    /// Calls `body` with each shard `node` holds pairs of, once: its shards in the current
    /// committee and, during a hand-over, those it held in the previous one.
    func forEachHeldShard(of node: NodeID, _ ctx: ProtocolContext, _ body: (ShardIndex) -> Void) {
        let now = ctx.view.committee.shards(of: node)
        for shard in now { body(shard) }
        guard !ctx.view.handoverDone else { return }
        for shard in ctx.view.previousCommittee.shards(of: node) where !now.contains(shard) { body(shard) }
    }

    /// What asking `node` can still bring, per target axis: the pairs of the blob on its shards
    /// (now and, during a hand-over, before) other than the target whose symbols the recovery
    /// does not hold yet. Walrus's node asks only for symbols it has not collected
    /// (`SymbolTracker::is_collected`), so after a back-off a new round goes only to the nodes
    /// that can still add something, not to the whole committee again.
    func newSymbols(from node: NodeID, for key: RecoveryKey, _ state: RecoveryState, mapping: ShardMapping,
                    _ ctx: ProtocolContext) -> (primary: Int, secondary: Int) {
        var primary = 0, secondary = 0
        forEachHeldShard(of: node, ctx) { shard in
            let p = mapping.pair(ofShard: shard.index)
            guard p != key.pair else { return }
            if !state.hasSymbol(fromPair: p, for: .primary, config: ctx.config) { primary += 1 }
            if !state.hasSymbol(fromPair: p, for: .secondary, config: ctx.config) { secondary += 1 }
        }
        return (primary, secondary)
    }

    /// Asks the next candidate for the blob's metadata; one request per blob is in flight at a
    /// time, whichever of its pairs asked first, and every waiting pair takes the answer.
    mutating func askForMetadata(_ key: RecoveryKey, context ctx: ProtocolContext, into actions: ActionBuffer) {
        guard var state = recoveries[key] else { return }
        guard state.nextCandidate + state.metadataTries < state.candidates.count else {
            backOff(key, reason: "no node served valid metadata", context: ctx, into: actions)
            return
        }
        let node = state.candidates[state.nextCandidate + state.metadataTries]
        state.metadataTries += 1
        recoveries[key] = state
        let alreadyAsked = awaitingMetadata[key.blob].map { !$0.isEmpty } ?? false
        awaitingMetadata[key.blob, default: []].append(key.pair)
        if !alreadyAsked { actions.append(.send(to: .node(node), .metadataRequest(blob: key.blob))) }
        // A node that does not answer within `metadataRequestTimeout` is passed over.
        actions.append(.timer(after: metadataRequestTimeout,
                              token: Self.recoveryToken(.metadataTimeout, key, round: UInt8(truncatingIfNeeded: state.metadataTries))))
    }

    /// No metadata within the timeout: ask the next candidate (stale timers are ignored).
    mutating func metadataTimedOut(_ key: RecoveryKey, tries: UInt8, context ctx: ProtocolContext, into actions: ActionBuffer) {
        guard let state = recoveries[key], state.active, state.metadata == nil,
              UInt8(truncatingIfNeeded: state.metadataTries) == tries else { return }
        awaitingMetadata[key.blob]?.removeAll { $0 == key.pair }
        if awaitingMetadata[key.blob]?.isEmpty == true { awaitingMetadata.removeValue(forKey: key.blob) }
        askForMetadata(key, context: ctx, into: actions)
    }

    /// A metadata response: every recovery of the blob waiting for metadata takes it if it
    /// matches the blob ID; otherwise each asks its next candidate.
    mutating func takeMetadata(_ blob: BlobRef, _ metadata: BlobMetadataWithID?, from: Party, bytes: UInt64,
                               context ctx: ProtocolContext, into actions: ActionBuffer) {
        guard let pairs = awaitingMetadata.removeValue(forKey: blob) else { return }
        actions.append(.cpu(ctx.costs.hashCost * UInt64(2 * ctx.config.nShards)))
        let valid = metadata.map {
            $0.blobID == ctx.catalog.entry(blob)?.metadata.blobID && ctx.catalog.isValidMetadata($0, blob: blob)
        } ?? false
        if metadata != nil, !valid { actions.append(.observe(.responseRejected(by: .node(id), from: from, blob: blob, what: "metadata"))) }
        for pair in pairs {
            let key = RecoveryKey(blob: blob, pair: pair)
            guard var state = recoveries[key], state.active, state.metadata == nil else { continue }
            state.bytesMoved += bytes
            if valid, let metadata {
                state.metadata = metadata
                recoveries[key] = state
                addOwnSymbols(key, context: ctx, into: actions)
                requestMore(key, context: ctx, into: actions)
            } else {
                recoveries[key] = state
                askForMetadata(key, context: ctx, into: actions)
            }
        }
    }

    /// Symbols from the node's own other pairs of the blob (no message needed).
    mutating func addOwnSymbols(_ key: RecoveryKey, context ctx: ProtocolContext, into actions: ActionBuffer) {
        guard stored[key.blob] != nil || holdsAnyModeled(key.blob, ctx) else { return }
        if ctx.catalog.entry(key.blob)?.modeled == true {
            let sources = modeledSymbols(blob: key.blob, target: key.pair, axes: .both, context: ctx, into: actions)
            recoveries[key]?.modeledPrimary.formUnion(sources)
            recoveries[key]?.modeledSecondary.formUnion(sources)
        } else {
            let own = recoverySymbols(blob: key.blob, target: key.pair, axes: .both, context: ctx, into: actions)
            for s in own.forPrimary { recoveries[key]?.forPrimary[s.sourceIndex] = s }
            for s in own.forSecondary { recoveries[key]?.forSecondary[s.sourceIndex] = s }
        }
    }

    /// Sends requests to further candidates until the symbols held plus those promised by
    /// outstanding requests cover what decoding needs; finishes if nothing more is needed, backs
    /// off if nobody is left to ask.
    mutating func requestMore(_ key: RecoveryKey, context ctx: ProtocolContext, into actions: ActionBuffer) {
        guard let at = recoveries.index(forKey: key), recoveries.values[at].active, recoveries.values[at].metadata != nil else { return }
        let needP = ctx.config.symbolsForRecovery(.primary), needS = ctx.config.symbolsForRecovery(.secondary)
        if recoveries.values[at].have(.primary) >= needP && recoveries.values[at].have(.secondary) >= needS {
            finish(key, context: ctx, into: actions)
            return
        }
        // Taken out of the table while it changes: its tables hold thousands of entries at
        // thousands of nodes, and a copy read out of the table was copied again when changed.
        var state = recoveries.remove(at: at).value
        // Every recovered blob is in the catalog; without its mapping nobody could be asked.
        let mapping = ctx.catalog.shardMapping(key.blob)
        while let mapping, state.nextCandidate < state.candidates.count {
            let shortP = state.have(.primary) + state.promised(.primary) < needP
            let shortS = state.have(.secondary) + state.promised(.secondary) < needS
            guard shortP || shortS else { break }
            let node = state.candidates[state.nextCandidate]
            state.nextCandidate += 1
            let fresh = newSymbols(from: node, for: key, state, mapping: mapping, ctx)
            let promise = Promise(primary: shortP ? fresh.primary : 0, secondary: shortS ? fresh.secondary : 0,
                                  deadline: ctx.now + recoveryRequestTimeout)
            guard promise.primary > 0 || promise.secondary > 0 else { continue }
            let axes: RecoveryAxes = promise.primary > 0 && promise.secondary > 0 ? .both : (promise.primary > 0 ? .primary : .secondary)
            state.expect(promise, from: node)
            actions.append(.send(to: .node(node), .recoveryRequest(blob: key.blob, pair: key.pair, axes: axes)))
        }
        if !state.timerPending { armRequestTimer(&state, key, context: ctx, into: actions) }
        recoveries[key] = state
        if state.outstanding.isEmpty {
            backOff(key, reason: "only \(state.have(.primary))/\(needP) primary and \(state.have(.secondary))/\(needS) secondary symbols",
                    context: ctx, into: actions)
        }
    }

    /// Another node's answer: verified symbols join those held (by source), then more requests
    /// or decoding. Answers to a recovery no longer running, or from a node not asked in this
    /// round, still add their valid symbols (a late answer is not wasted).
    mutating func takeRecoveryResponse(_ key: RecoveryKey, from: Party, bytes: UInt64, forPrimary: [RecoverySymbol],
                                       forSecondary: [RecoverySymbol], context ctx: ProtocolContext, into actions: ActionBuffer) {
        guard let at = recoveries.index(forKey: key), let metadata = recoveries.values[at].metadata?.metadata else { return }
        var state = recoveries.remove(at: at).value  // out of the table while it changes (see `requestMore`)
        state.bytesMoved += bytes
        if case .node(let n) = from { state.settle(n) }
        let cost = ctx.costs.hashCost * UInt64(max(1, MerkleHash.pathLength(leafCount: ctx.config.nShards)))
        let secondaryIndex = ctx.config.sliverIndex(ofPair: key.pair, axis: .secondary)
        var rejected = 0
        for s in forPrimary where state.forPrimary[s.sourceIndex] == nil {
            actions.append(.cpu(cost))
            if (try? s.verify(config: ctx.config, metadata: metadata, targetSliverIndex: key.pair)) != nil { state.forPrimary[s.sourceIndex] = s } else { rejected += 1 }
        }
        for s in forSecondary where state.forSecondary[s.sourceIndex] == nil {
            actions.append(.cpu(cost))
            if (try? s.verify(config: ctx.config, metadata: metadata, targetSliverIndex: secondaryIndex)) != nil {
                state.forSecondary[s.sourceIndex] = s
            } else {
                rejected += 1
            }
        }
        if rejected > 0 { actions.append(.observe(.responseRejected(by: .node(id), from: from, blob: key.blob, what: "\(rejected) recovery symbols"))) }
        recoveries[key] = state
        requestMore(key, context: ctx, into: actions)
    }

    /// The modeled counterpart: sources count once each, and only if the responder's symbols
    /// would verify.
    mutating func takeModeledRecoveryResponse(_ key: RecoveryKey, from: Party, bytes: UInt64, axes: RecoveryAxes, sources: [Int],
                                              valid: Bool, context ctx: ProtocolContext, into actions: ActionBuffer) {
        guard let at = recoveries.index(forKey: key), recoveries.values[at].metadata != nil else { return }
        var state = recoveries.remove(at: at).value  // out of the table while it changes (see `requestMore`)
        state.bytesMoved += bytes
        if case .node(let n) = from { state.settle(n) }
        let cost = ctx.costs.hashCost * UInt64(max(1, MerkleHash.pathLength(leafCount: ctx.config.nShards)))
        actions.append(.cpu(cost * UInt64(sources.count * axes.count)))
        if valid {
            if axes.wantsPrimary { state.modeledPrimary.formUnion(sources) }
            if axes.wantsSecondary { state.modeledSecondary.formUnion(sources) }
        } else if !sources.isEmpty {
            actions.append(.observe(.responseRejected(by: .node(id), from: from, blob: key.blob, what: "\(sources.count * axes.count) recovery symbols")))
        }
        recoveries[key] = state
        requestMore(key, context: ctx, into: actions)
    }

    /// The request timer: the requests sent `recoveryRequestTimeout` ago or earlier that are
    /// still unanswered are given up on (their nodes' late answers still count) and replaced by
    /// further candidates; the timer is set again for the next outstanding request, at least
    /// `recoveryTimerGranularity` on, so a round's requests sent one by one as answers come in
    /// do not each cost a timer event (a request is given up on at most that much late).
    mutating func recoveryRequestsTimedOut(_ key: RecoveryKey, round: UInt8, context ctx: ProtocolContext, into actions: ActionBuffer) {
        guard let at = recoveries.index(forKey: key), recoveries.values[at].active, recoveries.values[at].round == round else { return }
        var state = recoveries.remove(at: at).value  // out of the table while it changes (see `requestMore`)
        state.timerPending = false
        state.expireRequests(now: ctx.now)
        armRequestTimer(&state, key, atLeast: Self.recoveryTimerGranularity, context: ctx, into: actions)
        recoveries[key] = state
        requestMore(key, context: ctx, into: actions)
    }

    /// Sets the request timer of `state`'s round for its earliest outstanding deadline, but
    /// not sooner than `atLeast` from now; nothing if no request is outstanding.
    func armRequestTimer(_ state: inout RecoveryState, _ key: RecoveryKey, atLeast: SimDuration = .zero,
                         context ctx: ProtocolContext, into actions: ActionBuffer) {
        guard let due = state.nextDeadline() else { return }
        state.timerPending = true
        actions.append(.timer(after: max(due - ctx.now, atLeast), token: Self.recoveryToken(.recoveryTimeout, key, round: state.round)))
    }

    /// The least time between two firings of a recovery's request timer.
    static let recoveryTimerGranularity = SimDuration.seconds(1)

    /// Ends the round without the pair: reports why, frees the slot and tries again after the
    /// back-off (doubling per round, capped).
    mutating func backOff(_ key: RecoveryKey, reason: String, context ctx: ProtocolContext, into actions: ActionBuffer) {
        guard var state = recoveries[key], state.active else { return }
        state.active = false
        state.forgetOutstanding()
        activeRecoveries -= 1
        let rounds = min(Int(state.round), 20)
        let delay = Self.backoff(min: recoveryRetryMin, max: recoveryRetryMax, attempt: rounds - 1)
        recoveries[key] = state
        actions.append(.observe(.recoveryFailed(node: id, blob: key.blob, pair: key.pair, reason: reason)))
        actions.append(.timer(after: delay, token: Self.recoveryToken(.recoveryRetry, key, round: state.round)))
        startQueuedRecoveries(context: ctx, into: actions)
    }

    /// The back-off is over: a new round, unless the pair is no longer needed.
    mutating func retryRecovery(_ key: RecoveryKey, round: UInt8, context ctx: ProtocolContext, into actions: ActionBuffer) {
        guard let state = recoveries[key], !state.active, state.round == round else { return }
        recoveryQueue.append(key)
        startQueuedRecoveries(context: ctx, into: actions)
    }

    /// Forgets a recovery that is no longer needed (pair held, blob gone), then starts queued
    /// ones unless `startingQueued` is false (the caller is already starting them).
    mutating func drop(_ key: RecoveryKey, startingQueued: Bool = true, context ctx: ProtocolContext, into actions: ActionBuffer) {
        guard let state = recoveries.removeValue(forKey: key) else { return }
        if state.active { activeRecoveries -= 1 }
        if let shard = state.syncShard, holds(key.blob, pair: key.pair, context: ctx) || !isLive(key.blob, ctx) {
            shardBlobDone(shard, blob: key.blob, recovered: false, context: ctx, into: actions)
        }
        if startingQueued { startQueuedRecoveries(context: ctx, into: actions) }
    }

    // MARK: Decoding

    /// Enough symbols: decodes the pair (secondary from R symbols, then primary from C, as
    /// honest nodes do) or, modeled, charges the decode, and stores it. An inconsistent encoding
    /// ends the recovery with the proof reported.
    mutating func finish(_ key: RecoveryKey, context ctx: ProtocolContext, into actions: ActionBuffer) {
        guard let state = recoveries[key], let metadata = state.metadata else { return }
        let config = ctx.config
        let recovered: PairPayload
        if ctx.catalog.entry(key.blob)?.modeled == true {
            let sizes = ctx.catalog.sliverSizes(key.blob)
            actions.append(.cpu(ctx.costs.bytes(UInt64(sizes.primary + sizes.secondary) * UInt64(config.nShards) / UInt64(max(1, config.rows)))))
            recovered = .modeled(index: key.pair, primaryBytes: sizes.primary, secondaryBytes: sizes.secondary)
        } else {
            let secondaryIndex = config.sliverIndex(ofPair: key.pair, axis: .secondary)
            let forSecondary = state.forSecondary.keys.sorted().map { state.forSecondary[$0]! }
            let forPrimary = state.forPrimary.keys.sorted().map { state.forPrimary[$0]! }
            actions.append(.cpu(ctx.costs.bytes(UInt64((forPrimary.first?.data.count ?? 0) * (forPrimary.count + forSecondary.count)) * 2)))
            let secondary = try? SliverRecovery.recover(targetAxis: .secondary, targetIndex: secondaryIndex, symbols: forSecondary,
                                                        metadata: metadata.metadata, config: config)
            let primary = try? SliverRecovery.recover(targetAxis: .primary, targetIndex: key.pair, symbols: forPrimary,
                                                      metadata: metadata.metadata, config: config)
            switch (secondary, primary) {
            case (.sliver(let s)?, .sliver(let p)?):
                recovered = .real(SliverPair(primary: p, secondary: s))
            case (.inconsistencyProof(let proof)?, _), (_, .inconsistencyProof(let proof)?):
                actions.append(.observe(.inconsistencyProof(node: id, blob: key.blob, verified: true)))
                inconsistencyFound(key, proof: proof, metadata: metadata, context: ctx, into: actions)
                return
            default:
                // Cannot happen with verified, distinct symbols; treat as a failed round.
                backOff(key, reason: "decoding failed", context: ctx, into: actions)
                return
            }
        }
        store(key.blob, metadata: metadata, pair: key.pair, recovered, context: ctx)
        actions.append(.observe(.recovered(node: id, blob: key.blob, pair: key.pair, bytesMoved: state.bytesMoved)))
        recoveries.removeValue(forKey: key)
        if state.active { activeRecoveries -= 1 }
        if let shard = state.syncShard { shardBlobDone(shard, blob: key.blob, recovered: true, context: ctx, into: actions) }
        startQueuedRecoveries(context: ctx, into: actions)
    }

    /// The blob's encoding is inconsistent: every recovery of it stops (there is nothing
    /// consistent to recover), and the proof is reported.
    mutating func inconsistencyFound(_ key: RecoveryKey, proof: InconsistencyProof, metadata: BlobMetadataWithID,
                                     context ctx: ProtocolContext, into actions: ActionBuffer) {
        invalidBlobs.insert(key.blob)
        for other in recoveries.keys.filter({ $0.blob == key.blob }).sorted() {
            drop(other, context: ctx, into: actions)
        }
        actions.append(.observe(.recoveryFailed(node: id, blob: key.blob, pair: key.pair, reason: "inconsistent encoding")))
        startInvalidation(key.blob, proof: proof, context: ctx, into: actions)
    }

    // MARK: Serving

    /// Another node asks for the symbols our pairs of `blob` yield for its pair `target`.
    mutating func serveRecoveryRequest(blob: BlobRef, target: Int, axes: RecoveryAxes, from: Party, context ctx: ProtocolContext,
                                       into actions: ActionBuffer) {
        if ctx.catalog.entry(blob)?.modeled == true {
            let sources = modeledSymbols(blob: blob, target: target, axes: axes, context: ctx, into: actions)
            let bytes = UInt64(sources.count * axes.count) * modeledSymbolBytes(blob, ctx)
            actions.append(.send(to: from, .modeledRecoveryResponse(blob: blob, pair: target, axes: axes, sources: sources,
                                                                    valid: true, bytes: bytes)))
        } else {
            let symbols = recoverySymbols(blob: blob, target: target, axes: axes, context: ctx, into: actions)
            actions.append(.send(to: from, .recoveryResponse(blob: blob, pair: target, forPrimary: symbols.forPrimary,
                                                             forSecondary: symbols.forSecondary)))
        }
    }

    /// Modeled blobs: the pairs of `blob` we hold other than `target` (each yields one symbol per
    /// axis), with the CPU cost of computing their symbols for `axes` (`symbolCost`).
    mutating func modeledSymbols(blob: BlobRef, target: Int, axes: RecoveryAxes, context ctx: ProtocolContext,
                                 into actions: ActionBuffer) -> [Int] {
        let sizes = ctx.catalog.sliverSizes(blob)
        let sources = heldPairs(blob, context: ctx).filter { $0 != target }
        for p in sources {
            actions.append(.cpu(symbolCost(blob, source: p, target: target, axes: axes,
                                           primaryBytes: sizes.primary, secondaryBytes: sizes.secondary, ctx)))
        }
        return sources
    }

    /// CPU time to take the symbols for target pair `target` (the slivers `axes` names) from
    /// our pair `source`, as Walrus's `RecoverySymbolService` spends it: the target's secondary
    /// sliver gets a symbol of our primary sliver, its primary sliver one of our secondary
    /// sliver. The first symbol taken from a source sliver expands it and builds the Merkle tree
    /// over the expansion, which `proofCache` then keeps; later symbols take their proof from the
    /// kept tree, expanding the sliver again only for a target outside its systematic part (a
    /// systematic symbol is the sliver's own).
    mutating func symbolCost(_ blob: BlobRef, source: Int, target: Int, axes: RecoveryAxes,
                             primaryBytes: Int, secondaryBytes: Int, _ ctx: ProtocolContext) -> SimDuration {
        let config = ctx.config, n = config.nShards
        func cost(_ axis: SliverAxis, bytes: Int) -> SimDuration {
            let key = UInt64(blob.index) << 24 | UInt64(UInt16(truncatingIfNeeded: source)) << 1 | (axis == .primary ? 0 : 1)
            if !proofCache.hit(key, capacity: proofCacheCapacity) { return ctx.costs.sliver(bytes: UInt64(bytes), nShards: n) }
            let targetIndex = config.sliverIndex(ofPair: target, axis: axis.orthogonal)
            return targetIndex < config.symbolsPerSliver(axis) ? .zero : ctx.costs.expansion(bytes: UInt64(bytes), nShards: n)
        }
        var total = SimDuration.zero
        if axes.wantsSecondary { total = total + cost(.primary, bytes: primaryBytes) }
        if axes.wantsPrimary { total = total + cost(.secondary, bytes: secondaryBytes) }
        return total
    }

    /// Wire size of one modeled recovery symbol (data plus its Merkle proof).
    func modeledSymbolBytes(_ blob: BlobRef, _ ctx: ProtocolContext) -> UInt64 {
        let s = (try? ctx.config.symbolSize(forBlobLength: ctx.catalog.entry(blob)?.sizeBytes ?? 1)) ?? 2
        return UInt64(s + 5 + 33 * MerkleHash.pathLength(leafCount: ctx.config.nShards))
    }

    /// Timer token of a recovery: kind, blob, pair and round (a timer of an earlier round is stale).
    static func recoveryToken(_ kind: TimerKind, _ key: RecoveryKey, round: UInt8) -> UInt64 {
        kind.rawValue | UInt64(key.blob.index) << 8 | UInt64(UInt16(truncatingIfNeeded: key.pair)) << 40 | UInt64(round) << 56
    }

    /// The recovery and round a recovery timer token names.
    static func recoveryKey(token: UInt64) -> (RecoveryKey, UInt8) {
        (RecoveryKey(blob: BlobRef(UInt32(truncatingIfNeeded: token >> 8)), pair: Int(UInt16(truncatingIfNeeded: token >> 40))),
         UInt8(truncatingIfNeeded: token >> 56))
    }

    /// Recovery symbols from every pair we hold of `blob` (other than `target` itself) for the
    /// target slivers `axes` names: for the primary one from our secondary slivers, for the
    /// secondary one from our primary slivers (spec §4.1). Expansions come from a small cache,
    /// so a node answering many requests for one blob expands each sliver once (host time; the
    /// simulated CPU cost is charged per request, as a real node pays it).
    mutating func recoverySymbols(blob: BlobRef, target: Int, axes: RecoveryAxes, context ctx: ProtocolContext,
                                  into actions: ActionBuffer) -> (forPrimary: [RecoverySymbol], forSecondary: [RecoverySymbol]) {
        var forPrimary: [RecoverySymbol] = [], forSecondary: [RecoverySymbol] = []
        guard let s = stored[blob] else { return ([], []) }
        for p in s.pairs.keys.sorted() where p != target {
            guard let e = expansions(blob, pair: p, ctx) else { continue }
            actions.append(.cpu(symbolCost(blob, source: p, target: target, axes: axes, primaryBytes: e.primary.sliver.data.count,
                                           secondaryBytes: e.secondary.sliver.data.count, ctx)))
            if axes.wantsSecondary, let sym = try? e.primary.recoverySymbol(forTargetPair: target) { forSecondary.append(sym) }
            if axes.wantsPrimary, let sym = try? e.secondary.recoverySymbol(forTargetPair: target) { forPrimary.append(sym) }
        }
        return (forPrimary, forSecondary)
    }

    /// The expanded slivers of a held pair, from the cache or computed (and cached, evicting the
    /// least recently used blob beyond `expansionCacheBlobs`).
    mutating func expansions(_ blob: BlobRef, pair p: Int, _ ctx: ProtocolContext) -> (primary: ExpandedSliver, secondary: ExpandedSliver)? {
        if let hit = expansionCache.entries[blob]?[p] {
            expansionCache.touch(blob)
            return hit
        }
        guard case .real(let pair)? = servable(blob, p, ctx),
              let primary = try? ExpandedSliver(sliver: pair.primary, config: ctx.config),
              let secondary = try? ExpandedSliver(sliver: pair.secondary, config: ctx.config) else { return nil }
        expansionCache.insert(blob, pair: p, (primary, secondary), capacity: expansionCacheBlobs)
        return (primary, secondary)
    }
}

/// The source slivers (blob, pair, axis) whose Merkle trees a node keeps to serve recovery
/// symbols, at most `capacity`, the oldest out first. Walrus's cache (moka, `max_proof_cache_elements`)
/// evicts by frequency and recency; oldest-first is the simple deterministic stand-in.
struct ProofCache {
    private var members = Set<UInt64>()
    /// Keys in insertion order; those before `head` were evicted.
    private var order: [UInt64] = []
    private var head = 0

    /// Whether `key` is kept (a hit); if not (a miss), keeps it from now on, evicting the
    /// oldest beyond `capacity`.
    mutating func hit(_ key: UInt64, capacity: Int) -> Bool {
        guard members.insert(key).inserted else { return true }
        order.append(key)
        while members.count > max(0, capacity) {
            members.remove(order[head])
            head += 1
        }
        if head > 4096, head * 2 > order.count {  // drop the evicted prefix now and then
            order.removeFirst(head)
            head = 0
        }
        return false
    }

    /// Trees kept.
    var count: Int { members.count }
}

/// Expanded slivers a node keeps to answer recovery requests, for a few blobs at a time
/// (least recently used first out). Host-side only: it changes no simulated outcome or time.
struct ExpansionCache {
    var entries: [BlobRef: [Int: (primary: ExpandedSliver, secondary: ExpandedSliver)]] = [:]
    /// Blobs in use order, most recent last.
    var order: [BlobRef] = []

    mutating func touch(_ blob: BlobRef) {
        if let i = order.firstIndex(of: blob) { order.remove(at: i) }
        order.append(blob)
    }

    mutating func insert(_ blob: BlobRef, pair: Int, _ value: (primary: ExpandedSliver, secondary: ExpandedSliver), capacity: Int) {
        entries[blob, default: [:]][pair] = value
        touch(blob)
        while order.count > capacity { entries.removeValue(forKey: order.removeFirst()) }
    }

    /// Forgets a blob (deleted, expired, or its pairs changed).
    mutating func remove(_ blob: BlobRef) {
        entries.removeValue(forKey: blob)
        order.removeAll { $0 == blob }
    }
}

/// A set of blob indices that keeps only the newest 64 it could hold: the window ends at the
/// highest index inserted, and an insert that moves the window forgets what falls out below.
/// Two words, so it lives in the node's struct (no allocation, no pointer to follow).
/// Membership is exact inside the window; an index below it, forgotten or never inserted,
/// is simply not contained.
struct BlobWindow: Sendable, Equatable {
    /// The lowest index the window covers.
    private(set) var base: UInt32 = 0
    /// Bit `i`: blob `base + i` is in the set.
    private(set) var bits: UInt64 = 0

    /// Adds `index`; moves the window up to it when it lies above, forgetting the lowest.
    /// An index below the window is not added.
    mutating func insert(_ index: UInt32) {
        if bits == 0 { base = index } else if index < base { return }
        let offset = index - base
        if offset >= 64 {
            let shift = offset - 63
            bits = shift >= 64 ? 0 : bits >> UInt64(shift)
            base += shift
        }
        bits |= 1 << UInt64(index - base)
    }

    /// Whether `index` is in the set.
    func contains(_ index: UInt32) -> Bool {
        index >= base && index - base < 64 && bits >> UInt64(index - base) & 1 == 1
    }
}

