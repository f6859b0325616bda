// The base field Fp of BLS12-381, p = 0x1a0111ea...ffffaaab (381 bits), in Montgomery form.

/// An element of the base field Fp, stored in Montgomery form (a * 2^384 mod p) in six
/// little-endian 64-bit limbs.
///
/// Invariant: the stored value is always fully reduced (< p), so `==` on the limbs is equality in
/// the field. Arithmetic never allocates.
struct Fp: Sendable, Equatable {
    var l0, l1, l2, l3, l4, l5: UInt64

    @inline(__always)
    init(l0: UInt64, l1: UInt64, l2: UInt64, l3: UInt64, l4: UInt64, l5: UInt64) {
        self.l0 = l0; self.l1 = l1; self.l2 = l2; self.l3 = l3; self.l4 = l4; self.l5 = l5
    }

    // p, little-endian limbs.
    static var p0: UInt64 { 0xb9fe_ffff_ffff_aaab }
    static var p1: UInt64 { 0x1eab_fffe_b153_ffff }
    static var p2: UInt64 { 0x6730_d2a0_f6b0_f624 }
    static var p3: UInt64 { 0x6477_4b84_f385_12bf }
    static var p4: UInt64 { 0x4b1b_a7b6_434b_acd7 }
    static var p5: UInt64 { 0x1a01_11ea_397f_e69a }
    /// -p^-1 mod 2^64.
    static var inv: UInt64 { 0x89f3_fffc_fffc_fffd }

    static var zero: Fp { Fp(l0: 0, l1: 0, l2: 0, l3: 0, l4: 0, l5: 0) }
    /// 1 in Montgomery form: 2^384 mod p.
    static let one = Fp(
        l0: 0x7609_0000_0002_fffd, l1: 0xebf4_000b_c40c_0002, l2: 0x5f48_9857_53c7_58ba,
        l3: 0x77ce_5853_7052_5745, l4: 0x5c07_1a97_a256_ec6d, l5: 0x15f6_5ec3_fa80_e493)
    /// 2^768 mod p: multiplying a canonical value by it enters Montgomery form.
    static let r2 = Fp(
        l0: 0xf4df_1f34_1c34_1746, l1: 0x0a76_e6a6_09d1_04f1, l2: 0x8de5_476c_4c95_b6d5,
        l3: 0x67eb_88a9_939d_83c0, l4: 0x9a79_3e85_b519_952d, l5: 0x1198_8fe5_92ca_e3aa)

    /// The element whose canonical value is given by little-endian limbs; nil unless the value
    /// is below p.
    init?(canonical limbs: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)) {
        let raw = Fp(l0: limbs.0, l1: limbs.1, l2: limbs.2, l3: limbs.3, l4: limbs.4, l5: limbs.5)
        guard raw.isBelowModulus else { return nil }
        self = raw * Fp.r2
    }

    /// A small integer as a field element.
    init(_ small: UInt64) {
        self = Fp(l0: small, l1: 0, l2: 0, l3: 0, l4: 0, l5: 0) * Fp.r2
    }

    /// The element encoded by 48 big-endian bytes; nil if the slice is not 48 bytes or the value
    /// is not below p.
    init?<C: Collection<UInt8>>(bigEndian bytes: C) where C.Index == Int {
        guard bytes.count == 48 else { return nil }
        let s = bytes.startIndex
        func limb(_ k: Int) -> UInt64 {
            var v: UInt64 = 0
            let base = s + 48 - 8 * (k + 1)
            for i in 0..<8 { v = (v << 8) | UInt64(bytes[base + i]) }
            return v
        }
        self.init(canonical: (limb(0), limb(1), limb(2), limb(3), limb(4), limb(5)))
    }

    /// The canonical value (not Montgomery), little-endian limbs.
    var canonical: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) {
        let c = self * Fp(l0: 1, l1: 0, l2: 0, l3: 0, l4: 0, l5: 0)
        return (c.l0, c.l1, c.l2, c.l3, c.l4, c.l5)
    }

    /// The canonical value as 48 big-endian bytes.
    var bigEndianBytes: [UInt8] {
        let c = canonical
        let limbs = [c.5, c.4, c.3, c.2, c.1, c.0]
        var out = [UInt8]()
        out.reserveCapacity(48)
        for l in limbs { for k in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: l >> UInt64(k))) } }
        return out
    }

    /// True when the raw limbs are below p (used for unreduced inputs only).
    var isBelowModulus: Bool {
        // Compare from the top limb down.
        if l5 != Fp.p5 { return l5 < Fp.p5 }
        if l4 != Fp.p4 { return l4 < Fp.p4 }
        if l3 != Fp.p3 { return l3 < Fp.p3 }
        if l2 != Fp.p2 { return l2 < Fp.p2 }
        if l1 != Fp.p1 { return l1 < Fp.p1 }
        return l0 < Fp.p0
    }

    var isZero: Bool { (l0 | l1 | l2 | l3 | l4 | l5) == 0 }

    /// Subtracts p when the raw value is at least p (input must be < 2p).
    @inline(__always)
    mutating func reduceOnce() {
        var b: UInt64
        var r0, r1, r2, r3, r4, r5: UInt64
        (r0, b) = sbb(l0, Fp.p0, 0)
        (r1, b) = sbb(l1, Fp.p1, b)
        (r2, b) = sbb(l2, Fp.p2, b)
        (r3, b) = sbb(l3, Fp.p3, b)
        (r4, b) = sbb(l4, Fp.p4, b)
        (r5, b) = sbb(l5, Fp.p5, b)
        if b == 0 { self = Fp(l0: r0, l1: r1, l2: r2, l3: r3, l4: r4, l5: r5) }
    }

    @inline(__always)
    static func + (a: Fp, b: Fp) -> Fp {
        var c: UInt64
        var r = Fp.zero
        (r.l0, c) = adc(a.l0, b.l0, 0)
        (r.l1, c) = adc(a.l1, b.l1, c)
        (r.l2, c) = adc(a.l2, b.l2, c)
        (r.l3, c) = adc(a.l3, b.l3, c)
        (r.l4, c) = adc(a.l4, b.l4, c)
        (r.l5, _) = adc(a.l5, b.l5, c)  // no overflow: a + b < 2p < 2^383
        r.reduceOnce()
        return r
    }

    @inline(__always)
    static func - (a: Fp, b: Fp) -> Fp {
        var br: UInt64
        var r = Fp.zero
        (r.l0, br) = sbb(a.l0, b.l0, 0)
        (r.l1, br) = sbb(a.l1, b.l1, br)
        (r.l2, br) = sbb(a.l2, b.l2, br)
        (r.l3, br) = sbb(a.l3, b.l3, br)
        (r.l4, br) = sbb(a.l4, b.l4, br)
        (r.l5, br) = sbb(a.l5, b.l5, br)
        if br != 0 {
            var c: UInt64
            (r.l0, c) = adc(r.l0, Fp.p0, 0)
            (r.l1, c) = adc(r.l1, Fp.p1, c)
            (r.l2, c) = adc(r.l2, Fp.p2, c)
            (r.l3, c) = adc(r.l3, Fp.p3, c)
            (r.l4, c) = adc(r.l4, Fp.p4, c)
            (r.l5, _) = adc(r.l5, Fp.p5, c)
        }
        return r
    }

    @inline(__always)
    static prefix func - (a: Fp) -> Fp { a.isZero ? a : Fp.zeroMinus(a) }

    @inline(__always)
    static func zeroMinus(_ a: Fp) -> Fp {
        var br: UInt64
        var r = Fp.zero
        (r.l0, br) = sbb(Fp.p0, a.l0, 0)
        (r.l1, br) = sbb(Fp.p1, a.l1, br)
        (r.l2, br) = sbb(Fp.p2, a.l2, br)
        (r.l3, br) = sbb(Fp.p3, a.l3, br)
        (r.l4, br) = sbb(Fp.p4, a.l4, br)
        (r.l5, _) = sbb(Fp.p5, a.l5, br)
        return r
    }

    @inline(__always)
    var doubled: Fp { self + self }

    /// Montgomery multiplication: the full 768-bit product, then a separate Montgomery reduction
    /// (SOS), sharing its code with the lazily reduced Fp2 product. As fast here as the
    /// interleaved CIOS form below (within the noise of A/B runs), which tests keep as reference.
    @inline(__always)
    static func * (a: Fp, b: Fp) -> Fp { FpWide.product(a, b).montgomeryReduced() }

    /// Montgomery multiplication (CIOS, using the spare top bit of p so no final carry word is
    /// needed), then one conditional subtraction. Reference for tests.
    static func productCIOS(_ a: Fp, _ b: Fp) -> Fp {
        var t0: UInt64 = 0, t1: UInt64 = 0, t2: UInt64 = 0, t3: UInt64 = 0, t4: UInt64 = 0, t5: UInt64 = 0
        var A: UInt64 = 0, C: UInt64 = 0, m: UInt64 = 0
        // Row 0: t += a * b.l0, then one Montgomery reduction step.
        (A, t0) = mac(t0, a.l0, b.l0, 0)
        m = t0 &* Fp.inv
        C = mac(t0, m, Fp.p0, 0).0
        (A, t1) = mac(t1, a.l1, b.l0, A)
        (C, t0) = mac(t1, m, Fp.p1, C)
        (A, t2) = mac(t2, a.l2, b.l0, A)
        (C, t1) = mac(t2, m, Fp.p2, C)
        (A, t3) = mac(t3, a.l3, b.l0, A)
        (C, t2) = mac(t3, m, Fp.p3, C)
        (A, t4) = mac(t4, a.l4, b.l0, A)
        (C, t3) = mac(t4, m, Fp.p4, C)
        (A, t5) = mac(t5, a.l5, b.l0, A)
        (C, t4) = mac(t5, m, Fp.p5, C)
        t5 = C &+ A
        // Row 1: t += a * b.l1, then one Montgomery reduction step.
        (A, t0) = mac(t0, a.l0, b.l1, 0)
        m = t0 &* Fp.inv
        C = mac(t0, m, Fp.p0, 0).0
        (A, t1) = mac(t1, a.l1, b.l1, A)
        (C, t0) = mac(t1, m, Fp.p1, C)
        (A, t2) = mac(t2, a.l2, b.l1, A)
        (C, t1) = mac(t2, m, Fp.p2, C)
        (A, t3) = mac(t3, a.l3, b.l1, A)
        (C, t2) = mac(t3, m, Fp.p3, C)
        (A, t4) = mac(t4, a.l4, b.l1, A)
        (C, t3) = mac(t4, m, Fp.p4, C)
        (A, t5) = mac(t5, a.l5, b.l1, A)
        (C, t4) = mac(t5, m, Fp.p5, C)
        t5 = C &+ A
        // Row 2: t += a * b.l2, then one Montgomery reduction step.
        (A, t0) = mac(t0, a.l0, b.l2, 0)
        m = t0 &* Fp.inv
        C = mac(t0, m, Fp.p0, 0).0
        (A, t1) = mac(t1, a.l1, b.l2, A)
        (C, t0) = mac(t1, m, Fp.p1, C)
        (A, t2) = mac(t2, a.l2, b.l2, A)
        (C, t1) = mac(t2, m, Fp.p2, C)
        (A, t3) = mac(t3, a.l3, b.l2, A)
        (C, t2) = mac(t3, m, Fp.p3, C)
        (A, t4) = mac(t4, a.l4, b.l2, A)
        (C, t3) = mac(t4, m, Fp.p4, C)
        (A, t5) = mac(t5, a.l5, b.l2, A)
        (C, t4) = mac(t5, m, Fp.p5, C)
        t5 = C &+ A
        // Row 3: t += a * b.l3, then one Montgomery reduction step.
        (A, t0) = mac(t0, a.l0, b.l3, 0)
        m = t0 &* Fp.inv
        C = mac(t0, m, Fp.p0, 0).0
        (A, t1) = mac(t1, a.l1, b.l3, A)
        (C, t0) = mac(t1, m, Fp.p1, C)
        (A, t2) = mac(t2, a.l2, b.l3, A)
        (C, t1) = mac(t2, m, Fp.p2, C)
        (A, t3) = mac(t3, a.l3, b.l3, A)
        (C, t2) = mac(t3, m, Fp.p3, C)
        (A, t4) = mac(t4, a.l4, b.l3, A)
        (C, t3) = mac(t4, m, Fp.p4, C)
        (A, t5) = mac(t5, a.l5, b.l3, A)
        (C, t4) = mac(t5, m, Fp.p5, C)
        t5 = C &+ A
        // Row 4: t += a * b.l4, then one Montgomery reduction step.
        (A, t0) = mac(t0, a.l0, b.l4, 0)
        m = t0 &* Fp.inv
        C = mac(t0, m, Fp.p0, 0).0
        (A, t1) = mac(t1, a.l1, b.l4, A)
        (C, t0) = mac(t1, m, Fp.p1, C)
        (A, t2) = mac(t2, a.l2, b.l4, A)
        (C, t1) = mac(t2, m, Fp.p2, C)
        (A, t3) = mac(t3, a.l3, b.l4, A)
        (C, t2) = mac(t3, m, Fp.p3, C)
        (A, t4) = mac(t4, a.l4, b.l4, A)
        (C, t3) = mac(t4, m, Fp.p4, C)
        (A, t5) = mac(t5, a.l5, b.l4, A)
        (C, t4) = mac(t5, m, Fp.p5, C)
        t5 = C &+ A
        // Row 5: t += a * b.l5, then one Montgomery reduction step.
        (A, t0) = mac(t0, a.l0, b.l5, 0)
        m = t0 &* Fp.inv
        C = mac(t0, m, Fp.p0, 0).0
        (A, t1) = mac(t1, a.l1, b.l5, A)
        (C, t0) = mac(t1, m, Fp.p1, C)
        (A, t2) = mac(t2, a.l2, b.l5, A)
        (C, t1) = mac(t2, m, Fp.p2, C)
        (A, t3) = mac(t3, a.l3, b.l5, A)
        (C, t2) = mac(t3, m, Fp.p3, C)
        (A, t4) = mac(t4, a.l4, b.l5, A)
        (C, t3) = mac(t4, m, Fp.p4, C)
        (A, t5) = mac(t5, a.l5, b.l5, A)
        (C, t4) = mac(t5, m, Fp.p5, C)
        t5 = C &+ A

        var r = Fp(l0: t0, l1: t1, l2: t2, l3: t3, l4: t4, l5: t5)
        r.reduceOnce()
        return r
    }

    @inline(__always)
    static func *= (a: inout Fp, b: Fp) { a = a * b }
    @inline(__always)
    static func += (a: inout Fp, b: Fp) { a = a + b }
    @inline(__always)
    static func -= (a: inout Fp, b: Fp) { a = a - b }

    @inline(__always)
    var squared: Fp { FpWide.square(self).montgomeryReduced() }

    /// self^e for a little-endian exponent.
    func pow(_ e: [UInt64]) -> Fp {
        var result = Fp.one
        for limb in e.reversed() {
            for bit in stride(from: 63, through: 0, by: -1) {
                result = result.squared
                if (limb >> UInt64(bit)) & 1 == 1 { result = result * self }
            }
        }
        return result
    }

    /// The multiplicative inverse; 0 maps to 0. Binary extended Euclid on the canonical value
    /// (several times faster here than Fermat's a^(p-2), which `inverseByFermat` keeps for tests).
    var inverse: Fp {
        if isZero { return self }
        // Work on plain integers: c = canonical value; the result c^-1 re-enters Montgomery form.
        let c = canonical
        var u = Fp(l0: c.0, l1: c.1, l2: c.2, l3: c.3, l4: c.4, l5: c.5)
        var v = Fp(l0: Fp.p0, l1: Fp.p1, l2: Fp.p2, l3: Fp.p3, l4: Fp.p4, l5: Fp.p5)
        var x1 = Fp(l0: 1, l1: 0, l2: 0, l3: 0, l4: 0, l5: 0)
        var x2 = Fp.zero
        // Invariants: x1 * c = u and x2 * c = v (mod p); u, v > 0; gcd(u, v) = 1.
        while !u.isRawOne && !v.isRawOne {
            while u.l0 & 1 == 0 {
                u.shiftRightOne()
                x1.halveModP()
            }
            while v.l0 & 1 == 0 {
                v.shiftRightOne()
                x2.halveModP()
            }
            if v.rawLessOrEqual(u) {
                u = Fp.rawSubtract(u, v)
                x1 = x1 - x2
            } else {
                v = Fp.rawSubtract(v, u)
                x2 = x2 - x1
            }
        }
        let r = u.isRawOne ? x1 : x2
        return r * Fp.r2
    }

    /// The inverse by Fermat's little theorem, a^(p-2) (reference).
    var inverseByFermat: Fp { pow(Constants.pMinus2) }

    /// True when the raw limbs are the integer 1.
    var isRawOne: Bool { l0 == 1 && (l1 | l2 | l3 | l4 | l5) == 0 }

    /// Raw limbs shifted right by one bit.
    mutating func shiftRightOne() {
        l0 = (l0 >> 1) | (l1 << 63)
        l1 = (l1 >> 1) | (l2 << 63)
        l2 = (l2 >> 1) | (l3 << 63)
        l3 = (l3 >> 1) | (l4 << 63)
        l4 = (l4 >> 1) | (l5 << 63)
        l5 >>= 1
    }

    /// x / 2 mod p for a raw residue x < p: (x + p) / 2 when x is odd (x + p < 2^382, no overflow).
    mutating func halveModP() {
        if l0 & 1 == 1 {
            var c: UInt64
            (l0, c) = adc(l0, Fp.p0, 0)
            (l1, c) = adc(l1, Fp.p1, c)
            (l2, c) = adc(l2, Fp.p2, c)
            (l3, c) = adc(l3, Fp.p3, c)
            (l4, c) = adc(l4, Fp.p4, c)
            (l5, _) = adc(l5, Fp.p5, c)
        }
        shiftRightOne()
    }

    /// Raw comparison self <= other.
    func rawLessOrEqual(_ o: Fp) -> Bool {
        if l5 != o.l5 { return l5 < o.l5 }
        if l4 != o.l4 { return l4 < o.l4 }
        if l3 != o.l3 { return l3 < o.l3 }
        if l2 != o.l2 { return l2 < o.l2 }
        if l1 != o.l1 { return l1 < o.l1 }
        return l0 <= o.l0
    }

    /// Raw a - b for a >= b.
    static func rawSubtract(_ a: Fp, _ b: Fp) -> Fp {
        var br: UInt64
        var r = Fp.zero
        (r.l0, br) = sbb(a.l0, b.l0, 0)
        (r.l1, br) = sbb(a.l1, b.l1, br)
        (r.l2, br) = sbb(a.l2, b.l2, br)
        (r.l3, br) = sbb(a.l3, b.l3, br)
        (r.l4, br) = sbb(a.l4, b.l4, br)
        (r.l5, _) = sbb(a.l5, b.l5, br)
        return r
    }

    /// True when self is a square in Fp (0 counts as a square).
    var isSquare: Bool {
        let l = pow(Constants.pMinus1Div2)
        return l.isZero || l == Fp.one
    }

    /// A square root when one exists (p = 3 mod 4, so it is self^((p+1)/4)).
    var sqrt: Fp? {
        let s = pow(Constants.pPlus1Div4)
        return s.squared == self ? s : nil
    }

    /// RFC 9380 sgn0: the parity of the canonical value.
    var sgn0: Bool { canonical.0 & 1 == 1 }

    /// True when the canonical value exceeds (p-1)/2, i.e. self > -self (ZCash "largest").
    var isLexicographicallyLargest: Bool {
        let c = canonical
        let h = Constants.pMinus1Div2
        let limbs = [c.0, c.1, c.2, c.3, c.4, c.5]
        for i in stride(from: 5, through: 0, by: -1) where limbs[i] != h[i] {
            return limbs[i] > h[i]
        }
        return false
    }
}

/// a + b*c + carry as (high, low); never overflows 128 bits.
@inline(__always)
func mac(_ a: UInt64, _ b: UInt64, _ c: UInt64, _ carry: UInt64) -> (UInt64, UInt64) {
    let t = UInt128(b) &* UInt128(c) &+ UInt128(a) &+ UInt128(carry)
    return (UInt64(truncatingIfNeeded: t &>> 64), UInt64(truncatingIfNeeded: t))
}

/// a + b + carry-in (0 or 1), with the carry-out (0 or 1).
@inline(__always)
func adc(_ a: UInt64, _ b: UInt64, _ c: UInt64) -> (UInt64, UInt64) {
    let s = UInt128(a) &+ UInt128(b) &+ UInt128(c)
    return (UInt64(truncatingIfNeeded: s), UInt64(truncatingIfNeeded: s &>> 64))
}

/// a - b - borrow-in (0 or 1), with the borrow-out (0 or 1).
@inline(__always)
func sbb(_ a: UInt64, _ b: UInt64, _ br: UInt64) -> (UInt64, UInt64) {
    let d = UInt128(a) &- UInt128(b) &- UInt128(br)
    return (UInt64(truncatingIfNeeded: d), UInt64(truncatingIfNeeded: d &>> 127))
}
