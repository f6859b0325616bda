import SimSupport
import Testing
@testable import WalrusModel

/// The per-shard blob ranges modeled holdings are kept in, against a plain set.
@Suite struct BlobRangesTests {
    /// Inserts in ascending order, with gaps, into gaps, joining neighbours, and duplicates:
    /// membership always matches a `Set`, and the ranges stay minimal (no two touch).
    @Test func membershipMatchesASetWhateverTheInsertOrder() {
        var ranges = BlobRanges()
        var reference = Set<UInt32>()
        // A fixed pseudo-random sequence (multiplicative hashing), mostly ascending like writes.
        var x: UInt32 = 1
        for i in 0..<4_000 {
            x = x &* 2_654_435_761 &+ 12_345
            let index = i % 5 == 0 ? x % 3_000 : UInt32(i) / 2 + x % 3
            ranges.insert(index)
            reference.insert(index)
        }
        for index in UInt32(0)..<3_100 { #expect(ranges.contains(index) == reference.contains(index), "\(index)") }
        // Minimal: the number of ranges is the number of runs of consecutive members.
        let runs = reference.filter { !reference.contains($0 &- 1) || $0 == 0 }.count
        #expect(ranges.rangeCount == runs)
    }

    @Test func ascendingInsertsStayOneRange() {
        var ranges = BlobRanges()
        for i in UInt32(10)..<10_010 { ranges.insert(i) }
        #expect(ranges.rangeCount == 1)
        #expect(!ranges.contains(9) && ranges.contains(10) && ranges.contains(10_009) && !ranges.contains(10_010))
        #expect(ranges.byteCount < 64)
    }

    @Test func fillingTheGapBetweenTwoRangesMergesThem() {
        var ranges = BlobRanges()
        for i: UInt32 in [1, 2, 4, 5] { ranges.insert(i) }
        #expect(ranges.rangeCount == 2)
        ranges.insert(3)
        #expect(ranges.rangeCount == 1)
        ranges.insert(0)
        #expect(ranges.rangeCount == 1 && ranges.contains(0) && ranges.contains(5) && !ranges.contains(6))
    }

    /// The union of two sets of ranges holds exactly the members of either, and stays minimal.
    @Test func unionMatchesASetUnion() {
        var x: UInt32 = 7
        for trial in 0..<200 {
            var a = BlobRanges(), b = BlobRanges()
            var reference = Set<UInt32>()
            for _ in 0..<(trial % 40) {
                x = x &* 2_654_435_761 &+ 12_345
                let index = x % 120
                if x & 0x10000 == 0 { a.insert(index) } else { b.insert(index) }
                reference.insert(index)
            }
            a.formUnion(b)
            for index in UInt32(0)..<125 { #expect(a.contains(index) == reference.contains(index), "trial \(trial), \(index)") }
            let runs = reference.filter { $0 == 0 || !reference.contains($0 - 1) }.count
            #expect(a.rangeCount == runs, "trial \(trial)")
        }
    }

    /// Holdings under a random mix of every operation (single-shard inserts, whole-list inserts
    /// that start or extend the group, partial lists, group flushes, shard drops, clearing)
    /// answer every question as a plain set of (shard, blob) pairs does.
    @Test func holdingsWithAGroupMatchAPlainSet() {
        var holdings = ShardHoldings()
        var reference = Set<[UInt32]>()  // [shard, blob]
        var x: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ bound: UInt64) -> UInt64 {
            x = x &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return (x >> 33) % bound
        }
        // Committee lists come in the committee's order: ascending or not.
        let lists: [[UInt16]] = [[2, 5, 9], [2, 5, 9, 11], [0, 5], [7], [9, 2, 5], [11, 0]]
        for step in 0..<3_000 {
            let blob = UInt32(step / 3)
            switch next(20) {
            case 0..<6:
                let shard = UInt16(next(13))
                holdings.insert(blob, shard: ShardIndex(shard))
                reference.insert([UInt32(shard), blob])
            case 6..<14:
                let list = lists[Int(next(UInt64(lists.count)))].map(ShardIndex.init)
                holdings.insert(blob, allShards: list)
                for s in list { reference.insert([UInt32(s.rawValue), blob]) }
            case 14..<17:
                let list = lists[Int(next(UInt64(lists.count)))].filter { _ in next(2) == 0 }.sorted().map(ShardIndex.init)
                holdings.insert(blob, sortedShards: list)
                for s in list { reference.insert([UInt32(s.rawValue), blob]) }
            case 17:
                holdings.flushGroup(unlessItIs: Set(lists[Int(next(UInt64(lists.count)))].map(ShardIndex.init)))
            case 18:
                let dropped = UInt16(next(13))
                holdings.removeShards { $0 == ShardIndex(dropped) }
                reference = reference.filter { $0[0] != UInt32(dropped) }
            default:
                if next(10) == 0 {
                    holdings.removeAll()
                    reference.removeAll()
                }
            }
            guard step % 50 == 0 || step > 2_950 else { continue }
            let shardsHeld = Set(reference.map { ShardIndex(UInt16($0[0])) })
            #expect(holdings.shards == shardsHeld.sorted { $0.rawValue < $1.rawValue }, "step \(step)")
            #expect(holdings.isEmpty == reference.isEmpty)
            for b in UInt32(0)...blob + 1 {
                let on = (0..<13).map { ShardIndex(UInt16($0)) }.filter { reference.contains([UInt32($0.rawValue), b]) }
                #expect(holdings.shards(holding: b) == on, "step \(step), blob \(b)")
                #expect(holdings.holdsAny(b) == !on.isEmpty)
                for s in 0..<13 { #expect(holdings.contains(b, shard: ShardIndex(UInt16(s))) == reference.contains([UInt32(s), b])) }
            }
            var ranged = Set<[UInt32]>()
            holdings.forEachRange { shard, range in for b in range { ranged.insert([UInt32(shard.rawValue), b]) } }
            #expect(ranged == reference, "step \(step)")
            for s in 0..<13 {
                let shard = ShardIndex(UInt16(s))
                #expect((holdings.ranges(on: shard) != nil) == shardsHeld.contains(shard))
            }
        }
    }

    @Test func shardHoldingsKeepShardsApart() {
        var holdings = ShardHoldings()
        holdings.insert(7, shard: ShardIndex(3))
        holdings.insert(8, shard: ShardIndex(1))
        holdings.insert(9, shard: ShardIndex(3))
        #expect(holdings.contains(7, shard: ShardIndex(3)) && holdings.contains(9, shard: ShardIndex(3)))
        #expect(!holdings.contains(8, shard: ShardIndex(3)) && holdings.contains(8, shard: ShardIndex(1)))
        #expect(holdings.shards == [ShardIndex(1), ShardIndex(3)])  // ascending: a deterministic order
        #expect(holdings.shards(holding: 8) == [ShardIndex(1)] && holdings.holdsAny(9) && !holdings.holdsAny(10))
        holdings.insert(9, shard: ShardIndex(5))
        holdings.removeShards { $0 == ShardIndex(3) }
        #expect(holdings.shards == [ShardIndex(1), ShardIndex(5)] && holdings.contains(9, shard: ShardIndex(5)))
        #expect(!holdings.contains(7, shard: ShardIndex(3)) && holdings.contains(8, shard: ShardIndex(1)))
        holdings.removeAll()
        #expect(holdings.isEmpty && !holdings.contains(7, shard: ShardIndex(3)))
    }

    /// The shard lookup (a branch-free halving) against a plain set, for every table size up
    /// to 40 and every shard in and around it, including the ends and the gaps.
    @Test func shardLookupFindsExactlyTheShardsHeld() {
        for size in 0...40 {
            var holdings = ShardHoldings()
            let held = (0..<size).map { ShardIndex(UInt16(3 * $0 + 1)) }  // 1, 4, 7, ...: gaps between
            // Out of order (a fixed permutation: k -> 37k mod 41 is one-to-one below 41), so that
            // shards go in at the front, the back and in between.
            for k in held.indices.sorted(by: { ($0 * 37) % 41 < ($1 * 37) % 41 }) {
                holdings.insert(UInt32(held[k].rawValue), shard: held[k])
            }
            #expect(holdings.shards == held)
            for raw in 0...(3 * size + 3) {
                let shard = ShardIndex(UInt16(raw))
                let isHeld = held.contains(shard)
                #expect(holdings.contains(UInt32(raw), shard: shard) == isHeld, "size \(size), shard \(raw)")
                #expect((holdings.ranges(on: shard) != nil) == isHeld)
            }
        }
    }
}
