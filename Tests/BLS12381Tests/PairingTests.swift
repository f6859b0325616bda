import Testing
@testable import BLS12381

@Suite struct PairingTests {
    @Test func bilinearAndNonDegenerate() {
        let p = G1Point.generator, q = G2Point.generator
        let e = pairing(p, q)
        #expect(!e.isOne)
        let a: [UInt8] = [0x12, 0x34, 0x56, 0x78, 0x9a]
        let b: [UInt8] = [0x0f, 0xed, 0xcb]
        let lhs = pairing(p.multiplied(byBigEndian: a), q.multiplied(byBigEndian: b))
        let rhs = pairing(p.multiplied(byBigEndian: b), q.multiplied(byBigEndian: a))
        #expect(lhs == rhs)
        // e(P, Q)^r = 1 and e(-P, Q) e(P, Q) = 1 through the multi-pairing.
        #expect(e.value.pow(Constants.r) == Fp12.one)
        #expect(pairingProduct([(-p, q), (p, q)]).isOne)
        #expect(pairingProduct([(p + p, q), (-p, q + q)]).isOne)
    }

    @Test func finalExponentiationMatchesDirectPower() {
        // The x-chain hard part equals the direct power 3 (p^4 - p^2 + 1) / r.
        var rng = SplitMix(seed: 9)
        let f = rng.fp12()
        var m = f.conjugate * f.inverse
        m = m.frobenius(2) * m
        let hard = Constants.threeHardPart
        #expect(Pairing.finalExponentiation(f) == m.pow(hard))
    }
}
