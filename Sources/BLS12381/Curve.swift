// Short Weierstrass curves y^2 = x^3 + b in Jacobian coordinates, shared by G1 (over Fp) and
// G2 (over Fp2).

/// The field operations the curve code needs; Fp and Fp2 conform.
protocol CurveField: Sendable, Equatable {
    static var zero: Self { get }
    static var one: Self { get }
    /// The constant b of the curve y^2 = x^3 + b over this field (4 for G1, 4(1 + u) for G2).
    static var curveB: Self { get }
    static func + (a: Self, b: Self) -> Self
    static func - (a: Self, b: Self) -> Self
    static func * (a: Self, b: Self) -> Self
    static prefix func - (a: Self) -> Self
    var squared: Self { get }
    var doubled: Self { get }
    var isZero: Bool { get }
    var inverse: Self { get }
}

extension Fp: CurveField {
    static let curveB = Fp(4)
}

extension Fp2: CurveField {
    static let curveB = Fp2(Fp(4), Fp(4))
}

/// A point in Jacobian coordinates: (X, Y, Z) stands for the affine point (X/Z^2, Y/Z^3); Z = 0
/// is the point at infinity.
///
/// Invariant: values built by this library are on the curve; `isOnCurve` checks it for decoded
/// input.
struct Jacobian<F: CurveField>: Sendable {
    var x, y, z: F

    init(x: F, y: F, z: F) { self.x = x; self.y = y; self.z = z }

    /// The affine point (x, y), not checked.
    init(affineX: F, affineY: F) { self.init(x: affineX, y: affineY, z: .one) }

    static var identity: Jacobian { Jacobian(x: .one, y: .one, z: .zero) }

    var isIdentity: Bool { z.isZero }

    /// True when the point satisfies Y^2 = X^3 + b Z^6 (the identity counts as on the curve).
    var isOnCurve: Bool {
        if isIdentity { return true }
        let z2 = z.squared
        let z6 = z2.squared * z2
        return y.squared == x.squared * x + F.curveB * z6
    }

    /// The affine coordinates, or nil for the identity. Costs one inversion.
    var affine: (x: F, y: F)? {
        if isIdentity { return nil }
        if z == F.one { return (x, y) }  // decoded points are already affine
        let zi = z.inverse
        let zi2 = zi.squared
        return (x * zi2, y * zi2 * zi)
    }

    /// The same point with Z = 1 (or the identity).
    var normalized: Jacobian {
        guard let a = affine else { return .identity }
        return Jacobian(affineX: a.x, affineY: a.y)
    }

    static prefix func - (p: Jacobian) -> Jacobian { Jacobian(x: p.x, y: -p.y, z: p.z) }

    /// 2P (dbl-2009-l, a = 0).
    var doubled: Jacobian {
        if isIdentity { return self }
        let a = x.squared
        let b = y.squared
        let c = b.squared
        let d = ((x + b).squared - a - c).doubled
        let e = a.doubled + a
        let f = e.squared
        let x3 = f - d.doubled
        let c8 = c.doubled.doubled.doubled
        let y3 = e * (d - x3) - c8
        let z3 = (y * z).doubled
        return Jacobian(x: x3, y: y3, z: z3)
    }

    /// P + Q (add-2007-bl), handling the identity and P = Q.
    static func + (p: Jacobian, q: Jacobian) -> Jacobian {
        if p.isIdentity { return q }
        if q.isIdentity { return p }
        let z1z1 = p.z.squared
        let z2z2 = q.z.squared
        let u1 = p.x * z2z2
        let u2 = q.x * z1z1
        let s1 = p.y * q.z * z2z2
        let s2 = q.y * p.z * z1z1
        let h = u2 - u1
        let rr = (s2 - s1).doubled
        if h.isZero {
            return rr.isZero ? p.doubled : .identity
        }
        let i = h.doubled.squared
        let j = h * i
        let v = u1 * i
        let x3 = rr.squared - j - v.doubled
        let y3 = rr * (v - x3) - (s1 * j).doubled
        let z3 = ((p.z + q.z).squared - z1z1 - z2z2) * h
        return Jacobian(x: x3, y: y3, z: z3)
    }

    static func - (p: Jacobian, q: Jacobian) -> Jacobian { p + (-q) }

    /// P + Q for an affine Q = (qx, qy) (madd-2007-bl), handling the identity and P = Q.
    func adding(affineX qx: F, affineY qy: F) -> Jacobian {
        if isIdentity { return Jacobian(affineX: qx, affineY: qy) }
        let z1z1 = z.squared
        let u2 = qx * z1z1
        let s2 = qy * z * z1z1
        let h = u2 - x
        let rr = (s2 - y).doubled
        if h.isZero {
            return rr.isZero ? doubled : .identity
        }
        let hh = h.squared
        let i = hh.doubled.doubled
        let j = h * i
        let v = x * i
        let x3 = rr.squared - j - v.doubled
        let y3 = rr * (v - x3) - (y * j).doubled
        let z3 = (z + h).squared - z1z1 - hh
        return Jacobian(x: x3, y: y3, z: z3)
    }

    /// [k]P for a little-endian multi-limb scalar (not constant time): a fixed 4-bit window for
    /// scalars longer than one limb, double and add for one limb (the sparse BLS parameter).
    func multiplied(by k: [UInt64]) -> Jacobian {
        k.count > 1 ? multipliedWindowed(by: k) : multipliedDoubleAndAdd(by: k)
    }

    /// [k]P by double and add.
    func multipliedDoubleAndAdd(by k: [UInt64]) -> Jacobian {
        var acc = Jacobian.identity
        var started = false
        for limb in k.reversed() {
            for bit in stride(from: 63, through: 0, by: -1) {
                if started { acc = acc.doubled }
                if (limb >> UInt64(bit)) & 1 == 1 {
                    acc = started ? acc + self : self
                    started = true
                }
            }
        }
        return acc
    }

    /// [k]P with a fixed 4-bit window: a table of [1..15]P, then four doublings and at most one
    /// addition per nibble.
    func multipliedWindowed(by k: [UInt64]) -> Jacobian {
        var table = [Jacobian](repeating: .identity, count: 16)
        table[1] = self
        for i in 2..<16 { table[i] = i % 2 == 0 ? table[i / 2].doubled : table[i - 1] + self }
        var acc = Jacobian.identity
        var started = false
        for limb in k.reversed() {
            for nibble in stride(from: 15, through: 0, by: -1) {
                if started { acc = acc.doubled.doubled.doubled.doubled }
                let d = Int((limb >> UInt64(4 * nibble)) & 0xf)
                if d != 0 {
                    acc = started ? acc + table[d] : table[d]
                    started = true
                }
            }
        }
        return acc
    }

    /// [k]P for a 64-bit scalar.
    func multiplied(by k: UInt64) -> Jacobian { multiplied(by: [k]) }

    /// Group equality: compares X1 Z2^2 with X2 Z1^2 and Y1 Z2^3 with Y2 Z1^3.
    static func == (p: Jacobian, q: Jacobian) -> Bool {
        if p.isIdentity || q.isIdentity { return p.isIdentity && q.isIdentity }
        let z1z1 = p.z.squared
        let z2z2 = q.z.squared
        guard p.x * z2z2 == q.x * z1z1 else { return false }
        return p.y * z2z2 * q.z == q.y * z1z1 * p.z
    }

    /// True when [r]P is the identity, i.e. P lies in the prime-order subgroup.
    var isInPrimeOrderSubgroup: Bool { multiplied(by: Constants.r).isIdentity }
}

extension Jacobian: Equatable {}
