import WalrusCrypto

/// One sliver (`SliverData<T>`): the stored symbols of one row (primary) or column (secondary)
/// of the expanded matrix.
///
/// Invariants (checked by `init`): `0 <= index <= 65535`; `symbolSize` even-agnostic but in
/// `1...65535`; `data.count` a multiple of `symbolSize`. Whether the size suits a blob is checked
/// by `verify`.
///
/// BCS (`SliverData`): `Symbols { data: Vec<u8>, symbol_size: u16 }` then `index: u16`. The axis
/// is a type parameter in Rust and not on the wire; decoders take it as an argument.
public struct Sliver: Hashable, Sendable, BCSEncodable {
    /// Primary (a row) or secondary (a column); not on the wire.
    public let axis: SliverAxis
    /// The sliver index in `0...65535`; a valid sliver also has `index < n`.
    public let index: Int
    /// Bytes per symbol, in `1...65535`; even for any sliver that verifies.
    public let symbolSize: Int
    /// The symbols back to back: `symbolCount * symbolSize` bytes.
    public let data: [UInt8]

    /// Checks the struct's invariants: throws `indexOutOfRange`, `symbolSizeMismatch` or `wrongSize`.
    public init(axis: SliverAxis, index: Int, symbolSize: Int, data: [UInt8]) throws(RedStuffError) {
        guard index >= 0 && index <= Int(UInt16.max) else { throw .indexOutOfRange(index: index, count: Int(UInt16.max) + 1) }
        guard symbolSize >= 1 && symbolSize <= Int(UInt16.max) else {
            throw .symbolSizeMismatch(expected: 2, actual: symbolSize)
        }
        guard data.count % symbolSize == 0 else {
            throw .wrongSize(what: "\(axis) sliver \(index)", expected: (data.count / symbolSize + 1) * symbolSize, actual: data.count)
        }
        self.axis = axis
        self.index = index
        self.symbolSize = symbolSize
        self.data = data
    }

    /// Internal constructor for values the encoder built correctly.
    init(trusted axis: SliverAxis, index: Int, symbolSize: Int, data: [UInt8]) {
        self.axis = axis
        self.index = index
        self.symbolSize = symbolSize
        self.data = data
    }

    /// Symbols held: C for a well-formed primary sliver, R for a secondary one.
    public var symbolCount: Int { data.count / symbolSize }

    /// Symbol `i` of the sliver.
    public func symbol(_ i: Int) throws(RedStuffError) -> ArraySlice<UInt8> {
        guard i >= 0 && i < symbolCount else { throw .indexOutOfRange(index: i, count: symbolCount) }
        return data[(i * symbolSize)..<((i + 1) * symbolSize)]
    }

    /// Pair index of this sliver under `config`.
    public func pairIndex(config: EncodingConfig) -> Int { config.pairIndex(ofSliver: index, axis: axis) }

    /// Checks index, length and symbol size against `config` (spec §4.3, before the hash).
    public func checkShape(config: EncodingConfig, symbolSize expected: Int) throws(RedStuffError) {
        try config.checkIndex(index)
        guard symbolSize == expected else { throw .symbolSizeMismatch(expected: expected, actual: symbolSize) }
        let want = config.symbolsPerSliver(axis) * expected
        guard data.count == want else { throw .wrongSize(what: "\(axis) sliver \(index)", expected: want, actual: data.count) }
    }

    /// The sliver expanded with the orthogonal code: all n symbols (`n * symbolSize` bytes), the
    /// first ones being the sliver itself. Requires a correctly shaped sliver.
    public func expandedSymbols(config: EncodingConfig, options: EncodingOptions = .init()) throws(RedStuffError) -> [UInt8] {
        let n = config.nShards
        let k = config.symbolsPerSliver(axis)
        guard symbolCount == k, symbolSize % 2 == 0 else {
            throw .wrongSize(what: "\(axis) sliver \(index)", expected: k * symbolSize, actual: data.count)
        }
        let codecs = try AxisCodecs(config: config, options: options)
        var out = [UInt8](repeating: 0, count: n * symbolSize)
        let s = symbolSize
        try typed { try data.withUnsafeBytes { (src: UnsafeRawBufferPointer) throws in
            try out.withUnsafeMutableBytes { (dst: UnsafeMutableRawBufferPointer) throws in
                dst.baseAddress!.copyMemory(from: src.baseAddress!, byteCount: k * s)
                try AxisCodecs.encodeBatch(codecs.expanding(axis), originals: src, symbolBytes: s, codewords: 1,
                                           into: UnsafeMutableRawBufferPointer(rebasing: dst[(k * s)...]))
            }
        } }
        return out
    }

    /// Merkle root over the expansion (`get_merkle_root`).
    public func merkleRoot(config: EncodingConfig, options: EncodingOptions = .init()) throws(RedStuffError) -> MerkleNode {
        let expanded = try expandedSymbols(config: config, options: options)
        let s = symbolSize
        var hashes = [Digest32](repeating: .zero, count: config.nShards)
        expanded.withUnsafeBytes { raw in
            hashes.withUnsafeMutableBytes { out in
                Blake2b256.hashStrided(base: raw.baseAddress!, inStride: s, count: config.nShards, length: s,
                                       prefix: MerkleHash.leafPrefix, out: out.baseAddress!, outStride: 32)
            }
        }
        return hashes.withUnsafeMutableBufferPointer { MerkleHash.root(reducing: $0) }
    }

    /// Sliver verification on receipt (`SliverData::verify`, spec §4.3): index < n, the length
    /// and symbol size the metadata implies, and the Merkle root of the expansion equal to the
    /// metadata hash at the sliver's pair. `metadata` should already be verified.
    public func verify(metadata: BlobMetadata, config: EncodingConfig) throws(RedStuffError) {
        guard metadata.hashes.count == config.nShards else {
            throw .wrongHashCount(expected: config.nShards, actual: metadata.hashes.count)
        }
        try checkShape(config: config, symbolSize: try metadata.symbolSize(config: config))
        let expected = try metadata.sliverHash(axis: axis, sliverIndex: index)
        guard try merkleRoot(config: config) == expected else { throw .merkleRootMismatch }
    }

    /// BCS `SliverData`: `Vec<u8>` data, `u16` symbol size, `u16` index.
    public func encode(to w: inout BCSWriter) {
        w.writeBytes(data)
        w.writeU16(UInt16(symbolSize))
        w.writeU16(UInt16(index))
    }

    /// Decodes BCS `SliverData` of the given axis; rejects a zero symbol size and a data length
    /// that is not a multiple of it.
    public static func decode(axis: SliverAxis, from r: inout BCSReader) throws(BCSError) -> Sliver {
        let data = try r.readBytes()
        let s = Int(try r.readU16())
        guard s != 0 else { throw .invalidValue("symbol size is zero") }
        guard data.count % s == 0 else { throw .invalidValue("symbol data length \(data.count) is not a multiple of \(s)") }
        let index = Int(try r.readU16())
        return Sliver(trusted: axis, index: index, symbolSize: s, data: data)
    }

    /// Decodes a whole buffer holding one sliver; throws `trailingBytes` if anything is left over.
    public static func decode(axis: SliverAxis, bcsBytes: [UInt8]) throws(BCSError) -> Sliver {
        var r = BCSReader(bcsBytes)
        let s = try decode(axis: axis, from: &r)
        try r.finish()
        return s
    }
}

/// The pair of slivers one shard stores for a blob: primary sliver `index` and secondary sliver
/// `n - 1 - index`. BCS (`SliverPair`): primary then secondary.
public struct SliverPair: Hashable, Sendable, BCSEncodable, BCSDecodable {
    /// Primary sliver `p`, where `p` is the pair index.
    public let primary: Sliver
    /// Secondary sliver `n - 1 - p`.
    public let secondary: Sliver

    /// Pairs two slivers as given; ``verify(metadata:config:)`` checks axes, indices and hashes.
    public init(primary: Sliver, secondary: Sliver) {
        self.primary = primary
        self.secondary = secondary
    }

    /// The pair index (= the primary sliver's index).
    public var index: Int { primary.index }

    /// Checks the axes, that the secondary index is `n - 1 - p`, then ``Sliver/verify(metadata:config:)`` on both.
    public func verify(metadata: BlobMetadata, config: EncodingConfig) throws(RedStuffError) {
        guard primary.axis == .primary else { throw .wrongAxis(expected: .primary, actual: primary.axis) }
        guard secondary.axis == .secondary else { throw .wrongAxis(expected: .secondary, actual: secondary.axis) }
        guard config.sliverIndex(ofPair: primary.index, axis: .secondary) == secondary.index else {
            throw .indexOutOfRange(index: secondary.index, count: config.nShards)
        }
        try primary.verify(metadata: metadata, config: config)
        try secondary.verify(metadata: metadata, config: config)
    }

    /// BCS `SliverPair`: the primary sliver then the secondary one.
    public func encode(to w: inout BCSWriter) {
        primary.encode(to: &w)
        secondary.encode(to: &w)
    }

    /// Decodes a `SliverPair`, checking each sliver as ``Sliver/decode(axis:from:)`` does; nothing is checked against metadata.
    public init(from r: inout BCSReader) throws(BCSError) {
        primary = try Sliver.decode(axis: .primary, from: &r)
        secondary = try Sliver.decode(axis: .secondary, from: &r)
    }
}
