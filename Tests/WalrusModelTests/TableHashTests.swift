import SimSupport
import Testing

@testable import WalrusModel

/// The table hash dense keys use (`mixedTableHash`, a SplitMix64 mix rather than SipHash, for
/// `BlobRef` and a client's operation numbers): sets and dictionaries keyed by them still find
/// exactly their members, and dense keys spread over the buckets.
@Suite struct TableHashTests {
    @Test func tablesFindExactlyTheirMembers() {
        let members = (0..<40_000).map { BlobRef(UInt32($0 * 3)) }
        var set = Set<BlobRef>()
        var byBlob: [BlobRef: Int] = [:]
        for (k, b) in members.enumerated() {
            set.insert(b)
            byBlob[b] = k
        }
        #expect(set.count == members.count && byBlob.count == members.count)
        #expect(members.allSatisfy(set.contains))
        #expect(!(0..<40_000).contains { set.contains(BlobRef(UInt32($0 * 3 + 1))) })
        #expect(members.enumerated().allSatisfy { byBlob[$0.element] == $0.offset })
        for b in members where b.index % 2 == 0 { byBlob.removeValue(forKey: b) }
        #expect(members.allSatisfy { (byBlob[$0] != nil) == ($0.index % 2 == 1) })
    }

    @Test func denseIndicesSpreadOverTheBuckets() {
        for seed in [0, 1, -7, 0x5EED_5EED] {
            // 1024 consecutive indices into 1024 buckets: a random function fills about 63%.
            let buckets = Set((0..<1_024).map { BlobRef(UInt32($0))._rawHashValue(seed: seed) & 1_023 })
            #expect(buckets.count > 560, "seed \(seed): \(buckets.count) buckets")
        }
        // Equal blobs hash equally, whatever the seed; the seed changes the hash.
        #expect(BlobRef(9)._rawHashValue(seed: 3) == BlobRef(9)._rawHashValue(seed: 3))
        #expect(BlobRef(9)._rawHashValue(seed: 3) != BlobRef(9)._rawHashValue(seed: 4))
        #expect(BlobRef(9).hashValue == BlobRef(9).hashValue)
    }

    @Test func operationTablesFindExactlyTheirMembers() {
        var table: [Client.OperationKey: UInt64] = [:]
        let ops = (0..<30_000).map { UInt64($0) * 5 + 1 }
        for op in ops { table[Client.OperationKey(op)] = op }
        #expect(table.count == ops.count && ops.allSatisfy { table[Client.OperationKey($0)] == $0 })
        #expect(!ops.contains { table[Client.OperationKey($0 + 1)] != nil })
        #expect(Set((0..<1_024).map { mixedTableHash(UInt64($0), seed: 99) & 1_023 }).count > 560)
    }

    @Test func shardTablesFindExactlyTheirMembers() {
        let shards = (0..<20_000).map { ShardIndex(UInt16($0 * 3)) }
        var byShard: [ShardIndex: Int] = [:]
        for (k, s) in shards.enumerated() { byShard[s] = k }
        #expect(byShard.count == shards.count && shards.enumerated().allSatisfy { byShard[$0.element] == $0.offset })
        #expect(!(0..<20_000).contains { byShard[ShardIndex(UInt16($0 * 3 + 1))] != nil })
    }
}
