import Economics
import RedStuff
import SimSupport
@testable import WalrusModel

import Testing

/// `StorePairs`, the pairs a store carries: its compact forms read as the same payloads, in the
/// same order and at the same size on the wire, as the pairs given one by one; and a node
/// stores, answers and charges the same whichever form a store comes in (the honest store takes
/// a path of its own in `handleStore`).
@Suite struct StorePairsTests {
    /// Shards in list order (not ascending, as after shard moves), a rotation and sizes.
    let shards = [7, 2, 9, 0, 4].map { ShardIndex(UInt16($0)) }
    let mapping = ShardMapping(nShards: 10, offset: 3)

    @Test func everyFormReadsAsTheSamePayloads() {
        let indices = shards.map { mapping.pair(ofShard: $0.index) }
        let given = StorePairs(indices.map { PairPayload.modeled(index: $0, primaryBytes: 1_000, secondaryBytes: 2_000) })
        let ofShards = StorePairs(modeledOfShards: shards, mapping: mapping, primaryBytes: 1_000, secondaryBytes: 2_000)
        let byIndex = StorePairs(modeled: indices, primaryBytes: 1_000, secondaryBytes: 2_000)
        for pairs in [ofShards, byIndex] {
            #expect(Array(pairs) == Array(given))
            #expect(pairs.indices.map(pairs.pairIndex(at:)) == indices)
            #expect(pairs.wireBytes == given.wireBytes)
            #expect(pairs.uniformSizes.map { [$0.primaryBytes, $0.secondaryBytes] } == [1_000, 2_000])
            #expect(pairs.payloads == nil)
        }
        #expect(given.uniformSizes == nil && given.payloads?.count == shards.count)
        #expect(StorePairs([]).isEmpty && StorePairs(modeledOfShards: [], mapping: mapping, primaryBytes: 1, secondaryBytes: 1).isEmpty)
    }

    @Test func sizesOrIndicesTooLargeForTheCompactFormsAreKeptAsPayloads() {
        let huge = Int(UInt32.max) + 1
        let ofShards = StorePairs(modeledOfShards: shards, mapping: mapping, primaryBytes: huge, secondaryBytes: 5)
        #expect(ofShards.uniformSizes == nil)
        #expect(ofShards.payloads == shards.map { .modeled(index: mapping.pair(ofShard: $0.index), primaryBytes: huge, secondaryBytes: 5) })
        let wide = StorePairs(modeled: [3, 70_000], primaryBytes: 10, secondaryBytes: 20)
        #expect(wide.uniformSizes == nil)
        #expect(wide.payloads == [.modeled(index: 3, primaryBytes: 10, secondaryBytes: 20), .modeled(index: 70_000, primaryBytes: 10, secondaryBytes: 20)])
    }

    @Test func arePairsOfHoldsForExactlyTheShardsInTheirOrder() {
        let ofShards = StorePairs(modeledOfShards: shards, mapping: mapping, primaryBytes: 1, secondaryBytes: 1)
        let byIndex = StorePairs(modeled: shards.map { mapping.pair(ofShard: $0.index) }, primaryBytes: 1, secondaryBytes: 1)
        for pairs in [ofShards, byIndex] {
            #expect(pairs.arePairs(of: shards, mapping))
            #expect(pairs.arePairs(of: Array(shards.map { $0 }), mapping))  // an equal list in another buffer
            #expect(!pairs.arePairs(of: shards.sorted(), mapping))  // same shards, another order
            #expect(!pairs.arePairs(of: Array(shards.dropLast()), mapping))
            #expect(!pairs.arePairs(of: shards, ShardMapping(nShards: 10, offset: 4)))  // another blob's rotation
        }
    }

    /// A modeled blob in the harness's catalog (registered on chain), and its sliver sizes.
    private func modeledBlob(_ h: inout ModelHarness) throws -> (BlobRef, BlobMetadataWithID, (primary: Int, secondary: Int)) {
        let m = try h.addModeledBlob(0, size: 1_000)
        return (m.blob, m.metadata, m.sizes)
    }

    /// What a node did with a store: the CPU it charged, whether it signed, what it holds.
    private func outcome(_ pairs: (ShardMapping, (primary: Int, secondary: Int), [ShardIndex]) -> StorePairs,
                         node i: Int) throws -> (cpu: [SimDuration], signed: Bool, held: [Int], rejected: Int) {
        var h = try ModelHarness()
        let (blob, metadata, sizes) = try modeledBlob(&h)
        let mapping = ShardMapping(blobID: metadata.blobID, nShards: h.config.nShards)
        let mine = h.view.committee.shards(of: NodeID(UInt32(i)))
        let actions = h.nodes[i].receive(.store(blob: blob, metadata: SharedMetadata(metadata), pairs: pairs(mapping, sizes, mine)),
                                         from: .client(ClientID(0)), context: h.context)
        var cpu: [SimDuration] = [], signed = false, rejected = 0
        for a in actions {
            switch a {
            case .cpu(let d): cpu.append(d)
            case .send(_, .stored(_, _, let sig)): signed = sig != nil
            case .observe(.sliverRejected): rejected += 1
            default: break
            }
        }
        let held = (0..<h.config.nShards).filter { h.nodes[i].holds(blob, pair: $0, context: h.context) }
        return (cpu, signed, held, rejected)
    }

    @Test func aNodeTreatsEveryFormOfAStoreAlike() throws {
        let honest = try outcome({ m, s, mine in StorePairs(modeledOfShards: mine, mapping: m, primaryBytes: s.primary, secondaryBytes: s.secondary) }, node: 1)
        let byIndex = try outcome({ m, s, mine in
            StorePairs(modeled: mine.map { m.pair(ofShard: $0.index) }, primaryBytes: s.primary, secondaryBytes: s.secondary)
        }, node: 1)
        let given = try outcome({ m, s, mine in
            StorePairs(mine.map { .modeled(index: m.pair(ofShard: $0.index), primaryBytes: s.primary, secondaryBytes: s.secondary) })
        }, node: 1)
        #expect(honest.signed && !honest.held.isEmpty && honest.rejected == 0)
        for other in [byIndex, given] {
            #expect(other.cpu == honest.cpu && other.signed == honest.signed && other.held == honest.held && other.rejected == 0)
        }
        // The same pairs in another order go the general way, to the same end.
        let reordered = try outcome({ m, s, mine in
            StorePairs(modeled: mine.reversed().map { m.pair(ofShard: $0.index) }, primaryBytes: s.primary, secondaryBytes: s.secondary)
        }, node: 1)
        #expect(reordered.cpu == honest.cpu && reordered.signed && reordered.held == honest.held)
    }

    @Test func aStoreMissingAPairOrOfTheWrongSizeIsNotSigned() throws {
        let partial = try outcome({ m, s, mine in
            StorePairs(modeledOfShards: Array(mine.dropFirst()), mapping: m, primaryBytes: s.primary, secondaryBytes: s.secondary)
        }, node: 1)
        #expect(!partial.signed && partial.rejected == 0 && !partial.held.isEmpty)
        let wrongSize = try outcome({ m, s, mine in
            StorePairs(modeledOfShards: mine, mapping: m, primaryBytes: s.primary + 2, secondaryBytes: s.secondary)
        }, node: 1)
        #expect(!wrongSize.signed && wrongSize.held.isEmpty && wrongSize.rejected > 0)
    }
}
