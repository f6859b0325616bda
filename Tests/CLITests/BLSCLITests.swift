import TestSupport
import Testing

/// `walrus-sim bls ...` end to end through the binary: keygen, sign, aggregate, verify, and the
/// exit codes (0 valid, 2 invalid, 1 malformed input naming the argument).
@Suite struct BLSCLITests {
    static let ikm1 = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
    static let ikm2 = "25262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f404142434445"
    static let message = "77616c7275732d73696d"

    func line(_ args: [String]) throws -> String {
        let out = try CLI.run(args)
        #expect(out.status == 0, "\(args): \(out.stderr)")
        return out.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func keygenSignAggregateVerify() throws {
        let pk1 = try line(["bls", "keygen", "--ikm", Self.ikm1])
        // KeyGen of IKM 0..31 as py_ecc computes it (Scripts/gen_bls_fixtures.py).
        #expect(pk1 == "9112a0386a2340714ba0c6d2df235377a8679c3899d03e6ef04dba7a50ef49e5a1dc93105e9374e93ed301b63487e17c")
        let pk2 = try line(["bls", "keygen", "--ikm", Self.ikm2])
        let s1 = try line(["bls", "sign", "--ikm", Self.ikm1, "--message", Self.message])
        let s2 = try line(["bls", "sign", "--ikm", Self.ikm2, "--message", Self.message])
        #expect(s1.count == 192 && s2.count == 192)

        let valid = try CLI.run(["bls", "verify", "--pk", pk1, "--message", Self.message, "--signature", s1])
        #expect(valid.status == 0 && valid.stdout == "valid\n")
        let wrongMessage = try CLI.run(["bls", "verify", "--pk", pk1, "--message", "00", "--signature", s1])
        #expect(wrongMessage.status == 2 && wrongMessage.stdout == "invalid\n")

        let agg = try line(["bls", "aggregate", s1, s2])
        let reversed = try line(["bls", "aggregate", s2, s1])
        #expect(agg == reversed)
        let both = try CLI.run(["bls", "verify", "--pk", pk1, "--pk", pk2, "--message", Self.message, "--signature", agg])
        #expect(both.status == 0 && both.stdout == "valid\n")
        let one = try CLI.run(["bls", "verify", "--pk", pk1, "--message", Self.message, "--signature", agg])
        #expect(one.status == 2 && one.stdout == "invalid\n")
    }

    @Test(arguments: [
        (["bls", "keygen", "--ikm", "0011"], "--ikm"),
        (["bls", "keygen", "--ikm", "xyz"], "--ikm"),
        (["bls", "sign", "--ikm", BLSCLITests.ikm1, "--message", "abc"], "--message"),
        (["bls", "verify", "--pk", "00", "--message", "", "--signature", String(repeating: "0", count: 192)], "--pk"),
        (["bls", "verify", "--pk", "c0" + String(repeating: "0", count: 94), "--message", "", "--signature", "00"], "--pk"),
        (["bls", "verify", "--pk", "97f1d3a73197d7942695638c4fa9ac0fc3688c4f9774b905a14e3a3f171bac586c55e83ff97a1aeffb3af00adb22c6bb",
          "--message", "", "--signature", "80" + String(repeating: "0", count: 190)], "--signature"),
        (["bls", "aggregate", "zz"], "signature 1"),
    ])
    func malformedInputExitsOneNamingTheArgument(args: [String], mentions: String) throws {
        let out = try CLI.run(args)
        #expect(out.status == 1, "\(args): status \(out.status), stderr \(out.stderr)")
        #expect(out.stderr.contains(mentions), "stderr was: \(out.stderr)")
        #expect(out.stdout.isEmpty)
    }

    @Test func benchPrintsOneLineOfFields() throws {
        let out = try CLI.run(["bench", "bls", "--iterations", "1", "--signers", "3"])
        #expect(out.status == 0, "stderr: \(out.stderr)")
        for key in ["sign_us", "verify_us", "verify_cert3_us", "aggregate_pk3_us", "pairing_us", "hash_to_g2_us"] {
            #expect(Double(CLI.field(key, in: out.stdout) ?? "") ?? -1 > 0, "\(key) in \(out.stdout)")
        }
    }
}
