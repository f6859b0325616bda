import Economics
import RedStuff
import SimSupport
import WalrusCrypto

/// Shard sync at an epoch change (spec walrus-staking §1.5.3): a node pulls the pairs of each
/// shard it gained from the shard's previous owner, `syncBlobsPerRequest` blobs per request,
/// verifies them, and recovers whatever the owner cannot deliver (missing or invalid at once;
/// an owner that does not answer is retried with back-off until nothing has progressed for
/// `syncSwitchToRecovery`, Walrus's `shard_sync_retry_switch_to_recovery_interval`).
///
/// A blob's metadata travels once per sync, and only to a node that lacks it (`SyncItem`): the
/// first request naming such a blob asks for it, and a pair that arrives before its metadata
/// waits for it (or is recovered if it will not come).
extension StorageNode {
    /// Enters `epoch`: drops expired blobs and pairs of shards owned neither now nor in the
    /// previous committee, then starts syncing the shards gained (pull from the previous owner,
    /// or recover when there is none), reporting `epoch_sync_done` when every one is complete.
    mutating func startEpoch(_ epoch: Epoch, committee: Committee, previous: Committee,
                                     context ctx: ProtocolContext, into actions: ActionBuffer) {
        // Garbage-collect expired blobs and pairs of shards not owned for two epochs (here:
        // not owned now nor in the previous committee, a simplification of the two-epoch rule).
        let mine = Set(committee.shards(of: id))
        let before = Set(previous.shards(of: id))
        for blob in stored.keys.sorted() {
            let st = ctx.view.status(blob)
            if let st, st.endEpoch <= epoch || st.deleted { stored.removeValue(forKey: blob); continue }
            let mapping = ShardMapping(blobID: stored[blob]!.metadata.blobID, nShards: ctx.config.nShards)
            for p in stored[blob]!.pairs.keys.sorted() {
                let shard = ShardIndex(UInt16(mapping.shard(ofPair: p)))
                if !mine.contains(shard) && !before.contains(shard) { stored[blob]!.pairs.removeValue(forKey: p) }
            }
        }
        dropModeledShards(keeping: mine, before)
        signedThisEpoch = BlobWindow()  // the shards, and what is held of them, change here
        expansionCache = ExpansionCache()  // pairs may have been dropped above
        sync = SyncState()
        sync.epoch = epoch
        guard committee.contains(id) else { return }
        let gained = mine.subtracting(before).sorted()
        let blobs = ctx.view.liveCertified
        sync.reported = false
        if previous.isEmpty || blobs.isEmpty {
            finishSyncIfDone(context: ctx, into: actions)
            return
        }
        for shard in gained {
            sync.pending[shard] = PendingBlobs(blobs)
            sync.recoveredPerShard[shard] = 0
            sync.lastProgress[shard] = ctx.now
            if let owner = ctx.view.previousOwnerOf[shard.index], owner != id {
                requestShard(shard, from: owner, attempt: 0, context: ctx, into: actions)
            } else {
                recoverShard(shard, context: ctx, into: actions)
            }
        }
        finishSyncIfDone(context: ctx, into: actions)
    }

    /// Asks the shard's previous owner for the pairs still pending, `syncBlobsPerRequest` blobs
    /// per request, and sets the request timeout of this attempt.
    mutating func requestShard(_ shard: ShardIndex, from owner: NodeID, attempt: Int, context ctx: ProtocolContext,
                               into actions: ActionBuffer) {
        let blobs = sync.pending[shard]?.remaining ?? []
        guard !blobs.isEmpty else { return }
        sync.unrequested[shard] = blobs[...]
        sync.attempt[shard] = attempt
        // A new attempt starts the shard over; answers to earlier requests still count when they come.
        sync.outstanding[shard] = 0
        requestNextBatch(shard, from: owner, context: ctx, into: actions)
        actions.append(.timer(after: syncRequestTimeout, token: Self.syncToken(.syncTimeout, shard, attempt: attempt)))
    }

    /// Asks `owner` for the next `syncBlobsPerRequest` blobs of `shard` still pending, if any,
    /// with the metadata of those the node lacks and no other shard's request asked for.
    /// One request per shard is in flight at a time, as Walrus pulls a shard batch after batch:
    /// sending them all at once had every answer (with its items) wait in the owner's uplink
    /// queue together, the run's heap peak at each epoch change of a long modeled run.
    mutating func requestNextBatch(_ shard: ShardIndex, from owner: NodeID, context ctx: ProtocolContext, into actions: ActionBuffer) {
        guard var rest = sync.unrequested[shard], let pending = sync.pending[shard] else { return }
        var batch: [BlobRef] = [], metadataFor: [BlobRef] = []
        while batch.count < syncBlobsPerRequest, let blob = rest.popFirst() {
            guard pending.contains(blob) else { continue }
            batch.append(blob)
            if (sync.metadataAsked[blob] ?? shard) == shard, storedMetadata(blob, ctx) == nil {
                sync.metadataAsked[blob] = shard
                metadataFor.append(blob)
            }
        }
        sync.unrequested[shard] = rest
        guard !batch.isEmpty else { return }
        sync.outstanding[shard, default: 0] += 1
        actions.append(.send(to: .node(owner), .syncRequest(shard: shard, blobs: batch, metadataFor: metadataFor)))
    }

    /// Recovers every pending pair of `shard` from other nodes' symbols.
    mutating func recoverShard(_ shard: ShardIndex, context ctx: ProtocolContext, into actions: ActionBuffer) {
        for blob in sync.pending[shard]?.remaining ?? [] {
            guard let idx = ctx.catalog.shardMapping(blob)?.pair(ofShard: shard.index) else { continue }
            if holds(blob, pair: idx, context: ctx) {
                shardBlobDone(shard, blob: blob, recovered: false, context: ctx, into: actions)
            } else {
                startRecovery(blob, pair: idx, syncShard: shard, context: ctx, into: actions)
            }
        }
    }

    /// Timer token of a shard-sync timer: kind, shard and attempt.
    static func syncToken(_ kind: TimerKind, _ shard: ShardIndex, attempt: Int) -> UInt64 {
        kind.rawValue | UInt64(shard.rawValue) << 8 | UInt64(UInt32(truncatingIfNeeded: attempt)) << 32
    }

    /// Blob `blob` of a gained shard is in place (pulled, or `recovered`); a shard whose last
    /// blob arrives is reported synced. Counting by blob makes a pair that arrives twice (from
    /// the owner and from recovery) count once.
    mutating func shardBlobDone(_ shard: ShardIndex, blob: BlobRef, recovered: Bool, context ctx: ProtocolContext,
                                into actions: ActionBuffer) {
        // In place through `values` (one lookup; the optional subscript's modify moved the
        // record out and back, per blob synced).
        guard let i = sync.pending.index(forKey: shard), sync.pending.values[i].remove(blob) else { return }
        if recovered { sync.recoveredPerShard[shard, default: 0] += 1 }
        if sync.pending.values[i].isEmpty {
            actions.append(.observe(.shardSynced(node: id, shard: shard, epoch: sync.epoch, blobs: sync.pending.values[i].total,
                                                 recoveredBlobs: sync.recoveredPerShard[shard] ?? 0)))
            finishSyncIfDone(context: ctx, into: actions)
        }
    }

    /// Submits `epoch_sync_done` once, when no gained shard has blobs outstanding.
    mutating func finishSyncIfDone(context ctx: ProtocolContext, into actions: ActionBuffer) {
        guard !sync.reported, sync.pending.values.allSatisfy(\.isEmpty) else { return }
        sync.reported = true
        actions.append(.submit(.epochSyncDone(node: id, epoch: sync.epoch)))
    }

    /// A new owner asks for the pairs of `shard` of `blobs`: send what is held (with the
    /// metadata of the blobs in `metadataFor`, which the new owner lacks) and name the rest as
    /// missing.
    func serveSyncRequest(shard: ShardIndex, blobs: [BlobRef], metadataFor: [BlobRef], from: Party, context ctx: ProtocolContext,
                          into actions: ActionBuffer) {
        var items: [SyncItem] = [], missing: [BlobRef] = []
        items.reserveCapacity(blobs.count)  // (grown by doubling, the items were copied ~log n times)
        // A set, not `metadataFor.contains` per blob: a newcomer's request asks for the metadata
        // of up to all its `syncBlobsPerRequest` (1000) blobs.
        let withMetadata = metadataFor.isEmpty ? [] : Set(metadataFor)
        for blob in blobs {
            guard let metadata = storedMetadata(blob, ctx) else { missing.append(blob); continue }
            let pairIndex = ctx.catalog.shardMapping(blob, blobID: metadata.blobID).pair(ofShard: shard.index)
            if let p = servable(blob, pairIndex, ctx) {
                items.append(SyncItem(blob: blob, metadata: withMetadata.contains(blob) ? metadata : nil, pair: p))
            } else {
                missing.append(blob)
            }
        }
        actions.append(.send(to: from, .syncResponse(shard: shard, items: items, missing: missing)))
    }

    /// The previous owner's answer: store each pair that verifies (progress), recover the
    /// others and the missing ones (as Walrus does on any error but a network one).
    mutating func takeSyncResponse(shard: ShardIndex, items: [SyncItem], missing: [BlobRef], context ctx: ProtocolContext,
                                   into actions: ActionBuffer) {
        guard sync.pending[shard] != nil else { return }
        sync.lastProgress[shard] = ctx.now
        // Modeled blobs without a resource model: the verification of the whole response is one
        // CPU action (as a modeled store's, see `handleStore`), not one per item, each of which
        // cost the world an event.
        // (Items are read field by field, by index: `allSatisfy`, `for item in items` or passing
        // `items[k]` whole copied every item, metadata and pair, and destroyed the copy.)
        let oneCPU = !ctx.hasResources && items.indices.allSatisfy { ctx.catalog.isModeled(items[$0].blob) }
        let start = actions.endIndex
        var cpu = SimDuration.zero
        for k in items.indices {
            let blob = items[k].blob, pair = items[k].pair, cameWithMetadata = items[k].metadata != nil
            let verify = ctx.costs.sliver(bytes: UInt64(pair.byteCount), nShards: ctx.config.nShards)
            if oneCPU { cpu = cpu + verify } else { actions.append(.cpu(verify)) }
            takeSyncItem(blob, metadata: cameWithMetadata ? items[k].metadata : nil, pair: pair, shard: shard, context: ctx, into: actions)
            // The metadata this request was to bring did not come with the pair: pairs waiting
            // for it will not get it.
            if !cameWithMetadata, sync.metadataAsked[blob] == shard { metadataWillNotCome(blob, context: ctx, into: actions) }
        }
        for blob in missing {
            if sync.metadataAsked[blob] == shard { metadataWillNotCome(blob, context: ctx, into: actions) }
            guard let idx = ctx.catalog.shardMapping(blob)?.pair(ofShard: shard.index) else { continue }
            startRecovery(blob, pair: idx, syncShard: shard, context: ctx, into: actions)
        }
        if oneCPU && !items.isEmpty { actions.insert(.cpu(cpu), at: start) }
        // The answer frees the shard's request slot: the next batch goes to the previous owner.
        if let n = sync.outstanding[shard], n > 0 {
            sync.outstanding[shard] = n - 1
            if n == 1, sync.attempt[shard].map({ $0 >= 0 }) ?? false, let owner = ctx.view.previousOwnerOf[shard.index], owner != id {
                requestNextBatch(shard, from: owner, context: ctx, into: actions)
            }
        }
    }

    /// One pair of a sync response: verified against the node's own metadata of the blob, or
    /// else the metadata it came with, then stored (and the blob's pairs that waited for that
    /// metadata taken), or rejected and recovered. A pair whose metadata the node lacks and
    /// did not come waits for it if another request asked for it, and is recovered otherwise.
    mutating func takeSyncItem(_ blob: BlobRef, metadata sent: BlobMetadataWithID?, pair: PairPayload, shard: ShardIndex,
                               context ctx: ProtocolContext, into actions: ActionBuffer) {
        guard let metadata = storedMetadata(blob, ctx) ?? sent else {
            if sync.metadataAsked[blob] != nil {
                sync.awaitingMetadata[blob, default: []].append((shard, SyncItem(blob: blob, metadata: nil, pair: pair)))
            } else if let idx = ctx.catalog.shardMapping(blob)?.pair(ofShard: shard.index) {
                startRecovery(blob, pair: idx, syncShard: shard, context: ctx, into: actions)
            }
            return
        }
        let idx = ctx.catalog.shardMapping(blob, blobID: metadata.blobID).pair(ofShard: shard.index)
        guard ctx.catalog.isValidMetadata(metadata, blob: blob),
              metadata.blobID == ctx.catalog.entry(blob)?.metadata.blobID,
              ctx.catalog.isValid(pair, index: idx, blob: blob, metadata: metadata) else {
            actions.append(.observe(.sliverRejected(node: id, blob: blob, reason: "shard sync: invalid pair \(idx)")))
            startRecovery(blob, pair: idx, syncShard: shard, context: ctx, into: actions)
            if storedMetadata(blob, ctx) == nil, sync.metadataAsked[blob] == shard {
                metadataWillNotCome(blob, context: ctx, into: actions)
            }
            return
        }
        store(blob, metadata: metadata, pair: idx, pair, context: ctx)
        if !recoveries.isEmpty, recoveries.index(forKey: RecoveryKey(blob: blob, pair: idx)) != nil {  // (`[key] != nil` copied the state out)
            recoveries[RecoveryKey(blob: blob, pair: idx)]!.syncShard = nil
            drop(RecoveryKey(blob: blob, pair: idx), context: ctx, into: actions)
        }
        shardBlobDone(shard, blob: blob, recovered: false, context: ctx, into: actions)
        if !sync.awaitingMetadata.isEmpty, let waiting = sync.awaitingMetadata.removeValue(forKey: blob) {
            for w in waiting { takeSyncItem(w.item.blob, metadata: w.item.metadata, pair: w.item.pair, shard: w.shard, context: ctx, into: actions) }
        }
    }

    /// The request that asked for `blob`'s metadata brought none the node could keep (the owner
    /// lacks the blob, or its item did not verify: the metadata, or the pair the node would
    /// have held it with): the blob's pairs that waited for it are recovered, and a later
    /// request naming the blob may ask again.
    mutating func metadataWillNotCome(_ blob: BlobRef, context ctx: ProtocolContext, into actions: ActionBuffer) {
        sync.metadataAsked.removeValue(forKey: blob)
        for w in sync.awaitingMetadata.removeValue(forKey: blob) ?? [] {
            guard let idx = ctx.catalog.shardMapping(blob)?.pair(ofShard: w.shard.index) else { continue }
            startRecovery(blob, pair: idx, syncShard: w.shard, context: ctx, into: actions)
        }
    }

    /// The owner did not answer attempt `attempt` in time: retry after Walrus's back-off
    /// (`syncRetryMin` doubling up to `syncRetryMax`), or, once nothing has progressed for
    /// `syncSwitchToRecovery`, recover the shard's pending pairs instead (spec §1.5.3).
    mutating func syncTimedOut(shard: ShardIndex, attempt: Int, context ctx: ProtocolContext, into actions: ActionBuffer) {
        guard let pending = sync.pending[shard], !pending.isEmpty, sync.attempt[shard] == attempt else { return }
        // Batches go one after another: the timeout is for an owner that stopped answering, so
        // while answers keep coming within `syncRequestTimeout` of each other it is pushed back.
        let quiet = ctx.now - (sync.lastProgress[shard] ?? .zero)
        if quiet < syncRequestTimeout, (sync.outstanding[shard] ?? 0) > 0 {
            let rest = SimDuration(nanoseconds: syncRequestTimeout.nanoseconds - quiet.nanoseconds)
            actions.append(.timer(after: rest, token: Self.syncToken(.syncTimeout, shard, attempt: attempt)))
            return
        }
        if quiet >= syncSwitchToRecovery {
            sync.attempt[shard] = -1
            recoverShard(shard, context: ctx, into: actions)
            return
        }
        let delay = Self.backoff(min: syncRetryMin, max: syncRetryMax, attempt: attempt)
        actions.append(.timer(after: delay, token: Self.syncToken(.syncRetry, shard, attempt: attempt + 1)))
    }

    /// The back-off is over: ask the previous owner again for what is still pending.
    mutating func syncRetry(shard: ShardIndex, attempt: Int, context ctx: ProtocolContext, into actions: ActionBuffer) {
        guard let pending = sync.pending[shard], !pending.isEmpty, sync.attempt[shard] == attempt - 1 else { return }
        guard let owner = ctx.view.previousOwnerOf[shard.index], owner != id else {
            recoverShard(shard, context: ctx, into: actions)
            return
        }
        requestShard(shard, from: owner, attempt: attempt, context: ctx, into: actions)
    }
}

/// The blobs of one gained shard still to sync: the shard's blobs at the epoch change, in
/// ascending order, with a bitset of those done. Asked per blob requested and per blob synced
/// (hundreds of thousands per shard in a long run), so membership is a bisection and a bit,
/// not a hash: a set of blobs was a tenth of a modeled year.
struct PendingBlobs {
    /// Every blob of the shard's sync, ascending, each once.
    private let all: [BlobRef]
    /// Bit `i % 64` of word `i / 64` is set once `all[i]` is done.
    private var done: [UInt64]
    /// Blobs not done.
    private(set) var count: Int
    /// Where `position` looks first: after the last blob removed.
    private var hint = 0
    /// Blobs of the sync, done or not.
    var total: Int { all.count }

    /// The sync of `blobs` (any order; duplicates count once), none done.
    init(_ blobs: [BlobRef]) {
        var sorted = blobs
        if !zip(sorted, sorted.dropFirst()).allSatisfy({ $0 < $1 }) {
            sorted = Array(Set(blobs)).sorted()
        }
        all = sorted
        done = Array(repeating: 0, count: (sorted.count + 63) / 64)
        count = sorted.count
    }

    /// Whether every blob is done.
    var isEmpty: Bool { count == 0 }

    /// The position of `blob` in `all`, if it is one of the sync's blobs. The one after
    /// `hint` is tried first: responses bring the blobs in the order they were asked, which is
    /// ascending, so a removal mostly finds the next one without a search.
    private func position(_ blob: BlobRef) -> Int? {
        if hint < all.count, all[hint] == blob { return hint }
        let i = all.partitioningIndex { $0 >= blob }
        return i < all.count && all[i] == blob ? i : nil
    }

    private func isDone(_ i: Int) -> Bool { done[i >> 6] & 1 << UInt64(i & 63) != 0 }

    /// Whether `blob` is still to sync.
    func contains(_ blob: BlobRef) -> Bool {
        guard let i = position(blob) else { return false }
        return !isDone(i)
    }

    /// Marks `blob` done; returns whether it was still to sync.
    mutating func remove(_ blob: BlobRef) -> Bool {
        guard let i = position(blob), !isDone(i) else { return false }
        hint = i + 1
        done[i >> 6] |= 1 << UInt64(i & 63)
        count -= 1
        return true
    }

    /// The blobs still to sync, ascending.
    var remaining: [BlobRef] { all.indices.filter { !isDone($0) }.map { all[$0] } }
}
