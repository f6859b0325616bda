// The public point types: G1 (over Fp) and G2 (over the twist, over Fp2).

/// A point of G1, the order-r subgroup of E1: y^2 = x^3 + 4 over Fp. Public keys (min_pk) live
/// here.
///
/// Invariant: every value is on the curve and in the subgroup (decoding checks both; arithmetic
/// preserves them).
public struct G1Point: Sendable, Equatable {
    var point: Jacobian<Fp>

    init(_ point: Jacobian<Fp>) { self.point = point }

    /// The standard generator of G1.
    public static let generator = G1Point(
        Jacobian(affineX: GeneratorConstants.g1x, affineY: GeneratorConstants.g1y))
    /// The identity (point at infinity).
    public static let identity = G1Point(.identity)
    /// -generator, affine (used by every verification).
    static let negatedGenerator = -generator

    /// True for the point at infinity.
    public var isIdentity: Bool { point.isIdentity }

    /// The group law.
    public static func + (a: G1Point, b: G1Point) -> G1Point { G1Point(a.point + b.point) }
    /// The inverse.
    public static prefix func - (a: G1Point) -> G1Point { G1Point(-a.point) }
    /// a + (-b).
    public static func - (a: G1Point, b: G1Point) -> G1Point { G1Point(a.point - b.point) }

    /// [k]P for a scalar given as big-endian bytes (any length; not reduced).
    public func multiplied(byBigEndian k: [UInt8]) -> G1Point { G1Point(point.multiplied(by: limbsFromBigEndian(k))) }
}

/// A point of G2, the order-r subgroup of E2: y^2 = x^3 + 4(1 + u) over Fp2. Signatures and
/// message hashes (min_pk) live here.
///
/// Invariant: every value is on the curve and in the subgroup.
public struct G2Point: Sendable, Equatable {
    var point: Jacobian<Fp2>

    init(_ point: Jacobian<Fp2>) { self.point = point }

    /// The standard generator of G2.
    public static let generator = G2Point(
        Jacobian(affineX: GeneratorConstants.g2x, affineY: GeneratorConstants.g2y))
    /// The identity (point at infinity).
    public static let identity = G2Point(.identity)

    /// True for the point at infinity.
    public var isIdentity: Bool { point.isIdentity }

    /// The group law.
    public static func + (a: G2Point, b: G2Point) -> G2Point { G2Point(a.point + b.point) }
    /// The inverse.
    public static prefix func - (a: G2Point) -> G2Point { G2Point(-a.point) }
    /// a + (-b).
    public static func - (a: G2Point, b: G2Point) -> G2Point { G2Point(a.point - b.point) }

    /// [k]P for a scalar given as big-endian bytes (any length; not reduced).
    public func multiplied(byBigEndian k: [UInt8]) -> G2Point { G2Point(point.multiplied(by: limbsFromBigEndian(k))) }
}

/// Big-endian bytes to little-endian 64-bit limbs.
func limbsFromBigEndian(_ bytes: [UInt8]) -> [UInt64] {
    var limbs = [UInt64](repeating: 0, count: (bytes.count + 7) / 8)
    for (i, byte) in bytes.reversed().enumerated() {
        limbs[i / 8] |= UInt64(byte) << UInt64(8 * (i % 8))
    }
    return limbs
}

/// An element of the target group GT (order-r subgroup of Fp12*), the value of a pairing.
/// Only equality is exposed.
public struct PairingValue: Sendable, Equatable {
    var value: Fp12

    /// True for the neutral element 1.
    public var isOne: Bool { value == .one }
}

/// e(P, Q): the optimal ate pairing raised to 3 (p^12 - 1) / r (a non-degenerate bilinear map;
/// the fixed factor 3 does not change any equality of pairings).
public func pairing(_ p: G1Point, _ q: G2Point) -> PairingValue {
    pairingProduct([(p, q)])
}

/// The product of e(P_i, Q_i) with one shared final exponentiation (multi-pairing).
public func pairingProduct(_ pairs: [(G1Point, G2Point)]) -> PairingValue {
    var affinePairs: [(p: (x: Fp, y: Fp), q: (x: Fp2, y: Fp2))] = []
    affinePairs.reserveCapacity(pairs.count)
    for (p, q) in pairs {
        guard let pa = p.point.affine, let qa = q.point.affine else { continue }
        affinePairs.append((pa, qa))
    }
    if affinePairs.isEmpty { return PairingValue(value: .one) }
    return PairingValue(value: Pairing.pairingProduct(affinePairs))
}
