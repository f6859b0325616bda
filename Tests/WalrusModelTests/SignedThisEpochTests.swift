import Economics
import RedStuff
import SimSupport
@testable import WalrusModel

import Testing

/// The blob sync at certification skips the walk over a node's holdings for a blob the node
/// signed for in this epoch (`StorageNode.signedThisEpoch`). These check the window itself and
/// that the skip never hides a missing pair: a node that lost its disk, or whose epoch (and so
/// shards) changed, since it signed must not take it.
@Suite struct SignedThisEpochTests {
    @Test func theWindowKeepsTheNewest64AndForgetsBelow() {
        var w = BlobWindow()
        #expect(!w.contains(0))
        w.insert(100)
        w.insert(101)
        w.insert(99)  // below the window's start: not added
        #expect(w.contains(100) && w.contains(101) && !w.contains(99) && !w.contains(102))
        w.insert(163)  // 100 + 63: still inside
        #expect(w.contains(100) && w.contains(163))
        w.insert(164)  // moves the window up by one: 100 falls out
        #expect(!w.contains(100) && w.contains(101) && w.contains(163) && w.contains(164))
        w.insert(10_000)  // far above: everything before is forgotten
        #expect(!w.contains(101) && !w.contains(164) && w.contains(10_000))
        #expect(BlobWindow() == BlobWindow())
    }

    /// Registers `blob` and has every node store its pairs; returns the confirmations.
    private func registerAndStore(_ h: inout ModelHarness, _ blob: BlobRef, _ encoded: EncodedBlob) -> [ConfirmationSignature] {
        h.executeOnChain(.registerBlob(client: ClientID(0), blob: blob, blobID: encoded.metadata.blobID,
                                       unencodedBytes: h.catalog.entry(blob)?.sizeBytes ?? 0, epochs: 3, deletable: false),
                         from: .client(ClientID(0)))
        var signatures: [ConfirmationSignature] = []
        for i in h.nodes.indices {
            let pairs = h.pairs(ofNode: i, blobID: encoded.metadata.blobID).map { PairPayload.real(encoded.pairs[$0]) }
            let actions = h.nodes[i].receive(.store(blob: blob, metadata: SharedMetadata(encoded.metadata), pairs: StorePairs(pairs)), from: .client(ClientID(0)),
                                             context: h.context)
            for case .send(_, .stored(_, _, let sig?)) in actions { signatures.append(sig) }
        }
        return signatures
    }

    /// Certifies `blob` on chain; returns the certification event.
    private func certify(_ h: inout ModelHarness, _ blob: BlobRef, _ encoded: EncodedBlob, _ signatures: [ConfirmationSignature]) throws -> ChainEvent {
        let certificate = try #require(AggregateCertificate.aggregate(signatures, .blobCertification, epoch: h.view.epoch,
                                                                      blobID: encoded.metadata.blobID, mode: .real))
        let events = h.executeOnChain(.certifyBlob(client: ClientID(0), blob: blob, epoch: h.view.epoch, certificate: certificate),
                                      from: .client(ClientID(0)))
        let certified = try #require(events.first)
        guard case .blobCertified = certified else { Issue.record("\(events)"); return certified }
        return certified
    }

    private func setsBlobSync(_ actions: [Action]) -> Bool {
        actions.contains { if case .timer(_, let token) = $0 { token & 0xff == StorageNode.TimerKind.blobSync.rawValue } else { false } }
    }

    @Test func aNodeThatLostItsDiskSinceSigningStillSyncsTheBlob() throws {
        var h = try ModelHarness()
        // The nodes enter the current epoch (the harness only applied genesis to the view), so
        // that a restart has no epoch change to catch up with: only the lost disk empties the window.
        let current = ChainEvent.epochChangeStart(epoch: h.view.epoch, committee: h.view.committee, previous: h.view.previousCommittee)
        for i in h.nodes.indices { _ = h.nodes[i].chainEvent(current, context: h.context) }
        let (blob, encoded, _) = try h.encodeBlob(0, size: 3_000)
        let signatures = registerAndStore(&h, blob, encoded)
        #expect(signatures.count == h.nodes.count)
        #expect(h.nodes.allSatisfy { $0.signedThisEpoch.contains(blob.index) })
        // Node 0 loses its disk before the blob is certified (a restart recovers only certified blobs).
        h.nodes[0].crash()
        _ = h.nodes[0].restart(loseDisk: true, context: h.context)
        #expect(!h.nodes[0].signedThisEpoch.contains(blob.index))
        let certified = try certify(&h, blob, encoded, signatures)
        #expect(setsBlobSync(h.nodes[0].chainEvent(certified, context: h.context)), "node 0 must recover what it lost")
        // A node that kept its disk misses nothing and sets no blob sync, by either path.
        #expect(!setsBlobSync(h.nodes[1].chainEvent(certified, context: h.context)))
        #expect(!h.nodes[1].missesAnyPair(blob, shards: h.nodes[1].blobSyncShards(blob, h.context), context: h.context))
        // A crash without disk loss keeps both the pairs and the window.
        h.nodes[2].crash()
        _ = h.nodes[2].restart(loseDisk: false, context: h.context)
        #expect(h.nodes[2].signedThisEpoch.contains(blob.index))
        #expect(!h.nodes[2].missesAnyPair(blob, shards: h.nodes[2].blobSyncShards(blob, h.context), context: h.context))
    }

    @Test func anEpochChangeEmptiesTheWindow() throws {
        var h = try ModelHarness()
        let (blob, encoded, _) = try h.encodeBlob(0, size: 3_000)
        _ = registerAndStore(&h, blob, encoded)
        #expect(h.nodes[1].signedThisEpoch.contains(blob.index))
        // The next epoch, even with the same committee: what is held may be pruned at its start.
        let start = ChainEvent.epochChangeStart(epoch: Epoch(h.view.epoch.rawValue + 1), committee: h.view.committee,
                                                previous: h.view.committee)
        _ = h.nodes[1].chainEvent(start, context: h.context)
        #expect(!h.nodes[1].signedThisEpoch.contains(blob.index))
    }
}
