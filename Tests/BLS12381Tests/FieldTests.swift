import Testing
@testable import BLS12381

@Suite struct FieldTests {
    @Test func montgomeryConstants() {
        // -p^-1 mod 2^64 by Newton iteration.
        var inv: UInt64 = 1
        for _ in 0..<7 { inv = inv &* (2 &- Fp.p0 &* inv) }
        #expect(0 &- inv == Fp.inv)
        #expect(Fp.one.canonical == (1, 0, 0, 0, 0, 0))
        #expect(Fp(7).canonical == (7, 0, 0, 0, 0, 0))
        // 2^-1 = (p + 1) / 2.
        let half = Fp(2).inverse
        #expect((half + half) == Fp.one)
    }

    @Test func fpRingLaws() {
        var rng = SplitMix(seed: 1)
        for _ in 0..<50 {
            let a = rng.fp(), b = rng.fp(), c = rng.fp()
            #expect((a * b) * c == a * (b * c))
            #expect(a * (b + c) == a * b + a * c)
            #expect(a - b + b == a)
            #expect(-a + a == Fp.zero)
            #expect(a.squared == a * a)
        }
        let a = rng.fp()
        #expect(a * a.inverse == Fp.one)
        let s = a.squared
        #expect(s.sqrt.map { $0 == a || $0 == -a } == true)
    }

    @Test func fpBytesRoundTrip() {
        var rng = SplitMix(seed: 2)
        for _ in 0..<20 {
            let a = rng.fp()
            #expect(Fp(bigEndian: a.bigEndianBytes) == a)
        }
        // p itself is rejected.
        let pBytes = unhex("1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaaab")
        #expect(Fp(bigEndian: pBytes) == nil)
    }

    @Test func fp2Laws() {
        var rng = SplitMix(seed: 3)
        for _ in 0..<20 {
            let a = rng.fp2(), b = rng.fp2(), c = rng.fp2()
            #expect((a * b) * c == a * (b * c))
            #expect(a.squared == a * a)
            #expect(a.mulByNonResidue == a * Fp2(.one, .one))
        }
        let a = rng.fp2()
        #expect(a * a.inverse == Fp2.one)
        let s = a.squared
        #expect(s.isSquare)
        #expect(s.sqrt.map { $0 == a || $0 == -a } == true)
        // u^2 = -1
        let u = Fp2(.zero, .one)
        #expect(u.squared == -Fp2.one)
    }

    @Test func fp6AndFp12Laws() {
        var rng = SplitMix(seed: 4)
        let a = Fp6(rng.fp2(), rng.fp2(), rng.fp2())
        let b = Fp6(rng.fp2(), rng.fp2(), rng.fp2())
        let c = Fp6(rng.fp2(), rng.fp2(), rng.fp2())
        #expect((a * b) * c == a * (b * c))
        #expect(a.squared == a * a)
        #expect(a * a.inverse == Fp6.one)
        let v = Fp6(.zero, .one, .zero)
        #expect(a.mulByV == a * v)
        #expect(a.mulBy01(b.c0, b.c1) == a * Fp6(b.c0, b.c1, .zero))
        #expect(a.mulBy1(b.c1) == a * Fp6(.zero, b.c1, .zero))
        let f = rng.fp12(), g = rng.fp12()
        #expect(f.squared == f * f)
        #expect(f * f.inverse == Fp12.one)
        let o0 = rng.fp2(), o1 = rng.fp2(), o4 = rng.fp2()
        #expect(f.mulBy014(o0, o1, o4) == f * Fp12(Fp6(o0, o1, .zero), Fp6(.zero, o4, .zero)))
        // Frobenius is a ring homomorphism and has order 12.
        #expect((f * g).frobenius == f.frobenius * g.frobenius)
        #expect(f.frobenius(12) == f)
        #expect(f.frobenius(6) == f.conjugate)
    }

    @Test func cyclotomicSquaring() {
        var rng = SplitMix(seed: 5)
        let f = rng.fp12()
        var m = f.conjugate * f.inverse
        m = m.frobenius(2) * m
        #expect(m.cyclotomicSquared == m.squared)
    }
}

@Suite struct FastPathTests {
    @Test func inversionMatchesFermat() {
        var rng = SplitMix(seed: 41)
        for _ in 0..<50 {
            let a = rng.fp()
            #expect(a.inverse == a.inverseByFermat)
        }
        #expect(Fp.one.inverse == Fp.one)
        #expect(Fp.zero.inverse == Fp.zero)
        #expect((-Fp.one).inverse == -Fp.one)
    }

    @Test func sqrtAgreesWithReference() {
        var rng = SplitMix(seed: 42)
        for i in 0..<40 {
            // Half squares, half random (mostly non-squares), plus the c1 = 0 and c0 = 0 cases.
            var a = rng.fp2()
            if i % 2 == 0 { a = a.squared }
            if i % 10 == 1 { a.c1 = .zero }
            if i % 10 == 3 { a.c0 = .zero }
            let fast = a.sqrt, reference = a.sqrtReference
            #expect((fast == nil) == (reference == nil), "case \(i)")
            #expect((fast == nil) == !a.isSquare, "case \(i)")
            if let f = fast { #expect(f.squared == a) }
        }
    }
}

@Suite struct LazyReductionTests {
    @Test func lazyFp2ProductMatchesKaratsuba() {
        var rng = SplitMix(seed: 61)
        for _ in 0..<200 {
            let a = rng.fp2(), b = rng.fp2()
            #expect(Fp2.lazyProduct(a, b) == Fp2.karatsubaProduct(a, b))
        }
        // Extremes: p - 1 everywhere.
        let m = -Fp.one
        let a = Fp2(m, m)
        #expect(Fp2.lazyProduct(a, a) == Fp2.karatsubaProduct(a, a))
        #expect(Fp2.lazyProduct(a, Fp2(.zero, m)) == Fp2.karatsubaProduct(a, Fp2(.zero, m)))
        #expect(Fp2.lazyProduct(Fp2(.zero, m), a) == Fp2.karatsubaProduct(Fp2(.zero, m), a))
    }
}

@Suite struct MultiplicationFormsTests {
    @Test func sosMatchesCIOS() {
        var rng = SplitMix(seed: 71)
        for _ in 0..<300 {
            let a = rng.fp(), b = rng.fp()
            #expect(a * b == Fp.productCIOS(a, b))
        }
        let m = -Fp.one
        #expect(m * m == Fp.productCIOS(m, m))
        #expect(m * m == Fp.one)
    }

    @Test func dedicatedSquareMatchesProduct() {
        var rng = SplitMix(seed: 72)
        for _ in 0..<300 {
            let a = rng.fp()
            #expect(a.squared == Fp.productCIOS(a, a))
        }
        for a in [Fp.zero, Fp.one, -Fp.one, Fp(2), -Fp(2)] { #expect(a.squared == Fp.productCIOS(a, a)) }
        // Limbs with top bits set everywhere (raw value just below p).
        let big = Fp(l0: Fp.p0 - 1, l1: Fp.p1, l2: Fp.p2, l3: Fp.p3, l4: Fp.p4, l5: Fp.p5)
        #expect(big.squared == Fp.productCIOS(big, big))
    }
}
