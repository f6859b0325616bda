import WalrusCrypto

/// A blob ID: `BLAKE2b-256(0x01 || u64le(unencoded length) || Merkle root of pair hashes)`
/// (spec §3.3). Text form: URL-safe base64 without padding (43 characters).
///
/// Two integer readings exist and must not be mixed: the shard rotation reads the bytes as a
/// big-endian integer (`rotationOffset`), Move's `u256` reads them little-endian.
public struct BlobID: Hashable, Sendable, Comparable, CustomStringConvertible, BCSEncodable, BCSDecodable {
    /// The 32 bytes of the ID.
    public let digest: Digest32

    /// Wraps a digest as an ID; it is not checked against any metadata.
    public init(digest: Digest32) { self.digest = digest }

    /// 32 raw bytes, or nil for another length.
    public init?(bytes: [UInt8]) {
        guard let d = Digest32(bytes: bytes) else { return nil }
        digest = d
    }

    /// Parses the 43-character URL-safe base64 form (padding tolerated), nil if malformed.
    public init?(base64 text: String) {
        guard let bytes = Base64URL.decode(text), let d = Digest32(bytes: bytes) else { return nil }
        digest = d
    }

    /// Derives the ID from the blob's Merkle root (`BlobIdDerivation` BCS preimage, 41 bytes).
    public static func derive(encodingType: UInt8 = EncodingConfig.encodingTypeRS2, unencodedLength: UInt64,
                              merkleRoot: MerkleNode) -> BlobID {
        var w = BCSWriter(capacity: 41)
        w.writeU8(encodingType)
        w.writeU64(unencodedLength)
        w.writeDigest(merkleRoot.value)
        return BlobID(digest: Blake2b256.hash(w.bytes))
    }

    /// The 32 raw bytes, in wire order.
    public var bytes: [UInt8] { digest.bytes }
    /// The 43-character URL-safe base64 text form, without padding.
    public var base64: String { Base64URL.encode(bytes) }
    /// The ``base64`` form, as Walrus tools print blob IDs.
    public var description: String { base64 }

    /// `(blob ID as a big-endian 256-bit integer) mod n`: the pair-to-shard rotation (spec §2.5).
    /// Returns 0 for `n <= 0` (no shards, nothing to rotate).
    public func rotationOffset(nShards n: Int) -> Int {
        guard n > 0 else { return 0 }
        var acc = 0
        for b in bytes {
            // acc = (acc * 256 + b) mod n, without overflow for any n.
            let (_, rem) = n.dividingFullWidth(acc.multipliedFullWidth(by: 256))
            let byte = Int(b) % n
            acc = rem >= n - byte ? rem - (n - byte) : rem + byte
        }
        return acc
    }

    /// Lexicographic order of the raw bytes; a deterministic order for sorting, with no protocol meaning.
    public static func < (a: BlobID, b: BlobID) -> Bool { a.digest < b.digest }

    /// BCS: the 32 bytes, no length prefix.
    public func encode(to w: inout BCSWriter) { w.writeDigest(digest) }
    /// Reads 32 bytes; throws `truncated` if fewer remain.
    public init(from r: inout BCSReader) throws(BCSError) { digest = try r.readDigest() }
}

/// Pair-to-shard assignment for one blob (`encoding/mapping.rs`): pair `p` is stored on shard
/// `(p + offset) mod n`, with `offset = BlobID.rotationOffset(nShards:)`.
public struct ShardMapping: Sendable, Hashable {
    /// `n`, the number of shards and of sliver pairs.
    public let nShards: Int
    /// The rotation in `0..<n` (0 when `n <= 0`): pair 0 lives on shard `offset`.
    public let offset: Int

    /// The mapping of `blobID` over `nShards` shards; O(32) to compute the offset.
    public init(blobID: BlobID, nShards: Int) {
        self.nShards = nShards
        offset = blobID.rotationOffset(nShards: nShards)
    }

    /// The mapping with a rotation computed before (`offset` in `0..<nShards`, as `init(blobID:nShards:)`
    /// gives), for callers that keep the offset of many blobs rather than their 32-byte IDs.
    public init(nShards: Int, offset: Int) {
        precondition(nShards <= 0 ? offset == 0 : (0..<nShards).contains(offset), "rotation offset \(offset) out of 0..<\(nShards)")
        self.nShards = nShards
        self.offset = offset
    }

    /// Shard of pair `pair` (`0 <= pair < nShards`; other values are reduced mod n).
    /// Inlinable and division-free in range: the simulator asks it per pair stored and synced.
    @inlinable
    public func shard(ofPair pair: Int) -> Int {
        guard nShards > 0 else { return 0 }
        let p = Self.reduced(pair, nShards)
        let room = nShards - offset
        return p >= room ? p - room : p + offset
    }

    /// Pair stored on `shard` (`0 <= shard < nShards`; other values are reduced mod n).
    @inlinable
    public func pair(ofShard shard: Int) -> Int {
        guard nShards > 0 else { return 0 }
        let s = Self.reduced(shard, nShards)
        return s >= offset ? s - offset : s + (nShards - offset)
    }

    /// `x` mod `n` in `0..<n` (`n > 0`), dividing only when `x` is out of range.
    @inlinable
    static func reduced(_ x: Int, _ n: Int) -> Int {
        if x >= 0 && x < n { return x }
        let r = x % n
        return r < 0 ? r + n : r
    }

    /// `rotate_pairs`: element `i` of the result is the item for shard `i`.
    public func rotate<T>(_ pairs: [T]) -> [T] {
        guard pairs.count == nShards, nShards > 0 else { return pairs }
        return (0..<nShards).map { pairs[pair(ofShard: $0)] }
    }
}

/// URL-safe base64 without padding (RFC 4648 §5).
public enum Base64URL {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// Encodes `bytes` as URL-safe base64 without padding: `ceil(4 * count / 3)` characters.
    public static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count * 4 + 2) / 3)
        var i = 0
        while i + 3 <= bytes.count {
            let v = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
            for shift in [18, 12, 6, 0] { out.append(alphabet[Int((v >> UInt32(shift)) & 63)]) }
            i += 3
        }
        let rest = bytes.count - i
        if rest == 1 {
            let v = UInt32(bytes[i]) << 16
            out.append(alphabet[Int((v >> 18) & 63)]); out.append(alphabet[Int((v >> 12) & 63)])
        } else if rest == 2 {
            let v = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8
            out.append(alphabet[Int((v >> 18) & 63)]); out.append(alphabet[Int((v >> 12) & 63)])
            out.append(alphabet[Int((v >> 6) & 63)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes; nil on a character outside the alphabet, a bad length, or non-zero spare bits.
    public static func decode(_ text: String) -> [UInt8]? {
        var chars = Array(text.utf8)
        while chars.last == UInt8(ascii: "=") { chars.removeLast() }
        guard chars.count % 4 != 1 else { return nil }
        var out: [UInt8] = []
        var acc: UInt32 = 0
        var bits = 0
        for c in chars {
            let v: UInt32
            switch c {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): v = UInt32(c - UInt8(ascii: "A"))
            case UInt8(ascii: "a")...UInt8(ascii: "z"): v = UInt32(c - UInt8(ascii: "a")) + 26
            case UInt8(ascii: "0")...UInt8(ascii: "9"): v = UInt32(c - UInt8(ascii: "0")) + 52
            case UInt8(ascii: "-"): v = 62
            case UInt8(ascii: "_"): v = 63
            default: return nil
            }
            acc = (acc << 6) | v
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: acc >> UInt32(bits)))
                acc &= (1 << UInt32(bits)) - 1
            }
        }
        guard acc == 0 else { return nil }
        return out
    }
}
