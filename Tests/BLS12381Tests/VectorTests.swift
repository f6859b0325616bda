import Testing
@testable import BLS12381

/// Independent vectors: RFC 9380 J.10.1 and py_ecc (Scripts/gen_bls_fixtures.py).
@Suite struct VectorTests {
    @Test func expandMessageXMDRFCVector() {
        // RFC 9380 K.1 (expand_message_xmd, SHA-256): msg "" and "abc" with len_in_bytes 0x20, msg ""
        // with 0x80 (values from the RFC, also what py_ecc computes).
        let out = HashToG2.expandMessageXMD([], dst: Array("QUUX-V01-CS02-with-expander-SHA256-128".utf8), lenInBytes: 32)
        #expect(hex(out) == "68a985b87eb6b46952128911f2a4412bbc302a9d759667f87f7a21d803f07235")
        let dst = Array("QUUX-V01-CS02-with-expander-SHA256-128".utf8)
        #expect(hex(HashToG2.expandMessageXMD(Array("abc".utf8), dst: dst, lenInBytes: 32))
            == "d8ccab23b5985ccea865c6c97b6e5b8350e794e603b4b97902f53a8a0d605615")
        #expect(hex(HashToG2.expandMessageXMD([], dst: dst, lenInBytes: 0x80))
            == "af84c27ccfd45d41914fdff5df25293e221afc53d8ad2ac06d5e3e29485dadbee0d121587713a3e0dd4d5e69e93eb7cd4f5df4cd103e188cf60cb02edc3edf18eda8576c412b18ffb658e3dd6ec849469b979d444cf7b26911a08e63cf31f9dcc541708d3491184472c2c29bb749d4286b004ceb5ee6b9a7fa5b646c993f0ced")
        // Lengths the RFC rejects give an empty result instead of a trap.
        #expect(HashToG2.expandMessageXMD([1], dst: [2], lenInBytes: 0).isEmpty)
        #expect(HashToG2.expandMessageXMD([1], dst: [2], lenInBytes: -5).isEmpty)
        #expect(HashToG2.expandMessageXMD([1], dst: [2], lenInBytes: 8161).isEmpty)
        #expect(HashToG2.expandMessageXMD([1], dst: [2], lenInBytes: 8160).count == 8160)
        // An oversize DST is hashed first (RFC 9380 §5.3.3), and still works.
        #expect(HashToG2.expandMessageXMD([1], dst: [UInt8](repeating: 7, count: 300), lenInBytes: 32).count == 32)
    }

    @Test(arguments: BLSFixtures.hashToG2.indices)
    func hashToG2RFC(_ i: Int) throws {
        let v = BLSFixtures.hashToG2[i]
        let p = HashToG2.hash(unhex(v.msg), dst: Array(BLSFixtures.rfcDST.utf8))
        let a = try #require(p.point.affine)
        #expect(a.x == Fp2(Fp(hex: v.x0), Fp(hex: v.x1)), "message \(v.msg)")
        #expect(a.y == Fp2(Fp(hex: v.y0), Fp(hex: v.y1)), "message \(v.msg)")
    }

    @Test func hashToG2WithSignatureDST() {
        for v in BLSFixtures.hashToG2NUL {
            #expect(hex(BLS.hashToG2(unhex(v.msg)).compressed) == v.point)
        }
    }

    @Test func keyGenMatchesPyECC() throws {
        for v in BLSFixtures.keys {
            let sk = try SecretKey(ikm: unhex(v.ikm))
            #expect(hex(sk.bytes) == v.sk)
            #expect(hex(sk.publicKey.compressed) == v.pk)
            let pk = try PublicKey(compressed: unhex(v.pk))
            #expect(pk == sk.publicKey)
        }
    }

    @Test func signaturesMatchPyECC() throws {
        for v in BLSFixtures.signatures {
            let sk = try SecretKey(bytes: unhex(BLSFixtures.keys[v.key].sk))
            let sig = sk.sign(unhex(v.msg))
            #expect(hex(sig.compressed) == v.sig)
            let decoded = try Signature(compressed: unhex(v.sig))
            #expect(decoded == sig)
        }
    }

    @Test func signaturesVerify() throws {
        // Pairing-heavy, but the target is built with -O even in debug: all of them run by default.
        let cases = BLSFixtures.signatures
        for v in cases {
            let pk = try PublicKey(compressed: unhex(BLSFixtures.keys[v.key].pk))
            let sig = try Signature(compressed: unhex(v.sig))
            #expect(pk.verify(sig, message: unhex(v.msg)))
        }
    }

    @Test func aggregatesMatchPyECC() throws {
        let message = unhex(BLSFixtures.hashToG2NUL[1].msg)
        for (n, v) in BLSFixtures.aggregates.enumerated() {
            let sigs = try v.keys.map { i in
                try Signature(compressed: unhex(BLSFixtures.signatures.first { $0.key == i && $0.msg == hex(message) }!.sig))
            }
            let agg = try Signature.aggregate(sigs)
            #expect(hex(agg.compressed) == v.sig)
            let pks = try v.keys.map { try PublicKey(compressed: unhex(BLSFixtures.keys[$0].pk)) }
            #expect(hex(try PublicKey.aggregate(pks).compressed) == v.pk)
            _ = n
            #expect(BLS.fastAggregateVerify(publicKeys: pks, message: message, signature: agg))
        }
    }
}
