// The quadratic extension Fp2 = Fp[u] / (u^2 + 1).

/// An element c0 + c1*u of Fp2, with u^2 = -1.
///
/// Invariant: both coordinates are reduced Fp elements, so `==` is field equality.
struct Fp2: Sendable, Equatable {
    var c0: Fp
    var c1: Fp

    @inline(__always)
    init(_ c0: Fp, _ c1: Fp) { self.c0 = c0; self.c1 = c1 }

    static var zero: Fp2 { Fp2(.zero, .zero) }
    static let one = Fp2(.one, .zero)

    var isZero: Bool { c0.isZero && c1.isZero }

    @inline(__always)
    static func + (a: Fp2, b: Fp2) -> Fp2 { Fp2(a.c0 + b.c0, a.c1 + b.c1) }
    @inline(__always)
    static func - (a: Fp2, b: Fp2) -> Fp2 { Fp2(a.c0 - b.c0, a.c1 - b.c1) }
    @inline(__always)
    static prefix func - (a: Fp2) -> Fp2 { Fp2(-a.c0, -a.c1) }
    @inline(__always)
    static func += (a: inout Fp2, b: Fp2) { a = a + b }
    @inline(__always)
    static func -= (a: inout Fp2, b: Fp2) { a = a - b }
    @inline(__always)
    static func *= (a: inout Fp2, b: Fp2) { a = a * b }

    @inline(__always)
    var doubled: Fp2 { Fp2(c0.doubled, c1.doubled) }

    /// The product, with lazy reduction (see `lazyProduct`).
    static func * (a: Fp2, b: Fp2) -> Fp2 { lazyProduct(a, b) }

    /// Karatsuba: three base-field multiplications (reference for tests).
    static func karatsubaProduct(_ a: Fp2, _ b: Fp2) -> Fp2 {
        let t0 = a.c0 * b.c0
        let t1 = a.c1 * b.c1
        let t2 = (a.c0 + a.c1) * (b.c0 + b.c1)
        return Fp2(t0 - t1, t2 - t0 - t1)
    }

    /// Multiplication by a base-field element.
    @inline(__always)
    func mul(by s: Fp) -> Fp2 { Fp2(c0 * s, c1 * s) }

    /// (c0 + c1 u)^2 = (c0 + c1)(c0 - c1) + 2 c0 c1 u: two base-field multiplications.
    var squared: Fp2 {
        let a = (c0 + c1) * (c0 - c1)
        let b = c0 * c1
        return Fp2(a, b.doubled)
    }

    /// Multiplication by the sextic non-residue xi = 1 + u.
    @inline(__always)
    var mulByNonResidue: Fp2 { Fp2(c0 - c1, c0 + c1) }

    /// The conjugate c0 - c1 u, which is also the p-power Frobenius.
    @inline(__always)
    var conjugate: Fp2 { Fp2(c0, -c1) }

    /// The norm c0^2 + c1^2, in Fp.
    var norm: Fp { c0.squared + c1.squared }

    /// The inverse; 0 maps to 0.
    var inverse: Fp2 {
        let t = norm.inverse
        return Fp2(c0 * t, -(c1 * t))
    }

    /// self^e for a little-endian exponent.
    func pow(_ e: [UInt64]) -> Fp2 {
        var result = Fp2.one
        for limb in e.reversed() {
            for bit in stride(from: 63, through: 0, by: -1) {
                result = result.squared
                if (limb >> UInt64(bit)) & 1 == 1 { result = result * self }
            }
        }
        return result
    }

    /// True when self is a square in Fp2 (exactly when its norm is a square in Fp).
    var isSquare: Bool { norm.isSquare }

    /// A square root when one exists, by the complex method for p = 3 mod 4: with
    /// t = sqrt(c0^2 + c1^2) in Fp, x0 = sqrt((c0 + t) / 2) (or sqrt((c0 - t) / 2), exactly one of
    /// which is a square when c1 != 0) and x1 = c1 / (2 x0). A non-square is detected by its norm
    /// after one Fp exponentiation. The result is checked by squaring.
    var sqrt: Fp2? {
        if c1.isZero {
            // Either c0 or -c0 is a square in Fp (-1 is not).
            if let r = c0.sqrt { return Fp2(r, .zero) }
            if let r = (-c0).sqrt { return Fp2(.zero, r) }  // (r u)^2 = -r^2 = c0
            return nil
        }
        guard let t = norm.sqrt else { return nil }
        let half = Fp2.halfInFp
        var x0 = (c0 + t) * half
        if let r = x0.sqrt {
            x0 = r
        } else if let r = ((c0 - t) * half).sqrt {
            x0 = r
        } else {
            return nil
        }
        let x1 = c1 * (x0.doubled).inverse
        let candidate = Fp2(x0, x1)
        return candidate.squared == self ? candidate : nil
    }

    /// The square root by Adj and Rodriguez-Henriquez's algorithm 9 (reference for tests).
    var sqrtReference: Fp2? {
        let a1 = pow(Constants.pMinus3Div4)
        let alpha = a1.squared * self
        let x0 = a1 * self
        let minusOne = -Fp2.one
        let candidate: Fp2
        if alpha == minusOne {
            candidate = Fp2(-x0.c1, x0.c0)  // u * x0
        } else {
            candidate = (Fp2.one + alpha).pow(Constants.pMinus1Div2) * x0
        }
        return candidate.squared == self ? candidate : nil
    }

    /// 1/2 in Fp.
    static let halfInFp = Fp(2).inverseByFermat

    /// RFC 9380 sgn0 for an extension element.
    var sgn0: Bool {
        let s0 = c0.sgn0
        return s0 || (c0.isZero && c1.sgn0)
    }

    /// ZCash "lexicographically largest": compare c1 first, then c0 when c1 is zero.
    var isLexicographicallyLargest: Bool {
        c1.isZero ? c0.isLexicographicallyLargest : c1.isLexicographicallyLargest
    }
}
