import Testing
@testable import BLS12381

/// Every malformed encoding is rejected with its typed error.
@Suite struct EncodingTests {
    static let pHex = "1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaaab"

    func g1Error(_ bytes: [UInt8]) -> BLSError? {
        do { _ = try G1Point(compressed: bytes); return nil } catch { return error }
    }

    func g2Error(_ bytes: [UInt8]) -> BLSError? {
        do { _ = try G2Point(compressed: bytes); return nil } catch { return error }
    }

    /// The smallest x (from `start`) whose curve equation has (or lacks) a root, encoded.
    func g1Encoding(square: Bool, start: UInt64 = 1) -> [UInt8] {
        var x = start
        while (Fp(x).squared * Fp(x) + Fp.curveB).isSquare != square { x += 1 }
        var b = Fp(x).bigEndianBytes
        b[0] |= 0x80
        return b
    }

    func g2Encoding(square: Bool) -> [UInt8] {
        var k: UInt64 = 1
        while true {
            let x = Fp2(Fp(k), Fp.one)
            if (x.squared * x + Fp2.curveB).isSquare == square {
                var b = x.c1.bigEndianBytes + x.c0.bigEndianBytes
                b[0] |= 0x80
                return b
            }
            k += 1
        }
    }

    @Test func roundTrips() throws {
        var rng = SplitMix(seed: 11)
        for _ in 0..<3 {
            let p = G1Point.generator.multiplied(byBigEndian: rng.scalar())
            #expect(try G1Point(compressed: p.compressed) == p)
            #expect(try G1Point(compressed: (-p).compressed) == -p)
            let q = G2Point.generator.multiplied(byBigEndian: rng.scalar())
            #expect(try G2Point(compressed: q.compressed) == q)
            #expect(try G2Point(compressed: (-q).compressed) == -q)
        }
        #expect(try G1Point(compressed: G1Point.identity.compressed).isIdentity)
        #expect(try G2Point(compressed: G2Point.identity.compressed).isIdentity)
        #expect(G1Point.identity.compressed == [0xc0] + [UInt8](repeating: 0, count: 47))
        // The generator's known encoding.
        #expect(hex(G1Point.generator.compressed) == "97f1d3a73197d7942695638c4fa9ac0fc3688c4f9774b905a14e3a3f171bac586c55e83ff97a1aeffb3af00adb22c6bb")
    }

    @Test func wrongLength() {
        let g = G1Point.generator.compressed
        #expect(g1Error(Array(g.dropLast())) == .invalidLength(expected: 48, actual: 47))
        #expect(g1Error(g + [0]) == .invalidLength(expected: 48, actual: 49))
        #expect(g1Error([]) == .invalidLength(expected: 48, actual: 0))
        #expect(g2Error(g) == .invalidLength(expected: 96, actual: 48))
        #expect(throws: BLSError.invalidLength(expected: 96, actual: 95)) {
            try Signature(compressed: Array(G2Point.generator.compressed.dropLast()))
        }
    }

    @Test func badFlags() throws {
        var g = G1Point.generator.compressed
        g[0] &= 0x7f
        #expect(g1Error(g) == .notCompressed)
        // Infinity with the sort flag, or with any other bit set.
        #expect(g1Error([0xe0] + [UInt8](repeating: 0, count: 47)) == .invalidInfinityEncoding)
        #expect(g1Error([0xc1] + [UInt8](repeating: 0, count: 47)) == .invalidInfinityEncoding)
        #expect(g1Error([0xc0] + [UInt8](repeating: 0, count: 46) + [1]) == .invalidInfinityEncoding)
        #expect(g2Error([0xc0] + [UInt8](repeating: 0, count: 94) + [1]) == .invalidInfinityEncoding)
        #expect(g2Error([0xe0] + [UInt8](repeating: 0, count: 95)) == .invalidInfinityEncoding)
        // Uncompressed infinity (0x40) is not accepted either.
        #expect(g1Error([0x40] + [UInt8](repeating: 0, count: 47)) == .notCompressed)
        // Flipping the sort flag gives the negated point, still valid.
        var n = G1Point.generator.compressed
        n[0] ^= 0x20
        #expect(try G1Point(compressed: n) == -G1Point.generator)
    }

    @Test func coordinateNotBelowModulus() {
        var b = unhex(Self.pHex)
        b[0] |= 0x80
        #expect(g1Error(b) == .coordinateNotInField)
        var all = [UInt8](repeating: 0xff, count: 48)
        all[0] = 0x9f
        #expect(g1Error(all) == .coordinateNotInField)
        // G2: c1 = p, or c0 = p.
        var c1 = unhex(Self.pHex) + [UInt8](repeating: 0, count: 48)
        c1[0] |= 0x80
        #expect(g2Error(c1) == .coordinateNotInField)
        var c0 = [UInt8](repeating: 0, count: 48) + unhex(Self.pHex)
        c0[0] |= 0x80
        #expect(g2Error(c0) == .coordinateNotInField)
    }

    @Test func notOnCurve() {
        #expect(g1Error(g1Encoding(square: false)) == .notOnCurve)
        #expect(g2Error(g2Encoding(square: false)) == .notOnCurve)
    }

    @Test func notInSubgroup() {
        #expect(g1Error(g1Encoding(square: true)) == .notInSubgroup)
        #expect(g2Error(g2Encoding(square: true)) == .notInSubgroup)
        #expect(throws: BLSError.notInSubgroup) { try PublicKey(compressed: g1Encoding(square: true)) }
        #expect(throws: BLSError.notInSubgroup) { try Signature(compressed: g2Encoding(square: true)) }
    }

    @Test func identityPublicKeyRejected() {
        #expect(throws: BLSError.identityPublicKey) { try PublicKey(compressed: G1Point.identity.compressed) }
        #expect(throws: BLSError.identityPublicKey) { try PublicKey(point: .identity) }
        // The identity signature decodes but never verifies.
        let sig = try? Signature(compressed: G2Point.identity.compressed)
        #expect(sig != nil)
    }

    @Test func secretKeyInputs() {
        #expect(throws: BLSError.keyMaterialTooShort(actual: 31)) { try SecretKey(ikm: [UInt8](repeating: 1, count: 31)) }
        #expect(throws: BLSError.invalidSecretKey) { try SecretKey(bytes: [UInt8](repeating: 0, count: 32)) }
        #expect(throws: BLSError.invalidSecretKey) { try SecretKey(bytes: BLS.groupOrderBigEndian) }
        #expect(throws: BLSError.invalidLength(expected: 32, actual: 31)) { try SecretKey(bytes: [UInt8](repeating: 1, count: 31)) }
        #expect(throws: BLSError.emptyAggregate) { try Signature.aggregate([]) }
        #expect(throws: BLSError.emptyAggregate) { try PublicKey.aggregate([]) }
    }

    @Test func randomBytesNeverTrap() {
        // Arbitrary input is either a valid point or a typed error.
        var rng = SplitMix(seed: 12)
        for _ in 0..<(Env.slow ? 5000 : 400) {
            var b = rng.bytes(48)
            b[0] = (b[0] & 0x3f) | 0x80
            _ = g1Error(b)
            var c = rng.bytes(96)
            c[0] = (c[0] & 0x3f) | 0x80
            _ = g2Error(c)
        }
    }
}
