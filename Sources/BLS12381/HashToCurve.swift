// Hashing to G2 per RFC 9380, suite BLS12381G2_XMD:SHA-256_SSWU_RO_: expand_message_xmd with
// SHA-256, hash_to_field into Fp2 (two elements, L = 64), the simplified SWU map onto the
// 3-isogenous curve E2': y^2 = x^3 + 240u x + 1012(1 + u), the 3-isogeny to E2, and cofactor
// clearing by h_eff.

/// RFC 9380 hash-to-curve for G2.
public enum HashToG2 {
    /// expand_message_xmd(msg, DST, lenInBytes) with SHA-256 (RFC 9380 §5.3.1). DSTs longer than
    /// 255 bytes are first hashed as the RFC says. The RFC aborts unless 0 < lenInBytes <= 8160;
    /// here such lengths return an empty array (never a trap).
    public static func expandMessageXMD(_ msg: [UInt8], dst: [UInt8], lenInBytes: Int) -> [UInt8] {
        guard lenInBytes > 0, lenInBytes <= 8160 else { return [] }
        var dst = dst
        if dst.count > 255 { dst = SHA256.hash(Array("H2C-OVERSIZE-DST-".utf8) + dst) }
        let ell = (lenInBytes + 31) / 32
        let dstPrime = dst + [UInt8(dst.count)]
        let zPad = [UInt8](repeating: 0, count: 64)
        let lib = [UInt8(truncatingIfNeeded: lenInBytes >> 8), UInt8(truncatingIfNeeded: lenInBytes)]
        let b0 = SHA256.hash(zPad + msg + lib + [0] + dstPrime)
        var bi = SHA256.hash(b0 + [1] + dstPrime)
        var out = bi
        if ell > 1 {
            for i in 2...ell {
                let x = zip(b0, bi).map { $0 ^ $1 }
                bi = SHA256.hash(x + [UInt8(truncatingIfNeeded: i)] + dstPrime)
                out += bi
            }
        }
        return Array(out.prefix(lenInBytes))
    }

    /// hash_to_field(msg, 2) for Fp2 with L = 64 (RFC 9380 §5.2).
    static func hashToField(_ msg: [UInt8], dst: [UInt8]) -> (Fp2, Fp2) {
        let bytes = expandMessageXMD(msg, dst: dst, lenInBytes: 256)
        func element(_ k: Int) -> Fp { fpFromWide(Array(bytes[(64 * k)..<(64 * k + 64)])) }
        return (Fp2(element(0), element(1)), Fp2(element(2), element(3)))
    }

    /// A 64-byte big-endian integer reduced mod p: hi * 2^384 + lo with hi the top 16 bytes.
    static func fpFromWide(_ b: [UInt8]) -> Fp {
        let hiLimbs = limbsFromBigEndian(Array(b[0..<16]))
        let loLimbs = limbsFromBigEndian(Array(b[16..<64]))
        // lo < 2^384 < 10 p: subtract p until reduced.
        var lo = Fp(l0: loLimbs[0], l1: loLimbs[1], l2: loLimbs[2], l3: loLimbs[3], l4: loLimbs[4], l5: loLimbs[5])
        while !lo.isBelowModulus { lo = Fp.subtractModulusRaw(lo) }
        let hi = Fp(l0: hiLimbs[0], l1: hiLimbs[1], l2: 0, l3: 0, l4: 0, l5: 0)
        // Montgomery forms: hi * R2 = hi R; (hi R) * R2 = hi R^2 = Mont(hi * 2^384); lo * R2 = Mont(lo).
        return (hi * Fp.r2) * Fp.r2 + lo * Fp.r2
    }

    static let isoA = Fp2(.zero, Fp(240))
    static let isoB = Fp2(Fp(1012), Fp(1012))
    static let isoZ = -Fp2(Fp(2), Fp(1))
    /// -B / A and B / (Z A), precomputed.
    static let minusBOverA = -isoB * isoA.inverse
    static let bOverZA = isoB * (isoZ * isoA).inverse

    /// The simplified SWU map onto E2' (RFC 9380 §6.6.2), returning affine (x, y) on E2'.
    static func mapToIsogenousCurve(_ u: Fp2) -> (x: Fp2, y: Fp2) {
        let a = isoA, b = isoB, z = isoZ
        let u2 = u.squared
        let zu2 = z * u2
        let tv1Den = zu2.squared + zu2
        let x1: Fp2
        if tv1Den.isZero {
            x1 = bOverZA
        } else {
            x1 = minusBOverA * (Fp2.one + tv1Den.inverse)
        }
        let gx1 = (x1.squared + a) * x1 + b
        var x: Fp2
        var y: Fp2
        if let y1 = gx1.sqrt {
            x = x1; y = y1
        } else {
            x = zu2 * x1
            let gx2 = (x.squared + a) * x + b
            // gx2 = Z^3 u^6 gx1 is a square whenever gx1 is not (Z is a non-square).
            y = gx2.sqrt ?? .zero
        }
        if u.sgn0 != y.sgn0 { y = -y }
        return (x, y)
    }

    /// Evaluates a polynomial given by coefficients of x^0, x^1, ...
    private static func horner(_ coefficients: [Fp2], _ x: Fp2) -> Fp2 {
        var acc = Fp2.zero
        for c in coefficients.reversed() { acc = acc * x + c }
        return acc
    }

    /// The 3-isogeny E2' -> E2 (RFC 9380 appendix E.3); a zero denominator gives the identity.
    static func isoMap(_ p: (x: Fp2, y: Fp2)) -> Jacobian<Fp2> {
        let xNum = horner(IsoConstants.xNum, p.x)
        let xDen = horner(IsoConstants.xDen, p.x)
        let yNum = horner(IsoConstants.yNum, p.x)
        let yDen = horner(IsoConstants.yDen, p.x)
        if xDen.isZero || yDen.isZero { return .identity }
        // Jacobian without inversions: Z = xDen yDen, X = xNum yDen Z, Y = y yNum xDen Z^2.
        let zz = xDen * yDen
        let x = xNum * yDen * zz
        let y = p.y * yNum * xDen * zz.squared
        return Jacobian(x: x, y: y, z: zz)
    }

    /// map_to_curve followed by the isogeny: a point of E2 (not yet in G2).
    static func mapToCurve(_ u: Fp2) -> Jacobian<Fp2> { isoMap(mapToIsogenousCurve(u)) }

    /// clear_cofactor: [h_eff]P, through the endomorphism psi (see `Endomorphism`).
    static func clearCofactor(_ p: Jacobian<Fp2>) -> Jacobian<Fp2> {
        Endomorphism.clearCofactorG2(p)
    }

    /// clear_cofactor by the plain scalar multiplication [h_eff]P (reference for tests).
    static func clearCofactorReference(_ p: Jacobian<Fp2>) -> Jacobian<Fp2> {
        p.multiplied(by: Constants.hEff)
    }

    /// hash_to_curve(msg) into G2 with the given domain separation tag.
    public static func hash(_ msg: [UInt8], dst: [UInt8]) -> G2Point {
        let (u0, u1) = hashToField(msg, dst: dst)
        let q = mapToCurve(u0) + mapToCurve(u1)
        return G2Point(clearCofactor(q))
    }
}

extension Fp {
    /// Raw limbs minus p, for reducing values in [p, 2^384).
    static func subtractModulusRaw(_ a: Fp) -> Fp {
        var b: UInt64
        var r = Fp.zero
        (r.l0, b) = sbb(a.l0, Fp.p0, 0)
        (r.l1, b) = sbb(a.l1, Fp.p1, b)
        (r.l2, b) = sbb(a.l2, Fp.p2, b)
        (r.l3, b) = sbb(a.l3, Fp.p3, b)
        (r.l4, b) = sbb(a.l4, Fp.p4, b)
        (r.l5, _) = sbb(a.l5, Fp.p5, b)
        return r
    }
}
