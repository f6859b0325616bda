import ArgumentParser
import BLS12381

/// `walrus-sim bls ...`: BLS12-381 min_pk keys and signatures (as Walrus uses through fastcrypto),
/// hex in and hex out. Malformed hex or points exit 1 naming the argument; `verify` exits 0 for
/// a valid signature and 2 for an invalid one.
struct BLSCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bls",
        abstract: "BLS12-381 (min_pk) keys and signatures, byte-compatible with Walrus; hex in, hex out.",
        subcommands: [BLSKeygen.self, BLSSign.self, BLSAggregate.self, BLSVerify.self]
    )
}

/// Hex parsing and point decoding that report errors naming the argument.
enum BLSArgs {
    /// Bytes of a hex string (an optional 0x prefix is allowed).
    static func bytes(_ text: String, _ argument: String) throws -> [UInt8] {
        var s = Substring(text)
        if s.hasPrefix("0x") || s.hasPrefix("0X") { s = s.dropFirst(2) }
        guard s.count % 2 == 0 else { throw CLIError("\(argument): odd number of hex digits") }
        var out: [UInt8] = []
        out.reserveCapacity(s.count / 2)
        var i = s.startIndex
        while i < s.endIndex {
            let j = s.index(i, offsetBy: 2)
            guard let b = UInt8(s[i..<j], radix: 16) else { throw CLIError("\(argument): not valid hex: \(text)") }
            out.append(b)
            i = j
        }
        return out
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef")
        var s = ""
        s.reserveCapacity(bytes.count * 2)
        for b in bytes { s.append(digits[Int(b >> 4)]); s.append(digits[Int(b & 15)]) }
        return s
    }

    static func secretKey(ikm: String) throws -> SecretKey {
        do { return try SecretKey(ikm: try bytes(ikm, "--ikm")) } catch let e as BLSError { throw CLIError("--ikm: \(e)") }
    }

    static func publicKey(_ text: String, _ argument: String) throws -> PublicKey {
        do { return try PublicKey(compressed: try bytes(text, argument)) } catch let e as BLSError { throw CLIError("\(argument): \(e)") }
    }

    static func signature(_ text: String, _ argument: String) throws -> Signature {
        do { return try Signature(compressed: try bytes(text, argument)) } catch let e as BLSError { throw CLIError("\(argument): \(e)") }
    }
}

/// `walrus-sim bls keygen --ikm HEX`: prints the compressed public key (48 bytes, hex).
struct BLSKeygen: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Derive a key pair with KeyGen (IETF draft 05) and print the public key (48-byte hex)."
    )

    @Option(help: "Input keying material, hex (at least 32 bytes).")
    var ikm: String

    func run() throws {
        print(BLSArgs.hex(try BLSArgs.secretKey(ikm: ikm).publicKey.compressed))
    }
}

/// `walrus-sim bls sign --ikm HEX --message HEX`: prints the signature (96 bytes, hex).
struct BLSSign: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sign",
        abstract: "Sign a message with the key KeyGen derives from --ikm; prints the 96-byte signature in hex."
    )

    @Option(help: "Input keying material, hex (at least 32 bytes).")
    var ikm: String

    @Option(help: "The message, hex (may be empty).")
    var message: String

    func run() throws {
        let sk = try BLSArgs.secretKey(ikm: ikm)
        print(BLSArgs.hex(sk.sign(try BLSArgs.bytes(message, "--message")).compressed))
    }
}

/// `walrus-sim bls aggregate SIG...`: prints the aggregate signature.
struct BLSAggregate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "aggregate",
        abstract: "Aggregate signatures (hex, 96 bytes each); prints the aggregate in hex."
    )

    @Argument(help: "Signatures to aggregate, hex.")
    var signatures: [String]

    func validate() throws {
        guard !signatures.isEmpty else { throw ValidationError("give at least one signature") }
    }

    func run() throws {
        let sigs = try signatures.enumerated().map { i, s in try BLSArgs.signature(s, "signature \(i + 1)") }
        print(BLSArgs.hex(try Signature.aggregate(sigs).compressed))
    }
}

/// `walrus-sim bls verify --pk HEX [--pk HEX ...] --message HEX --signature HEX`: prints `valid`
/// (exit 0) or `invalid` (exit 2); several keys are summed (one message, aggregate signature).
struct BLSVerify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Verify a signature (or an aggregate over one message); prints valid (exit 0) or invalid (exit 2)."
    )

    @Option(name: .customLong("pk"), help: "Public key, hex (48 bytes); repeat for an aggregate.")
    var publicKeys: [String] = []

    @Option(help: "The message, hex (may be empty).")
    var message: String

    @Option(help: "The signature, hex (96 bytes).")
    var signature: String

    func validate() throws {
        guard !publicKeys.isEmpty else { throw ValidationError("give at least one --pk") }
    }

    func run() throws {
        let pks = try publicKeys.map { try BLSArgs.publicKey($0, "--pk") }
        let msg = try BLSArgs.bytes(message, "--message")
        let sig = try BLSArgs.signature(signature, "--signature")
        if BLS.fastAggregateVerify(publicKeys: pks, message: msg, signature: sig) {
            print("valid")
        } else {
            print("invalid")
            throw ExitCode(2)
        }
    }
}
