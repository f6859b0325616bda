import WalrusCrypto

/// A node of Walrus's Merkle tree (spec §3.1): `Empty` (padding, 32 zero bytes when hashed) or a
/// digest. BCS: ULEB128 variant `0x00` (Empty, no payload) or `0x01` followed by 32 bytes.
public enum MerkleNode: Hashable, Sendable, BCSEncodable, BCSDecodable {
    /// Padding: no subtree. Hashes as 32 zero bytes.
    case empty
    /// A leaf or inner hash.
    case digest(Digest32)

    /// The bytes this node contributes to its parent's hash (zeros for `empty`).
    @inlinable
    public var value: Digest32 {
        switch self {
        case .empty: return .zero
        case .digest(let d): return d
        }
    }

    /// BCS `Node`: variant 0 for `empty`, or variant 1 then the 32 digest bytes.
    public func encode(to w: inout BCSWriter) {
        switch self {
        case .empty: w.writeVariant(0)
        case .digest(let d):
            w.writeVariant(1)
            w.writeDigest(d)
        }
    }

    /// Decodes a `Node`; throws `invalidVariant` for a variant other than 0 or 1.
    public init(from r: inout BCSReader) throws(BCSError) {
        switch try r.readVariant() {
        case 0: self = .empty
        case 1: self = .digest(try r.readDigest())
        case let v: throw .invalidVariant(type: "Node", index: v)
        }
    }
}

/// Domain-separated hashes of the Walrus Merkle tree.
public enum MerkleHash {
    /// Domain-separation byte hashed before a leaf's bytes.
    public static let leafPrefix: UInt8 = 0x00
    /// Domain-separation byte hashed before an inner node's two children.
    public static let innerPrefix: UInt8 = 0x01

    /// `BLAKE2b-256(0x00 || leaf)`.
    @inlinable
    public static func leaf(_ bytes: UnsafeRawBufferPointer) -> Digest32 {
        Blake2b256.hash(prefix: leafPrefix, bytes)
    }

    /// `BLAKE2b-256(0x00 || bytes)`, as the buffer overload.
    @inlinable
    public static func leaf(_ bytes: [UInt8]) -> Digest32 {
        bytes.withUnsafeBytes { leaf($0) }
    }

    /// `BLAKE2b-256(0x01 || left || right)`.
    @inlinable
    public static func inner(_ left: Digest32, _ right: Digest32) -> Digest32 {
        Blake2b256.hash(prefix: innerPrefix, left, right)
    }

    /// Ceil(log2(leafCount)), 0 for at most one leaf: the longest valid proof.
    public static func pathLength(leafCount: Int) -> Int {
        leafCount <= 1 ? 0 : Int.bitWidth - (leafCount - 1).leadingZeroBitCount
    }

    /// Root over leaf hashes, computed in place in `level` (which is clobbered). 0 leaves give
    /// `Empty`; 1 leaf gives the leaf hash itself; otherwise levels are halved, padding an odd
    /// level with an `Empty` (zero) node, as `build_from_leaf_hashes` does.
    public static func root(reducing level: UnsafeMutableBufferPointer<Digest32>) -> MerkleNode {
        var count = level.count
        if count == 0 { return .empty }
        while count > 1 {
            count = reduceLevel(level, count: count)
        }
        return .digest(level[0])
    }

    /// One level up, in place: `level[i] = inner(level[2i], level[2i+1] or Empty)` for
    /// `i < ceil(count/2)`; returns the new count. Full pairs go through the multi-buffer hash.
    @inline(__always)
    static func reduceLevel(_ level: UnsafeMutableBufferPointer<Digest32>, count: Int) -> Int {
        let pairs = count / 2
        let raw = UnsafeMutableRawPointer(level.baseAddress!)
        Blake2b256.hashStrided(base: raw, inStride: 64, count: pairs, length: 64, prefix: innerPrefix,
                               out: raw, outStride: 32)
        if count % 2 == 1 {
            level[pairs] = inner(level[count - 1], .zero)
        }
        return (count + 1) / 2
    }

    /// Root over `leafHashes`.
    public static func root(leafHashes: [Digest32]) -> MerkleNode {
        var copy = leafHashes
        return copy.withUnsafeMutableBufferPointer { root(reducing: $0) }
    }

    /// Reduces `2^height` leaf positions (of which the first `level.count` are present, the rest
    /// are Empty) to the root of that aligned subtree: the value it has inside any larger tree.
    /// An all-Empty subtree is the zero digest.
    static func subtreeRoot(reducing level: UnsafeMutableBufferPointer<Digest32>, height: Int) -> Digest32 {
        var count = level.count
        if count == 0 { return .zero }
        for _ in 0..<height {
            count = reduceLevel(level, count: count)
        }
        return level[0]
    }
}

/// A Merkle tree that keeps every level, to serve proofs (`get_proof`).
public struct MerkleTree: Sendable {
    /// levels[0] = leaf hashes; the last level has one node (or the tree is empty).
    private let levels: [[Digest32]]

    /// Builds every level above `leafHashes`, padding odd levels with `Empty`. O(leaves) hashes and memory.
    public init(leafHashes: [Digest32]) {
        var levels = [leafHashes]
        var current = leafHashes
        while current.count > 1 {
            var next = current
            let count = current.count
            let half = next.withUnsafeMutableBufferPointer { MerkleHash.reduceLevel($0, count: count) }
            next.removeLast(count - half)
            levels.append(next)
            current = next
        }
        self.levels = levels
    }

    /// Tree over the leaves `data[i*leafBytes ..< (i+1)*leafBytes]`.
    public init(leaves data: UnsafeRawBufferPointer, leafBytes: Int) {
        let count = leafBytes > 0 ? data.count / leafBytes : 0
        var hashes = [Digest32](repeating: .zero, count: count)
        if count > 0 {
            hashes.withUnsafeMutableBytes { out in
                Blake2b256.hashStrided(base: data.baseAddress!, inStride: leafBytes, count: count, length: leafBytes,
                                       prefix: MerkleHash.leafPrefix, out: out.baseAddress!, outStride: 32)
            }
        }
        self.init(leafHashes: hashes)
    }

    /// The number of leaves, 0 for an empty tree.
    public var leafCount: Int { levels[0].count }

    /// The root: `empty` with no leaves, the leaf hash itself with one, as ``MerkleHash/root(leafHashes:)``.
    public var root: MerkleNode {
        guard let top = levels.last, top.count == 1 else { return .empty }
        return .digest(top[0])
    }

    /// Sibling path for leaf `index`, bottom-up; padding siblings are `Empty`.
    public func proof(leafIndex index: Int) throws(RedStuffError) -> MerkleProof {
        guard index >= 0 && index < leafCount else { throw .indexOutOfRange(index: index, count: leafCount) }
        var path: [MerkleNode] = []
        var i = index
        for level in levels.dropLast() {
            let sibling = i ^ 1
            path.append(sibling < level.count ? .digest(level[sibling]) : .empty)
            i >>= 1
        }
        return MerkleProof(path: path)
    }
}

/// An authentication path (`MerkleProof`; BCS = `Vec<Node>`).
public struct MerkleProof: Hashable, Sendable, BCSEncodable, BCSDecodable {
    /// Longest path accepted when decoding (n <= 65535 gives at most 16).
    public static let maxPathLength = 64

    /// Sibling nodes from the leaf's level upwards; `empty` where the sibling is padding.
    public var path: [MerkleNode]

    /// Wraps a path as given; verification decides whether it is any good.
    public init(path: [MerkleNode]) { self.path = path }

    /// Root implied by `leafHash` at `leafIndex`, or nil if `leafIndex >> path.count != 0`
    /// (`compute_root`).
    public func computeRoot(leafHash: Digest32, leafIndex: Int) -> MerkleNode? {
        guard leafIndex >= 0, path.count >= Int.bitWidth || (leafIndex >> path.count) == 0 else { return nil }
        var h = leafHash
        var idx = leafIndex
        for sib in path {
            h = idx & 1 == 0 ? MerkleHash.inner(h, sib.value) : MerkleHash.inner(sib.value, h)
            idx >>= 1
        }
        return .digest(h)
    }

    /// `verify_proof`: path no longer than `pathLength(leafCount)`, index in range, and the
    /// computed root equals `root`.
    public func verify(leaf: UnsafeRawBufferPointer, leafIndex: Int, leafCount: Int, root: MerkleNode) -> Bool {
        verify(leafHash: MerkleHash.leaf(leaf), leafIndex: leafIndex, leafCount: leafCount, root: root)
    }

    /// `verify_proof` given the leaf's hash (`MerkleHash.leaf` of its bytes); false rather than throwing on any failure.
    public func verify(leafHash: Digest32, leafIndex: Int, leafCount: Int, root: MerkleNode) -> Bool {
        guard path.count <= MerkleHash.pathLength(leafCount: leafCount),
              leafIndex >= 0, leafIndex < leafCount,
              let computed = computeRoot(leafHash: leafHash, leafIndex: leafIndex)
        else { return false }
        return computed == root
    }

    /// BCS `Vec<Node>`: ULEB128 length then each node.
    public func encode(to w: inout BCSWriter) {
        w.writeSequence(path) { $0.write($1) }
    }

    /// Decodes a `Vec<Node>`; throws `lengthLimitExceeded` beyond ``maxPathLength`` nodes.
    public init(from r: inout BCSReader) throws(BCSError) {
        path = try r.readSequence(limit: Self.maxPathLength) { (r: inout BCSReader) throws(BCSError) in
            try MerkleNode(from: &r)
        }
    }
}
