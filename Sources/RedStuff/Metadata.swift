import WalrusCrypto

/// The two sliver hashes of one sliver pair (spec §3.2): the Merkle root over the full expanded
/// row `p` (primary sliver p) and over the full expanded column `n-1-p` (the pair's secondary
/// sliver).
public struct SliverPairMetadata: Hashable, Sendable, BCSEncodable, BCSDecodable {
    /// Merkle root over the n symbols of expanded row `p` (primary sliver `p`).
    public var primaryHash: MerkleNode
    /// Merkle root over the n symbols of expanded column `n - 1 - p` (the pair's secondary sliver).
    public var secondaryHash: MerkleNode

    /// Stores the two roots as given.
    public init(primaryHash: MerkleNode, secondaryHash: MerkleNode) {
        self.primaryHash = primaryHash
        self.secondaryHash = secondaryHash
    }

    /// The root for `axis`: ``primaryHash`` or ``secondaryHash``.
    public func hash(_ axis: SliverAxis) -> MerkleNode { axis == .primary ? primaryHash : secondaryHash }

    /// Leaf of the blob-level tree: `leaf_hash(primary (32 B) || secondary (32 B))`.
    public var pairLeafHash: Digest32 {
        var buf = [UInt8](repeating: 0, count: 64)
        buf.withUnsafeMutableBytes { raw in
            primaryHash.value.store(to: raw.baseAddress!)
            secondaryHash.value.store(to: raw.baseAddress! + 32)
        }
        return MerkleHash.leaf(buf)
    }

    /// BCS: the primary node then the secondary node.
    public func encode(to w: inout BCSWriter) {
        primaryHash.encode(to: &w)
        secondaryHash.encode(to: &w)
    }

    /// Decodes two `Node`s.
    public init(from r: inout BCSReader) throws(BCSError) {
        primaryHash = try MerkleNode(from: &r)
        secondaryHash = try MerkleNode(from: &r)
    }
}

/// `BlobMetadata::V1`: encoding type, unencoded length and one `SliverPairMetadata` per pair.
///
/// BCS: variant `0x00` (V1), encoding type byte (`0x01` = RS2), `u64` length, `Vec` of pairs.
public struct BlobMetadata: Hashable, Sendable, BCSEncodable, BCSDecodable {
    /// Largest pair count accepted when decoding (shards are numbered by `u16`).
    public static let maxPairs = 65535

    /// Always ``EncodingConfig/encodingTypeRS2`` (1) once decoded; other values fail `verify`.
    public var encodingType: UInt8
    /// The blob's length in bytes before encoding; decides the symbol size.
    public var unencodedLength: UInt64
    /// `hashes[p]` belongs to sliver pair p.
    public var hashes: [SliverPairMetadata]

    /// Stores the fields as given, unchecked; ``BlobMetadataWithID/verify(config:)`` checks them.
    public init(encodingType: UInt8 = EncodingConfig.encodingTypeRS2, unencodedLength: UInt64,
                hashes: [SliverPairMetadata]) {
        self.encodingType = encodingType
        self.unencodedLength = unencodedLength
        self.hashes = hashes
    }

    /// Root of the Merkle tree over the pairs' leaf hashes (spec §3.3).
    public var merkleRoot: MerkleNode {
        // All leaf inputs (primary || secondary, 64 bytes each) side by side, hashed in one
        // multi-buffer call; the levels above reduce in place. Same root as hashing each
        // `pairLeafHash` on its own, several times faster at n = 1000 (every node checks this).
        let n = hashes.count
        guard n > 0 else { return .empty }
        var level = [Digest32](repeating: .zero, count: n)
        var inputs = [UInt8](repeating: 0, count: n * 64)
        inputs.withUnsafeMutableBytes { raw in
            for (i, h) in hashes.enumerated() {
                h.primaryHash.value.store(to: raw.baseAddress! + 64 * i)
                h.secondaryHash.value.store(to: raw.baseAddress! + 64 * i + 32)
            }
        }
        return inputs.withUnsafeBytes { raw in
            level.withUnsafeMutableBufferPointer { out in
                Blake2b256.hashStrided(base: raw.baseAddress!, inStride: 64, count: n, length: 64, prefix: MerkleHash.leafPrefix,
                                       out: UnsafeMutableRawPointer(out.baseAddress!), outStride: 32)
                return MerkleHash.root(reducing: out)
            }
        }
    }

    /// The blob ID these hashes imply.
    public func computeBlobID() -> BlobID {
        BlobID.derive(encodingType: encodingType, unencodedLength: unencodedLength, merkleRoot: merkleRoot)
    }

    /// Metadata hash of sliver `index` of `axis` (the pair's entry; secondary slivers live at
    /// pair `n-1-index`). Throws for an out-of-range index.
    public func sliverHash(axis: SliverAxis, sliverIndex index: Int) throws(RedStuffError) -> MerkleNode {
        let n = hashes.count
        guard index >= 0 && index < n else { throw .indexOutOfRange(index: index, count: n) }
        let pair = axis == .primary ? index : n - 1 - index
        return hashes[pair].hash(axis)
    }

    /// Symbol size implied by the length and `config`.
    public func symbolSize(config: EncodingConfig) throws(RedStuffError) -> Int {
        try config.symbolSize(forBlobLength: unencodedLength)
    }

    /// BCS: variant 0 (V1), the encoding type as a variant, `u64` length, then `Vec<SliverPairMetadata>`.
    public func encode(to w: inout BCSWriter) {
        w.writeVariant(0)  // BlobMetadata::V1
        w.writeVariant(UInt32(encodingType))
        w.writeU64(unencodedLength)
        w.writeSequence(hashes) { $0.write($1) }
    }

    /// Decodes V1 metadata; throws `invalidVariant` for another version or encoding type, at most ``maxPairs`` pairs.
    public init(from r: inout BCSReader) throws(BCSError) {
        let version = try r.readVariant()
        guard version == 0 else { throw .invalidVariant(type: "BlobMetadata", index: version) }
        let type = try r.readVariant()
        // EncodingType: 0 = RedStuffRaptorQ (removed upstream, rejected), 1 = RS2.
        guard type == UInt32(EncodingConfig.encodingTypeRS2) else { throw .invalidVariant(type: "EncodingType", index: type) }
        encodingType = UInt8(type)
        unencodedLength = try r.readU64()
        hashes = try r.readSequence(limit: Self.maxPairs, minElementBytes: 2) { (r: inout BCSReader) throws(BCSError) in
            try SliverPairMetadata(from: &r)
        }
    }
}

/// `BlobMetadataWithId`: the blob ID followed by the metadata (BCS: 32 bytes then the metadata).
/// Construct with `init(blobID:metadata:)` (unverified, e.g. received from the network) and call
/// `verify(config:)`, or get a verified one from `BlobEncoder`.
public struct BlobMetadataWithID: Hashable, Sendable, BCSEncodable, BCSDecodable {
    /// The claimed blob ID; matches ``metadata`` only once `verify` passed.
    public var blobID: BlobID
    /// The blob's metadata.
    public var metadata: BlobMetadata

    /// Pairs an ID with metadata without checking them (e.g. received from the network).
    public init(blobID: BlobID, metadata: BlobMetadata) {
        self.blobID = blobID
        self.metadata = metadata
    }

    /// Builds the ID from the metadata (always consistent).
    public init(computingIDFor metadata: BlobMetadata) {
        self.metadata = metadata
        blobID = metadata.computeBlobID()
    }

    /// Metadata verification (`metadata.rs`, spec §3.4): RS2 encoding type, `n` pair hashes,
    /// length within the maximum, and the blob ID recomputed from the hashes.
    public func verify(config: EncodingConfig) throws(RedStuffError) {
        guard metadata.encodingType == EncodingConfig.encodingTypeRS2 else {
            throw .unsupportedEncodingType(metadata.encodingType)
        }
        guard metadata.hashes.count == config.nShards else {
            throw .wrongHashCount(expected: config.nShards, actual: metadata.hashes.count)
        }
        guard metadata.unencodedLength <= config.maxBlobSize else {
            throw .dataTooLarge(length: metadata.unencodedLength, maxLength: config.maxBlobSize)
        }
        guard metadata.computeBlobID() == blobID else { throw .blobIDMismatch }
    }

    /// BCS: the 32 ID bytes then the metadata.
    public func encode(to w: inout BCSWriter) {
        blobID.encode(to: &w)
        metadata.encode(to: &w)
    }

    /// Decodes the ID then the metadata; does not verify that they match.
    public init(from r: inout BCSReader) throws(BCSError) {
        blobID = try BlobID(from: &r)
        metadata = try BlobMetadata(from: &r)
    }
}
