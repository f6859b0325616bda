import TestSupport
import Testing
import WalrusCrypto
@testable import RedStuff

/// Blob bytes of the independent fixtures (mirrors Scripts/gen_blob_id_fixtures.py).
func fixtureBlob(length: Int, seed: Int) -> [UInt8] {
    (0..<length).map { i in UInt8(truncatingIfNeeded: i &* 31 &+ seed &* 7 &+ (i >> 8)) }
}

@Suite struct IndependentFixtureTests {
    /// Blob IDs computed by reed-solomon-leopard (rs-simd bindings) + hashlib, for shapes that
    /// exercise every rate mix, odd symbol layouts (s = 2 ... 116) and n up to 1000.
    @Test func blobIDsMatchIndependentImplementation() throws {
        for f in independentBlobIDFixtures {
            let config = try EncodingConfig(nShards: f.nShards)
            let blob = fixtureBlob(length: f.length, seed: f.seed)
            let md = try BlobEncoder(config: config, options: .init(threads: 2)).computeMetadata(blob: blob)
            #expect(md.blobID.base64 == f.blobID, "length \(f.length) n \(f.nShards)")
            #expect(md.metadata.merkleRoot.value.hex == f.rootHex, "length \(f.length) n \(f.nShards)")
        }
    }

    /// The reference Reed-Solomon engine gives the same IDs as the fast one.
    @Test func referenceCodecAgrees() throws {
        for f in independentBlobIDFixtures where f.nShards <= 100 {
            let config = try EncodingConfig(nShards: f.nShards)
            let blob = fixtureBlob(length: f.length, seed: f.seed)
            let md = try BlobEncoder(config: config, options: .init(referenceCodec: true)).computeMetadata(blob: blob)
            #expect(md.blobID.base64 == f.blobID)
        }
    }
}

@Suite struct EncodingPropertyTests {
    static let shardCounts = [4, 5, 6, 7, 10, 13, 16, 31, 64, 65, 100]

    /// Encode → every sliver verifies → decode from random R primary / C secondary subsets.
    @Test func decodeFromAnySufficientSubset() throws {
        var rng = SplitMix(seed: 0xDEC0DE)
        for round in 0..<(Env.slow ? 60 : 14) {
            let n = Self.shardCounts[round % Self.shardCounts.count]
            let config = try EncodingConfig(nShards: n)
            let len = rng.int(0...(round % 3 == 0 ? 20 : 3000))
            let blob = rng.bytes(len)
            let enc = try BlobEncoder(config: config, options: .init(threads: 1 + round % 2)).encode(blob: blob)
            try enc.metadata.verify(config: config)
            #expect(enc.pairs.count == n)
            for pair in enc.pairs { try pair.verify(metadata: enc.metadata.metadata, config: config) }
            let decoder = BlobDecoder(config: config, metadata: enc.metadata)
            for axis in SliverAxis.allCases {
                let all = enc.pairs.map { axis == .primary ? $0.primary : $0.secondary }
                let subset = Array(all.shuffled(using: &rng).prefix(config.sliversForDecoding(axis)))
                for check in ConsistencyCheck.allCases {
                    #expect(try decoder.decode(slivers: subset, check: check) == blob, "seed round \(round) n \(n) \(axis) \(check)")
                }
                // One fewer is not enough.
                #expect(throws: RedStuffError.notEnoughSymbols(needed: subset.count, received: subset.count - 1)) {
                    try decoder.decode(slivers: Array(subset.dropLast()))
                }
                // Duplicates do not count twice.
                #expect(throws: RedStuffError.self) {
                    try decoder.decode(slivers: Array(subset.dropLast()) + [subset[0]])
                }
            }
        }
    }

    /// Recovery of every kind of sliver from any sufficient set of verified symbols.
    @Test func recoverSliversFromSymbols() throws {
        var rng = SplitMix(seed: 0x5EC)
        for round in 0..<(Env.slow ? 30 : 8) {
            let n = Self.shardCounts[round % Self.shardCounts.count]
            let config = try EncodingConfig(nShards: n)
            let blob = rng.bytes(rng.int(1...2000))
            let enc = try BlobEncoder(config: config).encode(blob: blob)
            let md = enc.metadata.metadata
            for targetAxis in SliverAxis.allCases {
                let targetPair = rng.int(0...(n - 1))
                let target = targetAxis == .primary ? enc.pairs[targetPair].primary : enc.pairs[targetPair].secondary
                // Sources: the other axis, from random pairs.
                let sources = enc.pairs.shuffled(using: &rng).prefix(config.symbolsForRecovery(targetAxis))
                var symbols: [RecoverySymbol] = []
                for pair in sources {
                    let src = targetAxis == .primary ? pair.secondary : pair.primary
                    let expanded = try ExpandedSliver(sliver: src, config: config)
                    #expect(expanded.root == (try md.sliverHash(axis: src.axis, sliverIndex: src.index)))
                    let sym = try expanded.recoverySymbol(forTargetPair: targetPair)
                    try sym.verify(config: config, metadata: md, targetSliverIndex: target.index)
                    // BCS round trip.
                    #expect(try RecoverySymbol.decode(targetAxis: targetAxis, bcsBytes: sym.bcsBytes) == sym)
                    symbols.append(sym)
                }
                let result = try SliverRecovery.recover(targetAxis: targetAxis, targetIndex: target.index,
                                                        symbols: symbols, metadata: md, config: config)
                #expect(result == .sliver(target), "round \(round) n \(n) \(targetAxis)")
                // Too few symbols.
                #expect(throws: RedStuffError.notEnoughSymbols(needed: symbols.count, received: symbols.count - 1)) {
                    try SliverRecovery.recover(targetAxis: targetAxis, targetIndex: target.index,
                                               symbols: Array(symbols.dropFirst()), metadata: md, config: config)
                }
                // A consistent encoding yields no valid inconsistency proof.
                let fake = InconsistencyProof(targetAxis: targetAxis, targetIndex: target.index, symbols: symbols)
                #expect(throws: RedStuffError.sliverNotInconsistent) { try fake.verify(metadata: md, config: config) }
            }
        }
    }

    /// Tampered slivers, symbols and proofs are rejected with typed errors.
    @Test func tamperingIsRejected() throws {
        var rng = SplitMix(seed: 0x7A3)
        for n in [4, 10, 31] {
            let config = try EncodingConfig(nShards: n)
            let blob = rng.bytes(777)
            let enc = try BlobEncoder(config: config).encode(blob: blob)
            let md = enc.metadata.metadata
            for pair in enc.pairs.prefix(5) {
                for sliver in [pair.primary, pair.secondary] {
                    var data = sliver.data
                    data[rng.int(0...(data.count - 1))] ^= UInt8(rng.int(1...255))
                    let bad = try Sliver(axis: sliver.axis, index: sliver.index, symbolSize: sliver.symbolSize, data: data)
                    #expect(throws: RedStuffError.merkleRootMismatch) { try bad.verify(metadata: md, config: config) }
                    let short = try Sliver(axis: sliver.axis, index: sliver.index, symbolSize: sliver.symbolSize,
                                           data: Array(sliver.data.dropLast(sliver.symbolSize)))
                    #expect(throws: RedStuffError.self) { try short.verify(metadata: md, config: config) }
                    let moved = try Sliver(axis: sliver.axis, index: (sliver.index + 1) % n, symbolSize: sliver.symbolSize, data: sliver.data)
                    #expect(throws: RedStuffError.merkleRootMismatch) { try moved.verify(metadata: md, config: config) }
                    let outOfRange = try Sliver(axis: sliver.axis, index: n, symbolSize: sliver.symbolSize, data: sliver.data)
                    #expect(throws: RedStuffError.indexOutOfRange(index: n, count: n)) { try outOfRange.verify(metadata: md, config: config) }
                }
            }
            // Symbols: wrong data, wrong target, forged proof, wrong size.
            let src = try ExpandedSliver(sliver: enc.pairs[1].primary, config: config)
            let sym = try src.recoverySymbol(forTargetPair: 2)
            let t = config.sliverIndex(ofPair: 2, axis: .secondary)
            try sym.verify(config: config, metadata: md, targetSliverIndex: t)
            var data = sym.data
            data[0] ^= 1
            let badData = RecoverySymbol(targetAxis: .secondary, sourceIndex: 1, data: data, proof: sym.proof)
            #expect(throws: RedStuffError.invalidMerkleProof) { try badData.verify(config: config, metadata: md, targetSliverIndex: t) }
            #expect(throws: RedStuffError.invalidMerkleProof) { try sym.verify(config: config, metadata: md, targetSliverIndex: (t + 1) % n) }
            var path = sym.proof.path
            path[0] = .digest(Blake2b256.hash([9]))
            let forged = RecoverySymbol(targetAxis: .secondary, sourceIndex: 1, data: sym.data, proof: MerkleProof(path: path))
            #expect(throws: RedStuffError.invalidMerkleProof) { try forged.verify(config: config, metadata: md, targetSliverIndex: t) }
            let tooLong = RecoverySymbol(targetAxis: .secondary, sourceIndex: 1, data: sym.data,
                                         proof: MerkleProof(path: sym.proof.path + [.empty]))
            #expect(throws: RedStuffError.invalidMerkleProof) { try tooLong.verify(config: config, metadata: md, targetSliverIndex: t) }
            let wrongSize = RecoverySymbol(targetAxis: .secondary, sourceIndex: 1, data: sym.data + [0, 0], proof: sym.proof)
            #expect(throws: RedStuffError.self) { try wrongSize.verify(config: config, metadata: md, targetSliverIndex: t) }
            let badIndex = RecoverySymbol(targetAxis: .secondary, sourceIndex: n + 3, data: sym.data, proof: sym.proof)
            #expect(throws: RedStuffError.indexOutOfRange(index: n + 3, count: n)) { try badIndex.verify(config: config, metadata: md, targetSliverIndex: t) }
            // Metadata tampering.
            var md2 = enc.metadata
            md2.metadata.unencodedLength += 1
            #expect(throws: RedStuffError.blobIDMismatch) { try md2.verify(config: config) }
            var md3 = enc.metadata
            md3.metadata.hashes.removeLast()
            #expect(throws: RedStuffError.wrongHashCount(expected: n, actual: n - 1)) { try md3.verify(config: config) }
            #expect(throws: RedStuffError.wrongHashCount(expected: n + 1, actual: n)) { try enc.metadata.verify(config: try EncodingConfig(nShards: n + 1)) }
        }
    }

    /// A client that hashes a tampered secondary sliver into the metadata produces an encoding
    /// that every node accepts sliver by sliver, but recovery exposes it with a valid proof.
    @Test func inconsistentEncodingYieldsProof() throws {
        var rng = SplitMix(seed: 0x1C0)
        for n in [4, 7, 10, 31, 100] {
            let config = try EncodingConfig(nShards: n)
            let blob = rng.bytes(rng.int(100...5000))
            let enc = try BlobEncoder(config: config).encode(blob: blob)
            // Tamper secondary sliver j's first symbol (= M[0][j]) and re-hash it.
            let j = rng.int(0...(n - 1))
            let pairOfJ = n - 1 - j
            let honest = enc.pairs[pairOfJ].secondary
            var data = honest.data
            data[0] ^= 0x5A
            let bad = try Sliver(axis: .secondary, index: j, symbolSize: honest.symbolSize, data: data)
            var hashes = enc.metadata.metadata.hashes
            hashes[pairOfJ].secondaryHash = try bad.merkleRoot(config: config)
            let md = BlobMetadataWithID(computingIDFor: BlobMetadata(unencodedLength: UInt64(blob.count), hashes: hashes))
            try md.verify(config: config)
            try bad.verify(metadata: md.metadata, config: config)  // the node holding it is fooled
            // Recover primary sliver 0 from the tampered sliver plus C-1 others.
            var symbols = [try ExpandedSliver(sliver: bad, config: config).recoverySymbol(forTargetSliver: 0)]
            for pair in enc.pairs where pair.index != pairOfJ && symbols.count < config.columns {
                symbols.append(try ExpandedSliver(sliver: pair.secondary, config: config).recoverySymbol(forTargetSliver: 0))
            }
            let result = try SliverRecovery.recover(targetAxis: .primary, targetIndex: 0, symbols: symbols,
                                                    metadata: md.metadata, config: config)
            guard case .inconsistencyProof(let proof) = result else {
                Issue.record("n \(n): expected an inconsistency proof")
                continue
            }
            try proof.verify(metadata: md.metadata, config: config)
            let decoded = try InconsistencyProof.decode(targetAxis: .primary, bcsBytes: proof.bcsBytes)
            #expect(decoded == proof)
            try decoded.verify(metadata: md.metadata, config: config)
            // Dropping or corrupting a symbol invalidates the proof.
            let short = InconsistencyProof(targetAxis: .primary, targetIndex: 0, symbols: Array(proof.symbols.dropLast()))
            #expect(throws: RedStuffError.incorrectSymbolCount(expected: config.columns, actual: config.columns - 1)) {
                try short.verify(metadata: md.metadata, config: config)
            }
            var syms = proof.symbols
            var d = syms[1].data
            d[0] ^= 1
            syms[1] = RecoverySymbol(targetAxis: .primary, sourceIndex: syms[1].sourceIndex, data: d, proof: syms[1].proof)
            #expect(throws: RedStuffError.invalidRecoverySymbols) {
                try InconsistencyProof(targetAxis: .primary, targetIndex: 0, symbols: syms).verify(metadata: md.metadata, config: config)
            }
            // Decoding the blob from primary slivers: the strict check catches the lie too.
            let decoder = BlobDecoder(config: config, metadata: md)
            let secondaries = enc.pairs.map { $0.index == pairOfJ ? bad : $0.secondary }
            #expect(throws: RedStuffError.self) { try decoder.decode(slivers: Array(secondaries.reversed()), check: .strict) }
        }
    }

    /// The same for a secondary target: a tampered primary sliver hashed into the metadata.
    @Test func inconsistentPrimarySliverYieldsSecondaryProof() throws {
        var rng = SplitMix(seed: 0x2C0)
        for n in [4, 10, 40] {
            let config = try EncodingConfig(nShards: n)
            let blob = rng.bytes(rng.int(100...3000))
            let enc = try BlobEncoder(config: config).encode(blob: blob)
            let i = rng.int(0...(n - 1))
            let t = rng.int(0...(config.columns - 1))  // tamper symbol t (= M[i][t]) of primary sliver i
            let honest = enc.pairs[i].primary
            var data = honest.data
            data[t * honest.symbolSize] ^= 0xC3
            let bad = try Sliver(axis: .primary, index: i, symbolSize: honest.symbolSize, data: data)
            var hashes = enc.metadata.metadata.hashes
            hashes[i].primaryHash = try bad.merkleRoot(config: config)
            let md = BlobMetadataWithID(computingIDFor: BlobMetadata(unencodedLength: UInt64(blob.count), hashes: hashes))
            var symbols = [try ExpandedSliver(sliver: bad, config: config).recoverySymbol(forTargetSliver: t)]
            for pair in enc.pairs where pair.index != i && symbols.count < config.rows {
                symbols.append(try ExpandedSliver(sliver: pair.primary, config: config).recoverySymbol(forTargetSliver: t))
            }
            let result = try SliverRecovery.recover(targetAxis: .secondary, targetIndex: t, symbols: symbols,
                                                    metadata: md.metadata, config: config)
            guard case .inconsistencyProof(let proof) = result else {
                Issue.record("n \(n): expected an inconsistency proof")
                continue
            }
            try InconsistencyProof.decode(targetAxis: .secondary, bcsBytes: proof.bcsBytes).verify(metadata: md.metadata, config: config)
            // Without the tampered sliver the same target recovers fine.
            let good = try enc.pairs.filter { $0.index != i }.prefix(config.rows).map {
                try ExpandedSliver(sliver: $0.primary, config: config).recoverySymbol(forTargetSliver: t)
            }
            let honestTarget = enc.pairs[config.pairIndex(ofSliver: t, axis: .secondary)].secondary
            #expect(try SliverRecovery.recover(targetAxis: .secondary, targetIndex: t, symbols: good,
                                               metadata: md.metadata, config: config) == .sliver(honestTarget))
        }
    }
}
