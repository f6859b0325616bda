// Lazy reduction for Fp2 multiplication: 768-bit products without Montgomery reduction, combined
// and then reduced once per output coordinate (two reductions instead of three per Fp2 product).

/// A 768-bit unsigned integer in twelve little-endian limbs: an unreduced product of two Fp values.
struct FpWide {
    var w0, w1, w2, w3, w4, w5, w6, w7, w8, w9, w10, w11: UInt64

    /// p^2, added to keep differences of products non-negative.
    static let pSquared = FpWide(w0: 0x26aa00001c718e39, w1: 0x7ced6b1d76382eab, w2: 0x162c338362113cfd, w3: 0x66bf91ed3e71b743, w4: 0x292e85a87091a049, w5: 0x1d68619c86185c7b, w6: 0xf53149330978ef01, w7: 0x50a62cfd16ddca6e, w8: 0x66e59e49349e8bd0, w9: 0xe2dc90e50e7046b4, w10: 0x4bd278eaa22f25e9, w11: 0x02a437a4b8c35fc7)

    /// The full 768-bit product of the raw limbs (operands may be up to 2^383).
    @inline(__always)
    static func product(_ a: Fp, _ b: Fp) -> FpWide {
        var carry: UInt64
        var t0: UInt64 = 0, t1: UInt64 = 0, t2: UInt64 = 0, t3: UInt64 = 0, t4: UInt64 = 0, t5: UInt64 = 0
        var t6: UInt64 = 0, t7: UInt64 = 0, t8: UInt64 = 0, t9: UInt64 = 0, t10: UInt64 = 0, t11: UInt64 = 0
        carry = 0
        (carry, t0) = mac(t0, a.l0, b.l0, carry)
        (carry, t1) = mac(t1, a.l1, b.l0, carry)
        (carry, t2) = mac(t2, a.l2, b.l0, carry)
        (carry, t3) = mac(t3, a.l3, b.l0, carry)
        (carry, t4) = mac(t4, a.l4, b.l0, carry)
        (carry, t5) = mac(t5, a.l5, b.l0, carry)
        t6 = carry
        carry = 0
        (carry, t1) = mac(t1, a.l0, b.l1, carry)
        (carry, t2) = mac(t2, a.l1, b.l1, carry)
        (carry, t3) = mac(t3, a.l2, b.l1, carry)
        (carry, t4) = mac(t4, a.l3, b.l1, carry)
        (carry, t5) = mac(t5, a.l4, b.l1, carry)
        (carry, t6) = mac(t6, a.l5, b.l1, carry)
        t7 = carry
        carry = 0
        (carry, t2) = mac(t2, a.l0, b.l2, carry)
        (carry, t3) = mac(t3, a.l1, b.l2, carry)
        (carry, t4) = mac(t4, a.l2, b.l2, carry)
        (carry, t5) = mac(t5, a.l3, b.l2, carry)
        (carry, t6) = mac(t6, a.l4, b.l2, carry)
        (carry, t7) = mac(t7, a.l5, b.l2, carry)
        t8 = carry
        carry = 0
        (carry, t3) = mac(t3, a.l0, b.l3, carry)
        (carry, t4) = mac(t4, a.l1, b.l3, carry)
        (carry, t5) = mac(t5, a.l2, b.l3, carry)
        (carry, t6) = mac(t6, a.l3, b.l3, carry)
        (carry, t7) = mac(t7, a.l4, b.l3, carry)
        (carry, t8) = mac(t8, a.l5, b.l3, carry)
        t9 = carry
        carry = 0
        (carry, t4) = mac(t4, a.l0, b.l4, carry)
        (carry, t5) = mac(t5, a.l1, b.l4, carry)
        (carry, t6) = mac(t6, a.l2, b.l4, carry)
        (carry, t7) = mac(t7, a.l3, b.l4, carry)
        (carry, t8) = mac(t8, a.l4, b.l4, carry)
        (carry, t9) = mac(t9, a.l5, b.l4, carry)
        t10 = carry
        carry = 0
        (carry, t5) = mac(t5, a.l0, b.l5, carry)
        (carry, t6) = mac(t6, a.l1, b.l5, carry)
        (carry, t7) = mac(t7, a.l2, b.l5, carry)
        (carry, t8) = mac(t8, a.l3, b.l5, carry)
        (carry, t9) = mac(t9, a.l4, b.l5, carry)
        (carry, t10) = mac(t10, a.l5, b.l5, carry)
        t11 = carry
        return FpWide(w0: t0, w1: t1, w2: t2, w3: t3, w4: t4, w5: t5, w6: t6, w7: t7, w8: t8, w9: t9, w10: t10, w11: t11)
    }

    /// Wide addition with the carry out.
    @inline(__always)
    static func &+ (a: FpWide, b: FpWide) -> (FpWide, UInt64) {
        var c: UInt64 = 0
        var r = a
        (r.w0, c) = adc(a.w0, b.w0, c)
        (r.w1, c) = adc(a.w1, b.w1, c)
        (r.w2, c) = adc(a.w2, b.w2, c)
        (r.w3, c) = adc(a.w3, b.w3, c)
        (r.w4, c) = adc(a.w4, b.w4, c)
        (r.w5, c) = adc(a.w5, b.w5, c)
        (r.w6, c) = adc(a.w6, b.w6, c)
        (r.w7, c) = adc(a.w7, b.w7, c)
        (r.w8, c) = adc(a.w8, b.w8, c)
        (r.w9, c) = adc(a.w9, b.w9, c)
        (r.w10, c) = adc(a.w10, b.w10, c)
        (r.w11, c) = adc(a.w11, b.w11, c)
        return (r, c)
    }

    /// Wide subtraction with the borrow out.
    @inline(__always)
    static func &- (a: FpWide, b: FpWide) -> (FpWide, UInt64) {
        var c: UInt64 = 0
        var r = a
        (r.w0, c) = sbb(a.w0, b.w0, c)
        (r.w1, c) = sbb(a.w1, b.w1, c)
        (r.w2, c) = sbb(a.w2, b.w2, c)
        (r.w3, c) = sbb(a.w3, b.w3, c)
        (r.w4, c) = sbb(a.w4, b.w4, c)
        (r.w5, c) = sbb(a.w5, b.w5, c)
        (r.w6, c) = sbb(a.w6, b.w6, c)
        (r.w7, c) = sbb(a.w7, b.w7, c)
        (r.w8, c) = sbb(a.w8, b.w8, c)
        (r.w9, c) = sbb(a.w9, b.w9, c)
        (r.w10, c) = sbb(a.w10, b.w10, c)
        (r.w11, c) = sbb(a.w11, b.w11, c)
        return (r, c)
    }

    /// Montgomery reduction t / 2^384 mod p, for t < p 2^384; the result is fully reduced.
    @inline(__always)
    func montgomeryReduced() -> Fp {
        var t0 = w0, t1 = w1, t2 = w2, t3 = w3, t4 = w4, t5 = w5
        var t6 = w6, t7 = w7, t8 = w8, t9 = w9, t10 = w10, t11 = w11
        var carry: UInt64, m: UInt64, extra: UInt64 = 0
        m = t0 &* Fp.inv
        carry = 0
        (carry, t0) = mac(t0, m, Fp.p0, carry)
        (carry, t1) = mac(t1, m, Fp.p1, carry)
        (carry, t2) = mac(t2, m, Fp.p2, carry)
        (carry, t3) = mac(t3, m, Fp.p3, carry)
        (carry, t4) = mac(t4, m, Fp.p4, carry)
        (carry, t5) = mac(t5, m, Fp.p5, carry)
        (t6, extra) = adc(t6, carry, extra)
        m = t1 &* Fp.inv
        carry = 0
        (carry, t1) = mac(t1, m, Fp.p0, carry)
        (carry, t2) = mac(t2, m, Fp.p1, carry)
        (carry, t3) = mac(t3, m, Fp.p2, carry)
        (carry, t4) = mac(t4, m, Fp.p3, carry)
        (carry, t5) = mac(t5, m, Fp.p4, carry)
        (carry, t6) = mac(t6, m, Fp.p5, carry)
        (t7, extra) = adc(t7, carry, extra)
        m = t2 &* Fp.inv
        carry = 0
        (carry, t2) = mac(t2, m, Fp.p0, carry)
        (carry, t3) = mac(t3, m, Fp.p1, carry)
        (carry, t4) = mac(t4, m, Fp.p2, carry)
        (carry, t5) = mac(t5, m, Fp.p3, carry)
        (carry, t6) = mac(t6, m, Fp.p4, carry)
        (carry, t7) = mac(t7, m, Fp.p5, carry)
        (t8, extra) = adc(t8, carry, extra)
        m = t3 &* Fp.inv
        carry = 0
        (carry, t3) = mac(t3, m, Fp.p0, carry)
        (carry, t4) = mac(t4, m, Fp.p1, carry)
        (carry, t5) = mac(t5, m, Fp.p2, carry)
        (carry, t6) = mac(t6, m, Fp.p3, carry)
        (carry, t7) = mac(t7, m, Fp.p4, carry)
        (carry, t8) = mac(t8, m, Fp.p5, carry)
        (t9, extra) = adc(t9, carry, extra)
        m = t4 &* Fp.inv
        carry = 0
        (carry, t4) = mac(t4, m, Fp.p0, carry)
        (carry, t5) = mac(t5, m, Fp.p1, carry)
        (carry, t6) = mac(t6, m, Fp.p2, carry)
        (carry, t7) = mac(t7, m, Fp.p3, carry)
        (carry, t8) = mac(t8, m, Fp.p4, carry)
        (carry, t9) = mac(t9, m, Fp.p5, carry)
        (t10, extra) = adc(t10, carry, extra)
        m = t5 &* Fp.inv
        carry = 0
        (carry, t5) = mac(t5, m, Fp.p0, carry)
        (carry, t6) = mac(t6, m, Fp.p1, carry)
        (carry, t7) = mac(t7, m, Fp.p2, carry)
        (carry, t8) = mac(t8, m, Fp.p3, carry)
        (carry, t9) = mac(t9, m, Fp.p4, carry)
        (carry, t10) = mac(t10, m, Fp.p5, carry)
        (t11, extra) = adc(t11, carry, extra)
        _ = (t0, t1, t2, t3, t4, t5)
        var r = Fp(l0: t6, l1: t7, l2: t8, l3: t9, l4: t10, l5: t11)
        r.reduceOnce()
        return r
    }
}

extension Fp {
    /// Raw limb sum without reduction (both operands < p, so the sum is < 2^383).
    @inline(__always)
    static func rawAdd(_ a: Fp, _ b: Fp) -> Fp {
        var c: UInt64
        var r = Fp.zero
        (r.l0, c) = adc(a.l0, b.l0, 0)
        (r.l1, c) = adc(a.l1, b.l1, c)
        (r.l2, c) = adc(a.l2, b.l2, c)
        (r.l3, c) = adc(a.l3, b.l3, c)
        (r.l4, c) = adc(a.l4, b.l4, c)
        (r.l5, c) = adc(a.l5, b.l5, c)
        _ = c
        return r
    }
}

extension Fp2 {
    /// Karatsuba with lazy reduction: c0 = a0 b0 - a1 b1 (+ p^2 if negative), c1 = (a0 + a1)(b0 + b1)
    /// - a0 b0 - a1 b1, each reduced once. Every intermediate stays below p 2^384.
    static func lazyProduct(_ a: Fp2, _ b: Fp2) -> Fp2 {
        let t0 = FpWide.product(a.c0, b.c0)
        let t1 = FpWide.product(a.c1, b.c1)
        let t2 = FpWide.product(Fp.rawAdd(a.c0, a.c1), Fp.rawAdd(b.c0, b.c1))
        var (d0, borrow) = t0 &- t1
        if borrow != 0 { d0 = (d0 &+ FpWide.pSquared).0 }
        let d1 = ((t2 &- t0).0 &- t1).0
        return Fp2(d0.montgomeryReduced(), d1.montgomeryReduced())
    }
}

extension FpWide {
    /// The full 768-bit square: the 15 off-diagonal products once, doubled, plus the 6 squares.
    @inline(__always)
    static func square(_ a: Fp) -> FpWide {
        var carry: UInt64
        var t1: UInt64 = 0, t2: UInt64 = 0, t3: UInt64 = 0, t4: UInt64 = 0, t5: UInt64 = 0
        var t6: UInt64 = 0, t7: UInt64 = 0, t8: UInt64 = 0, t9: UInt64 = 0, t10: UInt64 = 0, t11: UInt64 = 0
        carry = 0
        (carry, t1) = mac(t1, a.l0, a.l1, carry)
        (carry, t2) = mac(t2, a.l0, a.l2, carry)
        (carry, t3) = mac(t3, a.l0, a.l3, carry)
        (carry, t4) = mac(t4, a.l0, a.l4, carry)
        (carry, t5) = mac(t5, a.l0, a.l5, carry)
        t6 = carry
        carry = 0
        (carry, t3) = mac(t3, a.l1, a.l2, carry)
        (carry, t4) = mac(t4, a.l1, a.l3, carry)
        (carry, t5) = mac(t5, a.l1, a.l4, carry)
        (carry, t6) = mac(t6, a.l1, a.l5, carry)
        t7 = carry
        carry = 0
        (carry, t5) = mac(t5, a.l2, a.l3, carry)
        (carry, t6) = mac(t6, a.l2, a.l4, carry)
        (carry, t7) = mac(t7, a.l2, a.l5, carry)
        t8 = carry
        carry = 0
        (carry, t7) = mac(t7, a.l3, a.l4, carry)
        (carry, t8) = mac(t8, a.l3, a.l5, carry)
        t9 = carry
        carry = 0
        (carry, t9) = mac(t9, a.l4, a.l5, carry)
        t10 = carry
        t11 = (t11 << 1) | (t10 >> 63)
        t10 = (t10 << 1) | (t9 >> 63)
        t9 = (t9 << 1) | (t8 >> 63)
        t8 = (t8 << 1) | (t7 >> 63)
        t7 = (t7 << 1) | (t6 >> 63)
        t6 = (t6 << 1) | (t5 >> 63)
        t5 = (t5 << 1) | (t4 >> 63)
        t4 = (t4 << 1) | (t3 >> 63)
        t3 = (t3 << 1) | (t2 >> 63)
        t2 = (t2 << 1) | (t1 >> 63)
        t1 <<= 1
        var h: UInt64, l: UInt64, c: UInt64
        (h, l) = a.l0.multipliedFullWidth(by: a.l0)
        let t0 = l
        (t1, c) = adc(t1, h, 0)
        (h, l) = a.l1.multipliedFullWidth(by: a.l1)
        (t2, c) = adc(t2, l, c)
        (t3, c) = adc(t3, h, c)
        (h, l) = a.l2.multipliedFullWidth(by: a.l2)
        (t4, c) = adc(t4, l, c)
        (t5, c) = adc(t5, h, c)
        (h, l) = a.l3.multipliedFullWidth(by: a.l3)
        (t6, c) = adc(t6, l, c)
        (t7, c) = adc(t7, h, c)
        (h, l) = a.l4.multipliedFullWidth(by: a.l4)
        (t8, c) = adc(t8, l, c)
        (t9, c) = adc(t9, h, c)
        (h, l) = a.l5.multipliedFullWidth(by: a.l5)
        (t10, c) = adc(t10, l, c)
        (t11, _) = adc(t11, h, c)
        return FpWide(w0: t0, w1: t1, w2: t2, w3: t3, w4: t4, w5: t5, w6: t6, w7: t7, w8: t8, w9: t9, w10: t10, w11: t11)
    }
}
