import Testing
@testable import BLS12381

@Suite struct CurveTests {
    @Test func generatorsOnCurveAndInSubgroup() {
        #expect(G1Point.generator.point.isOnCurve)
        #expect(G2Point.generator.point.isOnCurve)
        #expect(G1Point.generator.point.isInPrimeOrderSubgroup)
        #expect(G2Point.generator.point.isInPrimeOrderSubgroup)
    }

    @Test func groupLaw() {
        let g = G1Point.generator.point
        let g2 = g.doubled
        #expect(g + g == g2)
        #expect(g2 + g == g + g2)
        #expect((g2 + g).isOnCurve)
        #expect(g.multiplied(by: 5) == g2 + g2 + g)
        #expect((g - g).isIdentity)
        let h = G2Point.generator.point
        #expect(h.multiplied(by: 7) == h.doubled.doubled + h.doubled + h)
        #expect(h.multiplied(by: 7).isOnCurve)
        // [r - 1] P = -P
        var rm1 = Constants.r
        rm1[0] -= 1
        #expect(g.multiplied(by: rm1) == -g)
    }
}

@Suite struct ScalarMultiplicationTests {
    @Test func windowedMatchesDoubleAndAdd() {
        var rng = SplitMix(seed: 51)
        let g1 = G1Point.generator.point, g2 = G2Point.generator.point
        for _ in 0..<3 {
            let k = [rng.next(), rng.next(), rng.next(), rng.next() >> 2]
            #expect(g1.multipliedWindowed(by: k) == g1.multipliedDoubleAndAdd(by: k))
            #expect(g2.multipliedWindowed(by: k) == g2.multipliedDoubleAndAdd(by: k))
        }
        #expect(g1.multipliedWindowed(by: [0, 0]).isIdentity)
        #expect(g1.multipliedWindowed(by: [1, 0]) == g1)
    }
}
