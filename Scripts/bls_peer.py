#!/usr/bin/env python3
"""blst (through the pyblst wheel) timings for Scripts/bench_bls.sh, in the same units as
`walrus-sim bench bls`: median thread CPU time in microseconds of sign, verify, a 667-signer
certificate (sum the public keys, then verify one aggregate signature), the key sum alone, one
pairing, hash to G2.

pyblst exposes blst's primitives (hash_to_group, scalar_mul, miller_loop, final_verify), so the
operations are composed here as blst's own verify composes them: verify = hash to G2, two Miller
loops, one final exponentiation (final_verify). Python's call overhead (~1 us per call) is
included and negligible at these sizes. Falls back to py_ecc (pure Python) when pyblst is missing.
"""
import statistics
import sys
import time

DST = b"BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_NUL_"
MSG = b"walrus-sim bench bls: a 32-byte-ish blob certificate"
G1_HEX = "97f1d3a73197d7942695638c4fa9ac0fc3688c4f9774b905a14e3a3f171bac586c55e83ff97a1aeffb3af00adb22c6bb"
G2_HEX = ("93e02b6052719f607dacd3a088274f65596bd0d09920b61ab5da61bbdc7f5049334cf11213945d57e5ac7d055d042b7e"
          "024aa2b2f08f0a91260805272dc51051c6e47ad4fa403b02b4510b647ae3d1770bac0326a805bbefd48056c8c121bdb8")


def median_us(fn, iterations):
    fn()
    samples = []
    for _ in range(iterations):
        t0 = time.thread_time_ns()
        fn()
        samples.append((time.thread_time_ns() - t0) / 1000)
    return statistics.median(samples)


def main():
    iterations = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    signers = int(sys.argv[2]) if len(sys.argv) > 2 else 667
    try:
        from pyblst import BlstP1Element as P1, BlstP2Element as P2, miller_loop, final_verify
    except ImportError:
        print("peer=none (pyblst not installed)")
        return
    g1 = P1.uncompress(bytes.fromhex(G1_HEX))
    g2 = P2.uncompress(bytes.fromhex(G2_HEX))
    sks = [(0x1234567 * (i + 1) ** 7 + 0xabcdef) % (2**250) + 1 for i in range(signers)]
    pks = [g1.scalar_mul(sk) for sk in sks]
    pk, sk = pks[0], sks[0]
    sig = P2.hash_to_group(MSG, DST).scalar_mul(sk)
    agg = None
    for s in sks:
        x = P2.hash_to_group(MSG, DST).scalar_mul(s)
        agg = x if agg is None else agg + x

    def sign():
        return P2.hash_to_group(MSG, DST).scalar_mul(sk)

    def verify(key=pk, signature=sig):
        h = P2.hash_to_group(MSG, DST)
        return final_verify(miller_loop(key, h), miller_loop(g1, signature))

    def aggregate_pks():
        acc = pks[0]
        for k in pks[1:]:
            acc = acc + k
        return acc

    def cert():
        return verify(aggregate_pks(), agg)

    ml = miller_loop(g1, g2)

    def pairing():
        return final_verify(miller_loop(g1, g2), ml)

    def h2g():
        return P2.hash_to_group(MSG, DST)

    assert verify() and cert() and pairing()
    r = {k: median_us(f, iterations) for k, f in
         [("sign_us", sign), ("verify_us", verify), ("verify_cert%d_us" % signers, cert),
          ("aggregate_pk%d_us" % signers, aggregate_pks),
          ("pairing_us", pairing), ("hash_to_g2_us", h2g)]}
    print("peer=blst(pyblst) " + " ".join("%s=%d" % (k, round(v)) for k, v in r.items()))


if __name__ == "__main__":
    main()
