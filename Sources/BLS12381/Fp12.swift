// The quadratic extension Fp12 = Fp6[w] / (w^2 - v), the target group's field.

/// An element c0 + c1 w of Fp12, with w^2 = v (so w^6 = 1 + u).
///
/// Pairing values live in the order-r subgroup of Fp12*; the public API only exposes equality
/// checks on them.
struct Fp12: Sendable, Equatable {
    var c0, c1: Fp6

    @inline(__always)
    init(_ c0: Fp6, _ c1: Fp6) { self.c0 = c0; self.c1 = c1 }

    static let one = Fp12(.one, .zero)

    @inline(__always)
    static func + (a: Fp12, b: Fp12) -> Fp12 { Fp12(a.c0 + b.c0, a.c1 + b.c1) }
    @inline(__always)
    static func - (a: Fp12, b: Fp12) -> Fp12 { Fp12(a.c0 - b.c0, a.c1 - b.c1) }

    /// Karatsuba: three Fp6 multiplications.
    static func * (a: Fp12, b: Fp12) -> Fp12 {
        let aa = a.c0 * b.c0
        let bb = a.c1 * b.c1
        let c1 = (a.c0 + a.c1) * (b.c0 + b.c1) - aa - bb
        return Fp12(aa + bb.mulByV, c1)
    }

    @inline(__always)
    static func *= (a: inout Fp12, b: Fp12) { a = a * b }

    /// Complex squaring: two Fp6 multiplications.
    var squared: Fp12 {
        let ab = c0 * c1
        let c0n = (c0 + c1) * (c0 + c1.mulByV) - ab - ab.mulByV
        return Fp12(c0n, ab.doubled)
    }

    /// Multiplication by a sparse line value o0 + o1 w^2 + o4 w^3 (coefficients 0, 1 and 4 in
    /// the w-basis order c0.c0, c0.c1, c0.c2, c1.c0, c1.c1, c1.c2).
    func mulBy014(_ o0: Fp2, _ o1: Fp2, _ o4: Fp2) -> Fp12 {
        let aa = c0.mulBy01(o0, o1)
        let bb = c1.mulBy1(o4)
        let c1n = (c0 + c1).mulBy01(o0, o1 + o4) - aa - bb
        return Fp12(aa + bb.mulByV, c1n)
    }

    /// The conjugate c0 - c1 w = self^(p^6); the inverse on the cyclotomic subgroup.
    @inline(__always)
    var conjugate: Fp12 { Fp12(c0, -c1) }

    /// The inverse; 0 maps to 0.
    var inverse: Fp12 {
        let t = (c0.squared - c1.squared.mulByV).inverse
        return Fp12(c0 * t, -(c1 * t))
    }

    /// gamma[i] = xi^(i (p - 1) / 6) for i in 0..<6: w^(i p) = gamma[i] w^i.
    static let frobeniusGamma: [Fp2] = {
        let xi = Fp2(.one, .one)
        let g1 = xi.pow(Constants.pMinus1Div6)
        var out = [Fp2.one]
        for _ in 1..<6 { out.append(out[out.count - 1] * g1) }
        return out
    }()

    /// self^p.
    var frobenius: Fp12 {
        let g = Fp12.frobeniusGamma
        return Fp12(
            Fp6(c0.c0.conjugate, c0.c1.conjugate * g[2], c0.c2.conjugate * g[4]),
            Fp6(c1.c0.conjugate * g[1], c1.c1.conjugate * g[3], c1.c2.conjugate * g[5]))
    }

    /// self^(p^k).
    func frobenius(_ k: Int) -> Fp12 {
        var r = self
        for _ in 0..<k { r = r.frobenius }
        return r
    }

    /// self^e for a little-endian exponent (generic, for tests and reference paths).
    func pow(_ e: [UInt64]) -> Fp12 {
        var result = Fp12.one
        for limb in e.reversed() {
            for bit in stride(from: 63, through: 0, by: -1) {
                result = result.squared
                if (limb >> UInt64(bit)) & 1 == 1 { result = result * self }
            }
        }
        return result
    }
}
