import Economics
import RedStuff
import SimSupport
import WalrusCrypto

/// Invalid blobs (spec walrus-staking §6.6, Walrus's node `sync_inconsistency_proof`): a node
/// whose recovery produced an inconsistency proof sends it to the other committee members,
/// largest weight first; each verifies it against the blob's metadata and answers with a signed
/// `InvalidBlobIdMsg` (intent 2). With attestations worth 2f+1 shards (what Walrus's node
/// collects; the contract needs f+1) the node submits `invalidate_blob_id`; on the chain's
/// `InvalidBlobID` event every node deletes the blob's data and reads of it end `invalid`.
extension StorageNode {
    /// An invalidation this node drives: its proof and the attestations collected so far.
    struct Invalidation {
        var proof: InconsistencyProof
        var epoch: Epoch
        var signatures: [NodeID: ConfirmationSignature]
        var weight: Int
        var submitted = false
    }

    /// Starts the invalidation of `blob` with `proof` (once per blob): signs its own attestation
    /// and asks every other member of the committee for theirs.
    mutating func startInvalidation(_ blob: BlobRef, proof: InconsistencyProof, context ctx: ProtocolContext, into actions: ActionBuffer) {
        guard invalidations[blob] == nil, let blobID = ctx.catalog.entry(blob)?.metadata.blobID else { return }
        let epoch = ctx.view.epoch
        actions.append(.cpu(ctx.costs.signatureCost))
        var inv = Invalidation(proof: proof, epoch: epoch, signatures: [:], weight: 0)
        if ctx.view.committee.contains(id) {
            inv.signatures[id] = signer.sign(.invalidBlobID, epoch: epoch, blobID: blobID)
            inv.weight = ctx.view.committee.weight(of: id)
        }
        invalidations[blob] = inv
        let members = ctx.view.committee.members.filter { $0.node != id }.sorted { ($0.shards.count, $1.node) > ($1.shards.count, $0.node) }
        for m in members { actions.append(.send(to: .node(m.node), .inconsistencyProof(blob: blob, proof: proof))) }
        submitInvalidationIfReady(blob, context: ctx, into: actions)
    }

    /// Another node's proof: verified against the blob's metadata (ours, or the registered one),
    /// answered with an attestation if it holds, with `nil` if not.
    mutating func verifyInconsistencyProof(_ blob: BlobRef, proof: InconsistencyProof, from: Party, context ctx: ProtocolContext,
                                           into actions: ActionBuffer) {
        guard let metadata = storedMetadata(blob, ctx) ?? ctx.catalog.entry(blob)?.metadata else {
            actions.append(.send(to: from, .invalidBlobAttestation(blob: blob, epoch: ctx.view.epoch, signature: nil)))
            return
        }
        // Verifying decodes one sliver from its symbols and checks each symbol's proof.
        let symbolBytes = UInt64(proof.symbols.reduce(0) { $0 + $1.data.count })
        actions.append(.cpu(ctx.costs.bytes(symbolBytes * 2)
                            + ctx.costs.hashCost * UInt64(proof.symbols.count * max(1, MerkleHash.pathLength(leafCount: ctx.config.nShards)))))
        guard (try? proof.verify(metadata: metadata.metadata, config: ctx.config)) != nil else {
            actions.append(.observe(.responseRejected(by: .node(id), from: from, blob: blob, what: "inconsistency proof")))
            actions.append(.send(to: from, .invalidBlobAttestation(blob: blob, epoch: ctx.view.epoch, signature: nil)))
            return
        }
        actions.append(.cpu(ctx.costs.signatureCost))
        actions.append(.send(to: from, .invalidBlobAttestation(blob: blob, epoch: ctx.view.epoch,
                                                               signature: signer.sign(.invalidBlobID, epoch: ctx.view.epoch, blobID: metadata.blobID))))
    }

    /// An attestation for an invalidation this node drives.
    mutating func takeAttestation(_ blob: BlobRef, epoch: Epoch, signature: ConfirmationSignature?, from: Party, context ctx: ProtocolContext,
                                  into actions: ActionBuffer) {
        guard var inv = invalidations[blob], !inv.submitted, epoch == inv.epoch, let signature,
              case .node(let n) = from, signature.signer == n, inv.signatures[n] == nil else { return }
        inv.signatures[n] = signature
        inv.weight += ctx.view.committee.weight(of: n)
        invalidations[blob] = inv
        submitInvalidationIfReady(blob, context: ctx, into: actions)
    }

    /// Submits `invalidate_blob_id` once the attestations weigh 2f+1 shards.
    mutating func submitInvalidationIfReady(_ blob: BlobRef, context ctx: ProtocolContext, into actions: ActionBuffer) {
        guard var inv = invalidations[blob], !inv.submitted,
              Quorum.isCertificationQuorum(weight: inv.weight, nShards: ctx.config.nShards) else { return }
        inv.submitted = true
        invalidations[blob] = inv
        let signatures = inv.signatures.keys.sorted().map { inv.signatures[$0]! }
        guard let blobID = ctx.catalog.entry(blob)?.metadata.blobID,
              let certificate = AggregateCertificate.aggregate(signatures, .invalidBlobID, epoch: inv.epoch, blobID: blobID,
                                                               mode: ctx.signatures) else { return }
        actions.append(.submit(.invalidateBlob(node: id, blob: blob, epoch: inv.epoch, certificate: certificate)))
    }

    /// `InvalidBlobID`: the blob's data is deleted, its recoveries stop, reads of it end invalid.
    mutating func blobInvalidated(_ blob: BlobRef, context ctx: ProtocolContext, into actions: ActionBuffer) {
        invalidBlobs.insert(blob)
        stored.removeValue(forKey: blob)
        expansionCache.remove(blob)
        invalidations.removeValue(forKey: blob)
        for key in recoveries.keys.filter({ $0.blob == blob }).sorted() { drop(key, context: ctx, into: actions) }
    }
}
