import Economics
import RedStuff
import SimSupport
import WalrusCrypto

/// What every state machine is handed when it reacts: the time, the shared chain view, the
/// blob catalog and the parameters. Read-only.
public struct ProtocolContext {
    public var now: SimTime
    public let view: ChainView
    public let catalog: BlobCatalog
    public let config: EncodingConfig
    public let costs: CostModel
    public let signatures: ConfirmationSigner.Mode
    public init(now: SimTime, view: ChainView, catalog: BlobCatalog, config: EncodingConfig, costs: CostModel,
                signatures: ConfirmationSigner.Mode) {
        self.now = now
        self.view = view
        self.catalog = catalog
        self.config = config
        self.costs = costs
        self.signatures = signatures
    }
}

/// A storage node as a state machine (spec walrus-staking §1.5, walrus-encoding §4-§6).
///
/// It stores and verifies the sliver pairs of its shards, signs storage confirmations, serves
/// metadata, slivers and recovery symbols, recovers what it misses after certification or a
/// restart, and syncs gained shards from their previous owners at epoch changes (falling back
/// to recovery). Behaviour profiles other than `honest` plug in at the marked points.
public struct StorageNode {
    public enum Profile: String, Sendable { case honest }

    public let id: NodeID
    public var profile: Profile = .honest
    public private(set) var isUp = true
    let signer: ConfirmationSigner

    /// Stored data: per blob, metadata and the pairs held (any shard, current or recently lost).
    private(set) var stored: [BlobRef: StoredBlob] = [:]
    /// Store requests that arrived before the node saw the blob's registration.
    private var earlyStores: [BlobRef: [(from: Party, metadata: BlobMetadataWithID, pairs: [PairPayload])]] = [:]
    /// Recoveries in progress, by (blob, pair).
    private var recoveries: [RecoveryKey: RecoveryState] = [:]
    /// Recoveries waiting for a free slot (at most `maxConcurrentRecoveries` run at once).
    private var recoveryQueue: [RecoveryKey] = []
    public var maxConcurrentRecoveries = 64
    /// Shard sync of the current epoch.
    private var sync = SyncState()
    /// Timer tokens: low 8 bits the kind, the rest an argument.
    private enum TimerKind: UInt64 { case syncTimeout = 1, recoveryRetry = 2, recoveryTimeout = 3 }

    public var syncTimeout: SimDuration = .seconds(60)
    public var recoveryRetryDelay: SimDuration = .seconds(30)

    struct StoredBlob {
        var metadata: BlobMetadataWithID
        var pairs: [Int: PairPayload]
    }

    struct RecoveryKey: Hashable, Comparable {
        var blob: BlobRef
        var pair: Int
        static func < (a: RecoveryKey, b: RecoveryKey) -> Bool { (a.blob, a.pair) < (b.blob, b.pair) }
    }

    struct RecoveryState {
        var forPrimary: [RecoverySymbol] = []
        var forSecondary: [RecoverySymbol] = []
        var awaiting = 0
        var bytesMoved: UInt64 = 0
        /// Modeled blobs: symbols per axis received (one per held pair of each responder).
        var modeledSymbols = 0
        /// The shard this pair belongs to, when it is part of a shard sync.
        var syncShard: ShardIndex?
    }

    struct SyncState {
        var epoch = Epoch(0)
        /// Outstanding blobs per gained shard; the shard is done when its count reaches zero.
        var outstanding: [ShardIndex: Int] = [:]
        var recoveredPerShard: [ShardIndex: Int] = [:]
        var totalPerShard: [ShardIndex: Int] = [:]
        var reported = true
    }

    public init(id: NodeID, signer: ConfirmationSigner) {
        self.id = id
        self.signer = signer
    }

    /// Whether the node holds pair `pair` of `blob`.
    public func holds(_ blob: BlobRef, pair: Int) -> Bool { stored[blob]?.pairs[pair] != nil }

    /// Pair indices of `blob` the node holds, ascending.
    public func heldPairs(_ blob: BlobRef) -> [Int] { stored[blob]?.pairs.keys.sorted() ?? [] }

    // MARK: Crash and restart

    public mutating func crash() {
        isUp = false
        recoveries.removeAll()
        recoveryQueue.removeAll()
        earlyStores.removeAll()
    }

    /// Restarts; with `loseDisk` all stored data is gone. The node then recovers, blob by blob,
    /// every live certified blob of its shards it does not hold.
    public mutating func restart(loseDisk: Bool, context: ProtocolContext) -> [Action] {
        isUp = true
        if loseDisk { stored.removeAll() }
        var actions: [Action] = []
        let view = context.view
        if sync.epoch != view.epoch {
            // The node slept through an epoch change: catch up with the chain, which includes
            // syncing the shards it gained and reporting `epoch_sync_done`.
            startEpoch(view.epoch, committee: view.committee, previous: view.previousCommittee, context: context, into: &actions)
        }
        for blob in view.liveCertified { scheduleMissing(blob, context: context, into: &actions) }
        return actions
    }

    // MARK: Messages

    public mutating func receive(_ message: Message, from: Party, context ctx: ProtocolContext) -> [Action] {
        guard isUp else { return [] }
        var actions: [Action] = []
        switch message {
        case .store(let blob, let metadata, let pairs):
            guard let status = ctx.view.status(blob), status.registered else {
                // Slivers may arrive before the registration event; keep them until it does.
                earlyStores[blob, default: []].append((from, metadata, pairs))
                return []
            }
            guard !status.deleted, status.endEpoch > ctx.view.epoch else {
                actions.append(.send(to: from, .stored(blob: blob, epoch: ctx.view.epoch, signature: nil)))
                return actions
            }
            handleStore(blob: blob, metadata: metadata, pairs: pairs, from: from, context: ctx, into: &actions)

        case .metadataRequest(let blob):
            actions.append(.send(to: from, .metadataResponse(blob: blob, metadata: stored[blob]?.metadata)))

        case .sliverRequest(let blob, let pair):
            actions.append(.send(to: from, .sliverResponse(blob: blob, pair: pair, sliver: servable(blob, pair, ctx)?.primary)))

        case .recoveryRequest(let blob, let target):
            if ctx.catalog.entry(blob)?.modeled == true {
                let held = modeledSymbolCount(blob: blob, target: target, context: ctx, into: &actions)
                actions.append(.send(to: from, .modeledRecoveryResponse(blob: blob, pair: target, symbols: held,
                                                                        bytes: UInt64(held) * modeledSymbolBytes(blob, ctx))))
            } else {
                let symbols = recoverySymbols(blob: blob, target: target, context: ctx, into: &actions)
                actions.append(.send(to: from, .recoveryResponse(blob: blob, pair: target, forPrimary: symbols.forPrimary,
                                                                 forSecondary: symbols.forSecondary)))
            }

        case .modeledRecoveryResponse(let blob, let pair, let symbols, _):
            let key = RecoveryKey(blob: blob, pair: pair)
            guard var state = recoveries[key] else { return [] }
            state.modeledSymbols += symbols
            state.awaiting -= 1
            state.bytesMoved += message.wireBytes
            recoveries[key] = state
            tryFinishRecovery(key, context: ctx, into: &actions)

        case .recoveryResponse(let blob, let pair, let forPrimary, let forSecondary):
            let key = RecoveryKey(blob: blob, pair: pair)
            guard var state = recoveries[key] else { return [] }
            state.forPrimary += forPrimary
            state.forSecondary += forSecondary
            state.awaiting -= 1
            state.bytesMoved += message.wireBytes
            recoveries[key] = state
            tryFinishRecovery(key, context: ctx, into: &actions)

        case .syncRequest(let shard, let blobs):
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

        case .syncResponse(let shard, let items, let missing):
            guard sync.outstanding[shard] != nil else { return [] }
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

        case .stored, .metadataResponse, .sliverResponse:
            break  // client-bound messages; a node ignores them
        }
        return actions
    }

    private mutating func handleStore(blob: BlobRef, metadata: BlobMetadataWithID, pairs: [PairPayload], from: Party,
                                      context ctx: ProtocolContext, into actions: inout [Action]) {
        let n = ctx.config.nShards
        // Metadata must match the blob ID registered on chain (a global inconsistency needs no proof).
        actions.append(.cpu(ctx.costs.hashCost * UInt64(2 * n)))
        guard ctx.catalog.isValidMetadata(metadata, blob: blob),
              ctx.catalog.entry(blob).map({ $0.metadata.blobID == metadata.blobID }) ?? true
        else {
            actions.append(.observe(.sliverRejected(node: id, blob: blob, reason: "metadata does not match the blob ID")))
            actions.append(.send(to: from, .stored(blob: blob, epoch: ctx.view.epoch, signature: nil)))
            return
        }
        let mapping = ShardMapping(blobID: metadata.blobID, nShards: n)
        let mine = ctx.view.committee.shards(of: id)
        var needed = Set(mine.map { mapping.pair(ofShard: $0.index) })
        for pair in pairs {
            let idx = pair.index
            guard needed.contains(idx) else { continue }
            actions.append(.cpu(ctx.costs.sliver(bytes: UInt64(pair.byteCount), nShards: n)))
            if ctx.catalog.isValid(pair, index: idx, blob: blob, metadata: metadata) {
                store(blob, metadata: metadata, pair: idx, pair, context: ctx)
                needed.remove(idx)
            } else {
                actions.append(.observe(.sliverRejected(node: id, blob: blob, reason: "pair \(idx) fails verification")))
            }
        }
        // Sign only once every pair of every shard of ours is stored and verified (spec §6).
        if needed.isEmpty, !mine.isEmpty {
            actions.append(.cpu(ctx.costs.signatureCost))
            actions.append(.send(to: from, .stored(blob: blob, epoch: ctx.view.epoch, signature: signer.sign(epoch: ctx.view.epoch, blobID: metadata.blobID))))
        } else {
            actions.append(.send(to: from, .stored(blob: blob, epoch: ctx.view.epoch, signature: nil)))
        }
    }

    /// Stores a verified pair; under `payload = digest` only its sizes and hash are kept.
    private mutating func store(_ blob: BlobRef, metadata: BlobMetadataWithID, pair index: Int, _ pair: PairPayload,
                                context ctx: ProtocolContext) {
        if stored[blob] == nil { stored[blob] = StoredBlob(metadata: metadata, pairs: [:]) }
        var kept = pair
        if !ctx.catalog.keepsPayload, case .real(let p) = pair {
            kept = .digest(index: index, primaryBytes: p.primary.data.count, secondaryBytes: p.secondary.data.count,
                           hash: PairPayload.contentHash(p))
        }
        stored[blob]!.pairs[index] = kept
    }

    /// A stored pair as it can be sent: digest-only pairs are regenerated (and must match their
    /// hash); `nil` when the node does not hold the pair.
    private func servable(_ blob: BlobRef, _ index: Int, _ ctx: ProtocolContext) -> PairPayload? {
        guard let p = stored[blob]?.pairs[index] else { return nil }
        guard case .digest(_, _, _, let hash) = p else { return p }
        return ctx.catalog.materialize(blob, index: index, hash: hash).map { .real($0) }
    }

    // MARK: Chain events

    public mutating func chainEvent(_ event: ChainEvent, context ctx: ProtocolContext) -> [Action] {
        guard isUp else { return [] }
        var actions: [Action] = []
        switch event {
        case .blobRegistered(let blob, _):
            if let early = earlyStores.removeValue(forKey: blob) {
                for s in early { handleStore(blob: blob, metadata: s.metadata, pairs: s.pairs, from: s.from, context: ctx, into: &actions) }
            }
        case .blobCertified(let blob, _, _):
            // Blob sync: recover what we should hold but missed (spec staking §1.5.4).
            scheduleMissing(blob, context: ctx, into: &actions)
        case .blobDeleted(let blob):
            stored.removeValue(forKey: blob)
        case .epochChangeStart(let epoch, let committee, let previous):
            startEpoch(epoch, committee: committee, previous: previous, context: ctx, into: &actions)
        case .blobExtended, .epochChangeDone, .votingEnded, .transactionFailed:
            break
        }
        return actions
    }

    private mutating func startEpoch(_ epoch: Epoch, committee: Committee, previous: Committee,
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

    private mutating func shardBlobDone(_ shard: ShardIndex, recovered: Bool, context ctx: ProtocolContext, into actions: inout [Action]) {
        guard let left = sync.outstanding[shard], left > 0 else { return }
        sync.outstanding[shard] = left - 1
        if recovered { sync.recoveredPerShard[shard, default: 0] += 1 }
        if left - 1 == 0 {
            actions.append(.observe(.shardSynced(node: id, shard: shard, epoch: sync.epoch, blobs: sync.totalPerShard[shard] ?? 0,
                                                 recoveredBlobs: sync.recoveredPerShard[shard] ?? 0)))
            finishSyncIfDone(context: ctx, into: &actions)
        }
    }

    private mutating func finishSyncIfDone(context ctx: ProtocolContext, into actions: inout [Action]) {
        guard !sync.reported, sync.outstanding.values.allSatisfy({ $0 == 0 }) else { return }
        sync.reported = true
        actions.append(.submit(.epochSyncDone(node: id, epoch: sync.epoch)))
    }

    // MARK: Timers

    public mutating func timerFired(token: UInt64, context ctx: ProtocolContext) -> [Action] {
        guard isUp else { return [] }
        var actions: [Action] = []
        switch TimerKind(rawValue: token & 0xff) {
        case .syncTimeout:
            // The previous owner did not deliver everything: recover the rest (spec §1.5.3).
            let shard = ShardIndex(UInt16(truncatingIfNeeded: token >> 8))
            guard let left = sync.outstanding[shard], left > 0 else { break }
            for blob in ctx.view.liveCertified {
                guard let meta = ctx.catalog.entry(blob)?.metadata else { continue }
                let idx = ShardMapping(blobID: meta.blobID, nShards: ctx.config.nShards).pair(ofShard: shard.index)
                if !holds(blob, pair: idx) && recoveries[RecoveryKey(blob: blob, pair: idx)] == nil
                    && !recoveryQueue.contains(RecoveryKey(blob: blob, pair: idx)) {
                    startRecovery(blob, pair: idx, syncShard: shard, context: ctx, into: &actions)
                }
            }
        case .recoveryRetry:
            let blob = BlobRef(UInt32(truncatingIfNeeded: token >> 8))
            scheduleMissing(blob, context: ctx, into: &actions)
        case .recoveryTimeout:
            // Still short of symbols: ask everyone again (answers of the first round that
            // arrive later still count; duplicates are dropped by source index).
            let key = RecoveryKey(blob: BlobRef(UInt32(truncatingIfNeeded: token >> 8)), pair: Int(UInt16(truncatingIfNeeded: token >> 40)))
            guard recoveries[key] != nil, !recoveryQueue.contains(key) else { break }
            sendRecoveryRequests(key, context: ctx, into: &actions)
        case nil:
            break
        }
        return actions
    }

    // MARK: Recovery

    /// Starts recovery of every pair of `blob` this node should hold and does not.
    private mutating func scheduleMissing(_ blob: BlobRef, context ctx: ProtocolContext, into actions: inout [Action]) {
        guard let st = ctx.view.status(blob), st.certifiedEpoch != nil, !st.deleted, st.endEpoch > ctx.view.epoch,
              let meta = ctx.catalog.entry(blob)?.metadata
        else { return }
        let mapping = ShardMapping(blobID: meta.blobID, nShards: ctx.config.nShards)
        for shard in ctx.view.committee.shards(of: id) {
            let p = mapping.pair(ofShard: shard.index)
            if !holds(blob, pair: p) { startRecovery(blob, pair: p, syncShard: nil, context: ctx, into: &actions) }
        }
    }

    private mutating func startRecovery(_ blob: BlobRef, pair: Int, syncShard: ShardIndex?, context ctx: ProtocolContext,
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

    private mutating func sendRecoveryRequests(_ key: RecoveryKey, context ctx: ProtocolContext, into actions: inout [Action]) {
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
    private func modeledSymbolCount(blob: BlobRef, target: Int, context ctx: ProtocolContext, into actions: inout [Action]) -> Int {
        guard let s = stored[blob] else { return 0 }
        var count = 0
        for p in s.pairs.keys.sorted() where p != target {
            count += 1
            actions.append(.cpu(ctx.costs.sliver(bytes: UInt64(s.pairs[p]!.byteCount), nShards: ctx.config.nShards)))
        }
        return count
    }

    /// Wire size of one modeled recovery symbol pair (a symbol of each axis plus proofs).
    private func modeledSymbolBytes(_ blob: BlobRef, _ ctx: ProtocolContext) -> UInt64 {
        let s = (try? ctx.config.symbolSize(forBlobLength: ctx.catalog.entry(blob)?.sizeBytes ?? 1)) ?? 2
        return UInt64(2 * (s + 5 + 33 * MerkleHash.pathLength(leafCount: ctx.config.nShards)))
    }

    private static func recoveryToken(_ kind: TimerKind, _ key: RecoveryKey) -> UInt64 {
        kind.rawValue | UInt64(key.blob.index) << 8 | UInt64(UInt16(truncatingIfNeeded: key.pair)) << 40
    }

    /// Recovery symbols from every pair we hold of `blob` (other than `target` itself), for
    /// the target pair's primary sliver (from our secondary slivers) and secondary sliver (from
    /// our primary slivers), spec §4.1.
    private func recoverySymbols(blob: BlobRef, target: Int, context ctx: ProtocolContext, into actions: inout [Action])
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

    private mutating func tryFinishRecovery(_ key: RecoveryKey, context ctx: ProtocolContext, into actions: inout [Action]) {
        guard let state = recoveries[key], let entry = ctx.catalog.entry(key.blob) else { return }
        let config = ctx.config
        let metadata = entry.metadata
        let needPrimary = config.symbolsForRecovery(.primary), needSecondary = config.symbolsForRecovery(.secondary)
        if entry.modeled {
            // Each held pair yields one symbol per axis, so the primary target (C symbols) binds.
            let enough = state.modeledSymbols >= needPrimary
            guard enough || state.awaiting <= 0 else { return }
            recoveries.removeValue(forKey: key)
            defer { startQueuedRecoveries(context: ctx, into: &actions) }
            guard enough else {
                actions.append(.observe(.recoveryFailed(node: id, blob: key.blob, pair: key.pair,
                                                        reason: "only \(state.modeledSymbols)/\(needPrimary) symbols (modeled)")))
                actions.append(.timer(after: recoveryRetryDelay, token: TimerKind.recoveryRetry.rawValue | UInt64(key.blob.index) << 8))
                return
            }
            let sizes = ctx.catalog.sliverSizes(key.blob)
            actions.append(.cpu(ctx.costs.bytes(UInt64(sizes.primary + sizes.secondary) * UInt64(config.nShards) / UInt64(max(1, config.rows)))))
            store(key.blob, metadata: metadata, pair: key.pair, .modeled(index: key.pair, primaryBytes: sizes.primary, secondaryBytes: sizes.secondary),
                  context: ctx)
            actions.append(.observe(.recovered(node: id, blob: key.blob, pair: key.pair, bytesMoved: state.bytesMoved)))
            if let shard = state.syncShard { shardBlobDone(shard, recovered: true, context: ctx, into: &actions) }
            return
        }
        let enough = state.forPrimary.count >= needPrimary && state.forSecondary.count >= needSecondary
        guard enough || state.awaiting <= 0 else { return }
        recoveries.removeValue(forKey: key)
        defer { startQueuedRecoveries(context: ctx, into: &actions) }
        guard enough else {
            actions.append(.observe(.recoveryFailed(node: id, blob: key.blob, pair: key.pair,
                                                    reason: "only \(state.forPrimary.count)/\(needPrimary) primary and \(state.forSecondary.count)/\(needSecondary) secondary symbols")))
            actions.append(.timer(after: recoveryRetryDelay, token: TimerKind.recoveryRetry.rawValue | UInt64(key.blob.index) << 8))
            return
        }
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
        store(key.blob, metadata: metadata, pair: key.pair, .real(SliverPair(primary: p, secondary: s)), context: ctx)
        actions.append(.observe(.recovered(node: id, blob: key.blob, pair: key.pair, bytesMoved: state.bytesMoved)))
        if let shard = state.syncShard { shardBlobDone(shard, recovered: true, context: ctx, into: &actions) }
    }

    private mutating func startQueuedRecoveries(context ctx: ProtocolContext, into actions: inout [Action]) {
        var active = recoveries.count - recoveryQueue.count
        while active < maxConcurrentRecoveries, !recoveryQueue.isEmpty {
            let key = recoveryQueue.removeFirst()
            guard recoveries[key] != nil else { continue }
            sendRecoveryRequests(key, context: ctx, into: &actions)
            active += 1
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
