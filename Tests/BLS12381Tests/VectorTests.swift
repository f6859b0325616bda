import Testing
@testable import BLS12381

/// Independent vectors: RFC 9380 J.10.1 and py_ecc (Scripts/gen_bls_fixtures.py).
@Suite struct VectorTests {
    @Test func expandMessageXMDRFCVector() {
        // RFC 9380 K.1 (expand_message_xmd, SHA-256), msg "", len_in_bytes 0x20.
        let out = HashToG2.expandMessageXMD([], dst: Array("QUUX-V01-CS02-with-expander-SHA256-128".utf8), lenInBytes: 32)
        #expect(hex(out) == "68a985b87eb6b46952128911f2a4412bbc302a9d759667f87f7a21d803f07235")
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
