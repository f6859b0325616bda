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

@Suite struct G1MembershipTests {
    @Test func g1MembershipMatchesOrderCheck() {
        let g = G1Point.generator.point
        #expect(Endomorphism.isInG1(g))
        #expect(Endomorphism.beta.squared * Endomorphism.beta == Fp.one)
        #expect(Endomorphism.beta != Fp.one)
        // Points on E1 from successive x: almost all outside G1; cleared by the cofactor h1 they are in.
        let h1: [UInt64] = [0x8c00_aaab_0000_aaab, 0x396c_8c00_5555_e156]
        var x: UInt64 = 1
        var found = 0
        while found < 4 {
            let fx = Fp(x)
            if let y = (fx.squared * fx + Fp.curveB).sqrt {
                let p = Jacobian(affineX: fx, affineY: y)
                #expect(Endomorphism.isInG1(p) == p.isInPrimeOrderSubgroup, "x = \(x)")
                let q = p.multiplied(by: h1)
                #expect(Endomorphism.isInG1(q) && q.isInPrimeOrderSubgroup, "x = \(x)")
                #expect(Endomorphism.isInG1(q + p) == (q + p).isInPrimeOrderSubgroup, "x = \(x)")
                found += 1
            }
            x += 1
        }
    }
}

@Suite struct GLSTests {
    @Test func psiDecompositionMatchesPlainMultiplication() {
        var rng = SplitMix(seed: 81)
        let g = G2Point.generator.point
        let h = BLS.hashToG2([1, 2, 3]).point
        var rm1 = Constants.r
        rm1[0] -= 1
        let cases: [[UInt64]] = [
            [0, 0, 0, 0], [1, 0, 0, 0], [Constants.xAbs, 0, 0, 0], rm1,
            [rng.next(), rng.next(), rng.next(), rng.next() & 0x3fff_ffff_ffff_ffff],
            [rng.next(), rng.next(), rng.next(), rng.next() & 0x3fff_ffff_ffff_ffff],
            [rng.next(), rng.next(), rng.next(), rng.next(), 0x00ff],             // above r: five digits
            [rng.next(), rng.next(), rng.next(), rng.next(), UInt64.max],         // above |x|^5: fallback
        ]
        for k in cases {
            #expect(Endomorphism.mulG2(g, k) == g.multiplied(by: k), "k = \(k)")
            #expect(Endomorphism.mulG2(h, k) == h.multiplied(by: k), "k = \(k)")
        }
        #expect(Endomorphism.mulG2(g, rm1) == -g)
    }
}
