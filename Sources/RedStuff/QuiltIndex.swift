import WalrusCrypto

// Quilts (Walrus `QuiltVersionV1`): many small blobs batched into one Walrus blob, each readable
// alone. Ported from the behaviour of walrus-core `encoding/quilt_encoding.rs`, `metadata.rs`
// (`QuiltIndexV1`, `QuiltPatchV1`, `QuiltPatchInternalIdV1`) and `lib.rs` (`QuiltPatchId`) at the
// commit named in `RedStuff.specVersion`. The shared spec (`walrus-encoding.md` §11) leaves the
// quilt format out; everything here was read from the Walrus sources, and where Walrus's prose
// docs disagree with its code, the code wins (noted at each place).

/// Every quilt failure, one case per Walrus `QuiltError` variant that this port can produce,
/// plus `encoding` for a failure of the underlying RedStuff encoding. `description` follows the
/// wording of Walrus's error messages. Nothing in the quilt code traps on bad input.
public enum QuiltError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Identifiers asked for that no patch of the quilt has (`BlobsNotFoundInQuilt`).
    case blobsNotFoundInQuilt([String])
    /// A version byte other than the one expected (`QuiltVersionMismatch(found, expected)`).
    case quiltVersionMismatch(found: UInt8, expected: UInt8)
    /// A quilt blob whose length is not a multiple of `R * C` (`InvalidFormatNotAligned`).
    case invalidFormatNotAligned(String)
    /// The 4-byte index size could not be read (`FailedToExtractQuiltIndexSize`).
    case failedToExtractQuiltIndexSize
    /// The quilt index is not valid BCS of `QuiltIndexV1` (`QuiltIndexSerDerError`).
    case quiltIndexSerDer(String)
    /// Secondary slivers (column indices) needed but not supplied (`MissingSlivers`).
    case missingSlivers([Int])
    /// No quilt index has been decoded yet (`MissingQuiltIndex`).
    case missingQuiltIndex
    /// More blobs than columns available to patches (`TooManyBlobs(blobs, max)`).
    case tooManyBlobs(Int, Int)
    /// The quilt, or one blob in it, is too large (`QuiltOversize`).
    case quiltOversize(String)
    /// A read past the end of the quilt data (`IndexOutOfBounds(index, length)`).
    case indexOutOfBounds(Int, Int)
    /// A read that the supplied slivers cannot fill (`InsufficientQuiltData`).
    case insufficientQuiltData(requested: Int, available: Int)
    /// An input that must not be empty (`EmptyInput`).
    case emptyInput(String)
    /// An identifier that breaks the identifier rules (`InvalidIdentifier`).
    case invalidIdentifier(String)
    /// Two blobs with the same identifier (`DuplicateIdentifier`).
    case duplicateIdentifier(String)
    /// A header extension (the tags) that is not valid BCS (`FailedToDecodeExtension`).
    case failedToDecodeExtension(String, String)
    /// A textual QuiltPatchId that does not parse (`QuiltPatchIdParseError`, as the walrus CLI
    /// reports a bad `--quilt-patch-ids` value).
    case quiltPatchIdParseError(String)
    /// Malformed quilt contents (`InvalidQuiltData`).
    case invalidQuiltData(String)
    /// Anything else Walrus reports as `QuiltError::Other`.
    case other(String)
    /// Slivers of different lengths given to one decoder (`ColumnSizeMismatch`).
    case columnSizeMismatch(expected: Int, actual: Int)
    /// The RedStuff encoding or a sliver verification failed.
    case encoding(RedStuffError)

    /// Walrus's message for the error.
    public var description: String {
        switch self {
        case .blobsNotFoundInQuilt(let ids): return "the blobs are not found in the quilt: \(ids.joined(separator: ", "))"
        case .quiltVersionMismatch(let f, let e): return "the quilt version does not match the expected version: \(f), expected: \(e)"
        case .invalidFormatNotAligned(let m): return "the blob is not aligned with the quilt: \(m)"
        case .failedToExtractQuiltIndexSize: return "failed to extract the quilt index size"
        case .quiltIndexSerDer(let m): return "failed to decode the quilt index: \(m)"
        case .missingSlivers(let s): return "missing slivers: \(s)"
        case .missingQuiltIndex: return "quilt index is missing"
        case .tooManyBlobs(let n, let m): return "too many blobs to fit in the quilt: \(n) > max number of blobs: \(m)"
        case .quiltOversize(let m): return "the quilt is too large: \(m)"
        case .indexOutOfBounds(let i, let m): return "index is out of bounds: \(i) > max index: \(m)"
        case .insufficientQuiltData(let r, let a): return "insufficient quilt data: requested \(r) bytes, got \(a)"
        case .emptyInput(let what): return "\(what) is empty"
        case .invalidIdentifier(let m): return "invalid identifier: \(m)"
        case .duplicateIdentifier(let id): return "duplicate identifier found: \(id)"
        case .failedToDecodeExtension(let what, let why): return "failed to decode extension \(what): \(why)"
        case .quiltPatchIdParseError(let text): return "QuiltPatchId: \(text) is invalid"
        case .invalidQuiltData(let m): return "invalid quilt data: \(m)"
        case .other(let m): return "other error: \(m)"
        case .columnSizeMismatch(let e, let a): return "column size mismatch: expected \(e), got \(a)"
        case .encoding(let e): return "\(e)"
        }
    }
}

/// Constants of the QuiltV1 layout (walrus-core `quilt_encoding.rs`).
public enum QuiltV1Layout {
    /// The quilt version byte; first byte of the quilt, of every blob header and of every
    /// internal patch ID.
    public static let versionByte: UInt8 = 0x01
    /// Bytes before the BCS quilt index in column 0: the version byte, then the index size as a
    /// little-endian u32 (in that order: Walrus's code writes the version first).
    public static let indexPrefixSize = 5
    /// The quilt index occupies at most this many columns (secondary slivers).
    public static let maxIndexColumns = 10
    /// Size of a blob header: version (1), length (u32 LE, 4), mask (1). (Walrus's comment on
    /// `BlobHeaderV1::from_bytes` calls the mask "the next 1 bit"; its code reads a whole byte.)
    public static let blobHeaderSize = 6
    /// Longest identifier in UTF-8 bytes (`u16::MAX`); the BCS identifier must also be shorter
    /// than this, so the usable maximum is 65532 bytes. (Walrus's docs say "not exceed 64 KiB";
    /// the code's limits are these.) Likewise the docs' "all tags combined must not exceed
    /// 64 KB" is, in the code, a BCS-serialized tags map of at most 65535 bytes per blob.
    public static let maxIdentifierBytes = 65535
    /// Mask bit of a blob header that says a tags section follows the identifier.
    public static let tagsFlag: UInt8 = 1
}

/// Checks an identifier as Walrus's `validate_quilt_identifier` does, in the same order: at
/// most 65535 UTF-8 bytes, not empty, no trailing whitespace (Unicode `White_Space`, as Rust's
/// `trim_end`), no control characters (general category Cc, as Rust's `char::is_control`).
///
/// Identifiers starting with `_`, `-` or `.` are **valid**: Walrus's code and its own doc tests
/// accept `_test`. (Walrus's prose docs say an identifier "must start with an alphanumeric
/// character", and its HTTP API docs say it "cannot start with `_`" because the multipart field
/// `_metadata` is reserved; neither rule is in the code that builds quilts, and the sources win.)
public func validateQuiltIdentifier(_ identifier: String) throws(QuiltError) {
    let bytes = identifier.utf8.count
    if bytes > QuiltV1Layout.maxIdentifierBytes { throw .invalidIdentifier("identifier too long: \(bytes)") }
    if bytes == 0 { throw .invalidIdentifier("identifier is empty") }
    if let last = identifier.unicodeScalars.last, last.properties.isWhitespace {
        throw .invalidIdentifier("identifier contains trailing whitespace: \(identifier)")
    }
    if identifier.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
        throw .invalidIdentifier("identifier contains control characters: \(identifier)")
    }
}

/// Byte-wise (UTF-8) ordering and equality, as Rust's `String` compares; Swift's `String`
/// comparison uses Unicode canonical equivalence, which would sort or merge differently.
@inlinable
func utf8Less(_ a: String, _ b: String) -> Bool { a.utf8.lexicographicallyPrecedes(b.utf8) }
@inlinable
func utf8Equal(_ a: String, _ b: String) -> Bool { a.utf8.elementsEqual(b.utf8) }

/// The tags of a quilt blob: a map from tag name to value (Rust `BTreeMap<String, String>`).
///
/// Invariants: keys are distinct as byte strings and `entries` is sorted by key bytes (the
/// BTreeMap order). Building from pairs keeps the last value of a repeated key, as a JSON map
/// deserialized into a BTreeMap does. The BCS form is a map, which BCS writes sorted by the
/// *serialized* key (ULEB128 length, then bytes), so shorter keys come first there.
public struct QuiltTags: Hashable, Sendable, Sequence, ExpressibleByDictionaryLiteral {
    /// (key, value) pairs sorted by key bytes, keys distinct.
    public private(set) var entries: [(key: String, value: String)]

    /// Builds the map; a key given twice keeps its last value.
    public init(_ pairs: [(String, String)]) {
        var out: [(key: String, value: String)] = []
        for (k, v) in pairs {
            if let i = out.firstIndex(where: { utf8Equal($0.key, k) }) { out[i].value = v } else { out.append((k, v)) }
        }
        out.sort { utf8Less($0.key, $1.key) }
        entries = out
    }

    /// A literal map; a repeated key keeps its last value.
    public init(dictionaryLiteral elements: (String, String)...) { self.init(elements) }

    /// No tags.
    public static let empty = QuiltTags([])

    /// True when there are no tags.
    public var isEmpty: Bool { entries.isEmpty }
    /// Number of distinct keys.
    public var count: Int { entries.count }

    /// The value of `key` (byte-wise key match), or nil.
    public subscript(key: String) -> String? {
        entries.first(where: { utf8Equal($0.key, key) })?.value
    }

    /// Iterates the (key, value) pairs in key-byte order.
    public func makeIterator() -> IndexingIterator<[(key: String, value: String)]> { entries.makeIterator() }

    /// Equal when the same keys map to the same values (byte-wise).
    public static func == (a: QuiltTags, b: QuiltTags) -> Bool {
        a.entries.count == b.entries.count
            && zip(a.entries, b.entries).allSatisfy { utf8Equal($0.key, $1.key) && utf8Equal($0.value, $1.value) }
    }

    /// Hashes the entries as byte strings.
    public func hash(into h: inout Hasher) {
        for (k, v) in entries {
            h.combine(Array(k.utf8))
            h.combine(Array(v.utf8))
        }
    }

    /// BCS of the map: ULEB128 count, then entries sorted by serialized key bytes.
    public func encode(to w: inout BCSWriter) {
        let serialized = entries.map { (key: bcsString($0.key), value: bcsString($0.value)) }
            .sorted { $0.key.lexicographicallyPrecedes($1.key) }
        w.writeLength(serialized.count)
        for e in serialized {
            w.writeFixedBytes(e.key)
            w.writeFixedBytes(e.value)
        }
    }

    /// Size of the BCS encoding.
    public var bcsSize: Int {
        entries.reduce(uleb128Size(entries.count)) { $0 + bcsStringSize($1.key) + bcsStringSize($1.value) }
    }

    /// Decodes a BCS map, requiring strictly increasing serialized keys (BCS canonical form; the
    /// `bcs` crate rejects anything else as `NonCanonicalMap`) and valid UTF-8.
    public static func decode(from r: inout BCSReader) throws(BCSError) -> QuiltTags {
        let n = try r.readLength(minElementBytes: 2)
        var pairs: [(String, String)] = []
        pairs.reserveCapacity(n)
        var previousKey: [UInt8]? = nil
        for _ in 0..<n {
            let keyStart = r.offset
            let key = try readBCSString(&r)
            let keyBytes = Array(r.bytes[keyStart..<r.offset])
            if let p = previousKey, !p.lexicographicallyPrecedes(keyBytes) {
                throw .invalidValue("non-canonical map: keys not strictly increasing")
            }
            previousKey = keyBytes
            pairs.append((key, try readBCSString(&r)))
        }
        return QuiltTags(pairs)
    }
}

// MARK: BCS helpers for strings

func uleb128Size(_ v: Int) -> Int {
    var n = 1
    var x = UInt64(max(0, v)) >> 7
    while x != 0 { n += 1; x >>= 7 }
    return n
}

func bcsString(_ s: String) -> [UInt8] {
    var w = BCSWriter()
    w.writeBytes(Array(s.utf8))
    return w.bytes
}

func bcsStringSize(_ s: String) -> Int { uleb128Size(s.utf8.count) + s.utf8.count }

func readBCSString(_ r: inout BCSReader) throws(BCSError) -> String {
    let at = r.offset
    let bytes = try r.readBytes()
    guard let s = String(validating: bytes, as: UTF8.self) else { throw .invalidValue("string at offset \(at) is not valid UTF-8") }
    return s
}

// MARK: Patches and the index

/// The position of a patch in its quilt (Walrus `QuiltPatchInternalIdV1`): the half-open range
/// of columns `startIndex..<endIndex`, which are also the indices of the secondary slivers that
/// hold the patch.
///
/// Bytes (5): the version byte `0x01`, `startIndex` as u16 LE, `endIndex` as u16 LE.
public struct QuiltPatchInternalID: Hashable, Sendable {
    /// First column (secondary sliver index) of the patch.
    public let startIndex: UInt16
    /// One past the last column of the patch.
    public let endIndex: UInt16

    /// The internal ID of columns `startIndex..<endIndex`.
    public init(startIndex: UInt16, endIndex: UInt16) {
        self.startIndex = startIndex
        self.endIndex = endIndex
    }

    /// The 5 serialized bytes.
    public var bytes: [UInt8] {
        [QuiltV1Layout.versionByte, UInt8(startIndex & 0xff), UInt8(startIndex >> 8), UInt8(endIndex & 0xff), UInt8(endIndex >> 8)]
    }

    /// Parses the 5 bytes. Throws `.other` for another length and `.quiltVersionMismatch` for a
    /// first byte other than 0x01, as Walrus's `from_bytes` does.
    public init(bytes: [UInt8]) throws(QuiltError) {
        guard bytes.count == 5 else { throw .other("QuiltPatchInternalIdV1 requires 5 bytes") }
        guard bytes[0] == QuiltV1Layout.versionByte else {
            throw .quiltVersionMismatch(found: bytes[0], expected: QuiltV1Layout.versionByte)
        }
        startIndex = UInt16(bytes[1]) | UInt16(bytes[2]) << 8
        endIndex = UInt16(bytes[3]) | UInt16(bytes[4]) << 8
    }

    /// Indices of the secondary slivers (columns) that hold the patch; empty if `end <= start`.
    public var sliverIndices: [Int] {
        endIndex > startIndex ? Array(Int(startIndex)..<Int(endIndex)) : []
    }
}

/// One blob's entry in the quilt index (Walrus `QuiltPatchV1`).
///
/// BCS: `end_index` (u16 LE), `identifier` (string), `tags` (map). `startIndex` is not
/// serialized; after decoding it is restored from the previous patch's end (the first patch
/// starts right after the index columns), see `QuiltIndex.populateStartIndices`.
public struct QuiltPatch: Hashable, Sendable {
    /// First column of the patch; not on the wire (see `QuiltIndex.populateStartIndices`).
    public var startIndex: UInt16
    /// One past the patch's last column; serialized as `end_index`.
    public var endIndex: UInt16
    /// The blob's identifier.
    public let identifier: String
    /// The blob's tags.
    public let tags: QuiltTags

    /// A patch with a validated identifier and range 0..<0.
    public init(identifier: String, tags: QuiltTags = .empty) throws(QuiltError) {
        try validateQuiltIdentifier(identifier)
        self.identifier = identifier
        self.tags = tags
        startIndex = 0
        endIndex = 0
    }

    init(unchecked identifier: String, tags: QuiltTags, endIndex: UInt16) {
        self.identifier = identifier
        self.tags = tags
        startIndex = 0
        self.endIndex = endIndex
    }

    /// The patch's internal ID (its column range).
    public var internalID: QuiltPatchInternalID { QuiltPatchInternalID(startIndex: startIndex, endIndex: endIndex) }

    /// True if the patch has tag `key` with exactly `value` (byte-wise).
    public func hasTag(_ key: String, value: String) -> Bool {
        tags[key].map { utf8Equal($0, value) } ?? false
    }

    /// BCS: `end_index` u16 LE, identifier string, tags map.
    public func encode(to w: inout BCSWriter) {
        w.writeU16(endIndex)
        w.writeBytes(Array(identifier.utf8))
        tags.encode(to: &w)
    }

    /// Size of `encode`'s output.
    public var bcsSize: Int { 2 + bcsStringSize(identifier) + tags.bcsSize }

    /// Decodes one BCS `QuiltPatchV1` (start index 0; the identifier is not re-validated here).
    public static func decode(from r: inout BCSReader) throws(BCSError) -> QuiltPatch {
        let end = try r.readU16()
        let id = try readBCSString(&r)
        let tags = try QuiltTags.decode(from: &r)
        return QuiltPatch(unchecked: id, tags: tags, endIndex: end)
    }
}

/// The quilt index (Walrus `QuiltIndexV1`): one patch per blob, sorted by identifier bytes,
/// with consecutive column ranges (each patch starts where the previous ended).
///
/// BCS: `Vec<QuiltPatchV1>`. In the quilt it sits at the start of column 0 after the 5-byte
/// prefix (version byte, u32 LE size) and may run over at most 10 columns.
public struct QuiltIndex: Hashable, Sendable, BCSEncodable {
    /// The patches, in identifier order, with consecutive column ranges.
    public var patches: [QuiltPatch]

    /// An index over `patches` (taken as given).
    public init(patches: [QuiltPatch]) { self.patches = patches }

    /// BCS: ULEB128 count, then each patch.
    public func encode(to w: inout BCSWriter) {
        w.writeLength(patches.count)
        for p in patches { p.encode(to: &w) }
    }

    /// Size of the BCS encoding, computed without encoding.
    public var bcsSize: Int { patches.reduce(uleb128Size(patches.count)) { $0 + $1.bcsSize } }

    /// Decodes the BCS index; rejects trailing bytes. Start indices are left at 0; call
    /// `populateStartIndices(firstStart:)`.
    public init(bcsBytes: [UInt8]) throws(BCSError) {
        var r = BCSReader(bcsBytes)
        let n = try r.readLength(minElementBytes: 4)
        var ps: [QuiltPatch] = []
        ps.reserveCapacity(n)
        for _ in 0..<n { ps.append(try QuiltPatch.decode(from: &r)) }
        try r.finish()
        patches = ps
    }

    /// Sets each patch's start to the previous patch's end, the first one's to `firstStart`
    /// (the number of columns the index itself takes).
    public mutating func populateStartIndices(firstStart: UInt16) {
        var previous = firstStart
        for i in patches.indices {
            patches[i].startIndex = previous
            previous = patches[i].endIndex
        }
    }

    /// The patches with the given identifiers (the first match of each, in index order);
    /// throws `.blobsNotFoundInQuilt` naming those that no patch has.
    public func patches(identifiers: [String]) throws(QuiltError) -> [QuiltPatch] {
        var wanted = identifiers.map { Array($0.utf8) }
        var found: [QuiltPatch] = []
        for p in patches {
            let id = Array(p.identifier.utf8)
            if wanted.contains(id) {
                wanted.removeAll { $0 == id }
                found.append(p)
            }
        }
        if !wanted.isEmpty {
            var missing: [String] = []
            for w in wanted where !missing.contains(where: { Array($0.utf8) == w }) { missing.append(String(decoding: w, as: UTF8.self)) }
            throw .blobsNotFoundInQuilt(missing)
        }
        return found
    }

    /// The patches tagged `key = value`, in index order.
    public func patches(tag key: String, value: String) -> [QuiltPatch] {
        patches.filter { $0.hasTag(key, value: value) }
    }

    /// Secondary sliver indices holding the patches with these identifiers.
    public func sliverIndices(identifiers: [String]) throws(QuiltError) -> [Int] {
        try patches(identifiers: identifiers).flatMap { $0.internalID.sliverIndices }
    }
}
