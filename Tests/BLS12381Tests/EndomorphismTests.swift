import Testing
@testable import BLS12381

/// The fast paths through psi agree with the plain scalar multiplications they replace.
@Suite struct EndomorphismTests {
    @Test func cofactorClearingMatchesHEff() {
        var rng = SplitMix(seed: 31)
        for _ in 0..<2 {
            let p = HashToG2.mapToCurve(rng.fp2())
            #expect(p.isOnCurve)
            let fast = Endomorphism.clearCofactorG2(p)
            #expect(fast == HashToG2.clearCofactorReference(p))
            #expect(fast.isInPrimeOrderSubgroup)
        }
    }

    @Test func g2MembershipMatchesOrderCheck() {
        var rng = SplitMix(seed: 32)
        #expect(Endomorphism.isInG2(G2Point.generator.point))
        for _ in 0..<4 {
            let p = HashToG2.mapToCurve(rng.fp2())  // on E2, almost surely not in G2
            #expect(Endomorphism.isInG2(p) == p.isInPrimeOrderSubgroup)
            let q = Endomorphism.clearCofactorG2(p)
            #expect(Endomorphism.isInG2(q))
            #expect(Endomorphism.isInG2(q + p) == (q + p).isInPrimeOrderSubgroup)
        }
    }
}
