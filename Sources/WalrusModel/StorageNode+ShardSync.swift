import Economics
import RedStuff
import SimSupport
import WalrusCrypto

/// Shard sync at an epoch change (spec walrus-staking §1.5.3): a node pulls the pairs of each
/// shard it gained from the shard's previous owner, 500 blobs per request, verifies them, and
/// recovers whatever the owner cannot deliver (missing, invalid, or nothing before the timeout).
extension StorageNode {
    /// Enters `epoch`: drops expired blobs and pairs of shards owned neither now nor in the
    /// previous committee, then starts syncing the shards gained (pull from the previous owner,
    /// or recover when there is none), reporting `epoch_sync_done` when every one is complete.
    mutating func startEpoch(_ epoch: Epoch, committee: Committee, previous: Committee,
                                     context ctx: ProtocolContext, into actions: inout [Action]) {
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
        sync = SyncState()
        sync.epoch = epoch
        guard committee.contains(id) else { return }
        let gained = mine.subtracting(before).sorted()
        let blobs = ctx.view.liveCertified
        sync.reported = false
        if previous.isEmpty || blobs.isEmpty {
            finishSyncIfDone(context: ctx, into: &actions)
            return
        }
        for shard in gained {
            sync.outstanding[shard] = blobs.count
            sync.totalPerShard[shard] = blobs.count
            sync.recoveredPerShard[shard] = 0
            if let owner = ctx.view.previousOwnerOf[shard.index], owner != id {
                // Pull from the previous owner, 500 pairs (1000 slivers) per request.
                var i = 0
                while i < blobs.count {
                    let chunk = Array(blobs[i..<min(i + 500, blobs.count)])
                    actions.append(.send(to: .node(owner), .syncRequest(shard: shard, blobs: chunk)))
                    i += 500
                }
                actions.append(.timer(after: syncTimeout, token: TimerKind.syncTimeout.rawValue | UInt64(shard.rawValue) << 8))
            } else {
                for blob in blobs {
                    guard let meta = ctx.catalog.entry(blob)?.metadata else { continue }
                    let idx = ShardMapping(blobID: meta.blobID, nShards: ctx.config.nShards).pair(ofShard: shard.index)
                    startRecovery(blob, pair: idx, syncShard: shard, context: ctx, into: &actions)
                }
            }
        }
        finishSyncIfDone(context: ctx, into: &actions)
    }

    /// One blob of a gained shard is in place (pulled, or `recovered`); a shard whose last blob
    /// arrives is reported synced.
    mutating func shardBlobDone(_ shard: ShardIndex, recovered: Bool, context ctx: ProtocolContext, into actions: inout [Action]) {
        guard let left = sync.outstanding[shard], left > 0 else { return }
        sync.outstanding[shard] = left - 1
        if recovered { sync.recoveredPerShard[shard, default: 0] += 1 }
        if left - 1 == 0 {
            actions.append(.observe(.shardSynced(node: id, shard: shard, epoch: sync.epoch, blobs: sync.totalPerShard[shard] ?? 0,
                                                 recoveredBlobs: sync.recoveredPerShard[shard] ?? 0)))
            finishSyncIfDone(context: ctx, into: &actions)
        }
    }

    /// Submits `epoch_sync_done` once, when no gained shard has blobs outstanding.
    mutating func finishSyncIfDone(context ctx: ProtocolContext, into actions: inout [Action]) {
        guard !sync.reported, sync.outstanding.values.allSatisfy({ $0 == 0 }) else { return }
        sync.reported = true
        actions.append(.submit(.epochSyncDone(node: id, epoch: sync.epoch)))
    }

    /// A new owner asks for the pairs of `shard` of `blobs`: send what is held (with its
    /// metadata, which the new owner may lack) and name the rest as missing.
    func serveSyncRequest(shard: ShardIndex, blobs: [BlobRef], from: Party, context ctx: ProtocolContext,
                          into actions: inout [Action]) {
        var items: [SyncItem] = [], missing: [BlobRef] = []
        for blob in blobs {
            guard let s = stored[blob] else { missing.append(blob); continue }
            let pairIndex = ShardMapping(blobID: s.metadata.blobID, nShards: ctx.config.nShards).pair(ofShard: shard.index)
            if let p = servable(blob, pairIndex, ctx) {
                items.append(SyncItem(blob: blob, metadata: s.metadata, pair: p))
            } else {
                missing.append(blob)
            }
        }
        actions.append(.send(to: from, .syncResponse(shard: shard, items: items, missing: missing)))
    }

    /// The previous owner's answer: store each pair that verifies, recover the others and the
    /// missing ones.
    mutating func takeSyncResponse(shard: ShardIndex, items: [SyncItem], missing: [BlobRef], context ctx: ProtocolContext,
                                   into actions: inout [Action]) {
        guard sync.outstanding[shard] != nil else { return }
        for item in items {
            let idx = ShardMapping(blobID: item.metadata.blobID, nShards: ctx.config.nShards).pair(ofShard: shard.index)
            actions.append(.cpu(ctx.costs.sliver(bytes: UInt64(item.pair.byteCount), nShards: ctx.config.nShards)))
            if ctx.catalog.isValidMetadata(item.metadata, blob: item.blob),
               ctx.catalog.isValid(item.pair, index: idx, blob: item.blob, metadata: item.metadata) {
                store(item.blob, metadata: item.metadata, pair: idx, item.pair, context: ctx)
                shardBlobDone(shard, recovered: false, context: ctx, into: &actions)
            } else {
                actions.append(.observe(.sliverRejected(node: id, blob: item.blob, reason: "shard sync: invalid pair \(idx)")))
                startRecovery(item.blob, pair: idx, syncShard: shard, context: ctx, into: &actions)
            }
        }
        for blob in missing {
            guard let meta = ctx.catalog.entry(blob)?.metadata else { continue }
            let idx = ShardMapping(blobID: meta.blobID, nShards: ctx.config.nShards).pair(ofShard: shard.index)
            startRecovery(blob, pair: idx, syncShard: shard, context: ctx, into: &actions)
        }
    }

    /// The previous owner did not deliver everything in time: recover the rest (spec §1.5.3).
    mutating func syncTimedOut(shard: ShardIndex, context ctx: ProtocolContext, into actions: inout [Action]) {
        guard let left = sync.outstanding[shard], left > 0 else { return }
        for blob in ctx.view.liveCertified {
            guard let meta = ctx.catalog.entry(blob)?.metadata else { continue }
            let idx = ShardMapping(blobID: meta.blobID, nShards: ctx.config.nShards).pair(ofShard: shard.index)
            if !holds(blob, pair: idx) && recoveries[RecoveryKey(blob: blob, pair: idx)] == nil
                && !recoveryQueue.contains(RecoveryKey(blob: blob, pair: idx)) {
                startRecovery(blob, pair: idx, syncShard: shard, context: ctx, into: &actions)
            }
        }
    }
}
