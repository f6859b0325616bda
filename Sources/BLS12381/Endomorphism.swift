// The untwist-Frobenius-twist endomorphism psi of E2, used for fast cofactor clearing
// (RFC 9380 appendix G.3, Budroni and Pintore) and the G2 membership test psi(P) = [x]P, and the
// endomorphism sigma(x, y) = (beta x, y) of E1 for the G1 test sigma(P) = [-x^2]P (Scott, "A note
// on group membership tests for G1, G2 and GT on BLS pairing-friendly curves").

enum Endomorphism {
    /// psi(x, y) = (conj(x) cx, conj(y) cy) with cx = 1 / xi^((p - 1) / 3), cy = 1 / xi^((p - 1) / 2).
    static let psiCoefficients: (x: Fp2, y: Fp2) = {
        let xi = Fp2(.one, .one)
        return (xi.pow(Constants.pMinus1Div3).inverse, xi.pow(Constants.pMinus1Div2).inverse)
    }()

    /// psi on Jacobian coordinates (conjugation is a field automorphism, so Z is conjugated too).
    static func psi(_ p: Jacobian<Fp2>) -> Jacobian<Fp2> {
        let c = psiCoefficients
        return Jacobian(x: p.x.conjugate * c.x, y: p.y.conjugate * c.y, z: p.z.conjugate)
    }

    /// [x]P for the BLS parameter x = -0xd201000000010000.
    static func mulByX<F>(_ p: Jacobian<F>) -> Jacobian<F> {
        -p.multiplied(by: Constants.xAbs)
    }

    /// clear_cofactor for G2: [h_eff]P = [x^2 - x - 1]P + [x - 1]psi(P) + psi^2(2P).
    static func clearCofactorG2(_ p: Jacobian<Fp2>) -> Jacobian<Fp2> {
        let t1 = mulByX(p)
        var t2 = psi(p)
        var t3 = psi(psi(p.doubled))
        t3 = t3 - t2
        t2 = mulByX(t1 + t2)
        t3 = t3 + t2
        t3 = t3 - t1
        return t3 - p
    }

    /// G2 membership: psi(P) == [x]P. Valid for points on E2 (BLS12-381 satisfies the
    /// conditions of Scott's test).
    static func isInG2(_ p: Jacobian<Fp2>) -> Bool {
        psi(p) == mulByX(p)
    }
}

extension Endomorphism {
    /// A primitive cube root of unity beta in Fp such that sigma(x, y) = (beta x, y) acts on G1 as
    /// multiplication by -x^2 (the other root acts as x^2 - 1); chosen once on the generator.
    static let beta: Fp = {
        var g: UInt64 = 2
        var root = Fp.one
        while root == Fp.one {
            root = Fp(g).pow(Constants.pMinus1Div3)
            g += 1
        }
        let gen = G1Point.generator.point
        let target = -mulByX(mulByX(gen))
        return Jacobian(x: gen.x * root, y: gen.y, z: gen.z) == target ? root : root.squared
    }()

    /// G1 membership: sigma(P) == [-x^2]P (Scott's test; two 64-bit multiplications instead of
    /// one by the 255-bit order).
    static func isInG1(_ p: Jacobian<Fp>) -> Bool {
        Jacobian(x: p.x * beta, y: p.y, z: p.z) == -mulByX(mulByX(p))
    }
}

extension Endomorphism {
    /// [k]P for P in G2 through psi (a GLS-style decomposition): k (below r) is written in base
    /// |x| as d0 + d1 |x| + d2 |x|^2 + d3 |x|^3 + d4 |x|^4 with 64-bit digits, and since
    /// psi(P) = [x]P = [-|x|]P on G2, [k]P = sum over i of [d_i] (-1)^i psi^i(P). The four long
    /// digits are handled together (Straus: 64 doublings, a 16-entry table of subset sums), the
    /// last one (0 or 1 for k < r) by one more addition.
    ///
    /// Requires P in G2 (otherwise the result is some other point; callers pass H(m), which is);
    /// any k is accepted, k >= |x|^5 by the plain multiplication.
    static func mulG2(_ p: Jacobian<Fp2>, _ k: [UInt64]) -> Jacobian<Fp2> {
        // Digits in base |x|, by long division of the limbs.
        var rest = k
        var digits: [UInt64] = []
        while rest.contains(where: { $0 != 0 }) {
            var rem: UInt64 = 0
            for i in stride(from: rest.count - 1, through: 0, by: -1) {
                let (q, r) = Constants.xAbs.dividingFullWidth((rem, rest[i]))
                rest[i] = q
                rem = r
            }
            digits.append(rem)
        }
        // k >= |x|^5 (never for k < r): fall back to the plain multiplication.
        if digits.count > 5 { return p.multiplied(by: k) }
        while digits.count < 5 { digits.append(0) }
        // Q_i = (-1)^i psi^i(P).
        var q = [p]
        for i in 1..<5 { q.append(psi(q[i - 1])) }
        for i in stride(from: 1, to: 5, by: 2) { q[i] = -q[i] }
        // table[m] = sum of Q_i for the bits i of m (i < 4).
        var table = [Jacobian<Fp2>](repeating: .identity, count: 16)
        for m in 1..<16 {
            let low = m & (-m)
            let i = low.trailingZeroBitCount
            table[m] = m == low ? q[i] : table[m ^ low] + q[i]
        }
        var acc = Jacobian<Fp2>.identity
        for bit in stride(from: 63, through: 0, by: -1) {
            acc = acc.doubled
            var m = 0
            for i in 0..<4 where (digits[i] >> UInt64(bit)) & 1 == 1 { m |= 1 << i }
            if m != 0 { acc = acc + table[m] }
        }
        // The fifth digit is 0 or 1 when k < r.
        if digits[4] != 0 { acc = acc + q[4].multiplied(by: [digits[4]]) }
        return acc
    }
}
