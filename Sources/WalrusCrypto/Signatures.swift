import CSodium

/// A signature scheme as the protocol layer needs it: deterministic key generation from a seed
/// (the simulator derives seeds from its RNG streams), detached signatures over message bytes,
/// and verification that never traps on malformed input.
///
/// Walrus itself uses BLS12-381 min-pk (public keys in G1, 48 B; signatures in G2, 96 B; DST
/// `BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_NUL_`, spec §6). No BLS library is available on this
/// machine, so `Ed25519` is the real implementation for now. A `BLS12381MinPk` conforming type
/// would slot in here and add what Ed25519 lacks: `aggregate(signatures)` (point sum) and
/// `aggregatePublicKey(total - nonSigners)`, so that a certificate carries one 96-byte signature
/// plus a signer bitmap (bit `i % 8` of byte `i / 8`, LSB first) — see `AggregateSignatureScheme`.
public protocol SignatureScheme: Sendable {
    /// A verification key; `Hashable` so it can be compared and used as a dictionary key.
    associatedtype PublicKey: Hashable & Sendable
    /// A signing key; only ``keyPair(seed:)`` makes one.
    associatedtype SecretKey: Sendable
    /// A detached signature over message bytes.
    associatedtype Signature: Hashable & Sendable

    /// Size in bytes of a serialized public key, for message-size accounting.
    static var publicKeyByteCount: Int { get }
    /// Size in bytes of a serialized signature, for message-size accounting.
    static var signatureByteCount: Int { get }

    /// Deterministic key pair from a 32-byte seed.
    static func keyPair(seed: [UInt8]) throws(SignatureError) -> (publicKey: PublicKey, secretKey: SecretKey)
    /// Signs `message`. Ed25519 and BLS signing are both deterministic: same key and message, same bytes.
    static func sign(_ message: [UInt8], with secretKey: SecretKey) -> Signature
    /// Whether `signature` is valid over `message` under `publicKey`; false on any malformed input.
    static func verify(_ signature: Signature, of message: [UInt8], by publicKey: PublicKey) -> Bool
}

/// A scheme whose signatures over one message can be combined into one (BLS). Not implemented on
/// this machine; declared so the certificate code can be written against it.
public protocol AggregateSignatureScheme: SignatureScheme {
    /// One signature equivalent to all of `signatures` over the same message; throws `emptyAggregate` for none.
    static func aggregate(_ signatures: [Signature]) throws(SignatureError) -> Signature
    /// The key that verifies an aggregate of these keys' signatures; throws `emptyAggregate` for none.
    static func aggregate(publicKeys: [PublicKey]) throws(SignatureError) -> PublicKey
}

/// Why key generation, key or signature parsing, or aggregation failed. Verification never throws.
public enum SignatureError: Error, Equatable, Sendable {
    /// A key-generation seed of this many bytes; Ed25519 needs 32.
    case badSeedLength(Int)
    /// A public key of this many bytes; Ed25519 needs 32.
    case badKeyLength(Int)
    /// A signature of this many bytes; Ed25519 needs 64.
    case badSignatureLength(Int)
    /// The crypto library reported an error; the text says which call.
    case backendFailure(String)
    /// Aggregating no signatures or keys (for ``AggregateSignatureScheme`` implementations).
    case emptyAggregate
}

/// Ed25519 (RFC 8032) through libsodium.
public enum Ed25519: SignatureScheme {
    /// An Ed25519 public key: 32 bytes (a compressed curve point, not validated until use).
    public struct PublicKey: Hashable, Sendable {
        /// The 32 key bytes.
        public let bytes: [UInt8]  // 32 bytes
        /// Wraps 32 bytes; throws `badKeyLength` for any other length.
        public init(bytes: [UInt8]) throws(SignatureError) {
            guard bytes.count == 32 else { throw .badKeyLength(bytes.count) }
            self.bytes = bytes
        }
    }

    /// An Ed25519 secret key, opaque outside this module; made only by ``keyPair(seed:)``.
    public struct SecretKey: Sendable {
        let bytes: [UInt8]  // 64 bytes: seed || public key (libsodium layout)
    }

    /// A detached Ed25519 signature.
    public struct Signature: Hashable, Sendable {
        /// The 64 signature bytes (`R || S`).
        public let bytes: [UInt8]  // 64 bytes
        /// Wraps 64 bytes; throws `badSignatureLength` for any other length.
        public init(bytes: [UInt8]) throws(SignatureError) {
            guard bytes.count == 64 else { throw .badSignatureLength(bytes.count) }
            self.bytes = bytes
        }
    }

    /// 32 bytes.
    public static var publicKeyByteCount: Int { 32 }
    /// 64 bytes.
    public static var signatureByteCount: Int { 64 }

    /// `crypto_sign_seed_keypair`: the same seed always gives the same pair. Throws `badSeedLength` unless 32 bytes.
    public static func keyPair(seed: [UInt8]) throws(SignatureError) -> (publicKey: PublicKey, secretKey: SecretKey) {
        guard seed.count == 32 else { throw .badSeedLength(seed.count) }
        Sodium.ensureInitialized()
        var pk = [UInt8](repeating: 0, count: 32)
        var sk = [UInt8](repeating: 0, count: 64)
        let rc = crypto_sign_seed_keypair(&pk, &sk, seed)
        guard rc == 0 else { throw .backendFailure("crypto_sign_seed_keypair returned \(rc)") }
        return (try PublicKey(bytes: pk), SecretKey(bytes: sk))
    }

    /// Deterministic RFC 8032 signature over `message` (empty allowed): same key and message, same bytes.
    public static func sign(_ message: [UInt8], with secretKey: SecretKey) -> Signature {
        Sodium.ensureInitialized()
        var sig = [UInt8](repeating: 0, count: 64)
        var dummy: UInt8 = 0
        if message.isEmpty {
            _ = crypto_sign_detached(&sig, nil, &dummy, 0, secretKey.bytes)
        } else {
            _ = crypto_sign_detached(&sig, nil, message, UInt64(message.count), secretKey.bytes)
        }
        return try! Signature(bytes: sig)
    }

    /// Whether `signature` is valid over `message` under `publicKey`; false, never a trap, on malformed keys.
    public static func verify(_ signature: Signature, of message: [UInt8], by publicKey: PublicKey) -> Bool {
        Sodium.ensureInitialized()
        var dummy: UInt8 = 0
        if message.isEmpty {
            return crypto_sign_verify_detached(signature.bytes, &dummy, 0, publicKey.bytes) == 0
        }
        return crypto_sign_verify_detached(signature.bytes, message, UInt64(message.count), publicKey.bytes) == 0
    }
}
