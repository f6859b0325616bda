import WalrusCrypto

/// A blob encoded for storage: one sliver pair per pair index and the verified metadata.
public struct EncodedBlob: Sendable {
    /// `pairs[p]` = (primary sliver p, secondary sliver n-1-p). Pair p goes to shard
    /// `ShardMapping(blobID:nShards:).shard(ofPair: p)`.
    public let pairs: [SliverPair]
    /// The blob ID and metadata, consistent by construction.
    public let metadata: BlobMetadataWithID
    /// The blob ID (spec §3.3); decides the pair-to-shard rotation.
    public var blobID: BlobID { metadata.blobID }
}

/// Encodes blobs (spec §2, §3): message matrix -> expanded matrix -> slivers, sliver hashes over
/// the full expanded rows and columns, pair-hash Merkle root, blob ID.
///
/// The n x n expanded matrix is never held whole: the R top rows are expanded (secondary code),
/// then columns are processed in aligned blocks of up to 64 (primary code), each block's symbols
/// hashed at once into column roots and per-row subtree roots. Memory is about `R*n*s` bytes plus
/// `O(n)` per block; `computeMetadata` keeps no slivers at all.
public struct BlobEncoder: Sendable {
    /// The RS2 parameters for the committee's shard count.
    public let config: EncodingConfig
    /// Threading and codec choice; never changes the output.
    public let options: EncodingOptions

    /// Stores the settings; encoding is done per call, and the encoder holds no per-blob state.
    public init(config: EncodingConfig, options: EncodingOptions = .init()) {
        self.config = config
        self.options = options
    }

    /// Metadata and blob ID only (the `blob-id` path; no slivers are kept).
    public func computeMetadata(blob: [UInt8]) throws(RedStuffError) -> BlobMetadataWithID {
        try typed { try blob.withUnsafeBytes { try run(blob: $0, keepSlivers: false).metadata } }
    }

    /// All sliver pairs plus metadata.
    public func encode(blob: [UInt8]) throws(RedStuffError) -> EncodedBlob {
        let out = try typed { try blob.withUnsafeBytes { try run(blob: $0, keepSlivers: true) } }
        return EncodedBlob(pairs: out.pairs, metadata: out.metadata)
    }

    /// ``computeMetadata(blob:)`` over borrowed bytes, without copying them. Throws `dataTooLarge` past `maxBlobSize`.
    public func computeMetadata(blob: UnsafeRawBufferPointer) throws(RedStuffError) -> BlobMetadataWithID {
        try run(blob: blob, keepSlivers: false).metadata
    }

    /// ``encode(blob:)`` over borrowed bytes, without copying them. Throws `dataTooLarge` past `maxBlobSize`.
    public func encode(blob: UnsafeRawBufferPointer) throws(RedStuffError) -> EncodedBlob {
        let out = try run(blob: blob, keepSlivers: true)
        return EncodedBlob(pairs: out.pairs, metadata: out.metadata)
    }

    /// Primary sliver `i < R` of a blob (row i, zero padded), without encoding anything else.
    public func systematicPrimarySliver(_ i: Int, blob: UnsafeRawBufferPointer) throws(RedStuffError) -> Sliver {
        guard i >= 0 && i < config.rows else { throw .indexOutOfRange(index: i, count: config.rows) }
        let s = try config.symbolSize(forBlobLength: UInt64(blob.count))
        let rowBytes = config.columns * s
        var data = [UInt8](repeating: 0, count: rowBytes)
        let start = i * rowBytes
        let n = max(0, min(rowBytes, blob.count - start))
        if n > 0 {
            data.withUnsafeMutableBytes { $0.baseAddress!.copyMemory(from: blob.baseAddress! + start, byteCount: n) }
        }
        return Sliver(trusted: .primary, index: i, symbolSize: s, data: data)
    }

    // MARK: Pipeline

    private struct Output {
        var metadata: BlobMetadataWithID
        var pairs: [SliverPair]
    }

    private func run(blob: UnsafeRawBufferPointer, keepSlivers: Bool) throws(RedStuffError) -> Output {
        let n = config.nShards
        let R = config.rows
        let C = config.columns
        let length = UInt64(blob.count)
        let s = try config.symbolSize(forBlobLength: length)
        let codecs = try AxisCodecs(config: config, options: options)
        let threads = max(1, options.threads)  // the var may have been set below 1 after init
        let rowStride = n * s  // bytes of one expanded row

        // 1. Top R rows of the expanded matrix, row-major: blob row r (zero padded) then the
        //    secondary-code recovery symbols M[r][C..<n].
        // (Blob rows are copied in by the workers, so the first touch of these pages is parallel.)
        var top = [UInt8](repeating: 0, count: R * rowStride)
        let rowBlock = 16
        let rowBlocks = (R + rowBlock - 1) / rowBlock
        try typed { try top.withUnsafeMutableBytes { (t: UnsafeMutableRawBufferPointer) throws in
            let topPtr = SendablePointer(raw: t.baseAddress!)
            try parallelWorkers(min(threads, rowBlocks)) { (w: Int) throws in
                var originals = [UInt8](repeating: 0, count: C * rowBlock * s)
                var recovery = [UInt8](repeating: 0, count: (n - C) * rowBlock * s)
                var blockIndex = w
                while blockIndex < rowBlocks {
                    let r0 = blockIndex * rowBlock
                    let b = min(rowBlock, R - r0)
                    let batchRow = b * s
                    for r in r0..<(r0 + b) {
                        let start = r * C * s
                        let count = max(0, min(C * s, blob.count - start))
                        if count > 0 { (topPtr.raw + r * rowStride).copyMemory(from: blob.baseAddress! + start, byteCount: count) }
                    }
                    try originals.withUnsafeMutableBytes { (o: UnsafeMutableRawBufferPointer) throws in
                        try recovery.withUnsafeMutableBytes { (rec: UnsafeMutableRawBufferPointer) throws in
                            // Gather: batch row i = symbol i (column i) of rows r0..<r0+b.
                            for i in 0..<C {
                                for j in 0..<b {
                                    (o.baseAddress! + i * batchRow + j * s).copyMemory(
                                        from: topPtr.raw + (r0 + j) * rowStride + i * s, byteCount: s)
                                }
                            }
                            try AxisCodecs.encodeBatch(
                                codecs.secondary, originals: UnsafeRawBufferPointer(rebasing: o[0..<(C * batchRow)]),
                                symbolBytes: s, codewords: b,
                                into: UnsafeMutableRawBufferPointer(rebasing: rec[0..<((n - C) * batchRow)]))
                            for i in 0..<(n - C) {
                                for j in 0..<b {
                                    (topPtr.raw + (r0 + j) * rowStride + (C + i) * s).copyMemory(
                                        from: rec.baseAddress! + i * batchRow + j * s, byteCount: s)
                                }
                            }
                        }
                    }
                    if w == 0 { options.progress?(0.3 * Double(blockIndex + 1) / Double(rowBlocks)) }
                    blockIndex += threads
                }
            }
        } }

        // 2. Column blocks of width W = 2^h (aligned subtrees of every row's tree).
        let h = min(6, MerkleHash.pathLength(leafCount: n))
        let W = 1 << h
        let colBlocks = (n + W - 1) / W
        var columnRoots = [Digest32](repeating: .zero, count: n)
        var rowBlockRoots = [Digest32](repeating: .zero, count: n * colBlocks)
        // Primary slivers R..<n (rows of the expanded matrix below the message), when kept.
        var bottom = [UInt8](repeating: 0, count: keepSlivers ? (n - R) * C * s : 0)
        try typed { try top.withUnsafeBytes { (t: UnsafeRawBufferPointer) throws in
            try columnRoots.withUnsafeMutableBufferPointer { cr in
                try rowBlockRoots.withUnsafeMutableBufferPointer { rbr in
                    try bottom.withUnsafeMutableBytes { (bot: UnsafeMutableRawBufferPointer) throws in
                        let topPtr = t.baseAddress!
                        let crPtr = SendablePointer(raw: UnsafeMutableRawPointer(cr.baseAddress!))
                        let rbrPtr = SendablePointer(raw: UnsafeMutableRawPointer(rbr.baseAddress!))
                        let botPtr = SendablePointer(raw: bot.baseAddress ?? UnsafeMutableRawPointer(crPtr.raw))
                        let topShared = SendablePointer(raw: UnsafeMutableRawPointer(mutating: topPtr))
                        try parallelWorkers(min(threads, colBlocks)) { (w: Int) throws in
                            var originals = [UInt8](repeating: 0, count: R * W * s)
                            var recovery = [UInt8](repeating: 0, count: (n - R) * W * s)
                            var leaves = [Digest32](repeating: .zero, count: W * n)  // [b * n + r]
                            var scratch = [Digest32](repeating: .zero, count: max(W, n))
                            var blockIndex = w
                            while blockIndex < colBlocks {
                                let c0 = blockIndex * W
                                let b = min(W, n - c0)
                                let batchRow = b * s
                                try originals.withUnsafeMutableBytes { (o: UnsafeMutableRawBufferPointer) throws in
                                    try recovery.withUnsafeMutableBytes { (rec: UnsafeMutableRawBufferPointer) throws in
                                        for r in 0..<R {
                                            (o.baseAddress! + r * batchRow).copyMemory(
                                                from: topShared.raw + r * rowStride + c0 * s, byteCount: batchRow)
                                        }
                                        try AxisCodecs.encodeBatch(
                                            codecs.primary, originals: UnsafeRawBufferPointer(rebasing: o[0..<(R * batchRow)]),
                                            symbolBytes: s, codewords: b,
                                            into: UnsafeMutableRawBufferPointer(rebasing: rec[0..<((n - R) * batchRow)]))
                                        // Leaf hashes of M[r][c0 + j].
                                        leaves.withUnsafeMutableBufferPointer { lv in
                                            for r in 0..<n {
                                                let rowBase: UnsafeRawPointer = r < R
                                                    ? UnsafeRawPointer(topShared.raw + r * rowStride + c0 * s)
                                                    : UnsafeRawPointer(rec.baseAddress! + (r - R) * batchRow)
                                                Blake2b256.hashStrided(
                                                    base: rowBase, inStride: s, count: b, length: s, prefix: MerkleHash.leafPrefix,
                                                    out: UnsafeMutableRawPointer(lv.baseAddress! + r), outStride: n * MemoryLayout<Digest32>.stride)
                                            }
                                        }
                                        if keepSlivers && c0 < C {
                                            let cols = min(c0 + b, C) - c0
                                            for r in R..<n {
                                                (botPtr.raw + (r - R) * C * s + c0 * s).copyMemory(
                                                    from: rec.baseAddress! + (r - R) * batchRow, byteCount: cols * s)
                                            }
                                        }
                                    }
                                }
                                leaves.withUnsafeMutableBufferPointer { lv in
                                    scratch.withUnsafeMutableBufferPointer { sc in
                                        let rbrOut = rbrPtr.raw.assumingMemoryBound(to: Digest32.self)
                                        // Per-row subtree root of this block.
                                        for r in 0..<n {
                                            for j in 0..<b { sc[j] = lv[j * n + r] }
                                            rbrOut[r * colBlocks + blockIndex] = MerkleHash.subtreeRoot(
                                                reducing: UnsafeMutableBufferPointer(rebasing: sc[0..<b]), height: h)
                                        }
                                        // Column roots (reduces the leaves in place).
                                        let crOut = crPtr.raw.assumingMemoryBound(to: Digest32.self)
                                        for j in 0..<b {
                                            crOut[c0 + j] = MerkleHash.root(
                                                reducing: UnsafeMutableBufferPointer(rebasing: lv[(j * n)..<((j + 1) * n)])).value
                                        }
                                    }
                                }
                                if w == 0 { options.progress?(0.3 + 0.7 * Double(min(blockIndex + 1, colBlocks)) / Double(colBlocks)) }
                                blockIndex += threads
                            }
                        }
                    }
                }
            }
        } }

        // 3. Row roots from the block roots (a single block already is the root).
        var rowRoots = [Digest32](repeating: .zero, count: n)
        rowBlockRoots.withUnsafeMutableBufferPointer { rbr in
            for r in 0..<n {
                rowRoots[r] = colBlocks == 1
                    ? rbr[r]
                    : MerkleHash.root(reducing: UnsafeMutableBufferPointer(rebasing: rbr[(r * colBlocks)..<((r + 1) * colBlocks)])).value
            }
        }

        // 4. Metadata and blob ID.
        var hashes: [SliverPairMetadata] = []
        hashes.reserveCapacity(n)
        for p in 0..<n {
            hashes.append(SliverPairMetadata(primaryHash: .digest(rowRoots[p]), secondaryHash: .digest(columnRoots[n - 1 - p])))
        }
        let metadata = BlobMetadataWithID(computingIDFor: BlobMetadata(unencodedLength: length, hashes: hashes))

        // 5. Slivers.
        var pairs: [SliverPair] = []
        if keepSlivers {
            pairs.reserveCapacity(n)
            var secondaries = [[UInt8]](repeating: [], count: n)
            top.withUnsafeBytes { t in
                for j in 0..<n {
                    var col = [UInt8](repeating: 0, count: R * s)
                    col.withUnsafeMutableBytes { c in
                        for r in 0..<R {
                            (c.baseAddress! + r * s).copyMemory(from: t.baseAddress! + r * rowStride + j * s, byteCount: s)
                        }
                    }
                    secondaries[j] = col
                }
            }
            for p in 0..<n {
                let primaryData: [UInt8] = p < R
                    ? Array(top[(p * rowStride)..<(p * rowStride + C * s)])
                    : Array(bottom[((p - R) * C * s)..<((p - R + 1) * C * s)])
                let j = n - 1 - p
                pairs.append(SliverPair(
                    primary: Sliver(trusted: .primary, index: p, symbolSize: s, data: primaryData),
                    secondary: Sliver(trusted: .secondary, index: j, symbolSize: s, data: secondaries[j])))
            }
        }
        return Output(metadata: metadata, pairs: pairs)
    }
}
