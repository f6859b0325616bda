import Testing
@testable import BLS12381

/// Seeded property tests of the signature scheme.
@Suite struct SignatureTests {
    @Test func signVerifyRoundTripAndTampering() throws {
        var rng = SplitMix(seed: 21)
        let rounds = Env.slow ? 40 : 4
        for round in 0..<rounds {
            let sk = try SecretKey(ikm: rng.bytes(32))
            let other = try SecretKey(ikm: rng.bytes(40))
            let msg = rng.bytes(Int(rng.next() % 64))
            let sig = sk.sign(msg)
            #expect(sk.publicKey.verify(sig, message: msg), "seed 21 round \(round)")
            // Tampered message, key and signature.
            #expect(!sk.publicKey.verify(sig, message: msg + [1]))
            #expect(!other.publicKey.verify(sig, message: msg))
            #expect(!sk.publicKey.verify(other.sign(msg), message: msg))
            #expect(!sk.publicKey.verify(Signature(point: .identity), message: msg))
            // Decode what we encoded.
            #expect(try Signature(compressed: sig.compressed) == sig)
            #expect(try PublicKey(compressed: sk.publicKey.compressed) == sk.publicKey)
        }
    }

    @Test func aggregationIsOrderIndependent() throws {
        var rng = SplitMix(seed: 22)
        let keys = try (0..<5).map { _ in try SecretKey(ikm: rng.bytes(32)) }
        let msg = rng.bytes(20)
        let sigs = keys.map { $0.sign(msg) }
        let a = try Signature.aggregate(sigs)
        var shuffled = sigs
        shuffled.shuffle(using: &rng)
        #expect(try Signature.aggregate(shuffled) == a)
        #expect(try Signature.aggregate(shuffled).compressed == a.compressed)
        let pks = keys.map(\.publicKey)
        var pkShuffled = pks
        pkShuffled.shuffle(using: &rng)
        #expect(try PublicKey.aggregate(pks) == PublicKey.aggregate(pkShuffled))
        #expect(BLS.fastAggregateVerify(publicKeys: pkShuffled, message: msg, signature: a))
        // Missing one signer, or a tampered message.
        #expect(!BLS.fastAggregateVerify(publicKeys: Array(pks.dropLast()), message: msg, signature: a))
        if Env.slow {
            #expect(!BLS.fastAggregateVerify(publicKeys: pks, message: msg + [0], signature: a))
            #expect(!BLS.fastAggregateVerify(publicKeys: [], message: msg, signature: a))
        }
    }

    @Test func aggregateVerifyDistinctMessages() throws {
        var rng = SplitMix(seed: 23)
        let keys = try (0..<3).map { _ in try SecretKey(ikm: rng.bytes(32)) }
        let msgs = (0..<3).map { i in [UInt8(i)] + rng.bytes(8) }
        let agg = try Signature.aggregate(zip(keys, msgs).map { $0.sign($1) })
        #expect(BLS.aggregateVerify(publicKeys: keys.map(\.publicKey), messages: msgs, signature: agg))
        #expect(!BLS.aggregateVerify(publicKeys: keys.map(\.publicKey), messages: [msgs[0], msgs[0], msgs[2]], signature: agg))
        if Env.slow {
            #expect(!BLS.aggregateVerify(publicKeys: keys.map(\.publicKey), messages: [msgs[1], msgs[0], msgs[2]], signature: agg))
        }
    }

    @Test func identityAggregateKeyRejected() throws {
        let sk = try SecretKey(ikm: [UInt8](repeating: 7, count: 32))
        let pk = sk.publicKey
        let neg = try PublicKey(point: -pk.point)
        #expect(throws: BLSError.identityPublicKey) { try PublicKey.aggregate([pk, neg]) }
        #expect(!BLS.fastAggregateVerify(publicKeys: [pk, neg], message: [1], signature: Signature(point: .identity)))
    }

    @Test func prehashedMessageGivesTheSameResults() throws {
        var rng = SplitMix(seed: 24)
        let keys = try (0..<3).map { _ in try SecretKey(ikm: rng.bytes(32)) }
        let msg = rng.bytes(17)
        let h = BLS.hashToG2(msg)
        for k in keys { #expect(k.sign(hashedMessage: h) == k.sign(msg)) }
        let sig = keys[0].sign(hashedMessage: h)
        #expect(keys[0].publicKey.verify(sig, hashedMessage: h))
        #expect(!keys[1].publicKey.verify(sig, hashedMessage: h))
        #expect(!keys[0].publicKey.verify(sig, hashedMessage: BLS.hashToG2(msg + [0])))
        let agg = try Signature.aggregate(keys.map { $0.sign(hashedMessage: h) })
        #expect(BLS.fastAggregateVerify(publicKeys: keys.map(\.publicKey), hashedMessage: h, signature: agg))
        #expect(!BLS.fastAggregateVerify(publicKeys: [], hashedMessage: h, signature: agg))
    }
}
