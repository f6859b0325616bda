import SimSupport
import Testing
@testable import WalrusModel

/// The compact sets the hot paths keep instead of hash sets: a shard sync's pending blobs and a
/// write's confirmations. Each is checked against the plain set it replaced.
@Suite struct SyncAndConfirmationSetTests {
    /// A fixed pseudo-random sequence (multiplicative hashing), so the cases are the same every run.
    static func sequence(_ count: Int, below bound: UInt32, seed: UInt32) -> [UInt32] {
        var x = seed
        return (0..<count).map { _ in
            x = x &* 2_654_435_761 &+ 12_345
            return (x >> 7) % bound
        }
    }

    /// Removals in any order, repeats and strangers included: membership, the count and the
    /// remaining blobs (ascending) match a `Set` throughout.
    @Test func pendingBlobsMatchASet() {
        let blobs = Self.sequence(500, below: 2_000, seed: 3).map(BlobRef.init)  // unsorted, with duplicates
        var pending = PendingBlobs(blobs)
        var reference = Set(blobs)
        #expect(pending.count == reference.count && pending.remaining == reference.sorted())
        for (k, index) in Self.sequence(1_500, below: 2_100, seed: 11).enumerated() {
            let blob = BlobRef(index)
            #expect(pending.contains(blob) == reference.contains(blob))
            let removed = pending.remove(blob), removedFromReference = reference.remove(blob) != nil
            #expect(removed == removedFromReference)
            #expect(pending.count == reference.count && pending.isEmpty == reference.isEmpty)
            if k % 250 == 0 { #expect(pending.remaining == reference.sorted()) }
        }
        for blob in reference.sorted() {
            let removed = pending.remove(blob)
            #expect(removed)
        }
        let removedAgain = pending.remove(blobs[0])
        #expect(pending.isEmpty && pending.remaining.isEmpty && !removedAgain)
    }

    /// A sync response's order (ascending, what `position` tries first after the last removal),
    /// with skips, repeats and strangers between: still a `Set`'s answers.
    @Test func pendingBlobsRemovedMostlyInOrderMatchASet() {
        let blobs = (0..<300).map { BlobRef(UInt32($0 * 2)) }
        var pending = PendingBlobs(blobs)
        var reference = Set(blobs)
        for index in Self.sequence(900, below: 7, seed: 5).enumerated().map({ UInt32($0.offset) - min(UInt32($0.offset), $0.element) }) {
            let blob = BlobRef(index)  // mostly the next blob up, sometimes one a few back, or odd (not a sync blob)
            #expect(pending.contains(blob) == reference.contains(blob))
            let removed = pending.remove(blob), removedFromReference = reference.remove(blob) != nil
            #expect(removed == removedFromReference, "\(blob)")
            #expect(pending.count == reference.count)
        }
        #expect(pending.remaining == reference.sorted())
    }

    /// The view's list of live blobs is already ascending: taken as it is, in that order.
    @Test func pendingBlobsKeepAnAscendingList() {
        let blobs = (0..<100).map { BlobRef(UInt32($0 * 3)) }
        var pending = PendingBlobs(blobs)
        #expect(pending.remaining == blobs && !pending.contains(BlobRef(1)))
        let first = pending.remove(BlobRef(3)), second = pending.remove(BlobRef(3))
        #expect(first && !second)
        #expect(pending.remaining == blobs.filter { $0 != BlobRef(3) })
        #expect(PendingBlobs([]).isEmpty)
    }

    /// Signers far apart (a bitset that grows), in any order: membership matches, the
    /// certificate's list is by signer whatever the arrival order, and a new attempt forgets all.
    @Test func confirmationsKeepOnePerSignerAndListThemBySigner() {
        let signers = [9_999, 3, 64, 0, 63, 130, 65, 7_000].map { NodeID(UInt32($0)) }
        var confirmations = Confirmations()
        #expect(confirmations.isEmpty && !confirmations.contains(NodeID(0)))
        for (k, node) in signers.enumerated() {
            confirmations.insert(ConfirmationSignature(signer: node, bytes: [UInt8(k)]))
            #expect(confirmations.contains(node))
            #expect(signers[(k + 1)...].allSatisfy { !confirmations.contains($0) })
        }
        #expect(!confirmations.contains(NodeID(1)) && !confirmations.contains(NodeID(10_000)) && !confirmations.isEmpty)
        #expect(confirmations.bySigner.map(\.signer) == signers.sorted())
        #expect(confirmations.bySigner.first { $0.signer == NodeID(9_999) }?.bytes == [0])
        confirmations.removeAll()
        #expect(confirmations.isEmpty && signers.allSatisfy { !confirmations.contains($0) } && confirmations.bySigner.isEmpty)
    }

    /// A store records its shards in one merge (`insert(_:sortedShards:)`): the same holdings as
    /// inserting shard by shard, new shards and held ones alike.
    @Test func shardHoldingsMergeInsertEqualsOneByOne() {
        var merged = ShardHoldings(), oneByOne = ShardHoldings()
        let shardSets: [[UInt16]] = [[5, 9, 40], [1, 5, 9], [0, 2, 9, 41, 60], [], [60], [0, 1, 2, 5, 9, 40, 41, 60, 61]]
        for (k, set) in shardSets.enumerated() {
            let shards = set.map(ShardIndex.init)
            shards.withUnsafeBufferPointer { merged.insert(UInt32(k), sortedShards: $0) }
            for shard in shards { oneByOne.insert(UInt32(k), shard: shard) }
            #expect(merged.shards == oneByOne.shards)
            for shard in oneByOne.shards {
                for blob in UInt32(0)...UInt32(k) { #expect(merged.contains(blob, shard: shard) == oneByOne.contains(blob, shard: shard)) }
            }
        }
    }
}
