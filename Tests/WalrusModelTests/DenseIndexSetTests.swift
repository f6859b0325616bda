import Testing

@testable import WalrusModel

/// `DenseIndexSet` stands in for `Set<Int>` in reads and recoveries: every operation must
/// answer as the set would, checked here against one on a seeded sequence of operations.
@Suite struct DenseIndexSetTests {
    @Test func answersAsASetDoes() {
        var dense = DenseIndexSet(), other = DenseIndexSet()
        var reference = Set<Int>(), otherReference = Set<Int>()
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        for step in 0 ..< 20_000 {
            let i = next(700)  // spans several words, and grows the bitmap as it goes
            switch next(7) {
            case 0, 1: #expect(dense.insert(i).inserted == reference.insert(i).inserted, "step \(step)")
            case 2: #expect(dense.remove(i) == reference.remove(i), "step \(step)")
            case 3: other.insert(i); otherReference.insert(i)
            case 4: dense.formUnion(other); reference.formUnion(otherReference)
            case 5: dense.formUnion([i, i + 1, 699]); reference.formUnion([i, i + 1, 699])
            default:
                if next(50) == 0 { dense.removeAll(); reference.removeAll() }
            }
            #expect(dense.count == reference.count && dense.isEmpty == reference.isEmpty, "step \(step)")
            #expect(dense.contains(i) == reference.contains(i) && dense.contains(i + 1) == reference.contains(i + 1))
        }
        #expect(!dense.contains(-1) && !dense.contains(1 << 20))
    }
}
