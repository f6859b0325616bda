import Economics
import RedStuff
import SimSupport
import WalrusCrypto

/// Byzantine storage nodes (spec walrus-staking §6.1: up to f shards may be held by nodes that
/// lie). A behaviour is set by the shell for the span of a fault; the honest code path runs for
/// every message it does not change, and the honest side of every exchange (readers checking
/// slivers against metadata, recoverers checking symbols' Merkle proofs, new shard owners
/// checking synced pairs) runs the real checks that must catch it.
extension StorageNode {
    /// How a node misbehaves.
    public enum Behaviour: Sendable, Equatable {
        /// Follows the protocol.
        case honest
        /// Stores and signs, but never serves slivers, recovery symbols or metadata to anyone:
        /// every request for a targeted blob is answered "not held".
        case withhold
        /// Serves slivers, recovery symbols and synced pairs with altered bytes (their Merkle
        /// proofs no longer verify).
        case corruptSlivers
        /// Serves metadata (to readers, recoverers and new shard owners) that does not match the
        /// blob ID.
        case wrongMetadata
        /// Signs storage confirmations without storing (or checking) anything.
        case lazySigner
        /// Never answers shard-sync requests: gained shards must come from recovery.
        case refuseSync
        /// Accepts messages and never answers any of them (nor stores anything).
        case silent
        /// Serves only this share of clients (permille, by client index); others get no answer.
        case selective(servePermille: UInt64)

        /// The name of the behaviour in scenario files and the `faults` table.
        public var name: String {
            switch self {
            case .honest: "honest"
            case .withhold: "withhold"
            case .corruptSlivers: "corrupt_slivers"
            case .wrongMetadata: "wrong_metadata"
            case .lazySigner: "lazy_signer"
            case .refuseSync: "refuse_sync"
            case .silent: "silent"
            case .selective: "selective"
            }
        }
    }

    /// Whether the node's behaviour applies to `blob`: a colluding group (the nodes of one
    /// fault) shares `behaviourSeed`, so they target the same `behaviourBlobsPermille` of blobs.
    public func targets(_ blob: BlobRef) -> Bool {
        guard behaviour != .honest else { return false }
        guard behaviourBlobsPermille < 1_000 else { return true }
        return SeedDerivation.splitMix64(behaviourSeed ^ UInt64(blob.index) &* 0x9E37_79B9_7F4A_7C15) % 1_000 < behaviourBlobsPermille
    }

    /// Whether a selective node answers `from` (nodes always; clients by index).
    func serves(_ from: Party) -> Bool {
        guard case .selective(let permille) = behaviour, case .client(let c) = from else { return true }
        return SeedDerivation.splitMix64(behaviourSeed ^ UInt64(c.rawValue)) % 1_000 < permille
    }

    /// A message as this node's behaviour answers it, or `nil` to follow the honest path.
    /// Returns the actions to take instead (possibly none: no answer at all).
    mutating func misbehave(_ message: Message, from: Party, context ctx: ProtocolContext) -> [Action]? {
        switch behaviour {
        case .honest:
            return nil
        case .silent:
            return []
        case .selective:
            return serves(from) ? nil : []
        default:
            break
        }
        switch message {
        case .store(let blob, let metadata, _) where behaviour == .lazySigner && targets(blob):
            // Sign whatever arrived, store nothing.
            guard ctx.view.status(blob)?.registered == true, !ctx.view.committee.shards(of: id).isEmpty else { return nil }
            return [.cpu(ctx.costs.signatureCost),
                    .send(to: from, .stored(blob: blob, epoch: ctx.view.epoch, signature: signer.sign(epoch: ctx.view.epoch, blobID: metadata.value.blobID)))]
        case .metadataRequest(let blob) where targets(blob):
            switch behaviour {
            case .withhold: return [.send(to: from, .metadataResponse(blob: blob, metadata: nil))]
            case .wrongMetadata: return [.send(to: from, .metadataResponse(blob: blob, metadata: storedMetadata(blob, ctx).map { SharedMetadata(Self.falsified($0)) }))]
            default: return nil
            }
        case .sliverRequest(let blob, let pair) where targets(blob):
            switch behaviour {
            case .withhold: return [.send(to: from, .sliverResponse(blob: blob, pair: pair, sliver: nil))]
            case .corruptSlivers:
                return [.send(to: from, .sliverResponse(blob: blob, pair: pair, sliver: servable(blob, pair, ctx)?.primary.map(Self.corrupted)))]
            default: return nil
            }
        case .sliversRequest(let blob, let pairs) where targets(blob):
            // Per pair as `sliverRequest` above: every pair withheld, or every held one corrupted.
            switch behaviour {
            case .withhold: return [.send(to: from, .sliversResponse(blob: blob, pairs: pairs, slivers: SliverAnswers(pairs: pairs) { _ in nil }))]
            case .corruptSlivers:
                var answers = SliverAnswers.Builder(pairs: pairs)
                for pair in pairs { answers.append(servable(blob, pair, ctx)?.primary.map(Self.corrupted)) }
                return [.send(to: from, .sliversResponse(blob: blob, pairs: pairs, slivers: answers.answers))]
            default: return nil
            }
        case .columnRequest(let blob, let sliver) where targets(blob):
            let n = ctx.config.nShards
            switch behaviour {
            case .withhold: return [.send(to: from, .columnResponse(blob: blob, sliver: sliver, payload: nil))]
            case .corruptSlivers:
                let honest = (0..<n).contains(sliver) ? servable(blob, n - 1 - sliver, ctx)?.secondary(nShards: n) : nil
                return [.send(to: from, .columnResponse(blob: blob, sliver: sliver, payload: honest.map(Self.corrupted)))]
            default: return nil
            }
        case .recoveryRequest(let blob, let target, let axes) where targets(blob):
            let modeled = ctx.catalog.entry(blob)?.modeled == true
            switch behaviour {
            case .withhold:
                return [.send(to: from, modeled
                    ? .modeledRecoveryResponse(blob: blob, pair: target, axes: axes, sources: [], valid: false, bytes: 0)
                    : .recoveryResponse(blob: blob, pair: target, forPrimary: [], forSecondary: []))]
            case .corruptSlivers:
                let actions = ActionBuffer()
                if modeled {
                    let sources = modeledSymbols(blob: blob, target: target, axes: axes, context: ctx, into: actions)
                    actions.append(.send(to: from, .modeledRecoveryResponse(blob: blob, pair: target, axes: axes, sources: sources, valid: false,
                                                                            bytes: UInt64(sources.count * axes.count) * modeledSymbolBytes(blob, ctx))))
                } else {
                    let symbols = recoverySymbols(blob: blob, target: target, axes: axes, context: ctx, into: actions)
                    actions.append(.send(to: from, .recoveryResponse(blob: blob, pair: target, forPrimary: symbols.forPrimary.map(Self.corrupted),
                                                                     forSecondary: symbols.forSecondary.map(Self.corrupted))))
                }
                return Array(actions)
            default: return nil
            }
        case .syncRequest(let shard, let blobs, let metadataFor):
            switch behaviour {
            case .refuseSync: return []
            case .withhold:
                let withheld = blobs.filter(targets)
                guard !withheld.isEmpty else { return nil }
                let actions = ActionBuffer()
                serveSyncRequest(shard: shard, blobs: blobs.filter { !targets($0) }, metadataFor: metadataFor, from: from, context: ctx,
                                 into: actions)
                guard case .send(let to, .syncResponse(let s, let items, let missing))? = actions.last else { return Array(actions) }
                actions[actions.endIndex - 1] = .send(to: to, .syncResponse(shard: s, items: items, missing: missing + withheld))
                return Array(actions)
            case .corruptSlivers, .wrongMetadata:
                let actions = ActionBuffer()
                serveSyncRequest(shard: shard, blobs: blobs, metadataFor: metadataFor, from: from, context: ctx, into: actions)
                guard case .send(let to, .syncResponse(let s, let items, let missing))? = actions.last else { return Array(actions) }
                // Wrong metadata reaches only a new owner that asked for it; one that has the
                // metadata checks the pair against its own and keeps it.
                let lied = items.map { item -> SyncItem in
                    guard targets(item.blob) else { return item }
                    return behaviour == .corruptSlivers
                        ? SyncItem(blob: item.blob, metadata: item.metadata, pair: Self.corrupted(item.pair))
                        : SyncItem(blob: item.blob, metadata: item.metadata.map(Self.falsified), pair: item.pair)
                }
                actions[actions.endIndex - 1] = .send(to: to, .syncResponse(shard: s, items: lied, missing: missing))
                return Array(actions)
            default: return nil
            }
        default:
            return nil
        }
    }

    /// Metadata with the blob's ID but one altered hash: it fails `verify` against the ID.
    static func falsified(_ m: BlobMetadataWithID) -> BlobMetadataWithID {
        var metadata = m.metadata
        if !metadata.hashes.isEmpty {
            var h = metadata.hashes[0]
            h.primaryHash = h.secondaryHash == h.primaryHash ? .digest(.zero) : h.secondaryHash
            metadata.hashes[0] = h
        }
        return BlobMetadataWithID(blobID: m.blobID, metadata: metadata)
    }

    /// A sliver with its first byte flipped (or, modeled, with the wrong size): it no longer
    /// verifies against the metadata.
    static func corrupted(_ s: SliverPayload) -> SliverPayload {
        switch s {
        case .real(let sliver):
            var data = sliver.data
            guard !data.isEmpty else { return s }
            data[0] ^= 0xFF
            return (try? Sliver(axis: sliver.axis, index: sliver.index, symbolSize: sliver.symbolSize, data: data)).map { .real($0) } ?? s
        case .modeled(let i, let bytes):
            return .modeled(index: i, bytes: bytes + 2)
        }
    }

    /// A pair whose primary sliver is corrupted (see `corrupted(_:)` for slivers).
    static func corrupted(_ p: PairPayload) -> PairPayload {
        switch p {
        case .real(let pair):
            guard case .real(let bad) = corrupted(.real(pair.primary)) else { return p }
            return .real(SliverPair(primary: bad, secondary: pair.secondary))
        case .modeled(let i, let a, let b):
            return .modeled(index: i, primaryBytes: a + 2, secondaryBytes: b)
        case .digest:
            return p
        }
    }

    /// A recovery symbol with its first byte flipped: its Merkle proof fails.
    static func corrupted(_ s: RecoverySymbol) -> RecoverySymbol {
        var data = s.data
        if !data.isEmpty { data[0] ^= 0xFF }
        return RecoverySymbol(targetAxis: s.targetAxis, sourceIndex: s.sourceIndex, data: data, proof: s.proof)
    }
}
