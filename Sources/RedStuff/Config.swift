import WalrusCrypto

/// RedStuff ("RS2"): Walrus's two-dimensional Reed-Solomon blob encoding over GF(2^16), byte
/// compatible with `walrus-core` (see `shared/spec/walrus-encoding.md`).
///
/// Everything here is a value type with no global mutable state; results never depend on the
/// number of threads used (`EncodingOptions.threads`).

/// Which of the two sliver dimensions.
///
/// A *primary* sliver is a row of the expanded matrix (C symbols stored, expanded with the
/// secondary code to n); a *secondary* sliver is a column (R symbols stored, expanded with the
/// primary code to n).
public enum SliverAxis: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Rows of the expanded matrix: C symbols stored per sliver.
    case primary = 0
    /// Columns of the expanded matrix: R symbols stored per sliver.
    case secondary = 1

    /// The other axis: the one whose code expands and recovers slivers of this axis.
    public var orthogonal: SliverAxis { self == .primary ? .secondary : .primary }
    /// `primary` or `secondary`.
    public var description: String { self == .primary ? "primary" : "secondary" }
}

/// Every failure in this module. Nothing traps on bad input; each problem is one of these.
public enum RedStuffError: Error, Equatable, Sendable, CustomStringConvertible {
    /// n must be in 4...`EncodingConfig.maxShards` (49,155) (n <= 3 has f = 0, so rs-simd would get zero recovery shards).
    case invalidShardCount(Int)
    /// The blob needs a symbol larger than 65534 bytes.
    case dataTooLarge(length: UInt64, maxLength: UInt64)
    /// An index (sliver, pair, symbol, leaf) outside `0..<count`.
    case indexOutOfRange(index: Int, count: Int)
    /// The same index given twice where distinct ones are required.
    case duplicateIndex(Int)
    /// A sliver or symbol of the wrong byte length.
    case wrongSize(what: String, expected: Int, actual: Int)
    /// A symbol size that differs from the one the metadata implies.
    case symbolSizeMismatch(expected: Int, actual: Int)
    /// The sliver's Merkle root is not the one in the metadata.
    case merkleRootMismatch
    /// A Merkle proof that is too long or does not lead to the expected root.
    case invalidMerkleProof
    /// Metadata with the wrong number of sliver-pair hashes.
    case wrongHashCount(expected: Int, actual: Int)
    /// The blob ID does not match the metadata it claims to summarise.
    case blobIDMismatch
    /// An encoding type other than RS2 (1).
    case unsupportedEncodingType(UInt8)
    /// Fewer slivers/symbols than decoding needs.
    case notEnoughSymbols(needed: Int, received: Int)
    /// An inconsistency proof must hold exactly this many symbols.
    case incorrectSymbolCount(expected: Int, actual: Int)
    /// A symbol in an inconsistency proof failed verification.
    case invalidRecoverySymbols
    /// The inconsistency proof decodes to a sliver that matches the metadata.
    case sliverNotInconsistent
    /// A sliver of the wrong axis for this operation.
    case wrongAxis(expected: SliverAxis, actual: SliverAxis)
    /// The decoded blob does not match the metadata (consistency check failed).
    case consistencyCheckFailed(String)
    /// The Reed-Solomon codec refused an input (should not happen with validated shapes).
    case codec(String)
    /// Malformed BCS bytes.
    case bcs(BCSError)

    /// A one-line message with the offending values, for logs and CLI errors.
    public var description: String {
        switch self {
        case .invalidShardCount(let n):
            return "invalid shard count \(n): RedStuff needs 4 <= n <= \(EncodingConfig.maxShards) (above that Walrus's Reed-Solomon codec, reed-solomon-simd, cannot build the primary code)"
        case .dataTooLarge(let l, let m): return "blob of \(l) bytes exceeds the maximum of \(m) bytes"
        case .indexOutOfRange(let i, let c): return "index \(i) out of range 0..<\(c)"
        case .duplicateIndex(let i): return "duplicate index \(i)"
        case .wrongSize(let w, let e, let a): return "\(w) has \(a) bytes, expected \(e)"
        case .symbolSizeMismatch(let e, let a): return "symbol size \(a), expected \(e)"
        case .merkleRootMismatch: return "Merkle root does not match the metadata"
        case .invalidMerkleProof: return "invalid Merkle proof"
        case .wrongHashCount(let e, let a): return "metadata has \(a) sliver-pair hashes, expected \(e)"
        case .blobIDMismatch: return "blob ID does not match the metadata"
        case .unsupportedEncodingType(let t): return "unsupported encoding type \(t) (only RS2 = 1)"
        case .notEnoughSymbols(let n, let r): return "not enough symbols: need \(n), have \(r)"
        case .incorrectSymbolCount(let e, let a): return "inconsistency proof has \(a) symbols, expected exactly \(e)"
        case .invalidRecoverySymbols: return "a recovery symbol in the proof failed verification"
        case .sliverNotInconsistent: return "the recovered sliver is consistent with the metadata"
        case .wrongAxis(let e, let a): return "expected a \(e) sliver, got a \(a) one"
        case .consistencyCheckFailed(let why): return "decoded blob failed the consistency check: \(why)"
        case .codec(let why): return "Reed-Solomon codec error: \(why)"
        case .bcs(let e): return "malformed BCS: \(e)"
        }
    }
}

/// The parameters of RS2 for `nShards` shards (spec §1).
///
/// Invariants: `4 <= nShards <= maxShards` (49,155); `f = (n-1)/3`; `R = n - 2f` (rows, primary source
/// symbols, symbols per secondary sliver); `C = n - f` (columns, secondary source symbols,
/// symbols per primary sliver); `1 <= R < C < n`.
public struct EncodingConfig: Sendable, Hashable {
    /// The encoding type byte of RS2 in blob IDs and metadata.
    public static let encodingTypeRS2: UInt8 = 1
    /// Largest symbol size: `u16::MAX - 1` (symbols are a multiple of 2 bytes).
    public static let maxSymbolSize = 65534

    /// `n`, the number of shards and of sliver pairs, in `4...maxShards`.
    public let nShards: Int
    /// `f`, the maximum number of faulty shards tolerated.
    public let maxFaulty: Int
    /// `R = n - 2f`: source symbols of the primary code; rows of the message matrix.
    public let primarySourceSymbols: Int
    /// `C = n - f`: source symbols of the secondary code; columns of the message matrix.
    public let secondarySourceSymbols: Int

    /// The largest shard count Walrus can encode with. Shards are indexed by `u16`, but the
    /// primary code has `n - 2f` source and `2f` recovery symbols, and reed-solomon-simd supports
    /// a shape only when `min(pow2(k), pow2(r)) + max(k, r) <= 65536`: at n = 49,156 the primary
    /// code (16,386 + 32,770) breaks it, and so does every larger n (a test checks the range).
    public static let maxShards = 49_155

    /// Derives `f`, `R` and `C` from `nShards`; throws `invalidShardCount` outside `4...maxShards`.
    public init(nShards: Int) throws(RedStuffError) {
        guard nShards >= 4 && nShards <= Self.maxShards else { throw .invalidShardCount(nShards) }
        self.nShards = nShards
        maxFaulty = (nShards - 1) / 3
        primarySourceSymbols = nShards - 2 * maxFaulty
        secondarySourceSymbols = nShards - maxFaulty
    }

    /// R, the number of rows.
    @inlinable public var rows: Int { primarySourceSymbols }
    /// C, the number of columns.
    @inlinable public var columns: Int { secondarySourceSymbols }
    /// Source symbols per blob, `R * C`.
    public var sourceSymbolsPerBlob: Int { rows * columns }

    /// Number of source symbols of the code that *expands* a sliver of `axis`... and therefore the
    /// number of symbols stored in a sliver of `axis`: C for primary, R for secondary.
    public func symbolsPerSliver(_ axis: SliverAxis) -> Int {
        axis == .primary ? columns : rows
    }

    /// Symbols needed to recover one sliver of `axis` (spec §4.1): exactly C for a primary
    /// sliver (from secondary slivers), exactly R for a secondary one.
    public func symbolsForRecovery(_ axis: SliverAxis) -> Int { symbolsPerSliver(axis) }

    /// Slivers of `axis` needed to decode a blob: R primary or C secondary.
    public func sliversForDecoding(_ axis: SliverAxis) -> Int {
        axis == .primary ? rows : columns
    }

    /// Largest blob: `R * C * 65534` bytes.
    public var maxBlobSize: UInt64 { UInt64(sourceSymbolsPerBlob) * UInt64(Self.maxSymbolSize) }

    /// Symbol size in bytes for a blob (spec §1): `ceil(max(len,1) / (R*C))` rounded up to even.
    public func symbolSize(forBlobLength length: UInt64) throws(RedStuffError) -> Int {
        let l = max(length, 1)
        let per = UInt64(sourceSymbolsPerBlob)
        var s = (l - 1) / per + 1
        if s % 2 == 1 { s += 1 }
        guard s <= UInt64(Self.maxSymbolSize) else { throw .dataTooLarge(length: length, maxLength: maxBlobSize) }
        return Int(s)
    }

    /// Bytes in one sliver of `axis` for a blob of `length` bytes.
    public func sliverSize(_ axis: SliverAxis, blobLength length: UInt64) throws(RedStuffError) -> Int {
        try symbolsPerSliver(axis) * symbolSize(forBlobLength: length)
    }

    /// Accounting size of the metadata: `n * 64 + 32` (pair hashes plus blob ID); BCS differs.
    public var metadataLength: UInt64 { UInt64(nShards) * 64 + 32 }

    /// Bytes of all slivers: `n * (R + C) * s`.
    public func encodedSliversLength(blobLength: UInt64) throws(RedStuffError) -> UInt64 {
        UInt64(nShards) * UInt64(rows + columns) * UInt64(try symbolSize(forBlobLength: blobLength))
    }

    /// On-chain encoded length (storage accounting, Move `encoded_blob_length`):
    /// `n * (n*64 + 32) + n * (R + C) * s`.
    public func encodedBlobLength(blobLength: UInt64) throws(RedStuffError) -> UInt64 {
        UInt64(nShards) * metadataLength + (try encodedSliversLength(blobLength: blobLength))
    }

    // MARK: Pair and sliver indices

    /// Sliver index of `axis` held by sliver pair `pair`: `pair` for primary, `n-1-pair` for
    /// secondary. Meaningful for `0 <= pair < n`; other inputs give an out-of-range index (wrapping
    /// arithmetic, never a trap) that every checked API rejects.
    @inlinable
    public func sliverIndex(ofPair pair: Int, axis: SliverAxis) -> Int {
        axis == .primary ? pair : (nShards - 1) &- pair
    }

    /// Pair holding sliver `index` of `axis` (the same involution as `sliverIndex`).
    @inlinable
    public func pairIndex(ofSliver index: Int, axis: SliverAxis) -> Int {
        axis == .primary ? index : (nShards - 1) &- index
    }

    func checkIndex(_ i: Int) throws(RedStuffError) {
        guard i >= 0 && i < nShards else { throw .indexOutOfRange(index: i, count: nShards) }
    }
}

/// Operation counts of one RedStuff task, for the simulator's CPU cost model (DESIGN §5: costs
/// are charged in simulated time from counts times calibrated per-operation costs, never from the
/// host clock). Pure arithmetic; no encoding is performed.
public struct EncodingWork: Sendable, Hashable {
    /// BLAKE2b calls and the 128-byte compressions they take.
    public var hashCalls: Int = 0
    /// BLAKE2b compressions of 128-byte blocks over those calls (at least one per call).
    public var hashCompressions: Int = 0
    /// Reed-Solomon codewords encoded or decoded, and their total source+output symbol bytes.
    public var rsCodewords: Int = 0
    /// Source plus output symbol bytes over those codewords.
    public var rsBytes: Int = 0

    /// All counts zero.
    public init() {}

    /// Field-by-field sum, for adding up the work of several tasks.
    public static func + (a: EncodingWork, b: EncodingWork) -> EncodingWork {
        var w = a
        w.hashCalls += b.hashCalls
        w.hashCompressions += b.hashCompressions
        w.rsCodewords += b.rsCodewords
        w.rsBytes += b.rsBytes
        return w
    }

    mutating func hash(_ calls: Int, messageBytes: Int) {
        hashCalls += calls
        hashCompressions += calls * max(1, (messageBytes + 127) / 128)
    }
}

extension EncodingConfig {
    /// Inner hashes of one Merkle tree over `leaves` leaves (Empty padding hashed like a node).
    public static func innerHashes(leaves: Int) -> Int {
        var count = leaves
        var total = 0
        while count > 1 {
            count = count / 2 + count % 2  // ceil(count / 2) without overflow
            total &+= count
        }
        return total
    }

    /// Work to compute a blob's metadata and ID (what `BlobEncoder.computeMetadata` does; `encode`
    /// adds only copies): all n^2 leaf hashes, 2n sliver trees, the pair tree, the ID, and the
    /// R row + n column encodings.
    public func metadataWork(blobLength: UInt64) throws(RedStuffError) -> EncodingWork {
        let s = try symbolSize(forBlobLength: blobLength)
        let n = nShards
        var w = EncodingWork()
        w.hash(n * n, messageBytes: 1 + s)
        w.hash(2 * n * Self.innerHashes(leaves: n), messageBytes: 65)
        w.hash(n, messageBytes: 65)
        w.hash(Self.innerHashes(leaves: n), messageBytes: 65)
        w.hash(1, messageBytes: 41)
        w.rsCodewords = rows + n
        w.rsBytes = rows * n * s + n * n * s
        return w
    }

    /// Work to verify one received sliver of `axis` (`Sliver.verify`): one orthogonal encoding,
    /// n leaf hashes and one tree. Building an `ExpandedSliver` to serve symbols costs the same.
    public func sliverVerificationWork(_ axis: SliverAxis, blobLength: UInt64) throws(RedStuffError) -> EncodingWork {
        let s = try symbolSize(forBlobLength: blobLength)
        var w = EncodingWork()
        w.hash(nShards, messageBytes: 1 + s)
        w.hash(Self.innerHashes(leaves: nShards), messageBytes: 65)
        w.rsCodewords = 1
        w.rsBytes = nShards * s
        return w
    }

    /// Work to verify one recovery symbol: a leaf hash and a proof of ceil(log2 n) inner hashes.
    public func symbolVerificationWork(blobLength: UInt64) throws(RedStuffError) -> EncodingWork {
        let s = try symbolSize(forBlobLength: blobLength)
        var w = EncodingWork()
        w.hash(1, messageBytes: 1 + s)
        w.hash(MerkleHash.pathLength(leafCount: nShards), messageBytes: 65)
        return w
    }

    /// Work to recover one sliver of `axis` from symbols: verify them, decode one codeword, then
    /// verify the result like a received sliver.
    public func sliverRecoveryWork(_ axis: SliverAxis, blobLength: UInt64) throws(RedStuffError) -> EncodingWork {
        let k = symbolsForRecovery(axis)
        let one = try symbolVerificationWork(blobLength: blobLength)
        var w = EncodingWork()
        w.hashCalls = one.hashCalls * k
        w.hashCompressions = one.hashCompressions * k
        w.rsCodewords = 1
        w.rsBytes = (k + symbolsPerSliver(axis)) * (try symbolSize(forBlobLength: blobLength))
        return w + (try sliverVerificationWork(axis, blobLength: blobLength))
    }

    /// Work to decode a blob from slivers of `axis` (without verifying them) plus the chosen check.
    public func blobDecodingWork(_ axis: SliverAxis, blobLength: UInt64, check: ConsistencyCheck) throws(RedStuffError) -> EncodingWork {
        let s = try symbolSize(forBlobLength: blobLength)
        var w = EncodingWork()
        w.rsCodewords = symbolsPerSliver(axis)
        w.rsBytes = sliversForDecoding(axis) * symbolsPerSliver(axis) * s + rows * columns * s
        switch check {
        case .skip: return w
        case .default:
            var v = EncodingWork()
            for _ in 0..<rows { v = v + (try sliverVerificationWork(.primary, blobLength: blobLength)) }
            return w + v
        case .strict: return w + (try metadataWork(blobLength: blobLength))
        }
    }
}
