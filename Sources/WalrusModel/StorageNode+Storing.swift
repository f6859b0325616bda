import Economics
import RedStuff
import SimSupport
import WalrusCrypto

/// Storing and serving: what a node does with the pairs clients send it and the reads it answers.
extension StorageNode {
    /// A client's store request. Slivers may arrive before the node has seen the blob's
    /// registration: without the resource model they wait for it; under it the node refuses
    /// them as the Walrus node the paper measured did (`StoreMetadataError::NotCurrentlyRegistered`;
    /// nodes keep such uploads in a pending cache only since November 2025), answering with its
    /// status of the blob, not registered, and the SDK retries after its backoff. A blob that
    /// expired or was deleted is refused.
    mutating func receiveStore(blob: BlobRef, metadata: BlobMetadataWithID, pairs: StorePairs, from: Party,
                               context ctx: ProtocolContext, into actions: ActionBuffer) {
        guard let status = ctx.view.status(blob), status.registered else {
            if let r = ctx.resources {
                actions.append(.cpu(r.requestOverhead))
                actions.append(.send(to: from, .blobStatusResponse(blob: blob, registered: false, certified: false)))
                return
            }
            earlyStores[blob, default: []].append((from, metadata, pairs))
            return
        }
        guard !status.deleted, status.endEpoch > ctx.view.epoch else {
            actions.append(.send(to: from, .stored(blob: blob, epoch: ctx.view.epoch, signature: nil)))
            return
        }
        handleStore(blob: blob, metadata: metadata, pairs: pairs, from: from, context: ctx, into: actions)
    }

    /// Whether the node has stored metadata of `blob` (real, or a modeled blob's when it holds
    /// any of its pairs): a client's store then skips the metadata upload.
    public func hasMetadata(_ blob: BlobRef, context ctx: ProtocolContext) -> Bool { storedMetadata(blob, ctx) != nil }

    /// Verifies the metadata against the blob ID, then each pair of the node's shards against the
    /// metadata; stores what verifies and signs a confirmation once every pair it owns is stored
    /// (spec §6). Anything else gets a refusal (`stored` without a signature).
    mutating func handleStore(blob: BlobRef, metadata: BlobMetadataWithID, pairs: StorePairs, from: Party,
                                      context ctx: ProtocolContext, into actions: ActionBuffer) {
        let n = ctx.config.nShards
        // A modeled blob without a resource model charges the whole store (metadata, pairs,
        // signature) as one CPU action: each CPU action followed by others costs the world an
        // event, and nothing here needs the steps apart. Real blobs and calibrated runs keep
        // one action per step, and so their event streams.
        let oneCPU = !ctx.hasResources && ctx.catalog.isModeled(blob)
        let start = actions.endIndex
        var cpu = ctx.costs.hashCost * UInt64(2 * n)
        // Metadata must match the blob ID registered on chain (a global inconsistency needs no proof).
        // The hashing's CPU action comes first. Under `oneCPU` it becomes the whole store's cost,
        // known at the end: appended there when no other action came before it (an honest
        // client's store, below), else appended before the first other action and set in place
        // at the end (inserting it in front of the others shifted them, and overwriting a
        // placeholder in the common case destroyed it, per store at every node).
        var cpuActionPending = oneCPU
        if !oneCPU { actions.append(.cpu(cpu)) }
        // A modeled pair is valid when it has the blob's sliver sizes (and the metadata is the
        // blob's, checked once here rather than per pair: `BlobCatalog.isValid` of a modeled pair).
        // Sizes found mean a modeled blob sent with its own metadata: valid, with the blob's
        // registered ID and precomputed mapping, without asking the catalog three times more.
        let modeledSizes = ctx.catalog.modeledSliverSizes(blob, metadata: metadata)
        guard modeledSizes != nil || (ctx.catalog.isValidMetadata(metadata, blob: blob)
                                      && ctx.catalog.blobID(blob).map({ $0 == metadata.blobID }) ?? true)
        else {
            if cpuActionPending { actions.append(.cpu(cpu)) }
            actions.append(.observe(.sliverRejected(node: id, blob: blob, reason: "metadata does not match the blob ID")))
            actions.append(.send(to: from, .stored(blob: blob, epoch: ctx.view.epoch, signature: nil)))
            return
        }
        let mapping = modeledSizes != nil ? ctx.catalog.shardMapping(blob) ?? ctx.catalog.shardMapping(blob, blobID: metadata.blobID)
                                          : ctx.catalog.shardMapping(blob, blobID: metadata.blobID)
        let mine = ctx.view.committee.shards(of: id)
        var written: (pairs: UInt64, bytes: UInt64) = (0, 0)
        var needed: [Int]
        if oneCPU, let u = pairs.uniformSizes, let sizes = modeledSizes, sizes == (u.primaryBytes, u.secondaryBytes),
           pairs.arePairs(of: mine, mapping) {
            // The common case, what an honest client sends: valid modeled pairs of exactly our
            // shards, in our shards' order. All are stored and none is missing; no search.
            let bytes = u.primaryBytes + u.secondaryBytes
            cpu = cpu + ctx.costs.sliver(bytes: UInt64(bytes), nShards: n) * UInt64(mine.count)
            modeledHeld.insert(blob.index, allShards: mine)
            written = (UInt64(mine.count), UInt64(bytes) * UInt64(mine.count))
            needed = []
        } else {
            if cpuActionPending { actions.append(.cpu(cpu)); cpuActionPending = false }  // storeEach may append after it
            needed = storeEach(blob, metadata: metadata, pairs: pairs, mine: mine, mapping: mapping, modeledSizes: modeledSizes,
                               oneCPU: oneCPU, cpu: &cpu, written: &written, context: ctx, into: actions)
        }
        if let r = ctx.resources {
            // Stores come in batches of pairs: pairs stored by earlier batches count.
            needed = needed.filter { !holds(blob, pair: $0, context: ctx) }
            // Each sliver is its own HTTPS request and its own database write (two per pair),
            // and the confirmation waits for the writes to reach the disk.
            actions.append(.cpu(r.requestOverhead * UInt64(2 * pairs.count) + r.dbWriteOverhead * (2 * written.pairs)))
            if written.pairs > 0, let disk = r.disks[r.disk(ofNode: id.index)] {
                actions.append(.disk(disk.writeTime(bytes: written.bytes, writes: 2 * written.pairs)))
            }
        }
        // Sign only once every pair of every shard of ours is stored and verified (spec §6).
        let signs = needed.isEmpty && !mine.isEmpty
        if oneCPU {
            let total = Action.cpu(signs ? cpu + ctx.costs.signatureCost : cpu)
            if cpuActionPending { actions.append(total) } else { actions[start] = total }
        }
        if signs {
            signedThisEpoch.insert(blob.index)
            if !oneCPU { actions.append(.cpu(ctx.costs.signatureCost)) }
            let signature = signer.sign(epoch: ctx.view.epoch, blobID: metadata.blobID, prefixes: ctx.environment.tagPrefixes)
            actions.append(.send(to: from, .stored(blob: blob, epoch: ctx.view.epoch, signature: signature)))
        } else {
            actions.append(.send(to: from, .stored(blob: blob, epoch: ctx.view.epoch, signature: nil)))
        }
    }

    /// `handleStore`'s general case: each pair of `pairs` that is one of our shards' (`mine`)
    /// is verified, stored if valid, and its verification charged (added to `cpu` under
    /// `oneCPU`, else an action of its own); returns our shards' pairs not stored.
    private mutating func storeEach(_ blob: BlobRef, metadata: BlobMetadataWithID, pairs: StorePairs, mine: [ShardIndex],
                                    mapping: ShardMapping, modeledSizes: (primary: Int, secondary: Int)?, oneCPU: Bool,
                                    cpu: inout SimDuration, written: inout (pairs: UInt64, bytes: UInt64),
                                    context ctx: ProtocolContext, into actions: ActionBuffer) -> [Int] {
        let n = ctx.config.nShards
        // The pairs of our shards, ascending, and which of them this store has written: a
        // sorted buffer searched by bisection, not a hash set, and on the stack (this runs for
        // every store at every node: hashing, then allocating, were measurable shares of a
        // modeled run).
        // The verification cost of the last size seen: a modeled blob's pairs all have one size.
        var verifyCost: (bytes: Int, cost: SimDuration) = (-1, .zero)
        return withUnsafeTemporaryAllocation(of: Int.self, capacity: mine.count) { buffer -> [Int] in
            // Each entry is a pair index above its shard's (`pairShift` bits): sorted by pair.
            var ours = buffer
            for (k, shard) in mine.enumerated() {
                ours.initializeElement(at: k, to: mapping.pair(ofShard: shard.index) << Self.pairShift | shard.index)
            }
            ours.sort()
            return withUnsafeTemporaryAllocation(of: Bool.self, capacity: mine.count) { done -> [Int] in
              withUnsafeTemporaryAllocation(of: ShardIndex.self, capacity: mine.count) { modeledShards -> [Int] in
                // The shards of the modeled pairs stored, recorded together after the loop.
                var modeledCount = 0
                done.initialize(repeating: false)
                // Compact modeled pairs are read as indices, their one size checked once; other
                // pairs one payload at a time.
                let uniform = pairs.uniformSizes
                let uniformValid = uniform.map { u in modeledSizes.map { $0 == (u.primaryBytes, u.secondaryBytes) } ?? false } ?? false
                let payloads = pairs.payloads ?? []
                for position in pairs.indices {
                    let idx: Int, bytes: Int, modeled: Bool
                    if let u = uniform {
                        (idx, bytes, modeled) = (pairs.pairIndex(at: position), u.primaryBytes + u.secondaryBytes, true)
                    } else {
                        let pair = payloads[position]
                        idx = pair.index
                        bytes = pair.byteCount
                        if case .modeled = pair { modeled = true } else { modeled = false }
                    }
                    let k = ours.partitioningIndex { $0 >> Self.pairShift >= idx }
                    guard k < ours.count, ours[k] >> Self.pairShift == idx, !done[k] else { continue }
                    if bytes != verifyCost.bytes { verifyCost = (bytes, ctx.costs.sliver(bytes: UInt64(bytes), nShards: n)) }
                    if oneCPU { cpu = cpu + verifyCost.cost } else { actions.append(.cpu(verifyCost.cost)) }
                    let valid: Bool
                    if uniform != nil {
                        valid = uniformValid
                    } else if modeled {
                        valid = BlobCatalog.isValidModeled(payloads[position], index: idx, sizes: modeledSizes)
                    } else {
                        valid = ctx.catalog.isValid(payloads[position], index: idx, blob: blob, metadata: metadata)
                    }
                    if valid {
                        if modeled {
                            modeledShards.initializeElement(at: modeledCount, to: ShardIndex(UInt16(ours[k] & Self.shardMask)))
                            modeledCount += 1
                        } else {
                            store(blob, metadata: metadata, pair: idx, payloads[position], context: ctx)
                        }
                        done[k] = true
                        written.pairs += 1
                        written.bytes += UInt64(bytes)
                    } else {
                        actions.append(.observe(.sliverRejected(node: id, blob: blob, reason: "pair \(idx) fails verification")))
                    }
                }
                if modeledCount > 0 {
                    var held = UnsafeMutableBufferPointer<ShardIndex>(rebasing: modeledShards[..<modeledCount])
                    held.sort()
                    modeledHeld.insert(blob.index, sortedShards: held)
                }
                // Our pairs not stored by this request (none, in the common case: no array).
                var needed: [Int] = []
                for k in ours.indices where !done[k] { needed.append(ours[k] >> Self.pairShift) }
                return needed
              }
            }
        }
    }

    /// `handleStore` packs a pair index and its shard into one integer, pair above shard.
    private static let pairShift = 16
    private static let shardMask = 1 << pairShift - 1

    /// Stores a verified pair; under `payload = digest` only its sizes and hash are kept.
    /// A modeled pair is recorded in the node's per-shard ranges, not in a per-blob record.
    mutating func store(_ blob: BlobRef, metadata: BlobMetadataWithID, pair index: Int, _ pair: PairPayload,
                                context ctx: ProtocolContext) {
        if case .modeled = pair {
            storeModeled(blob, shard: ctx.catalog.shardMapping(blob, blobID: metadata.blobID).shard(ofPair: index))
            return
        }
        if stored[blob] == nil { stored[blob] = StoredBlob(metadata: metadata, pairs: [:]) }
        var kept = pair
        if !ctx.catalog.keepsPayload, case .real(let p) = pair {
            kept = .digest(index: index, primaryBytes: p.primary.data.count, secondaryBytes: p.secondary.data.count,
                           hash: PairPayload.contentHash(p))
        }
        stored[blob]!.pairs[index] = kept
    }

    /// The primary slivers of `pairs` of `blob` as the node serves them (`servable`'s, pair by
    /// pair). For a modeled blob the per-blob questions (is it kept, its mapping and sizes) are
    /// asked once for the request, then each pair is one lookup in the holdings.
    func servePrimaries(_ blob: BlobRef, pairs: [Int], context ctx: ProtocolContext) -> SliverAnswers {
        if stored[blob] == nil, isModeled(blob, ctx) {
            // Every answer served is the asked pair's modeled sliver of the blob's one size:
            // the compact form, with the positions not held.
            guard modeledKept(blob, ctx), let mapping = ctx.catalog.shardMapping(blob) else {
                return SliverAnswers(modeled: pairs.count, bytes: 0, missing: Array(pairs.indices))  // as `Builder` gives it
            }
            let bytes = ctx.catalog.sliverSizes(blob).primary
            let inGroup = modeledHeld.groupHolds(blob.index)
            // What an honest reader asks: the pairs of exactly the group's shards, in order
            // (a node's shards are one ascending list, the group's). All held, one compare each.
            if inGroup {
                let group = modeledHeld.groupList
                if group.count == pairs.count && pairs.indices.allSatisfy({ UInt16(mapping.shard(ofPair: pairs[$0])) == group[$0].rawValue }) {
                    return SliverAnswers(modeled: pairs.count, bytes: bytes, missing: [])
                }
            }
            var missing: [Int] = []
            for (k, pair) in pairs.enumerated()
            where !modeledHeld.contains(blob.index, shard: ShardIndex(UInt16(mapping.shard(ofPair: pair))), inGroup: inGroup) {
                missing.append(k)
            }
            return SliverAnswers(modeled: pairs.count, bytes: bytes, missing: missing)
        }
        var answers = SliverAnswers.Builder(pairs: pairs)
        for pair in pairs { answers.append(servable(blob, pair, ctx)?.primary) }
        return answers.answers
    }

    /// A stored pair as it can be sent: digest-only pairs are regenerated (and must match their
    /// hash); `nil` when the node does not hold the pair.
    func servable(_ blob: BlobRef, _ index: Int, _ ctx: ProtocolContext) -> PairPayload? {
        guard let p = stored[blob]?.pairs[index] else {
            guard isModeled(blob, ctx), holdsModeled(blob, pair: index, ctx) else { return nil }
            let sizes = ctx.catalog.sliverSizes(blob)
            return .modeled(index: index, primaryBytes: sizes.primary, secondaryBytes: sizes.secondary)
        }
        guard case .digest(_, _, _, let hash) = p else { return p }
        return ctx.catalog.materialize(blob, index: index, hash: hash).map { .real($0) }
    }
}
