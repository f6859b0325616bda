import WalrusCrypto

/// One blob to store in a quilt, or one read back (Walrus `QuiltStoreBlob`): its bytes, its
/// identifier (unique within the quilt) and its tags.
///
/// Invariant: `identifier` passes `validateQuiltIdentifier` (checked by `init`).
public struct QuiltBlob: Hashable, Sendable {
    /// The blob's bytes (any length, including 0; at most about 4 GiB with its header).
    public let data: [UInt8]
    /// The identifier, unique within a quilt; valid by construction.
    public let identifier: String
    /// The blob's tags (empty if none); stored in the quilt and in its index.
    public let tags: QuiltTags

    /// Throws `.invalidIdentifier` when the identifier breaks Walrus's rules.
    public init(data: [UInt8], identifier: String, tags: QuiltTags = .empty) throws(QuiltError) {
        try validateQuiltIdentifier(identifier)
        self.data = data
        self.identifier = identifier
        self.tags = tags
    }

    /// Equal when bytes, identifier (byte-wise) and tags are equal.
    public static func == (a: QuiltBlob, b: QuiltBlob) -> Bool {
        a.data == b.data && utf8Equal(a.identifier, b.identifier) && a.tags == b.tags
    }

    /// Hashes the same fields `==` compares.
    public func hash(into h: inout Hasher) {
        h.combine(data)
        h.combine(Array(identifier.utf8))
        h.combine(tags)
    }

    /// The bytes written before the data: the 6-byte header (version, u32 LE length of
    /// everything after the header, mask), the u16 LE size and BCS bytes of the identifier, and,
    /// when there are tags, the u16 LE size and BCS bytes of the tags map (mask bit 1 set).
    ///
    /// Throws `.invalidIdentifier` if the BCS identifier does not fit a u16, `.other` if the
    /// tags do not (Walrus: "Failed to convert tags size to u16"), and `.quiltOversize` if the
    /// total does not fit the u32 length.
    public func headerAndExtensionBytes() throws(QuiltError) -> [UInt8] {
        let id = bcsString(identifier)
        guard id.count <= Int(UInt16.max) else {
            throw .invalidIdentifier("Failed to convert identifier size to u16: out of range integral type conversion attempted")
        }
        var ext: [UInt8] = [UInt8(id.count & 0xff), UInt8(id.count >> 8)] + id
        var mask: UInt8 = 0
        if !tags.isEmpty {
            mask |= QuiltV1Layout.tagsFlag
            var w = BCSWriter()
            tags.encode(to: &w)
            guard w.bytes.count <= Int(UInt16.max) else {
                throw .other("Failed to convert tags size to u16: out of range integral type conversion attempted")
            }
            ext += [UInt8(w.bytes.count & 0xff), UInt8(w.bytes.count >> 8)] + w.bytes
        }
        let total = ext.count + data.count
        guard total <= Int(UInt32.max) else { throw .quiltOversize(Self.oversizeMessage(total)) }
        var out: [UInt8] = [QuiltV1Layout.versionByte]
        out.reserveCapacity(QuiltV1Layout.blobHeaderSize + ext.count)
        for k in 0..<4 { out.append(UInt8(truncatingIfNeeded: UInt32(total) >> (8 * UInt32(k)))) }
        out.append(mask)
        return out + ext
    }

    /// Bytes the blob takes in the quilt, header included (Walrus `serialized_blob_size`).
    /// Throws `.invalidIdentifier` when the BCS identifier is 65535 bytes or more, and
    /// `.quiltOversize` when the blob exceeds the u32 length of the header.
    public func serializedSize() throws(QuiltError) -> Int {
        let idSize = bcsStringSize(identifier)
        guard idSize < QuiltV1Layout.maxIdentifierBytes else {
            throw .invalidIdentifier("identifier size exceeds maximum allowed value: \(QuiltV1Layout.maxIdentifierBytes)")
        }
        var prefix = idSize + 2
        if !tags.isEmpty { prefix += tags.bcsSize + 2 }
        let content = prefix + data.count
        guard content <= Int(UInt32.max) else { throw .quiltOversize(Self.oversizeMessage(content)) }
        return content + QuiltV1Layout.blobHeaderSize
    }

    static func oversizeMessage(_ size: Int) -> String {
        "blob size (\(size) bytes) exceeds the maximum size for a single blob in a quilt (\(UInt32.max) bytes); "
            + "the per-blob limit is constrained by the 4-byte header format"
    }
}

// MARK: Reading bytes out of columns

/// A source of quilt bytes in column-major order (Walrus `QuiltColumnRangeReader`): column `j`
/// is secondary sliver `j`, i.e. symbol rows 0..<R of matrix column `j`, top to bottom.
public protocol QuiltColumnReader {
    /// Exactly `count` bytes, starting `skip` bytes into column `startColumn` and running on
    /// into the following columns; throws if the source cannot supply them.
    func readColumns(start startColumn: Int, skip: Int, count: Int) throws(QuiltError) -> [UInt8]
    /// Bytes the source holds; an upper bound for lengths read from untrusted headers.
    var totalDataSize: Int { get }
}

enum QuiltV1Codec {
    /// Decodes the index at the start of column 0 (Walrus `decode_quilt_index`): the version
    /// byte, the u32 LE index size (at most `columnSize * 10 - 5`), then BCS `QuiltIndexV1`;
    /// start indices are filled in from the number of columns the index takes.
    static func decodeIndex(_ source: some QuiltColumnReader, columnSize: Int) throws(QuiltError) -> QuiltIndex {
        let version = try source.readColumns(start: 0, skip: 0, count: 1)
        guard let v = version.first else { throw .emptyInput("data") }
        guard v == QuiltV1Layout.versionByte else { throw .quiltVersionMismatch(found: v, expected: QuiltV1Layout.versionByte) }
        let sizeBytes = try source.readColumns(start: 0, skip: 1, count: 4)
        guard sizeBytes.count == 4 else { throw .failedToExtractQuiltIndexSize }
        let indexSize = sizeBytes.enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        let (product, overflow) = columnSize.multipliedReportingOverflow(by: QuiltV1Layout.maxIndexColumns)
        let maxIndexSize = max(0, (overflow ? Int.max : product) - QuiltV1Layout.indexPrefixSize)
        guard indexSize <= maxIndexSize else {
            throw .invalidQuiltData("quilt index size (\(indexSize)) exceeds maximum (\(maxIndexSize), i.e. \(columnSize) * \(QuiltV1Layout.maxIndexColumns) - \(QuiltV1Layout.indexPrefixSize))")
        }
        let indexBytes = try source.readColumns(start: 0, skip: QuiltV1Layout.indexPrefixSize, count: indexSize)
        var index: QuiltIndex
        do {
            index = try QuiltIndex(bcsBytes: indexBytes)
        } catch {
            throw .quiltIndexSerDer("\(error)")
        }
        let columns = (indexSize + QuiltV1Layout.indexPrefixSize + columnSize - 1) / columnSize
        guard columns <= Int(UInt16.max) else { throw .invalidQuiltData("quilt index spans too many columns: \(columns)") }
        index.populateStartIndices(firstStart: UInt16(columns))
        return index
    }

    /// Decodes the blob whose header starts column `startColumn` (Walrus `decode_blob`),
    /// validating every length read from the (untrusted) header.
    static func decodeBlob(_ source: some QuiltColumnReader, startColumn: Int) throws(QuiltError) -> QuiltBlob {
        let header = try source.readColumns(start: startColumn, skip: 0, count: QuiltV1Layout.blobHeaderSize)
        guard header.count == QuiltV1Layout.blobHeaderSize else { throw .invalidQuiltData("blob header has wrong length") }
        guard header[0] == QuiltV1Layout.versionByte else {
            throw .invalidQuiltData("invalid blob header version byte: \(header[0]), expected: \(QuiltV1Layout.versionByte)")
        }
        let length = Int(header[1]) | Int(header[2]) << 8 | Int(header[3]) << 16 | Int(header[4]) << 24
        let mask = header[5]
        var offset = QuiltV1Layout.blobHeaderSize
        let total = source.totalDataSize
        guard length <= total else {
            throw .invalidQuiltData("blob claims \(length) bytes but data source only has \(total)")
        }
        var remaining = length

        // Identifier: u16 LE size, then BCS string.
        let idSizeBytes = try source.readColumns(start: startColumn, skip: offset, count: 2)
        let idSize = Int(idSizeBytes[0]) | Int(idSizeBytes[1]) << 8
        let idBytes = try source.readColumns(start: startColumn, skip: offset + 2, count: idSize)
        var r = BCSReader(idBytes)
        guard let identifier = try? readBCSString(&r), r.remaining == 0 else {
            throw .invalidIdentifier("Failed to deserialize identifier")
        }
        offset += 2 + idSize
        guard remaining >= 2 + idSize else {
            throw .invalidQuiltData("blob header length \(length) is smaller than identifier overhead \(2 + idSize)")
        }
        remaining -= 2 + idSize

        var tags = QuiltTags.empty
        if mask & QuiltV1Layout.tagsFlag != 0 {
            let tagsSizeBytes = try source.readColumns(start: startColumn, skip: offset, count: 2)
            let tagsSize = Int(tagsSizeBytes[0]) | Int(tagsSizeBytes[1]) << 8
            let tagBytes = try source.readColumns(start: startColumn, skip: offset + 2, count: tagsSize)
            do {
                var tr = BCSReader(tagBytes)
                tags = try QuiltTags.decode(from: &tr)
                try tr.finish()
            } catch {
                throw .failedToDecodeExtension("tags", "\(error)")
            }
            offset += 2 + tagsSize
            guard remaining >= 2 + tagsSize else {
                throw .invalidQuiltData("blob header length \(length) is smaller than identifier + tags overhead")
            }
            remaining -= 2 + tagsSize
        }
        let data = try source.readColumns(start: startColumn, skip: offset, count: remaining)
        return try QuiltBlob(data: data, identifier: identifier, tags: tags)
    }

    /// Writes `bytes` into the row-major matrix `data` as a column-major stream starting
    /// `skip` bytes into column `startColumn` (Walrus `write_bytes_to_columns`).
    static func writeColumns(_ data: inout [UInt8], _ bytes: [UInt8], startColumn: Int, skip: Int,
                             rowSize: Int, columnSize: Int, symbolSize: Int) {
        let nRows = columnSize / symbolSize
        var column = startColumn + skip / columnSize
        var row = (skip / symbolSize) % nRows
        var offset = skip % symbolSize
        var i = 0
        data.withUnsafeMutableBytes { dst in
            bytes.withUnsafeBytes { src in
                while i < bytes.count {
                    let start = row * rowSize + column * symbolSize + offset
                    let n = min(symbolSize - offset, bytes.count - i)
                    // Callers size the matrix so that every write lands inside it.
                    precondition(start >= 0 && start + n <= dst.count, "quilt column write outside the matrix")
                    (dst.baseAddress! + start).copyMemory(from: src.baseAddress! + i, byteCount: n)
                    i += n
                    row += 1
                    if row == nRows { row = 0; column += 1 }
                    offset = 0
                }
            }
        }
    }

    /// The smallest even symbol size with which every blob (the index first, at most
    /// `maxIndexColumns` columns) gets whole columns of its own in an `nRows x nColumns`
    /// matrix (Walrus `utils::compute_symbol_size`, a binary search; `blobSizes[0]` is the
    /// index with its prefix).
    ///
    /// Throws `.tooManyBlobs(count-1, nColumns-1)` when there are more sizes than columns,
    /// `.emptyInput("blobs")` for no sizes, `.quiltOversize` above 65534.
    static func computeSymbolSize(blobSizes: [Int], nColumns: Int, nRows: Int, maxIndexColumns: Int) throws(QuiltError) -> Int {
        if blobSizes.count > nColumns { throw .tooManyBlobs(blobSizes.count - 1, nColumns - 1) }
        guard let first = blobSizes.first, let largest = blobSizes.max() else { throw .emptyInput("blobs") }
        func ceilDiv(_ a: Int, _ b: Int) -> Int { (a + b - 1) / b }
        var lo = max(ceilDiv(blobSizes.reduce(0, +), nColumns * nRows), ceilDiv(first, nRows * maxIndexColumns))
        lo = max(lo, ceilDiv(QuiltV1Layout.indexPrefixSize, nRows))
        var hi = ceilDiv(largest, nColumns / blobSizes.count * nRows)
        func fits(_ columnSize: Int) -> Bool {
            var used = 0
            for b in blobSizes { used += ceilDiv(b, columnSize); if used > nColumns { return false } }
            return true
        }
        while lo < hi {
            let mid = (lo + hi) / 2
            if fits(mid * nRows) { hi = mid } else { lo = mid + 1 }
        }
        let symbolSize = (lo + 1) / 2 * 2  // required alignment of RS2 is 2
        guard symbolSize <= EncodingConfig.maxSymbolSize else {
            throw .quiltOversize("the resulting symbol size \(symbolSize) is larger than the maximum symbol size \(EncodingConfig.maxSymbolSize); remove some blobs")
        }
        return symbolSize
    }
}

/// Where everything goes in a quilt, without its bytes: the symbol size, the quilt blob's
/// length, and the columns of the index and of each patch (Walrus `construct_quilt`'s
/// arithmetic). `Quilt.init(blobs:config:)` lays quilts out with it, so the two always agree;
/// the simulator uses it alone to size quilts of modeled records.
///
/// Invariants: `blobLength == R * C * symbolSize`; the index takes columns `0..<indexColumns`;
/// `patchColumns` are consecutive, non-empty, and end at most at C.
public struct QuiltLayout: Sendable, Equatable {
    /// Bytes per symbol (even, 2...65534).
    public let symbolSize: Int
    /// The quilt blob's unencoded length, `R * C * symbolSize`.
    public let blobLength: Int
    /// Bytes of the index with its 5-byte prefix.
    public let indexBytes: Int
    /// Columns the index takes, from column 0.
    public let indexColumns: Int
    /// Each patch's columns (secondary sliver indices), in the quilt's order: by identifier bytes.
    public let patchColumns: [Range<Int>]
    /// The patches' identifiers in the quilt's order.
    public let identifiers: [String]

    /// The layout of a quilt of untagged patches with these identifiers and data lengths, in
    /// any order. Throws what `Quilt.init(blobs:config:)` would for the same patches.
    public init(patches: [(identifier: String, dataLength: Int)], config: EncodingConfig) throws(QuiltError) {
        let sorted = patches.sorted { utf8Less($0.identifier, $1.identifier) }
        for i in sorted.indices.dropFirst() where utf8Equal(sorted[i - 1].identifier, sorted[i].identifier) {
            throw .duplicateIdentifier(sorted[i].identifier)
        }
        let sizes = try sorted.map { (p) throws(QuiltError) -> Int in
            try QuiltBlob(data: [], identifier: p.identifier).serializedSize() + p.dataLength
        }
        let index = QuiltIndex(patches: sorted.map { QuiltPatch(unchecked: $0.identifier, tags: .empty, endIndex: 0) })
        try self.init(index: index, blobSizes: sizes, config: config)
    }

    /// The layout for `index` (patches sorted by identifier) and the patches' serialized sizes
    /// (`QuiltBlob.serializedSize`), in the same order.
    init(index: QuiltIndex, blobSizes: [Int], config: EncodingConfig) throws(QuiltError) {
        let R = config.rows, C = config.columns
        let indexSize = index.bcsSize
        guard indexSize <= Int(UInt32.max) else { throw .quiltOversize("quilt index of \(indexSize) bytes") }
        let indexTotal = QuiltV1Layout.indexPrefixSize + indexSize
        let s = try QuiltV1Codec.computeSymbolSize(blobSizes: [indexTotal] + blobSizes, nColumns: C, nRows: R,
                                                   maxIndexColumns: QuiltV1Layout.maxIndexColumns)
        let columnSize = s * R
        let indexColumns = (indexTotal + columnSize - 1) / columnSize
        var column = indexColumns
        var ranges: [Range<Int>] = []
        ranges.reserveCapacity(blobSizes.count)
        for size in blobSizes {
            let used = (size + columnSize - 1) / columnSize
            ranges.append(column..<column + used)
            column += used
        }
        symbolSize = s
        blobLength = R * C * s
        indexBytes = indexTotal
        self.indexColumns = indexColumns
        patchColumns = ranges
        identifiers = index.patches.map(\.identifier)
    }
}

// MARK: The quilt

/// A quilt (Walrus `QuiltV1`): the unencoded quilt blob, an `R x C` matrix of `symbolSize`-byte
/// symbols stored row-major, and its index.
///
/// Layout, by columns (column `j` = secondary sliver `j` = rows 0..<R of matrix column `j`,
/// read top to bottom): the first columns hold the version byte 0x01, the BCS index size as
/// u32 LE and the BCS `QuiltIndexV1`; then each blob, in identifier order, takes whole columns
/// of its own, starting with its header (`QuiltBlob.headerAndExtensionBytes`) and followed by
/// its data; unused bytes are zero. The symbol size is the smallest even one that fits
/// everything (`computeSymbolSize`). The quilt's blob ID is the ordinary RS2 blob ID of
/// `data`, whose length is exactly `R * C * symbolSize`.
///
/// Invariants: `data.count == R * rowSize`, `rowSize == C * symbolSize`, the patches of
/// `index` are sorted by identifier bytes, have distinct identifiers, and cover consecutive
/// column ranges after the index columns.
public struct Quilt: Sendable, QuiltColumnReader {
    /// The quilt blob, row-major.
    public let data: [UInt8]
    /// Bytes per matrix row, `C * symbolSize`.
    public let rowSize: Int
    /// Bytes per symbol (even, 2...65534).
    public let symbolSize: Int
    /// The quilt index with start indices filled in.
    public let index: QuiltIndex

    /// Bytes per column (secondary sliver), `R * symbolSize`.
    public var columnSize: Int { data.count / rowSize * symbolSize }

    /// Builds a quilt from blobs for `config` (Walrus `construct_quilt`). The order of `blobs`
    /// does not matter: they are sorted by identifier bytes.
    ///
    /// Errors, in Walrus's order: `.duplicateIdentifier`; `.invalidIdentifier` (identifier too
    /// long for the header); `.quiltOversize` (one blob over 4 GiB); `.tooManyBlobs(k, C-1)` when
    /// the blobs plus the index need more than C columns; `.quiltOversize` when the symbol size
    /// would exceed 65534; `.other` when a blob's tags exceed 65535 BCS bytes. An empty list is
    /// allowed, as in Walrus's encoder (a quilt with an index and no patches).
    public init(blobs: [QuiltBlob], config: EncodingConfig) throws(QuiltError) {
        let R = config.rows, C = config.columns
        let sorted = blobs.sorted { utf8Less($0.identifier, $1.identifier) }
        for i in sorted.indices.dropFirst() where utf8Equal(sorted[i - 1].identifier, sorted[i].identifier) {
            throw .duplicateIdentifier(sorted[i].identifier)
        }
        var index = QuiltIndex(patches: sorted.map { QuiltPatch(unchecked: $0.identifier, tags: $0.tags, endIndex: 0) })
        let layout = try QuiltLayout(index: index, blobSizes: try sorted.map { (b) throws(QuiltError) in try b.serializedSize() }, config: config)
        let (s, rowSize, columnSize) = (layout.symbolSize, layout.symbolSize * C, layout.symbolSize * R)
        let indexTotal = layout.indexBytes
        var data = [UInt8](repeating: 0, count: rowSize * R)
        for (i, blob) in sorted.enumerated() {
            let column = layout.patchColumns[i].lowerBound
            let prefix = try blob.headerAndExtensionBytes()
            QuiltV1Codec.writeColumns(&data, prefix, startColumn: column, skip: 0, rowSize: rowSize, columnSize: columnSize, symbolSize: s)
            QuiltV1Codec.writeColumns(&data, blob.data, startColumn: column, skip: prefix.count, rowSize: rowSize, columnSize: columnSize, symbolSize: s)
            // computeSymbolSize guaranteed the fit, so every column index is below C < 65536.
            index.patches[i].startIndex = UInt16(layout.patchColumns[i].lowerBound)
            index.patches[i].endIndex = UInt16(layout.patchColumns[i].upperBound)
        }
        var w = BCSWriter(capacity: indexTotal)
        w.writeU8(QuiltV1Layout.versionByte)
        w.writeU32(UInt32(indexTotal - QuiltV1Layout.indexPrefixSize))
        index.encode(to: &w)
        QuiltV1Codec.writeColumns(&data, w.bytes, startColumn: 0, skip: 0, rowSize: rowSize, columnSize: columnSize, symbolSize: s)
        self.data = data
        self.rowSize = rowSize
        self.symbolSize = s
        self.index = index
    }

    /// Reads a quilt back from the decoded quilt blob (Walrus `new_from_quilt_blob`): the length
    /// must be a non-zero multiple of `R * C`; the index is decoded and checked.
    public init(quiltBlob: [UInt8], config: EncodingConfig) throws(QuiltError) {
        guard !quiltBlob.isEmpty else { throw .emptyInput("quilt_blob") }
        let symbols = config.rows * config.columns
        guard quiltBlob.count % symbols == 0 else {
            throw .invalidFormatNotAligned("quilt_blob length \(quiltBlob.count) is not a multiple of n_source_symbols \(symbols)")
        }
        let s = quiltBlob.count / symbols
        let undecoded = Quilt(data: quiltBlob, rowSize: s * config.columns, symbolSize: s, index: QuiltIndex(patches: []))
        let decoded = try QuiltV1Codec.decodeIndex(undecoded, columnSize: s * config.rows)
        self.init(data: quiltBlob, rowSize: s * config.columns, symbolSize: s, index: decoded)
    }

    init(data: [UInt8], rowSize: Int, symbolSize: Int, index: QuiltIndex) {
        self.data = data
        self.rowSize = rowSize
        self.symbolSize = symbolSize
        self.index = index
    }

    /// Bytes of the quilt blob (`R * C * symbolSize`).
    public var totalDataSize: Int { data.count }

    /// Column-major read over the row-major matrix (Walrus `QuiltV1::range_read_from_columns`).
    public func readColumns(start startColumn: Int, skip: Int, count: Int) throws(QuiltError) -> [UInt8] {
        guard symbolSize > 0, rowSize > 0, !data.isEmpty else { throw .other("empty quilt data") }
        let nRows = data.count / rowSize
        let skippedSymbols = skip / symbolSize
        var column = startColumn + skippedSymbols / nRows
        var row = skippedSymbols % nRows
        var inSymbol = skip - skippedSymbols * symbolSize
        var left = count
        var out: [UInt8] = []
        out.reserveCapacity(min(count, data.count))
        while left > 0 {
            let base = row * rowSize + column * symbolSize
            let start = base + inSymbol
            guard start < data.count else { throw .indexOutOfBounds(start, data.count) }
            let end = min(base + symbolSize, start + left, data.count)
            out.append(contentsOf: data[start..<end])
            left -= end - start
            row += 1
            if row == nRows { row = 0; column += 1 }
            inSymbol = 0
        }
        return out
    }

    /// The blobs with these identifiers, in index order; `.blobsNotFoundInQuilt` if any is absent.
    public func blobs(identifiers: [String]) throws(QuiltError) -> [QuiltBlob] {
        try index.patches(identifiers: identifiers).map { (p) throws(QuiltError) in try QuiltV1Codec.decodeBlob(self, startColumn: Int(p.startIndex)) }
    }

    /// The blob a patch internal ID points at (its header starts that ID's first column).
    public func blob(internalID: QuiltPatchInternalID) throws(QuiltError) -> QuiltBlob {
        try QuiltV1Codec.decodeBlob(self, startColumn: Int(internalID.startIndex))
    }

    /// The blobs tagged `key = value`, in index order.
    public func blobs(tag key: String, value: String) throws(QuiltError) -> [QuiltBlob] {
        try index.patches(tag: key, value: value).map { (p) throws(QuiltError) in try QuiltV1Codec.decodeBlob(self, startColumn: Int(p.startIndex)) }
    }

    /// Every blob, in index (identifier) order.
    public func allBlobs() throws(QuiltError) -> [QuiltBlob] {
        try index.patches.map { (p) throws(QuiltError) in try QuiltV1Codec.decodeBlob(self, startColumn: Int(p.startIndex)) }
    }
}

// MARK: Encoding to slivers

/// A quilt encoded for storage: the quilt, its RS2 encoding (sliver pairs and metadata; the
/// quilt ID is the blob ID), and each patch's `QuiltPatchID` in index order.
public struct EncodedQuilt: Sendable {
    /// The unencoded quilt.
    public let quilt: Quilt
    /// The RS2 encoding of `quilt.data`: every sliver pair and the verified metadata.
    public let encoded: EncodedBlob
    /// The quilt's blob ID (Walrus calls it the quilt ID).
    public var quiltID: BlobID { encoded.blobID }
    /// One ID per patch, in the order of `quilt.index.patches`.
    public var patchIDs: [QuiltPatchID] {
        quilt.index.patches.map { QuiltPatchID(quiltID: quiltID, internalID: $0.internalID) }
    }
}

/// Builds and encodes quilts (Walrus `QuiltEncoderV1::encode_with_metadata`).
public struct QuiltEncoder: Sendable {
    /// The RS2 parameters (shard count) the quilt is built for.
    public let config: EncodingConfig
    /// Threading of the underlying blob encoder; results never depend on it.
    public let options: EncodingOptions

    /// An encoder for `config`.
    public init(config: EncodingConfig, options: EncodingOptions = .init()) {
        self.config = config
        self.options = options
    }

    /// Builds the quilt and encodes it with the ordinary RS2 encoder; the symbol size the encoder
    /// derives from the quilt's length equals the quilt's own (asserted).
    public func encode(blobs: [QuiltBlob]) throws(QuiltError) -> EncodedQuilt {
        let quilt = try Quilt(blobs: blobs, config: config)
        let encoded: EncodedBlob
        do {
            encoded = try BlobEncoder(config: config, options: options).encode(blob: quilt.data)
        } catch {
            throw .quiltOversize("quilt is too large: \(quilt.data.count)")
        }
        precondition(encoded.pairs.first.map { $0.secondary.symbolSize == quilt.symbolSize } ?? true)
        return EncodedQuilt(quilt: quilt, encoded: encoded)
    }

    /// The quilt ID only (metadata, no slivers kept).
    public func quiltID(blobs: [QuiltBlob]) throws(QuiltError) -> (quilt: Quilt, metadata: BlobMetadataWithID) {
        let quilt = try Quilt(blobs: blobs, config: config)
        do {
            return (quilt, try BlobEncoder(config: config, options: options).computeMetadata(blob: quilt.data))
        } catch {
            throw .quiltOversize("quilt is too large: \(quilt.data.count)")
        }
    }
}

// MARK: Decoding patches from secondary slivers

/// Reads patches from secondary slivers alone (Walrus `QuiltDecoderV1`; QuiltV1's sliver axis
/// is secondary, since a column of the matrix is a secondary sliver).
///
/// Invariant: every sliver held is a secondary sliver and all have the same byte length (the
/// column size). Slivers are trusted: verify them against the metadata before adding
/// (`QuiltPatchReader` does).
public struct QuiltDecoder: Sendable, QuiltColumnReader {
    private var slivers: [Int: [UInt8]] = [:]
    /// Bytes per column, set by the first sliver added.
    public private(set) var columnSize: Int?
    /// The decoded (or given) quilt index.
    public private(set) var index: QuiltIndex?

    /// An empty decoder, optionally with a known index.
    public init(index: QuiltIndex? = nil) { self.index = index }

    /// Adds secondary slivers; throws `.columnSizeMismatch` for one whose length differs from the
    /// first, `.encoding(.wrongAxis)` for a primary sliver.
    public mutating func add(_ new: [Sliver]) throws(QuiltError) {
        for s in new {
            guard s.axis == .secondary else { throw .encoding(.wrongAxis(expected: .secondary, actual: s.axis)) }
            if let c = columnSize {
                guard c == s.data.count else { throw .columnSizeMismatch(expected: c, actual: s.data.count) }
            } else {
                columnSize = s.data.count
            }
            slivers[s.index] = s.data
        }
    }

    /// Indices of the slivers held, ascending.
    public var sliverIndices: [Int] { slivers.keys.sorted() }

    /// `.missingSlivers` listing the indices in `range` not held.
    public func checkMissing(_ range: Range<Int>) throws(QuiltError) {
        let missing = range.filter { slivers[$0] == nil }
        if !missing.isEmpty { throw .missingSlivers(missing) }
    }

    /// Held slivers times the column size: what the decoder could read at most.
    public var totalDataSize: Int { slivers.count * (columnSize ?? 0) }

    /// Column-major read over the held slivers (Walrus `QuiltDecoderV1::range_read_from_columns`):
    /// `.missingSlivers` names the columns the read needs but the decoder lacks.
    public func readColumns(start startColumn: Int, skip: Int, count: Int) throws(QuiltError) -> [UInt8] {
        try checkMissing(startColumn..<(startColumn + 1))
        guard let c = columnSize, c > 0 else { throw .insufficientQuiltData(requested: count, available: 0) }
        let end = startColumn + (skip + count + c - 1) / c
        try checkMissing(startColumn..<end)
        var out: [UInt8] = []
        out.reserveCapacity(count)
        var toSkip = skip
        var left = count
        for col in startColumn..<max(end, startColumn) where left > 0 {
            let d = slivers[col]!
            if toSkip >= d.count { toSkip -= d.count; continue }
            let n = min(d.count - toSkip, left)
            out.append(contentsOf: d[toSkip..<(toSkip + n)])
            left -= n
            toSkip = 0
        }
        guard out.count == count else { throw .insufficientQuiltData(requested: count, available: out.count) }
        return out
    }

    /// Decodes the index from the held slivers (column 0 and, for a large index, the next ones);
    /// `.missingSlivers` says which columns to fetch.
    @discardableResult
    public mutating func decodeIndex() throws(QuiltError) -> QuiltIndex {
        if let index { return index }
        try checkMissing(0..<1)
        let decoded = try QuiltV1Codec.decodeIndex(self, columnSize: columnSize!)
        index = decoded
        return decoded
    }

    /// The blob of a patch internal ID; `.missingSlivers` lists the patch's columns not held.
    public func blob(internalID: QuiltPatchInternalID) throws(QuiltError) -> QuiltBlob {
        let start = Int(internalID.startIndex)
        try checkMissing(start..<max(start, Int(internalID.endIndex)))
        return try QuiltV1Codec.decodeBlob(self, startColumn: start)
    }

    /// The blobs with these identifiers (needs the index: `.missingQuiltIndex` otherwise).
    public func blobs(identifiers: [String]) throws(QuiltError) -> [QuiltBlob] {
        guard let index else { throw .missingQuiltIndex }
        return try index.patches(identifiers: identifiers).map { (p) throws(QuiltError) in try blob(internalID: p.internalID) }
    }
}

/// Reads single patches of a stored quilt the way Walrus's quilt client does: it fetches only
/// the secondary slivers whose columns the patch covers (plus, when reading by identifier, the
/// index columns), verifies each against the quilt's metadata, and decodes the patch.
///
/// `fetch(j)` supplies secondary sliver `j` (nil when unavailable); every call counts as one
/// sliver read, reported in `PatchRead.sliversRead`.
public struct QuiltPatchReader {
    /// The RS2 parameters of the stored quilt.
    public let config: EncodingConfig
    /// The quilt blob's metadata; should already be verified (`BlobMetadataWithID.verify`).
    public let metadata: BlobMetadataWithID

    /// A reader for the quilt whose (verified) metadata is `metadata`.
    public init(config: EncodingConfig, metadata: BlobMetadataWithID) {
        self.config = config
        self.metadata = metadata
    }

    /// A patch read back, with the secondary sliver indices fetched to get it.
    public struct PatchRead: Sendable {
        /// The patch's blob: bytes, identifier, tags.
        public let blob: QuiltBlob
        /// Secondary sliver indices fetched for it, in fetch order (each counted once per fetch).
        public let sliversRead: [Int]
    }

    /// Reads the patch `id`. Throws `.other` if `id` is for another quilt,
    /// `.invalidQuiltData` for a column range outside `1..<C` or empty, `.missingSlivers` for
    /// slivers `fetch` could not supply, `.encoding` for one that fails verification.
    public func read(_ id: QuiltPatchID, fetch: (Int) -> Sliver?) throws(QuiltError) -> PatchRead {
        guard id.quiltID == metadata.blobID else {
            throw .other("patch ID belongs to quilt \(id.quiltID), not \(metadata.blobID)")
        }
        let internalID = try id.internalID()
        let (start, end) = (Int(internalID.startIndex), Int(internalID.endIndex))
        guard start < end, end <= config.columns else {
            throw .invalidQuiltData("patch columns [\(start), \(end)) are not within the quilt's \(config.columns) columns")
        }
        var decoder = QuiltDecoder()
        var read: [Int] = []
        try fetchInto(&decoder, start..<end, fetch: fetch, read: &read)
        return PatchRead(blob: try decoder.blob(internalID: internalID), sliversRead: read)
    }

    /// Reads the patch with `identifier`: the index columns first, then the patch's columns.
    public func read(identifier: String, fetch: (Int) -> Sliver?) throws(QuiltError) -> PatchRead {
        var decoder = QuiltDecoder()
        var read: [Int] = []
        try fetchInto(&decoder, 0..<1, fetch: fetch, read: &read)
        var index: QuiltIndex
        do {
            index = try decoder.decodeIndex()
        } catch .missingSlivers(let columns) {
            try fetchInto(&decoder, columns, fetch: fetch, read: &read)
            index = try decoder.decodeIndex()
        }
        let patch = try index.patches(identifiers: [identifier])[0]
        let needed = patch.internalID.sliverIndices.filter { !decoder.sliverIndices.contains($0) }
        try fetchInto(&decoder, needed, fetch: fetch, read: &read)
        return PatchRead(blob: try decoder.blob(internalID: patch.internalID), sliversRead: read)
    }

    private func fetchInto<S: Sequence<Int>>(_ decoder: inout QuiltDecoder, _ indices: S, fetch: (Int) -> Sliver?,
                                              read: inout [Int]) throws(QuiltError) {
        var got: [Sliver] = []
        var missing: [Int] = []
        for j in indices {
            guard j >= 0 && j < config.nShards else { missing.append(j); continue }
            read.append(j)
            guard let sliver = fetch(j) else { missing.append(j); continue }
            guard sliver.axis == .secondary, sliver.index == j else {
                throw .encoding(.indexOutOfRange(index: sliver.index, count: config.nShards))
            }
            do {
                try sliver.verify(metadata: metadata.metadata, config: config)
            } catch {
                throw .encoding(error)
            }
            got.append(sliver)
        }
        if !missing.isEmpty { throw .missingSlivers(missing) }
        try decoder.add(got)
    }
}
