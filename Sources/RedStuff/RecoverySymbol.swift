import WalrusCrypto

/// A symbol that helps recover a sliver of `targetAxis`, with a Merkle proof against the
/// metadata hash of the sliver it came from (`RecoverySymbol<T, MerkleProof>`, spec §4.1).
///
/// It is taken from *source* sliver `sourceIndex` of the orthogonal axis: its expansion's symbol
/// at the target sliver's index. It equals `M[target][source]` for a primary target and
/// `M[source][target]` for a secondary one.
///
/// BCS: `DecodingSymbol { index: u16 (the source index), data: Vec<u8> }` then the proof. The
/// target axis is a type parameter upstream, not on the wire: decoders take it as an argument.
public struct RecoverySymbol: Hashable, Sendable, BCSEncodable {
    /// Axis of the sliver this symbol helps recover.
    public let targetAxis: SliverAxis
    /// Index of the source sliver (of axis `targetAxis.orthogonal`).
    public let sourceIndex: Int
    /// The symbol's bytes: one symbol of the blob's symbol size (checked by `verify`, not here).
    public let data: [UInt8]
    /// Path from `data`'s leaf (index = target sliver index) to the source sliver's metadata hash.
    public let proof: MerkleProof

    /// Stores the fields as given, unchecked; call ``verify(config:metadata:targetSliverIndex:)`` before trusting it.
    public init(targetAxis: SliverAxis, sourceIndex: Int, data: [UInt8], proof: MerkleProof) {
        self.targetAxis = targetAxis
        self.sourceIndex = sourceIndex
        self.data = data
        self.proof = proof
    }

    /// Axis of the sliver the symbol was taken from: always `targetAxis.orthogonal`.
    public var sourceAxis: SliverAxis { targetAxis.orthogonal }

    /// `RecoverySymbol::verify`: source index < n, `data.count == s`, and the proof shows `data`
    /// is leaf `targetSliverIndex` of the tree whose root is the source sliver's metadata hash.
    public func verify(config: EncodingConfig, metadata: BlobMetadata, targetSliverIndex: Int) throws(RedStuffError) {
        let n = config.nShards
        guard metadata.hashes.count == n else { throw .wrongHashCount(expected: n, actual: metadata.hashes.count) }
        try config.checkIndex(sourceIndex)
        try config.checkIndex(targetSliverIndex)
        let s = try metadata.symbolSize(config: config)
        guard data.count == s else { throw .wrongSize(what: "recovery symbol", expected: s, actual: data.count) }
        let root = try metadata.sliverHash(axis: sourceAxis, sliverIndex: sourceIndex)
        let ok = data.withUnsafeBytes {
            proof.verify(leaf: $0, leafIndex: targetSliverIndex, leafCount: n, root: root)
        }
        guard ok else { throw .invalidMerkleProof }
    }

    /// BCS `DecodingSymbol` then the proof; `sourceIndex` is written as `u16` (truncated if out of range).
    public func encode(to w: inout BCSWriter) {
        w.writeU16(UInt16(truncatingIfNeeded: sourceIndex))
        w.writeBytes(data)
        proof.encode(to: &w)
    }

    /// Decodes one symbol for a sliver of `targetAxis`; `maxSymbolBytes` bounds the data length.
    public static func decode(targetAxis: SliverAxis, from r: inout BCSReader,
                              maxSymbolBytes: Int = EncodingConfig.maxSymbolSize) throws(BCSError) -> RecoverySymbol {
        let index = Int(try r.readU16())
        let data = try r.readBytes(limit: maxSymbolBytes)
        let proof = try MerkleProof(from: &r)
        return RecoverySymbol(targetAxis: targetAxis, sourceIndex: index, data: data, proof: proof)
    }

    /// Decodes a whole buffer holding one symbol; throws `trailingBytes` if anything is left over.
    public static func decode(targetAxis: SliverAxis, bcsBytes: [UInt8]) throws(BCSError) -> RecoverySymbol {
        var r = BCSReader(bcsBytes)
        let v = try decode(targetAxis: targetAxis, from: &r)
        try r.finish()
        return v
    }
}

/// `GeneralRecoverySymbol`: the axis-erased form nodes exchange, carrying its target index.
/// BCS: `ByAxis` variant (0 = Primary, 1 = Secondary: the *target* axis) then the
/// `DecodingSymbol`, `target_index: u16`, and the proof.
public struct GeneralRecoverySymbol: Hashable, Sendable, BCSEncodable, BCSDecodable {
    /// The symbol, whose `targetAxis` is the `ByAxis` variant on the wire.
    public let symbol: RecoverySymbol
    /// Index of the target sliver (of `symbol.targetAxis`) the symbol helps recover.
    public let targetIndex: Int

    /// Pairs a symbol with its target index, unchecked; call ``verify(config:metadata:)`` before trusting it.
    public init(symbol: RecoverySymbol, targetIndex: Int) {
        self.symbol = symbol
        self.targetIndex = targetIndex
    }

    /// `SymbolId` as (primary index, secondary index) of the matrix cell the symbol is.
    public var symbolID: (primary: Int, secondary: Int) {
        symbol.targetAxis == .primary ? (targetIndex, symbol.sourceIndex) : (symbol.sourceIndex, targetIndex)
    }

    /// ``RecoverySymbol/verify(config:metadata:targetSliverIndex:)`` at ``targetIndex``; same throws.
    public func verify(config: EncodingConfig, metadata: BlobMetadata) throws(RedStuffError) {
        try symbol.verify(config: config, metadata: metadata, targetSliverIndex: targetIndex)
    }

    /// BCS `GeneralRecoverySymbol`: target-axis variant, `u16` source index, `Vec<u8>` data, `u16` target index, proof.
    public func encode(to w: inout BCSWriter) {
        w.writeVariant(symbol.targetAxis == .primary ? 0 : 1)
        w.writeU16(UInt16(truncatingIfNeeded: symbol.sourceIndex))
        w.writeBytes(symbol.data)
        w.writeU16(UInt16(truncatingIfNeeded: targetIndex))
        symbol.proof.encode(to: &w)
    }

    /// Decodes the layout ``encode(to:)`` writes; data longer than `maxSymbolSize` bytes is refused.
    public init(from r: inout BCSReader) throws(BCSError) {
        let axis: SliverAxis
        switch try r.readVariant() {
        case 0: axis = .primary
        case 1: axis = .secondary
        case let v: throw .invalidVariant(type: "ByAxis", index: v)
        }
        let index = Int(try r.readU16())
        let data = try r.readBytes(limit: EncodingConfig.maxSymbolSize)
        targetIndex = Int(try r.readU16())
        let proof = try MerkleProof(from: &r)
        symbol = RecoverySymbol(targetAxis: axis, sourceIndex: index, data: data, proof: proof)
    }
}

/// A sliver with its expansion and Merkle tree, ready to serve recovery symbols to any pair.
/// Build once per stored sliver (one RS encode and about 2n hashes), then call
/// `recoverySymbol(forTargetPair:)` as often as needed.
public struct ExpandedSliver: Sendable {
    /// The source sliver, as given (not verified against any metadata).
    public let sliver: Sliver
    /// The encoding parameters the expansion was computed under.
    public let config: EncodingConfig
    /// n symbols of `sliver.symbolSize` bytes.
    public let expansion: [UInt8]
    /// Merkle tree over the n expansion symbols; leaf `t` proves the symbol for target sliver `t`.
    public let tree: MerkleTree

    /// Expands `sliver` and hashes its n symbols. Throws for an index `>= n` or a sliver of the wrong shape.
    public init(sliver: Sliver, config: EncodingConfig, options: EncodingOptions = .init()) throws(RedStuffError) {
        try config.checkIndex(sliver.index)
        self.sliver = sliver
        self.config = config
        expansion = try sliver.expandedSymbols(config: config, options: options)
        let s = sliver.symbolSize
        tree = expansion.withUnsafeBytes { MerkleTree(leaves: $0, leafBytes: s) }
    }

    /// Merkle root of the expansion (equals the metadata hash for an honest sliver).
    public var root: MerkleNode { tree.root }

    /// Symbol for the *other-axis* sliver held by pair `pair` (spec §4.1): target sliver index
    /// `t = pair` if the target is primary, `n-1-pair` if secondary.
    public func recoverySymbol(forTargetPair pair: Int) throws(RedStuffError) -> RecoverySymbol {
        try config.checkIndex(pair)
        let target = sliver.axis.orthogonal
        return try recoverySymbol(forTargetSliver: config.sliverIndex(ofPair: pair, axis: target))
    }

    /// Symbol for target sliver `t` of the other axis.
    public func recoverySymbol(forTargetSliver t: Int) throws(RedStuffError) -> RecoverySymbol {
        try config.checkIndex(t)
        let s = sliver.symbolSize
        return RecoverySymbol(targetAxis: sliver.axis.orthogonal, sourceIndex: sliver.index,
                              data: Array(expansion[(t * s)..<((t + 1) * s)]), proof: try tree.proof(leafIndex: t))
    }
}

/// The result of recovering a sliver: the sliver, or proof that the blob was encoded
/// inconsistently (the recovered sliver does not match the metadata).
public enum SliverOrInconsistencyProof: Sendable, Hashable {
    /// The recovered sliver, which matches the metadata.
    case sliver(Sliver)
    /// The recovered sliver does not match the metadata; the proof holds the symbols used.
    case inconsistencyProof(InconsistencyProof)
}

/// Sliver recovery from recovery symbols (spec §4.1).
public enum SliverRecovery {
    /// Verifies the symbols, keeps the first `symbolsForRecovery(targetAxis)` valid ones with
    /// distinct source indices (invalid or duplicate ones are skipped), decodes the target sliver
    /// and checks it against the metadata. A mismatch yields an `InconsistencyProof` made of
    /// exactly the symbols used. Throws `notEnoughSymbols` if too few valid symbols remain.
    public static func recover(targetAxis: SliverAxis, targetIndex: Int, symbols: [RecoverySymbol],
                               metadata: BlobMetadata, config: EncodingConfig,
                               options: EncodingOptions = .init()) throws(RedStuffError) -> SliverOrInconsistencyProof {
        try config.checkIndex(targetIndex)
        let need = config.symbolsForRecovery(targetAxis)
        var seen = [Bool](repeating: false, count: config.nShards)
        var chosen: [RecoverySymbol] = []
        chosen.reserveCapacity(need)
        for sym in symbols where chosen.count < need {
            guard sym.targetAxis == targetAxis,
                  sym.sourceIndex >= 0, sym.sourceIndex < config.nShards, !seen[sym.sourceIndex]
            else { continue }
            do {
                try sym.verify(config: config, metadata: metadata, targetSliverIndex: targetIndex)
            } catch {
                continue
            }
            seen[sym.sourceIndex] = true
            chosen.append(sym)
        }
        guard chosen.count == need else { throw .notEnoughSymbols(needed: need, received: chosen.count) }
        let sliver = try recoverWithoutVerification(targetAxis: targetAxis, targetIndex: targetIndex,
                                                    symbols: chosen, symbolSize: metadata.symbolSize(config: config),
                                                    config: config, options: options)
        do {
            try sliver.verify(metadata: metadata, config: config)
            return .sliver(sliver)
        } catch .merkleRootMismatch {
            return .inconsistencyProof(InconsistencyProof(targetAxis: targetAxis, targetIndex: targetIndex, symbols: chosen))
        }
    }

    /// RS-decodes the target sliver from at least `symbolsForRecovery(targetAxis)` symbols of
    /// size `symbolSize` with distinct in-range source indices. Does not check proofs or the
    /// result.
    public static func recoverWithoutVerification(targetAxis: SliverAxis, targetIndex: Int, symbols: [RecoverySymbol],
                                                  symbolSize s: Int, config: EncodingConfig,
                                                  options: EncodingOptions = .init()) throws(RedStuffError) -> Sliver {
        try config.checkIndex(targetIndex)
        let need = config.symbolsForRecovery(targetAxis)
        guard symbols.count >= need else { throw .notEnoughSymbols(needed: need, received: symbols.count) }
        guard s >= 2, s % 2 == 0, s <= EncodingConfig.maxSymbolSize else { throw .symbolSizeMismatch(expected: 2, actual: s) }
        var indices: [Int] = []
        var shards: [UInt8] = []
        shards.reserveCapacity(symbols.count * s)
        for sym in symbols {
            guard sym.targetAxis == targetAxis else { throw .wrongAxis(expected: targetAxis, actual: sym.targetAxis) }
            guard sym.data.count == s else { throw .wrongSize(what: "recovery symbol", expected: s, actual: sym.data.count) }
            try config.checkIndex(sym.sourceIndex)
            indices.append(sym.sourceIndex)
            shards += sym.data
        }
        let codecs = try AxisCodecs(config: config, options: options)
        var out = [UInt8](repeating: 0, count: need * s)
        try typed {
            try shards.withUnsafeBytes { input in
                try out.withUnsafeMutableBytes { output in
                    try AxisCodecs.decodeBatch(codecs.recovering(targetAxis), indices: indices, shards: input,
                                               symbolBytes: s, codewords: 1, into: output)
                }
            }
        }
        return Sliver(trusted: targetAxis, index: targetIndex, symbolSize: s, data: out)
    }
}

/// Proof that sliver `targetIndex` of `targetAxis` cannot be recovered consistently with the
/// metadata (`InconsistencyProof<T, MerkleProof>`, spec §5).
///
/// BCS: `target_sliver_index: u16` then `Vec<RecoverySymbol>`; the axis is not on the wire.
public struct InconsistencyProof: Hashable, Sendable, BCSEncodable {
    /// Axis of the sliver that failed to recover consistently; not on the wire.
    public let targetAxis: SliverAxis
    /// Index of that sliver, in `0..<n` for a proof that verifies.
    public let targetIndex: Int
    /// The recovery symbols used: exactly `symbolsForRecovery(targetAxis)` of them in a valid proof.
    public let symbols: [RecoverySymbol]

    /// Stores the fields as given, unchecked; ``verify(metadata:config:options:)`` decides validity.
    public init(targetAxis: SliverAxis, targetIndex: Int, symbols: [RecoverySymbol]) {
        self.targetAxis = targetAxis
        self.targetIndex = targetIndex
        self.symbols = symbols
    }

    /// Valid iff it has exactly `symbolsForRecovery(targetAxis)` symbols, all verify, and the
    /// decoded sliver's root differs from the metadata (`MerkleRootMismatch`). Throws
    /// `sliverNotInconsistent` when the sliver matches; other errors propagate.
    public func verify(metadata: BlobMetadata, config: EncodingConfig, options: EncodingOptions = .init()) throws(RedStuffError) {
        let s = try metadata.symbolSize(config: config)
        let need = config.symbolsForRecovery(targetAxis)
        guard symbols.count == need else { throw .incorrectSymbolCount(expected: need, actual: symbols.count) }
        try config.checkIndex(targetIndex)
        for sym in symbols {
            guard sym.targetAxis == targetAxis else { throw .invalidRecoverySymbols }
            do {
                try sym.verify(config: config, metadata: metadata, targetSliverIndex: targetIndex)
            } catch {
                throw .invalidRecoverySymbols
            }
        }
        let sliver: Sliver
        do {
            sliver = try SliverRecovery.recoverWithoutVerification(
                targetAxis: targetAxis, targetIndex: targetIndex, symbols: symbols, symbolSize: s, config: config,
                options: options)
        } catch {
            throw .codec("recovery failure: \(error)")
        }
        do {
            try sliver.verify(metadata: metadata, config: config)
        } catch .merkleRootMismatch {
            return
        }
        throw .sliverNotInconsistent
    }

    /// BCS: `u16` target index (truncated if out of range), then the symbols as a `Vec<RecoverySymbol>`.
    public func encode(to w: inout BCSWriter) {
        w.writeU16(UInt16(truncatingIfNeeded: targetIndex))
        w.writeSequence(symbols) { $0.write($1) }
    }

    /// Decodes a proof for `targetAxis` from `r`, reading at most 65535 symbols; leaves the rest of `r` unread.
    public static func decode(targetAxis: SliverAxis, from r: inout BCSReader) throws(BCSError) -> InconsistencyProof {
        let index = Int(try r.readU16())
        // Each symbol takes at least 2 (index) + 1 (length) + 1 (path length) bytes.
        let symbols = try r.readSequence(limit: 65535, minElementBytes: 4) { (r: inout BCSReader) throws(BCSError) in
            try RecoverySymbol.decode(targetAxis: targetAxis, from: &r)
        }
        return InconsistencyProof(targetAxis: targetAxis, targetIndex: index, symbols: symbols)
    }

    /// Decodes a whole buffer holding one proof; throws `trailingBytes` if anything is left over.
    public static func decode(targetAxis: SliverAxis, bcsBytes: [UInt8]) throws(BCSError) -> InconsistencyProof {
        var r = BCSReader(bcsBytes)
        let v = try decode(targetAxis: targetAxis, from: &r)
        try r.finish()
        return v
    }
}
