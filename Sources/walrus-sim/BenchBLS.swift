import ArgumentParser
@_spi(Benchmark) import BLS12381
import Foundation

/// `walrus-sim bench bls`: BLS12-381 min_pk timings in microseconds of thread CPU time (median of
/// the iterations; CPU time because the machines are shared, and `Scripts/bls_peer.py` measures
/// blst the same way):
/// sign, verify, a 667-signer certificate (sum 667 decoded public keys, then verify one aggregate
/// signature over one message, as a Walrus certificate check does), one pairing, and hash to G2;
/// also signing a pre-hashed message (a committee signing one message hashes it once).
struct BenchBLS: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bls",
        abstract: "Time BLS12-381 sign, verify, 667-signer certificate verify, pairing and hash to G2; prints one line."
    )

    @Option(help: "Timed repetitions of each operation; the median is reported.")
    var iterations: Int = 20

    @Option(help: "Signers in the certificate.")
    var signers: Int = 667

    @Flag(help: "Also time the field primitives (Fp and Fp2 multiplication, cyclotomic squaring, Fp inversion), in ns.")
    var micro = false

    func validate() throws {
        guard iterations > 0 else { throw ValidationError("--iterations must be > 0 (got \(iterations))") }
        guard signers > 0 else { throw ValidationError("--signers must be > 0 (got \(signers))") }
    }

    /// This thread's CPU time in microseconds.
    static func threadCPUMicroseconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) * 1e6 + Double(ts.tv_nsec) * 1e-3
    }

    /// The median thread CPU time of `body` over the iterations, in microseconds (one untimed
    /// warm-up).
    func time(_ body: () throws -> Void) rethrows -> Double {
        try body()
        var samples: [Double] = []
        for _ in 0..<iterations {
            let start = Self.threadCPUMicroseconds()
            try body()
            samples.append(Self.threadCPUMicroseconds() - start)
        }
        samples.sort()
        return samples[samples.count / 2]
    }

    func run() throws {
        if micro {
            var sink: UInt64 = 0
            func ns(_ n: Int, _ body: (Int) -> UInt64) -> String {
                let t = time { sink ^= body(n) }
                return String(format: "%.1f", t * 1000 / Double(n))
            }
            print("fp_mul_ns=\(ns(100_000, BLSMicro.fpMultiplications)) fp2_mul_ns=\(ns(50_000, BLSMicro.fp2Multiplications)) cyclotomic_sq_ns=\(ns(5_000, BLSMicro.cyclotomicSquarings)) fp_inv_ns=\(ns(200, BLSMicro.fpInversions)) sink=\(sink & 1)")
        }
        let msg = Array("walrus-sim bench bls: a 32-byte-ish blob certificate".utf8)
        var keys: [SecretKey] = []
        for i in 0..<signers {
            var ikm = [UInt8](repeating: 0, count: 34)
            for k in 0..<32 { ikm[k] = UInt8(truncatingIfNeeded: k &* 7 &+ i &* 13) }
            ikm[32] = UInt8(truncatingIfNeeded: i)
            ikm[33] = UInt8(truncatingIfNeeded: i >> 8)
            keys.append(try SecretKey(ikm: ikm))
        }
        let sk = keys[0]
        let pk = sk.publicKey
        var sig = sk.sign(msg)
        let signUs = time { sig = sk.sign(msg) }
        let hashed = BLS.hashToG2(msg)
        var sig2 = sig
        let signPrehashedUs = time { sig2 = sk.sign(hashedMessage: hashed) }
        var ok = true
        let verifyUs = time { ok = ok && pk.verify(sig, message: msg) }
        let pks: [PublicKey] = keys.map { $0.publicKey }
        let aggregate = try Signature.aggregate(keys.map { (k: SecretKey) -> Signature in k.sign(msg) })
        var aggregatePK = pk
        let aggregateUs = time { aggregatePK = (try? PublicKey.aggregate(pks)) ?? pk }
        let certUs = time { ok = ok && BLS.fastAggregateVerify(publicKeys: pks, message: msg, signature: aggregate) }
        let g1 = G1Point.generator, g2 = G2Point.generator
        var e = pairing(g1, g2)
        let pairingUs = time { e = pairing(g1, g2) }
        var h = G2Point.identity
        let hashUs = time { h = BLS.hashToG2(msg) }
        guard ok, sig2 == sig, aggregatePK != pk || signers == 1, !e.isOne, !h.isIdentity else { throw CLIError("bench bls: a verification failed") }
        func f(_ v: Double) -> String { String(Int(v.rounded())) }
        print("sign_us=\(f(signUs)) sign_prehashed_us=\(f(signPrehashedUs)) verify_us=\(f(verifyUs)) verify_cert\(signers)_us=\(f(certUs)) aggregate_pk\(signers)_us=\(f(aggregateUs)) pairing_us=\(f(pairingUs)) hash_to_g2_us=\(f(hashUs)) iterations=\(iterations)")
    }
}
