// The optimal ate pairing on BLS12-381: Miller loop over |x| = 0xd201000000010000 with lines
// evaluated at G1 points, then the final exponentiation to the power (p^12 - 1) / r (times 3 in
// the hard part, which keeps the map a non-degenerate bilinear pairing).

/// A point of the twist E2 in homogeneous projective coordinates (x = X/Z, y = Y/Z), the
/// running point T of the Miller loop.
struct TwistProjective {
    var x, y, z: Fp2
}

/// The coefficients of a line at positions 0, 1 and 4 of the Fp12 w-basis.
struct LineCoefficients {
    var o0, o1, o4: Fp2
}

enum Pairing {
    /// Doubles T and returns the tangent line at T evaluated at P = (xp, yp).
    ///
    /// The line, scaled by factors in proper subfields (erased by the final exponentiation), is
    /// (3 b' Z^2 - Y^2) + 3 X^2 xp w^2 - 2 Y Z yp w^3.
    static func doublingStep(_ t: inout TwistProjective, _ xp: Fp, _ yp: Fp) -> LineCoefficients {
        let xx = t.x.squared
        let b = t.y.squared
        let c = t.z.squared
        let cx = c.mulByNonResidue.doubled.doubled  // 4 (1 + u) Z^2 = b' Z^2
        let e = cx.doubled + cx                      // 3 b' Z^2
        let f = e.doubled + e                        // 9 b' Z^2
        let h = (t.y + t.z).squared - b - c          // 2 Y Z
        let xy = t.x * t.y
        let bf = b + f
        let e2 = e.squared
        let e4 = e2.doubled.doubled
        let line = LineCoefficients(
            o0: e - b,
            o1: (xx.doubled + xx).mul(by: xp),
            o4: -(h.mul(by: yp)))
        t.x = xy.doubled * (b - f)
        t.y = bf.squared - (e4.doubled + e4)
        t.z = (b * h).doubled.doubled
        return line
    }

    /// Adds the affine point Q = (xq, yq) to T and returns the line through T and Q evaluated
    /// at P = (xp, yp): (theta xq - lambda yq) - theta xp w^2 + lambda yp w^3.
    static func additionStep(
        _ t: inout TwistProjective, _ xq: Fp2, _ yq: Fp2, _ xp: Fp, _ yp: Fp
    ) -> LineCoefficients {
        let theta = t.y - yq * t.z
        let lambda = t.x - xq * t.z
        let c = theta.squared
        let d = lambda.squared
        let e = lambda * d
        let f = t.z * c
        let g = t.x * d
        let h = e + f - g.doubled
        let line = LineCoefficients(
            o0: theta * xq - lambda * yq,
            o1: -(theta.mul(by: xp)),
            o4: lambda.mul(by: yp))
        t.x = lambda * h
        t.y = theta * (g - h) - e * t.y
        t.z = t.z * e
        return line
    }

    /// The product of the Miller functions f_{x, Q_i}(P_i) for affine pairs, sharing the
    /// squarings of the accumulator. Pairs containing an identity are skipped (their factor is 1).
    static func millerLoop(_ pairs: [(p: (x: Fp, y: Fp), q: (x: Fp2, y: Fp2))]) -> Fp12 {
        var ts = pairs.map { TwistProjective(x: $0.q.x, y: $0.q.y, z: .one) }
        var f = Fp12.one
        var first = true
        for bit in stride(from: 62, through: 0, by: -1) {
            if !first { f = f.squared }
            first = false
            for i in pairs.indices {
                let l = doublingStep(&ts[i], pairs[i].p.x, pairs[i].p.y)
                f = f.mulBy014(l.o0, l.o1, l.o4)
            }
            if (Constants.xAbs >> UInt64(bit)) & 1 == 1 {
                for i in pairs.indices {
                    let l = additionStep(&ts[i], pairs[i].q.x, pairs[i].q.y, pairs[i].p.x, pairs[i].p.y)
                    f = f.mulBy014(l.o0, l.o1, l.o4)
                }
            }
        }
        // x is negative: f_{-|x|} equals 1 / f_{|x|} up to factors the final exponentiation erases.
        return f.conjugate
    }

    /// f^|x| for f in the cyclotomic subgroup, by square and multiply.
    static func cyclotomicPowAbsX(_ f: Fp12) -> Fp12 {
        var r = f
        for bit in stride(from: 62, through: 0, by: -1) {
            r = r.cyclotomicSquared
            if (Constants.xAbs >> UInt64(bit)) & 1 == 1 { r = r * f }
        }
        return r
    }

    /// f^x (x negative) on the cyclotomic subgroup, where inversion is conjugation.
    static func cyclotomicPowX(_ f: Fp12) -> Fp12 { cyclotomicPowAbsX(f).conjugate }

    /// f^(3 (p^12 - 1) / r).
    ///
    /// Easy part: f^((p^6 - 1)(p^2 + 1)), which lands in the cyclotomic subgroup. Hard part:
    /// 3 (p^4 - p^2 + 1) / r = (x - 1)^2 (x + p) (x^2 + p^2 - 1) + 3 (Hayashida, Hayasaka and
    /// Teruya, 2020), evaluated with four exponentiations by x and three Frobenius maps.
    static func finalExponentiation(_ f: Fp12) -> Fp12 {
        var m = f.conjugate * f.inverse
        m = m.frobenius(2) * m
        // a = m^((x - 1)^2)
        var a = cyclotomicPowX(m) * m.conjugate
        a = cyclotomicPowX(a) * a.conjugate
        // b = a^(x + p)
        let b = cyclotomicPowX(a) * a.frobenius
        // c = b^(x^2 + p^2 - 1)
        let c = cyclotomicPowX(cyclotomicPowX(b)) * b.frobenius(2) * b.conjugate
        return c * m.cyclotomicSquared * m
    }

    /// The reduced pairing of affine inputs, product over the pairs.
    static func pairingProduct(_ pairs: [(p: (x: Fp, y: Fp), q: (x: Fp2, y: Fp2))]) -> Fp12 {
        finalExponentiation(millerLoop(pairs))
    }
}

extension Fp12 {
    /// The square of an element of the cyclotomic subgroup (Granger and Scott, 2010): viewing
    /// Fp12 as Fp4[w] / (w^3 - s) with Fp4 = Fp2[s] / (s^2 - xi), a unitary A + B w + C w^2 squares
    /// to (3A^2 - 2 conj A) + (3 s C^2 + 2 conj B) w + (3 B^2 - 2 conj C) w^2: three Fp4
    /// squarings instead of a full Fp12 squaring. Only valid on the cyclotomic subgroup.
    var cyclotomicSquared: Fp12 {
        let g0 = c0.c0, g1 = c0.c1, g2 = c0.c2
        let h0 = c1.c0, h1 = c1.c1, h2 = c1.c2
        // A = g0 + h1 s, B = h0 + g2 s, C = g1 + h2 s.
        let (a0, a1) = Fp12.fp4Square(g0, h1)
        let (b0, b1) = Fp12.fp4Square(h0, g2)
        let (cc0, cc1) = Fp12.fp4Square(g1, h2)
        let ng0 = (a0 - g0).doubled + a0
        let nh1 = (a1 + h1).doubled + a1
        let sc = cc1.mulByNonResidue  // s * C^2 = (cc1 xi) + cc0 s
        let nh0 = (sc + h0).doubled + sc
        let ng2 = (cc0 - g2).doubled + cc0
        let ng1 = (b0 - g1).doubled + b0
        let nh2 = (b1 + h2).doubled + b1
        return Fp12(Fp6(ng0, ng1, ng2), Fp6(nh0, nh1, nh2))
    }

    /// (x + y s)^2 in Fp4 = Fp2[s] / (s^2 - xi): (x^2 + xi y^2) + 2 x y s.
    @inline(__always)
    static func fp4Square(_ x: Fp2, _ y: Fp2) -> (Fp2, Fp2) {
        let t0 = x.squared
        let t1 = y.squared
        return (t1.mulByNonResidue + t0, (x + y).squared - t0 - t1)
    }
}
