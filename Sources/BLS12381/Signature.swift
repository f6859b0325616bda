// Signatures, keys and the scheme-level API of BLS12381 (see the doc comment of `BLS`).

/// BLS12381: BLS signatures on the BLS12-381 curve in pure Swift, byte-compatible with Walrus
/// (fastcrypto `bls12381::min_pk`, i.e. blst's min_pk with the basic scheme).
///
/// Scheme: min_pk. Public keys are points of G1 (48-byte ZCash compressed encoding), signatures
/// and message hashes points of G2 (96 bytes). Messages are hashed with RFC 9380 hash_to_curve,
/// suite BLS12381G2_XMD:SHA-256_SSWU_RO_, under the ciphersuite DST
/// BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_NUL_ (draft-irtf-cfrg-bls-signature-05, basic scheme).
/// KeyGen is the draft's HKDF-SHA256 derivation ("BLS-SIG-KEYGEN-SALT-", hashed until non-zero).
///
/// Usage:
///
///     let sk = try SecretKey(ikm: seed32Bytes)              // KeyGen
///     let pk = sk.publicKey                                  // pk.compressed: 48 bytes
///     let sig = sk.sign(message)                             // sig.compressed: 96 bytes
///     pk.verify(sig, message: message)                       // true
///     let agg = try Signature.aggregate([sig1, sig2])        // one message, many signers
///     BLS.fastAggregateVerify(publicKeys: [pk1, pk2], message: message, signature: agg)
///     let pk2 = try PublicKey(compressed: bytes)             // throws BLSError on bad input
///
/// Layout: Fp.swift (Montgomery arithmetic on six UInt64 limbs), FpWide.swift (768-bit products,
/// squaring, Montgomery reduction, lazily reduced Fp2 products), Fp2/Fp6/Fp12.swift (the tower
/// Fp2 = Fp[u]/(u^2+1), Fp6 = Fp2[v]/(v^3-(1+u)), Fp12 = Fp6[w]/(w^2-v)), Curve.swift (Jacobian
/// points, generic over the field), Points.swift (public G1Point, G2Point, pairing), Pairing.swift
/// (optimal ate Miller loop, final exponentiation), Endomorphism.swift (psi and sigma: cofactor
/// clearing, G1 and G2 membership, signing through psi), HashToCurve.swift (RFC 9380),
/// Serialization.swift (ZCash encodings and their checks), SHA256.swift (libsodium SHA-256, HMAC,
/// HKDF), Errors.swift, Constants.swift, CurveConstants.swift (isogeny and generators),
/// Benchmark.swift (SPI loops for `bench bls --micro`).
///
/// Contracts: every decoding entry point validates fully (length, flags, infinity rules, field
/// range, on curve, in subgroup; public keys also non-identity) and throws a typed `BLSError`;
/// nothing reachable from input traps. Not constant time: secret keys are for simulation and
/// tests, not for guarding real funds. Deterministic: no randomness, no global mutable state.
///
/// Edge cases follow fastcrypto's min_pk (which calls blst): public keys are decoded with
/// KeyValidate (the identity is rejected, as blst's `key_validate`); signatures decode when in
/// G2, the identity included (as `sig_validate(bytes, false)`), but the identity never verifies
/// against a valid key; an empty key list, or keys summing to the identity, never verify.
///
/// The BLS signature scheme's entry points that take several keys or signatures.
public enum BLS {
    /// The ciphersuite's domain separation tag for hashing messages to G2.
    public static let dst: [UInt8] = Array("BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_NUL_".utf8)

    /// The group order r as 32 big-endian bytes.
    public static let groupOrderBigEndian: [UInt8] = bigEndianBytes(Constants.r, count: 32)

    /// H(m): the message hashed to G2 with the ciphersuite DST.
    public static func hashToG2(_ message: [UInt8]) -> G2Point { HashToG2.hash(message, dst: dst) }

    /// CoreVerify for one key or an already aggregated key: e(pk, H(m)) == e(g1, sig), computed
    /// as one multi-pairing e(-g1, sig) e(pk, H(m)) == 1. False for the identity signature.
    static func coreVerify(publicKey: G1Point, hashedMessage h: G2Point, signature: G2Point) -> Bool {
        if signature.isIdentity || publicKey.isIdentity { return false }
        return pairingProduct([(G1Point.negatedGenerator, signature), (publicKey, h)]).isOne
    }

    /// FastAggregateVerify with the message already hashed by `hashToG2`, so that many
    /// verifications of one message (a committee's confirmations) hash it once.
    public static func fastAggregateVerify(publicKeys: [PublicKey], hashedMessage: G2Point, signature: Signature) -> Bool {
        guard let aggregate = try? PublicKey.aggregate(publicKeys) else { return false }
        return aggregate.verify(signature, hashedMessage: hashedMessage)
    }

    /// FastAggregateVerify: all keys signed the same message and `signature` aggregates their
    /// signatures. False for an empty key list or keys summing to the identity.
    public static func fastAggregateVerify(publicKeys: [PublicKey], message: [UInt8], signature: Signature) -> Bool {
        guard let aggregate = try? PublicKey.aggregate(publicKeys) else { return false }
        return aggregate.verify(signature, message: message)
    }

    /// AggregateVerify for distinct messages: e(g1, sig) == prod e(pk_i, H(m_i)). False when the
    /// lists differ in length, are empty, or some messages repeat (the basic scheme requires
    /// distinct messages).
    public static func aggregateVerify(publicKeys: [PublicKey], messages: [[UInt8]], signature: Signature) -> Bool {
        guard publicKeys.count == messages.count, !publicKeys.isEmpty else { return false }
        guard Set(messages).count == messages.count else { return false }
        if signature.point.isIdentity { return false }
        var pairs: [(G1Point, G2Point)] = [(G1Point.negatedGenerator, signature.point)]
        for (pk, m) in zip(publicKeys, messages) { pairs.append((pk.point, hashToG2(m))) }
        return pairingProduct(pairs).isOne
    }
}

/// A secret key: a scalar in [1, r).
///
/// Invariant: 0 < scalar < r. The key is not zeroized on release (constant time and memory
/// hygiene are out of scope for a simulator).
public struct SecretKey: Sendable, Equatable {
    /// Little-endian limbs of the scalar.
    let scalar: [UInt64]

    /// KeyGen(IKM, key_info) from draft-irtf-cfrg-bls-signature-05 §2.3: HKDF-SHA256 with salt
    /// "BLS-SIG-KEYGEN-SALT-", hashed again until the key is non-zero. Throws
    /// `keyMaterialTooShort` for fewer than 32 bytes of IKM.
    public init(ikm: [UInt8], keyInfo: [UInt8] = []) throws(BLSError) {
        guard ikm.count >= 32 else { throw .keyMaterialTooShort(actual: ikm.count) }
        var salt = Array("BLS-SIG-KEYGEN-SALT-".utf8)
        let length = 48  // ceil(3 * ceil(log2(r)) / 16)
        while true {
            salt = SHA256.hash(salt)
            let prk = SHA256.hkdfExtract(salt: salt, ikm: ikm + [0])
            let okm = SHA256.hkdfExpand(prk: prk, info: keyInfo + [0, UInt8(length)], length: length)
            let sk = BigLimbs.mod(limbsFromBigEndian(okm), Constants.r)
            if !BigLimbs.isZero(sk) {
                scalar = sk
                return
            }
        }
    }

    /// A secret key from its 32-byte big-endian encoding; throws unless 0 < value < r.
    public init(bytes: [UInt8]) throws(BLSError) {
        guard bytes.count == 32 else { throw .invalidLength(expected: 32, actual: bytes.count) }
        let limbs = limbsFromBigEndian(bytes)
        guard !BigLimbs.isZero(limbs), BigLimbs.less(limbs, Constants.r) else { throw .invalidSecretKey }
        scalar = limbs
    }

    /// The 32-byte big-endian encoding.
    public var bytes: [UInt8] { bigEndianBytes(scalar, count: 32) }

    /// SkToPk: [sk] g1.
    public var publicKey: PublicKey { PublicKey(unchecked: G1Point(G1Point.generator.point.multiplied(by: scalar))) }

    /// Sign(sk, message) = [sk] H(message).
    public func sign(_ message: [UInt8]) -> Signature { sign(hashedMessage: BLS.hashToG2(message)) }

    /// [sk] h for a message already hashed with `BLS.hashToG2`: equal to `sign(message)` when
    /// h = H(message), and saves the hash when many keys sign one message.
    public func sign(hashedMessage h: G2Point) -> Signature {
        // h is in G2 (a G2Point invariant) and the scalar below r: the psi decomposition applies.
        Signature(unchecked: G2Point(Endomorphism.mulG2(h.point, scalar)))
    }
}

/// A public key: a point of G1 other than the identity (KeyValidate holds).
public struct PublicKey: Sendable, Equatable {
    /// The key as a group element.
    public let point: G1Point

    init(unchecked point: G1Point) { self.point = point }

    /// Decodes a 48-byte compressed key and runs KeyValidate: a valid G1 encoding, in the
    /// subgroup, and not the identity (`identityPublicKey`).
    public init(compressed bytes: [UInt8]) throws(BLSError) {
        let p = try G1Point(compressed: bytes)
        guard !p.isIdentity else { throw .identityPublicKey }
        point = p
    }

    /// A key from a group element; throws `identityPublicKey` for the identity.
    public init(point: G1Point) throws(BLSError) {
        guard !point.isIdentity else { throw .identityPublicKey }
        self.point = point
    }

    /// The 48-byte compressed encoding.
    public var compressed: [UInt8] { point.compressed }

    /// Verify(pk, message, signature) of the basic scheme.
    public func verify(_ signature: Signature, message: [UInt8]) -> Bool {
        verify(signature, hashedMessage: BLS.hashToG2(message))
    }

    /// Verify against a message already hashed with `BLS.hashToG2` (same result as
    /// `verify(_:message:)` when h = H(message); saves the hash across many verifications).
    public func verify(_ signature: Signature, hashedMessage h: G2Point) -> Bool {
        BLS.coreVerify(publicKey: point, hashedMessage: h, signature: signature.point)
    }

    /// The sum of the keys, for verifying an aggregate signature over one message. Throws
    /// `emptyAggregate` for no keys and `identityPublicKey` if they sum to the identity.
    public static func aggregate(_ keys: [PublicKey]) throws(BLSError) -> PublicKey {
        guard !keys.isEmpty else { throw .emptyAggregate }
        var acc = Jacobian<Fp>.identity
        for k in keys {
            let p = k.point.point
            // Decoded keys are affine (Z = 1): the cheaper mixed addition applies.
            acc = p.z == Fp.one ? acc.adding(affineX: p.x, affineY: p.y) : acc + p
        }
        return try PublicKey(point: G1Point(acc))
    }
}

/// A signature: a point of G2 (decoding checks the curve and the subgroup). The identity
/// decodes, but never verifies.
public struct Signature: Sendable, Equatable {
    /// The signature as a group element.
    public let point: G2Point

    init(unchecked point: G2Point) { self.point = point }

    /// Decodes a 96-byte compressed signature with every check of `G2Point(compressed:)`.
    public init(compressed bytes: [UInt8]) throws(BLSError) {
        point = try G2Point(compressed: bytes)
    }

    /// A signature from a group element.
    public init(point: G2Point) { self.point = point }

    /// The 96-byte compressed encoding.
    public var compressed: [UInt8] { point.compressed }

    /// The sum of the signatures (order does not matter). Throws `emptyAggregate` for none.
    public static func aggregate(_ signatures: [Signature]) throws(BLSError) -> Signature {
        guard !signatures.isEmpty else { throw .emptyAggregate }
        var acc = Jacobian<Fp2>.identity
        for s in signatures { acc = acc + s.point.point }
        return Signature(point: G2Point(acc))
    }
}

/// Little-endian limbs to `count` big-endian bytes (higher bytes dropped).
func bigEndianBytes(_ limbs: [UInt64], count: Int) -> [UInt8] {
    var out = [UInt8](repeating: 0, count: count)
    for i in 0..<count {
        let limb = i / 8
        guard limb < limbs.count else { break }
        out[count - 1 - i] = UInt8(truncatingIfNeeded: limbs[limb] >> UInt64(8 * (i % 8)))
    }
    return out
}

/// Small multi-limb helpers (little-endian UInt64 limbs) for key generation.
enum BigLimbs {
    static func isZero(_ a: [UInt64]) -> Bool { a.allSatisfy { $0 == 0 } }

    /// a < b, for any limb counts.
    static func less(_ a: [UInt64], _ b: [UInt64]) -> Bool {
        let n = max(a.count, b.count)
        for i in stride(from: n - 1, through: 0, by: -1) {
            let x = i < a.count ? a[i] : 0
            let y = i < b.count ? b[i] : 0
            if x != y { return x < y }
        }
        return false
    }

    /// a mod m by binary long division; the result has m.count limbs.
    static func mod(_ a: [UInt64], _ m: [UInt64]) -> [UInt64] {
        var rem = [UInt64](repeating: 0, count: m.count + 1)
        for i in stride(from: a.count * 64 - 1, through: 0, by: -1) {
            // rem = rem * 2 + bit
            var carry = (a[i / 64] >> UInt64(i % 64)) & 1
            for k in rem.indices {
                let next = rem[k] >> 63
                rem[k] = (rem[k] << 1) | carry
                carry = next
            }
            if !less(rem, m) {
                var borrow: UInt64 = 0
                for k in rem.indices {
                    let mk = k < m.count ? m[k] : 0
                    (rem[k], borrow) = sbb(rem[k], mk, borrow)
                }
            }
        }
        return Array(rem.prefix(m.count))
    }
}
