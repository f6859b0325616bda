// The cubic extension Fp6 = Fp2[v] / (v^3 - xi), xi = 1 + u.

/// An element c0 + c1 v + c2 v^2 of Fp6, with v^3 = 1 + u.
struct Fp6: Sendable, Equatable {
    var c0, c1, c2: Fp2

    @inline(__always)
    init(_ c0: Fp2, _ c1: Fp2, _ c2: Fp2) { self.c0 = c0; self.c1 = c1; self.c2 = c2 }

    static var zero: Fp6 { Fp6(.zero, .zero, .zero) }
    static let one = Fp6(.one, .zero, .zero)

    var isZero: Bool { c0.isZero && c1.isZero && c2.isZero }

    @inline(__always)
    static func + (a: Fp6, b: Fp6) -> Fp6 { Fp6(a.c0 + b.c0, a.c1 + b.c1, a.c2 + b.c2) }
    @inline(__always)
    static func - (a: Fp6, b: Fp6) -> Fp6 { Fp6(a.c0 - b.c0, a.c1 - b.c1, a.c2 - b.c2) }
    @inline(__always)
    static prefix func - (a: Fp6) -> Fp6 { Fp6(-a.c0, -a.c1, -a.c2) }
    @inline(__always)
    var doubled: Fp6 { Fp6(c0.doubled, c1.doubled, c2.doubled) }

    /// Karatsuba-style multiplication: six Fp2 multiplications.
    static func * (a: Fp6, b: Fp6) -> Fp6 {
        let t0 = a.c0 * b.c0
        let t1 = a.c1 * b.c1
        let t2 = a.c2 * b.c2
        let c0 = ((a.c1 + a.c2) * (b.c1 + b.c2) - t1 - t2).mulByNonResidue + t0
        let c1 = (a.c0 + a.c1) * (b.c0 + b.c1) - t0 - t1 + t2.mulByNonResidue
        let c2 = (a.c0 + a.c2) * (b.c0 + b.c2) - t0 - t2 + t1
        return Fp6(c0, c1, c2)
    }

    /// Chung-Hasan squaring (SQR2).
    var squared: Fp6 {
        let s0 = c0.squared
        let s1 = (c0 * c1).doubled
        let s2 = (c0 - c1 + c2).squared
        let s3 = (c1 * c2).doubled
        let s4 = c2.squared
        return Fp6(s3.mulByNonResidue + s0, s4.mulByNonResidue + s1, s1 + s2 + s3 - s0 - s4)
    }

    /// Multiplication by v: (c0, c1, c2) -> (xi c2, c0, c1).
    @inline(__always)
    var mulByV: Fp6 { Fp6(c2.mulByNonResidue, c0, c1) }

    /// Multiplication by b0 + b1 v.
    func mulBy01(_ b0: Fp2, _ b1: Fp2) -> Fp6 {
        let t0 = c0 * b0
        let t1 = c1 * b1
        let r0 = ((c1 + c2) * b1 - t1).mulByNonResidue + t0
        let r1 = (c0 + c1) * (b0 + b1) - t0 - t1
        let r2 = c2 * b0 + t1
        return Fp6(r0, r1, r2)
    }

    /// Multiplication by b1 v.
    func mulBy1(_ b1: Fp2) -> Fp6 {
        Fp6((c2 * b1).mulByNonResidue, c0 * b1, c1 * b1)
    }

    /// The inverse; 0 maps to 0.
    var inverse: Fp6 {
        let t0 = c0.squared - (c1 * c2).mulByNonResidue
        let t1 = c2.squared.mulByNonResidue - c0 * c1
        let t2 = c1.squared - c0 * c2
        let d = c0 * t0 + (c2 * t1 + c1 * t2).mulByNonResidue
        let di = d.inverse
        return Fp6(t0 * di, t1 * di, t2 * di)
    }
}
