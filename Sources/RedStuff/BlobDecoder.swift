import WalrusCrypto

/// What to check after decoding (`ConsistencyCheckType`, spec §4.2).
public enum ConsistencyCheck: Sendable, Hashable, CaseIterable {
    /// No check.
    case skip
    /// Rebuild each systematic primary sliver (rows 0..<R) from the decoded blob and compare its
    /// Merkle root with the metadata (inputs already verified are skipped). Walrus's default.
    case `default`
    /// Re-encode the whole blob and compare blob IDs.
    case strict
}

/// Decodes a blob from R primary or C secondary slivers (spec §4.2).
public struct BlobDecoder: Sendable {
    /// The RS2 parameters; must be those the blob was encoded with.
    public let config: EncodingConfig
    /// The blob's metadata; callers should have verified it (`BlobMetadataWithID.verify`).
    public let metadata: BlobMetadataWithID
    /// Threading and codec choice; never changes the output.
    public let options: EncodingOptions

    /// Stores the settings; nothing is checked until ``decode(slivers:check:inputsVerified:)``.
    public init(config: EncodingConfig, metadata: BlobMetadataWithID, options: EncodingOptions = .init()) {
        self.config = config
        self.metadata = metadata
        self.options = options
    }

    /// Decodes from slivers of one axis. Slivers of the wrong shape (index out of range, wrong
    /// length or symbol size) and repeated indices are skipped; the first R (primary) or C
    /// (secondary) usable ones are used and the rest dropped.
    ///
    /// - Parameter inputsVerified: the caller has run `Sliver.verify` on every input; the default
    ///   check then skips systematic primary slivers that were inputs.
    /// - Throws: `notEnoughSymbols` when too few usable slivers, `wrongAxis` for mixed axes,
    ///   `consistencyCheckFailed` when the decoded blob does not match the metadata.
    public func decode(slivers: [Sliver], check: ConsistencyCheck = .default,
                       inputsVerified: Bool = false) throws(RedStuffError) -> [UInt8] {
        guard let axis = slivers.first?.axis else {
            throw .notEnoughSymbols(needed: config.sliversForDecoding(.primary), received: 0)
        }
        let n = config.nShards
        let R = config.rows
        let C = config.columns
        guard metadata.metadata.hashes.count == n else {
            throw .wrongHashCount(expected: n, actual: metadata.metadata.hashes.count)
        }
        let length = metadata.metadata.unencodedLength
        let s = try config.symbolSize(forBlobLength: length)
        let need = config.sliversForDecoding(axis)
        var seen = [Bool](repeating: false, count: n)
        var chosen: [Sliver] = []
        for sliver in slivers {
            guard sliver.axis == axis else { throw .wrongAxis(expected: axis, actual: sliver.axis) }
            guard chosen.count < need else { continue }
            guard (try? sliver.checkShape(config: config, symbolSize: s)) != nil, !seen[sliver.index] else { continue }
            seen[sliver.index] = true
            chosen.append(sliver)
        }
        guard chosen.count == need else { throw .notEnoughSymbols(needed: need, received: chosen.count) }

        // Primary: codewords are the C columns (k = R); slivers are rows of C*s bytes, so the
        // batch's original rows are exactly the message rows. Secondary: codewords are the R
        // rows (k = C); the originals come out column by column and are transposed.
        let codecs = try AxisCodecs(config: config, options: options)
        let codec = axis == .primary ? codecs.primary : codecs.secondary
        let sliverBytes = config.symbolsPerSliver(axis) * s
        var shards: [UInt8] = []
        shards.reserveCapacity(need * sliverBytes)
        for sl in chosen { shards += sl.data }
        let indices = chosen.map(\.index)
        var originals = [UInt8](repeating: 0, count: R * C * s)
        try typed {
            try shards.withUnsafeBytes { input in
                try originals.withUnsafeMutableBytes { output in
                    try AxisCodecs.decodeBatch(codec, indices: indices, shards: input, symbolBytes: s,
                                               codewords: config.symbolsPerSliver(axis), into: output)
                }
            }
        }
        var matrix: [UInt8]
        if axis == .primary {
            matrix = originals
        } else {
            matrix = [UInt8](repeating: 0, count: R * C * s)
            matrix.withUnsafeMutableBytes { m in
                originals.withUnsafeBytes { o in
                    for c in 0..<C {
                        for r in 0..<R {
                            (m.baseAddress! + (r * C + c) * s).copyMemory(from: o.baseAddress! + (c * R + r) * s, byteCount: s)
                        }
                    }
                }
            }
        }
        guard UInt64(matrix.count) >= length else { throw .codec("decoded matrix shorter than the blob") }
        // Padding must be zero for an honest encoding; a non-zero tail means inconsistency, but
        // Walrus only catches it through the checks below, so do the same.
        matrix.removeLast(matrix.count - Int(length))

        switch check {
        case .skip:
            break
        case .default:
            var verified = [Bool](repeating: false, count: R)
            if inputsVerified && axis == .primary {
                for sl in chosen where sl.index < R { verified[sl.index] = true }
            }
            let encoder = BlobEncoder(config: config, options: options)
            try typed {
                try matrix.withUnsafeBytes { raw in
                    for i in 0..<R where !verified[i] {
                        let sliver = try encoder.systematicPrimarySliver(i, blob: raw)
                        let root = try sliver.merkleRoot(config: config, options: options)
                        guard root == metadata.metadata.hashes[i].primaryHash else {
                            throw RedStuffError.consistencyCheckFailed("systematic primary sliver \(i) does not match its hash")
                        }
                    }
                }
            }
        case .strict:
            let recomputed = try BlobEncoder(config: config, options: options).computeMetadata(blob: matrix)
            guard recomputed.blobID == metadata.blobID else {
                throw .consistencyCheckFailed("re-encoding gives blob ID \(recomputed.blobID), expected \(metadata.blobID)")
            }
        }
        return matrix
    }
}
