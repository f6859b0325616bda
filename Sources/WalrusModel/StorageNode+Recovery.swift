import Economics
import RedStuff
import SimSupport
import WalrusCrypto

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Recovery of missing sliver pairs from other nodes' recovery symbols (spec walrus-encoding
/// §4.1, walrus-staking §1.5.4): after certification for pairs a node missed, after a restart,
/// and during shard sync when the previous owner cannot deliver.
extension StorageNode {
    mutating func scheduleMissing(_ blob: BlobRef, context ctx: ProtocolContext, into actions: inout [Action]) {
        guard let st = ctx.view.status(blob), st.certifiedEpoch != nil, !st.deleted, st.endEpoch > ctx.view.epoch,
              let meta = ctx.catalog.entry(blob)?.metadata
        else { return }
        let mapping = ShardMapping(blobID: meta.blobID, nShards: ctx.config.nShards)
        for shard in ctx.view.committee.shards(of: id) {
            let p = mapping.pair(ofShard: shard.index)
            if !holds(blob, pair: p) { startRecovery(blob, pair: p, syncShard: nil, context: ctx, into: &actions) }
        }
    }

    mutating func startRecovery(_ blob: BlobRef, pair: Int, syncShard: ShardIndex?, context ctx: ProtocolContext,
                                        into actions: inout [Action]) {
        let key = RecoveryKey(blob: blob, pair: pair)
        guard recoveries[key] == nil else { return }
        var state = RecoveryState()
        state.syncShard = syncShard
        if recoveries.count - recoveryQueue.count >= maxConcurrentRecoveries {
            recoveries[key] = state  // reserved; requests go out when a slot frees up
            recoveryQueue.append(key)
            return
        }
        recoveries[key] = state
        sendRecoveryRequests(key, context: ctx, into: &actions)
    }

    mutating func sendRecoveryRequests(_ key: RecoveryKey, context ctx: ProtocolContext, into actions: inout [Action]) {
        // Our own other pairs of this blob contribute symbols too.
        if ctx.catalog.entry(key.blob)?.modeled == true {
            recoveries[key]!.modeledSymbols += modeledSymbolCount(blob: key.blob, target: key.pair, context: ctx, into: &actions)
        } else {
            let own = recoverySymbols(blob: key.blob, target: key.pair, context: ctx, into: &actions)
            recoveries[key]!.forPrimary += own.forPrimary
            recoveries[key]!.forSecondary += own.forSecondary
        }
        // Ask the current committee and, during a hand-over, the previous one: outgoing owners
        // keep serving what they held until the hand-over is done.
        var asked = 0
        var askedNodes = Set<NodeID>()
        for member in ctx.view.committee.members + ctx.view.previousCommittee.members
        where member.node != id && askedNodes.insert(member.node).inserted {
            actions.append(.send(to: .node(member.node), .recoveryRequest(blob: key.blob, pair: key.pair)))
            asked += 1
        }
        recoveries[key]!.awaiting = asked
        // Nodes that are down never answer: give up on this round after a while and retry.
        actions.append(.timer(after: syncTimeout, token: Self.recoveryToken(.recoveryTimeout, key)))
        tryFinishRecovery(key, context: ctx, into: &actions)
    }

    /// Modeled blobs: the symbols our pairs of `blob` would yield for `target` (one per pair and
    /// axis), with the CPU cost of computing them.
    func modeledSymbolCount(blob: BlobRef, target: Int, context ctx: ProtocolContext, into actions: inout [Action]) -> Int {
        guard let s = stored[blob] else { return 0 }
        var count = 0
        for p in s.pairs.keys.sorted() where p != target {
            count += 1
            actions.append(.cpu(ctx.costs.sliver(bytes: UInt64(s.pairs[p]!.byteCount), nShards: ctx.config.nShards)))
        }
        return count
    }

    /// Wire size of one modeled recovery symbol pair (a symbol of each axis plus proofs).
    func modeledSymbolBytes(_ blob: BlobRef, _ ctx: ProtocolContext) -> UInt64 {
        let s = (try? ctx.config.symbolSize(forBlobLength: ctx.catalog.entry(blob)?.sizeBytes ?? 1)) ?? 2
        return UInt64(2 * (s + 5 + 33 * MerkleHash.pathLength(leafCount: ctx.config.nShards)))
    }

    static func recoveryToken(_ kind: TimerKind, _ key: RecoveryKey) -> UInt64 {
        kind.rawValue | UInt64(key.blob.index) << 8 | UInt64(UInt16(truncatingIfNeeded: key.pair)) << 40
    }

    /// Recovery symbols from every pair we hold of `blob` (other than `target` itself), for
    /// the target pair's primary sliver (from our secondary slivers) and secondary sliver (from
    /// our primary slivers), spec §4.1.
    func recoverySymbols(blob: BlobRef, target: Int, context ctx: ProtocolContext, into actions: inout [Action])
        -> (forPrimary: [RecoverySymbol], forSecondary: [RecoverySymbol])
    {
        var forPrimary: [RecoverySymbol] = [], forSecondary: [RecoverySymbol] = []
        guard let s = stored[blob] else { return ([], []) }
        for p in s.pairs.keys.sorted() where p != target {
            guard case .real(let pair)? = servable(blob, p, ctx) else { continue }
            actions.append(.cpu(ctx.costs.sliver(bytes: UInt64(pair.primary.data.count + pair.secondary.data.count), nShards: ctx.config.nShards)))
            if let e = try? ExpandedSliver(sliver: pair.primary, config: ctx.config),
               let sym = try? e.recoverySymbol(forTargetPair: target) { forSecondary.append(sym) }
            if let e = try? ExpandedSliver(sliver: pair.secondary, config: ctx.config),
               let sym = try? e.recoverySymbol(forTargetPair: target) { forPrimary.append(sym) }
        }
        return (forPrimary, forSecondary)
    }

    /// Finishes the recovery of `key` once it has enough symbols (or every node asked has
    /// answered): decodes the pair (or, modeled, charges its cost), stores it, and frees a slot
    /// for the next queued recovery. Short of symbols, it reports the failure and retries the
    /// blob after `recoveryRetryDelay`.
    mutating func tryFinishRecovery(_ key: RecoveryKey, context ctx: ProtocolContext, into actions: inout [Action]) {
        guard let state = recoveries[key], let entry = ctx.catalog.entry(key.blob) else { return }
        let config = ctx.config
        let metadata = entry.metadata
        let needPrimary = config.symbolsForRecovery(.primary), needSecondary = config.symbolsForRecovery(.secondary)
        // Modeled: each held pair yields one symbol per axis, so the primary target (C symbols) binds.
        let enough = entry.modeled
            ? state.modeledSymbols >= needPrimary
            : state.forPrimary.count >= needPrimary && state.forSecondary.count >= needSecondary
        guard enough || state.awaiting <= 0 else { return }
        recoveries.removeValue(forKey: key)
        defer { startQueuedRecoveries(context: ctx, into: &actions) }
        guard enough else {
            let have = entry.modeled
                ? "only \(state.modeledSymbols)/\(needPrimary) symbols (modeled)"
                : "only \(state.forPrimary.count)/\(needPrimary) primary and \(state.forSecondary.count)/\(needSecondary) secondary symbols"
            actions.append(.observe(.recoveryFailed(node: id, blob: key.blob, pair: key.pair, reason: have)))
            actions.append(.timer(after: recoveryRetryDelay, token: TimerKind.recoveryRetry.rawValue | UInt64(key.blob.index) << 8))
            return
        }
        let recovered: PairPayload
        if entry.modeled {
            let sizes = ctx.catalog.sliverSizes(key.blob)
            actions.append(.cpu(ctx.costs.bytes(UInt64(sizes.primary + sizes.secondary) * UInt64(config.nShards) / UInt64(max(1, config.rows)))))
            recovered = .modeled(index: key.pair, primaryBytes: sizes.primary, secondaryBytes: sizes.secondary)
        } else {
            // Secondary first (f+1 symbols), then primary (2f+1), as honest nodes do (spec §4.1).
            let secondaryIndex = config.sliverIndex(ofPair: key.pair, axis: .secondary)
            actions.append(.cpu(ctx.costs.hashCost * UInt64(state.forPrimary.count + state.forSecondary.count) * UInt64(max(1, Int(log2(Double(config.nShards)))))))
            let secondary = try? SliverRecovery.recover(targetAxis: .secondary, targetIndex: secondaryIndex, symbols: state.forSecondary,
                                                        metadata: metadata.metadata, config: config)
            let primary = try? SliverRecovery.recover(targetAxis: .primary, targetIndex: key.pair, symbols: state.forPrimary,
                                                      metadata: metadata.metadata, config: config)
            guard case .sliver(let s)? = secondary, case .sliver(let p)? = primary else {
                let proofFound: Bool = {
                    if case .inconsistencyProof? = secondary { return true }
                    if case .inconsistencyProof? = primary { return true }
                    return false
                }()
                if proofFound { actions.append(.observe(.inconsistencyProof(node: id, blob: key.blob, verified: true))) }
                actions.append(.observe(.recoveryFailed(node: id, blob: key.blob, pair: key.pair, reason: proofFound ? "inconsistent encoding" : "decoding failed")))
                return
            }
            recovered = .real(SliverPair(primary: p, secondary: s))
        }
        store(key.blob, metadata: metadata, pair: key.pair, recovered, context: ctx)
        actions.append(.observe(.recovered(node: id, blob: key.blob, pair: key.pair, bytesMoved: state.bytesMoved)))
        if let shard = state.syncShard { shardBlobDone(shard, recovered: true, context: ctx, into: &actions) }
    }

    mutating func startQueuedRecoveries(context ctx: ProtocolContext, into actions: inout [Action]) {
        var active = recoveries.count - recoveryQueue.count
        while active < maxConcurrentRecoveries, !recoveryQueue.isEmpty {
            let key = recoveryQueue.removeFirst()
            guard recoveries[key] != nil else { continue }
            sendRecoveryRequests(key, context: ctx, into: &actions)
            active += 1
        }
    }

    /// Another node's recovery response for `key` arrived: fold it in with `merge`, then see
    /// whether decoding can start. Answers to a recovery no longer running are dropped.
    mutating func takeRecoveryResponse(_ key: RecoveryKey, bytes: UInt64, context ctx: ProtocolContext, into actions: inout [Action],
                                       merge: (inout RecoveryState) -> Void) {
        guard var state = recoveries[key] else { return }
        merge(&state)
        state.awaiting -= 1
        state.bytesMoved += bytes
        recoveries[key] = state
        tryFinishRecovery(key, context: ctx, into: &actions)
    }

    /// Another node asks for the symbols our pairs of `blob` yield for its pair `target`.
    func serveRecoveryRequest(blob: BlobRef, target: Int, from: Party, context ctx: ProtocolContext, into actions: inout [Action]) {
        if ctx.catalog.entry(blob)?.modeled == true {
            let held = modeledSymbolCount(blob: blob, target: target, context: ctx, into: &actions)
            actions.append(.send(to: from, .modeledRecoveryResponse(blob: blob, pair: target, symbols: held,
                                                                    bytes: UInt64(held) * modeledSymbolBytes(blob, ctx))))
        } else {
            let symbols = recoverySymbols(blob: blob, target: target, context: ctx, into: &actions)
            actions.append(.send(to: from, .recoveryResponse(blob: blob, pair: target, forPrimary: symbols.forPrimary,
                                                             forSecondary: symbols.forSecondary)))
        }
    }

    /// A round of requests for `key` ran out of time while still short of symbols: ask everyone
    /// again (answers of the first round that arrive later still count).
    mutating func recoveryRoundTimedOut(_ key: RecoveryKey, context ctx: ProtocolContext, into actions: inout [Action]) {
        guard recoveries[key] != nil, !recoveryQueue.contains(key) else { return }
        sendRecoveryRequests(key, context: ctx, into: &actions)
    }

    /// The recovery a `recoveryTimeout` token names.
    static func recoveryKey(token: UInt64) -> RecoveryKey {
        RecoveryKey(blob: BlobRef(UInt32(truncatingIfNeeded: token >> 8)), pair: Int(UInt16(truncatingIfNeeded: token >> 40)))
    }
}
