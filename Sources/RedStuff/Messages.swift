import WalrusCrypto

/// Intent of a signed protocol message (spec §6).
public enum IntentType: UInt8, Sendable, Hashable {
    /// Intent byte 0; not produced by this simulator.
    case proofOfPossession = 0
    /// Intent byte 1: a storage confirmation (``StorageConfirmation``).
    case blobCertification = 1
    /// Intent byte 2: an invalid-blob attestation (``InvalidBlobIDMessage``).
    case invalidBlobID = 2
    /// Intent byte 3; not produced by this simulator.
    case syncShard = 3
    /// Intent byte 4; not produced by this simulator.
    case denyListUpdate = 4
    /// Intent byte 5; not produced by this simulator.
    case denyListBlobDeleted = 5
    /// Intent byte 6; not produced by this simulator.
    case protocolVersion = 6
}

/// `BlobPersistenceType`: permanent, or deletable with the Sui object ID of the blob.
public enum BlobPersistence: Sendable, Hashable, BCSEncodable, BCSDecodable {
    /// Stored until its end epoch; cannot be deleted. BCS variant 0.
    case permanent
    /// May be deleted by its owner; carries the Sui object ID of the blob. BCS variant 1.
    case deletable(objectID: Digest32)

    /// BCS: variant 0 for `permanent`, or variant 1 then the 32-byte object ID.
    public func encode(to w: inout BCSWriter) {
        switch self {
        case .permanent: w.writeVariant(0)
        case .deletable(let id):
            w.writeVariant(1)
            w.writeDigest(id)
        }
    }

    /// Decodes `BlobPersistenceType`; throws `invalidVariant` for a variant other than 0 or 1.
    public init(from r: inout BCSReader) throws(BCSError) {
        switch try r.readVariant() {
        case 0: self = .permanent
        case 1: self = .deletable(objectID: try r.readDigest())
        case let v: throw .invalidVariant(type: "BlobPersistenceType", index: v)
        }
    }
}

/// The header of every signed message: `intent_type u8 || intent_version u8 (0) || app_id u8
/// (3 = Walrus) || epoch u32 LE`. The signed bytes are the BCS of the whole message.
public struct ProtocolMessageHeader: Sendable, Hashable, BCSEncodable, BCSDecodable {
    /// `AppId::Walrus`, the third header byte.
    public static let walrusAppID: UInt8 = 3
    /// `IntentVersion::V0`, the only version; decoding refuses any other.
    public static let intentVersion: UInt8 = 0

    /// What the message is; the first header byte.
    public var intent: IntentType
    /// The epoch the message speaks for, as `u32` LE.
    public var epoch: UInt32

    /// A header for `intent` in `epoch`; version and app ID are fixed.
    public init(intent: IntentType, epoch: UInt32) {
        self.intent = intent
        self.epoch = epoch
    }

    /// Writes the 7 header bytes.
    public func encode(to w: inout BCSWriter) {
        w.writeU8(intent.rawValue)
        w.writeU8(Self.intentVersion)
        w.writeU8(Self.walrusAppID)
        w.writeU32(epoch)
    }

    /// Reads 7 bytes; throws for an unknown intent, a version other than 0 or an app ID other than 3.
    public init(from r: inout BCSReader) throws(BCSError) {
        let t = try r.readU8()
        guard let intent = IntentType(rawValue: t) else { throw .invalidVariant(type: "IntentType", index: UInt32(t)) }
        let version = try r.readU8()
        guard version == Self.intentVersion else { throw .invalidValue("intent version \(version)") }
        let app = try r.readU8()
        guard app == Self.walrusAppID else { throw .invalidValue("app id \(app)") }
        self.intent = intent
        epoch = try r.readU32()
    }
}

/// Storage confirmation (`Confirmation`, intent 1 = BlobCertification): a node signs it once it
/// stores verified slivers for all its shards. 40 bytes for a permanent blob.
public struct StorageConfirmation: Sendable, Hashable, BCSEncodable, BCSDecodable {
    /// The epoch in which the node confirms storage.
    public var epoch: UInt32
    /// The blob whose slivers the node stores.
    public var blobID: BlobID
    /// Permanent, or deletable with the blob's object ID.
    public var persistence: BlobPersistence

    /// Stores the fields; the intent is implied by the type.
    public init(epoch: UInt32, blobID: BlobID, persistence: BlobPersistence) {
        self.epoch = epoch
        self.blobID = blobID
        self.persistence = persistence
    }

    /// Header with intent 1, the blob ID, then the persistence.
    public func encode(to w: inout BCSWriter) {
        ProtocolMessageHeader(intent: .blobCertification, epoch: epoch).encode(to: &w)
        blobID.encode(to: &w)
        persistence.encode(to: &w)
    }

    /// Decodes a confirmation; throws `invalidValue` if the header's intent is not `blobCertification`.
    public init(from r: inout BCSReader) throws(BCSError) {
        let header = try ProtocolMessageHeader(from: &r)
        guard header.intent == .blobCertification else { throw .invalidValue("intent \(header.intent) is not a confirmation") }
        epoch = header.epoch
        blobID = try BlobID(from: &r)
        persistence = try BlobPersistence(from: &r)
    }
}

/// Attestation that a blob ID is invalid (`InvalidBlobIdMsg`, intent 2), signed after verifying
/// an inconsistency proof; f+1 shards' worth invalidate the blob on chain.
public struct InvalidBlobIDMessage: Sendable, Hashable, BCSEncodable, BCSDecodable {
    /// The epoch in which the node attests.
    public var epoch: UInt32
    /// The blob shown to be inconsistently encoded.
    public var blobID: BlobID

    /// Stores the fields; the intent is implied by the type.
    public init(epoch: UInt32, blobID: BlobID) {
        self.epoch = epoch
        self.blobID = blobID
    }

    /// Header with intent 2, then the blob ID: 39 bytes.
    public func encode(to w: inout BCSWriter) {
        ProtocolMessageHeader(intent: .invalidBlobID, epoch: epoch).encode(to: &w)
        blobID.encode(to: &w)
    }

    /// Decodes an attestation; throws `invalidValue` if the header's intent is not `invalidBlobID`.
    public init(from r: inout BCSReader) throws(BCSError) {
        let header = try ProtocolMessageHeader(from: &r)
        guard header.intent == .invalidBlobID else { throw .invalidValue("intent \(header.intent) is not invalid-blob-id") }
        epoch = header.epoch
        blobID = try BlobID(from: &r)
    }
}

/// Committee members who signed a certificate, as the chain receives them: member `i` sets bit
/// `i % 8` of byte `i / 8`, least significant bit first.
public struct SignerBitmap: Sendable, Hashable {
    /// `ceil(memberCount / 8)` bytes; bits past `memberCount` are always 0.
    public private(set) var bytes: [UInt8]

    /// Committees have at most 65535 members (one per shard at most); larger counts are clamped.
    public static let maxMembers = 65535

    /// An empty bitmap of `ceil(members / 8)` bytes, `memberCount` clamped to `0...maxMembers`.
    public init(memberCount: Int) {
        let members = min(max(0, memberCount), Self.maxMembers)
        bytes = [UInt8](repeating: 0, count: (members + 7) / 8)
    }

    /// A bitmap with the given members set; throws `indexOutOfRange` for a bad count or a signer outside `0..<memberCount`.
    public init(signers: [Int], memberCount: Int) throws(RedStuffError) {
        guard memberCount >= 0 && memberCount <= Self.maxMembers else {
            throw .indexOutOfRange(index: memberCount, count: Self.maxMembers + 1)
        }
        self.init(memberCount: memberCount)
        for i in signers {
            guard i >= 0 && i < memberCount else { throw .indexOutOfRange(index: i, count: memberCount) }
            bytes[i / 8] |= 1 << UInt8(i % 8)
        }
    }

    /// Whether member `i` signed; false for any index outside the bitmap. O(1).
    public func contains(_ i: Int) -> Bool {
        guard i >= 0 && i / 8 < bytes.count else { return false }
        return bytes[i / 8] & (1 << UInt8(i % 8)) != 0
    }
}

/// Quorum rules of spec §6, in shards (weights): certification needs `3w >= 2n + 1` (2f+1),
/// invalidation needs `3w >= n + 1` (f+1).
/// Thresholds are computed without multiplying, so no input can overflow.
public enum Quorum {
    /// `3w >= 2n + 1`, i.e. `w >= ceil((2n+1)/3)`.
    public static func isCertificationQuorum(weight: Int, nShards: Int) -> Bool {
        guard weight >= 0, nShards >= 0 else { return false }
        let (q, r) = nShards.quotientAndRemainder(dividingBy: 3)
        return weight >= 2 * q + (r == 2 ? 2 : 1)
    }

    /// `3w >= n + 1`, i.e. `w >= floor(n/3) + 1`.
    public static func isValidityQuorum(weight: Int, nShards: Int) -> Bool {
        guard weight >= 0, nShards >= 0 else { return false }
        return weight >= nShards / 3 + 1
    }
}

/// `SignedMessage { serialized_message, signature }`: what a node sends back after signing a
/// confirmation or an invalid-blob attestation. With BLS12-381 (not on this machine) a
/// certificate would aggregate these into one signature plus a `SignerBitmap`; with Ed25519 the
/// certificate keeps the individual signatures (`Certificate`).
public struct SignedMessage<Scheme: SignatureScheme>: Sendable {
    /// The BCS bytes that were signed.
    public let serializedMessage: [UInt8]
    /// The signature over ``serializedMessage``.
    public let signature: Scheme.Signature

    /// Wraps bytes and a signature as received, unchecked; see ``verify(by:)``.
    public init(serializedMessage: [UInt8], signature: Scheme.Signature) {
        self.serializedMessage = serializedMessage
        self.signature = signature
    }

    /// Signs the BCS bytes of `message`.
    public init(signing message: some BCSEncodable, with secretKey: Scheme.SecretKey) {
        serializedMessage = message.bcsBytes
        signature = Scheme.sign(serializedMessage, with: secretKey)
    }

    /// Whether ``signature`` is valid over ``serializedMessage`` under `publicKey`.
    public func verify(by publicKey: Scheme.PublicKey) -> Bool {
        Scheme.verify(signature, of: serializedMessage, by: publicKey)
    }
}

/// A certificate over one message from several committee members (member indices `signers`,
/// each holding `weights[i]` shards). Ed25519 stand-in for `ProtocolMessageCertificate`: the
/// signatures stay separate instead of being summed as BLS would.
public struct Certificate<Scheme: SignatureScheme>: Sendable {
    /// The BCS bytes every signer signed.
    public let serializedMessage: [UInt8]
    /// Committee member indices, one per signature, in the same order.
    public let signers: [Int]
    /// `signatures[i]` is member `signers[i]`'s signature over ``serializedMessage``.
    public let signatures: [Scheme.Signature]

    /// Stores the fields as given, unchecked; see ``verifiedWeight(publicKeys:weights:)``.
    public init(serializedMessage: [UInt8], signers: [Int], signatures: [Scheme.Signature]) {
        self.serializedMessage = serializedMessage
        self.signers = signers
        self.signatures = signatures
    }

    /// Total weight of the signers if every signature verifies, the signers are distinct and in
    /// range; nil otherwise. Compare with `Quorum.isCertificationQuorum`.
    public func verifiedWeight(publicKeys: [Scheme.PublicKey], weights: [Int]) -> Int? {
        guard signers.count == signatures.count, publicKeys.count == weights.count else { return nil }
        var seen = Set<Int>()
        var total = 0
        for (i, member) in signers.enumerated() {
            guard member >= 0, member < publicKeys.count, seen.insert(member).inserted,
                  Scheme.verify(signatures[i], of: serializedMessage, by: publicKeys[member])
            else { return nil }
            let (sum, overflow) = total.addingReportingOverflow(weights[member])
            guard !overflow, weights[member] >= 0 else { return nil }
            total = sum
        }
        return total
    }
}
