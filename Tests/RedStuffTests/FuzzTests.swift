import TestSupport
import Testing
import WalrusCrypto
@testable import RedStuff

/// Seeded mutation fuzzing: 10,000 corrupted BCS messages and 5,000 hostile API calls. The
/// test passing at all proves zero traps; it also checks that nothing forged is accepted.
/// Reproduce a run with the printed seed; `WALRUS_SLOW_TESTS=1` runs ten times more cases.
@Suite struct FuzzTests {
    static let seed: UInt64 = 0xF022_2026

    enum Kind: CaseIterable { case metadata, primarySliver, secondarySliver, pair, symbol, proof, confirmation, merkleProof, general }

    struct Corpus {
        let config: EncodingConfig
        let metadata: BlobMetadataWithID          // consistent with the honest slivers
        let badMetadata: BlobMetadataWithID       // the inconsistent encoding's metadata
        let pairs: [SliverPair]
        let symbol: RecoverySymbol
        let symbolTarget: Int
        let proof: InconsistencyProof
        let confirmation: StorageConfirmation

        init() throws {
            config = try EncodingConfig(nShards: 7)
            var rng = SplitMix(seed: 1)
            let blob = rng.bytes(400)
            let enc = try BlobEncoder(config: config).encode(blob: blob)
            metadata = enc.metadata
            pairs = enc.pairs
            symbol = try ExpandedSliver(sliver: pairs[2].secondary, config: config).recoverySymbol(forTargetPair: 5)
            symbolTarget = 5
            // Inconsistent encoding (see EncodingPropertyTests.inconsistentEncodingYieldsProof).
            let honest = pairs[6].secondary  // sliver 0
            var data = honest.data
            data[0] ^= 0x77
            let bad = try Sliver(axis: .secondary, index: 0, symbolSize: honest.symbolSize, data: data)
            var hashes = metadata.metadata.hashes
            hashes[6].secondaryHash = try bad.merkleRoot(config: config)
            badMetadata = BlobMetadataWithID(computingIDFor: BlobMetadata(unencodedLength: 400, hashes: hashes))
            var symbols = [try ExpandedSliver(sliver: bad, config: config).recoverySymbol(forTargetSliver: 0)]
            for p in 0..<6 where symbols.count < config.columns {
                symbols.append(try ExpandedSliver(sliver: pairs[p].secondary, config: config).recoverySymbol(forTargetSliver: 0))
            }
            guard case .inconsistencyProof(let pr) = try SliverRecovery.recover(
                targetAxis: .primary, targetIndex: 0, symbols: symbols, metadata: badMetadata.metadata, config: config)
            else { throw RedStuffError.sliverNotInconsistent }
            proof = pr
            confirmation = StorageConfirmation(epoch: 3, blobID: metadata.blobID, persistence: .permanent)
        }

        func bytes(_ k: Kind) -> [UInt8] {
            switch k {
            case .metadata: return metadata.bcsBytes
            case .primarySliver: return pairs[1].primary.bcsBytes
            case .secondarySliver: return pairs[4].secondary.bcsBytes
            case .pair: return pairs[3].bcsBytes
            case .symbol: return symbol.bcsBytes
            case .proof: return proof.bcsBytes
            case .confirmation: return confirmation.bcsBytes
            case .merkleProof: return symbol.proof.bcsBytes
            case .general: return GeneralRecoverySymbol(symbol: symbol, targetIndex: symbolTarget).bcsBytes
            }
        }
    }

    static func mutate(_ input: [UInt8], _ rng: inout SplitMix) -> [UInt8] {
        var b = input
        for _ in 0..<rng.int(1...4) {
            switch rng.int(0...7) {
            case 0 where !b.isEmpty:  // flip a bit
                let i = rng.int(0...(b.count - 1))
                b[i] ^= UInt8(1) << UInt8(rng.int(0...7))
            case 1 where !b.isEmpty:  // random byte
                b[rng.int(0...(b.count - 1))] = UInt8(truncatingIfNeeded: rng.next())
            case 2:  // truncate
                b = Array(b.prefix(rng.int(0...b.count)))
            case 3:  // append junk
                b += rng.bytes(rng.int(1...40))
            case 4 where b.count > 2:  // delete a range
                let i = rng.int(0...(b.count - 2))
                b.removeSubrange(i..<min(b.count, i + rng.int(1...16)))
            case 5 where !b.isEmpty:  // insert bytes
                b.insert(contentsOf: rng.bytes(rng.int(1...8)), at: rng.int(0...b.count))
            case 6 where !b.isEmpty:  // extreme values at a random spot (lengths, indices)
                let i = rng.int(0...(b.count - 1))
                b[i] = [0x00, 0xff, 0x7f, 0x80][rng.int(0...3)]
            case 7:  // entirely random
                b = rng.bytes(rng.int(0...200))
            default:
                break
            }
        }
        return b
    }

    @Test func mutatedBCSNeverTrapsNorForges() throws {
        let corpus = try Corpus()
        let config = corpus.config
        let md = corpus.metadata.metadata
        var rng = SplitMix(seed: Self.seed)
        let iterations = Env.slow ? 100_000 : 10_000
        var decoded = 0
        var accepted = 0
        for it in 0..<iterations {
            let kind = Kind.allCases[it % Kind.allCases.count]
            let original = corpus.bytes(kind)
            let bytes = Self.mutate(original, &rng)
            let unchanged = bytes == original
            switch kind {
            case .metadata:
                guard let m = try? BlobMetadataWithID(bcsBytes: bytes) else { continue }
                decoded += 1
                if (try? m.verify(config: config)) != nil {
                    accepted += 1
                    #expect(m == corpus.metadata, "forged metadata accepted (seed \(Self.seed), iteration \(it))")
                }
                // A decoder fed odd metadata must not trap either.
                _ = try? BlobDecoder(config: config, metadata: m).decode(slivers: corpus.pairs.map(\.primary))
            case .primarySliver, .secondarySliver:
                let axis: SliverAxis = kind == .primarySliver ? .primary : .secondary
                guard let s = try? Sliver.decode(axis: axis, bcsBytes: bytes) else { continue }
                decoded += 1
                if (try? s.verify(metadata: md, config: config)) != nil {
                    accepted += 1
                    let honest = kind == .primarySliver ? corpus.pairs[1].primary : corpus.pairs[4].secondary
                    #expect(s == honest, "forged sliver accepted (seed \(Self.seed), iteration \(it))")
                }
                _ = try? ExpandedSliver(sliver: s, config: config).recoverySymbol(forTargetPair: rng.int(-2...9))
                _ = try? BlobDecoder(config: config, metadata: corpus.metadata).decode(
                    slivers: [s] + corpus.pairs.map { axis == .primary ? $0.primary : $0.secondary })
            case .pair:
                guard let p = try? SliverPair(bcsBytes: bytes) else { continue }
                decoded += 1
                if (try? p.verify(metadata: md, config: config)) != nil {
                    accepted += 1
                    #expect(p == corpus.pairs[3], "forged pair accepted (seed \(Self.seed), iteration \(it))")
                }
            case .symbol:
                guard let sym = try? RecoverySymbol.decode(targetAxis: .primary, bcsBytes: bytes) else { continue }
                decoded += 1
                if (try? sym.verify(config: config, metadata: md, targetSliverIndex: corpus.symbolTarget)) != nil {
                    accepted += 1
                    #expect(sym == corpus.symbol, "forged symbol accepted (seed \(Self.seed), iteration \(it))")
                }
                _ = try? SliverRecovery.recover(targetAxis: .primary, targetIndex: corpus.symbolTarget,
                                                symbols: [sym, sym, corpus.symbol], metadata: md, config: config)
            case .proof:
                guard let pr = try? InconsistencyProof.decode(targetAxis: .primary, bcsBytes: bytes) else { continue }
                decoded += 1
                if (try? pr.verify(metadata: corpus.badMetadata.metadata, config: config)) != nil {
                    accepted += 1
                    #expect(pr == corpus.proof, "forged proof accepted (seed \(Self.seed), iteration \(it))")
                }
                _ = try? pr.verify(metadata: md, config: config)
            case .confirmation:
                guard let c = try? StorageConfirmation(bcsBytes: bytes) else { continue }
                decoded += 1
                if c == corpus.confirmation { accepted += 1 }
                #expect(c.bcsBytes == bytes, "BCS is canonical: re-encoding gives the same bytes")
            case .general:
                guard let g = try? GeneralRecoverySymbol(bcsBytes: bytes) else { continue }
                decoded += 1
                if (try? g.verify(config: config, metadata: md)) != nil {
                    accepted += 1
                    #expect(g == GeneralRecoverySymbol(symbol: corpus.symbol, targetIndex: corpus.symbolTarget),
                            "forged general symbol accepted (seed \(Self.seed), iteration \(it))")
                }
            case .merkleProof:
                guard let mp = try? MerkleProof(bcsBytes: bytes) else { continue }
                decoded += 1
                let ok = corpus.symbol.data.withUnsafeBytes {
                    mp.verify(leaf: $0, leafIndex: corpus.symbolTarget, leafCount: 7,
                              root: md.hashes[config.pairIndex(ofSliver: 2, axis: .secondary)].secondaryHash)
                }
                if ok {
                    accepted += 1
                    #expect(mp == corpus.symbol.proof || unchanged)
                }
            }
        }
        // Sanity: the fuzzer reached the verification code, not just the parsers.
        #expect(decoded > iterations / 20)
        // Mutations almost never leave a message valid; the unmutated originals all are.
        #expect(accepted < iterations / 100)
        try corpus.metadata.verify(config: config)
        try SliverPair(bcsBytes: corpus.bytes(.pair)).verify(metadata: md, config: config)
        try RecoverySymbol.decode(targetAxis: .primary, bcsBytes: corpus.bytes(.symbol))
            .verify(config: config, metadata: md, targetSliverIndex: corpus.symbolTarget)
        try InconsistencyProof.decode(targetAxis: .primary, bcsBytes: corpus.bytes(.proof))
            .verify(metadata: corpus.badMetadata.metadata, config: config)
    }

    /// Hostile arguments to the public API: out-of-range and duplicate indices, wrong sizes,
    /// mixed axes, too few symbols, odd configs. Every call must return or throw, never trap.
    @Test func hostileAPIInputsGiveTypedErrors() throws {
        let corpus = try Corpus()
        let config = corpus.config
        let md = corpus.metadata.metadata
        var rng = SplitMix(seed: Self.seed ^ 0xA91)
        let iterations = Env.slow ? 50_000 : 5_000
        var errors = 0
        for _ in 0..<iterations {
            let n = config.nShards
            let wild = [-1, 0, 1, n - 1, n, n + 1, 65535, 65536, Int.max, Int.min][rng.int(0...9)]
            do {
                switch rng.int(0...9) {
                case 0:
                    _ = try EncodingConfig(nShards: wild)
                case 1:
                    let s = try Sliver(axis: rng.int(0...1) == 0 ? .primary : .secondary, index: rng.int(-3...70000),
                                       symbolSize: rng.int(-1...70000), data: rng.bytes(rng.int(0...64)))
                    try s.verify(metadata: md, config: config)
                case 2:
                    let src = try ExpandedSliver(sliver: corpus.pairs[rng.int(0...(n - 1))].primary, config: config)
                    _ = try src.recoverySymbol(forTargetPair: wild)
                case 3:
                    let sym = RecoverySymbol(targetAxis: .secondary, sourceIndex: wild, data: rng.bytes(rng.int(0...20)),
                                             proof: MerkleProof(path: (0..<rng.int(0...70)).map { _ in .empty }))
                    try sym.verify(config: config, metadata: md, targetSliverIndex: rng.int(-2...10))
                case 4:
                    var slivers = (0..<rng.int(0...12)).map { _ in corpus.pairs[rng.int(0...(n - 1))].secondary }
                    if rng.int(0...3) == 0 { slivers.append(corpus.pairs[0].primary) }
                    _ = try BlobDecoder(config: config, metadata: corpus.metadata)
                        .decode(slivers: slivers, check: ConsistencyCheck.allCases[rng.int(0...2)])
                case 5:
                    let syms = (0..<rng.int(0...9)).map { _ in
                        RecoverySymbol(targetAxis: .primary, sourceIndex: rng.int(-1...8), data: rng.bytes([0, 2, 4, 6][rng.int(0...3)]),
                                       proof: MerkleProof(path: []))
                    }
                    _ = try SliverRecovery.recoverWithoutVerification(targetAxis: .primary, targetIndex: rng.int(-1...8), symbols: syms,
                                                                      symbolSize: [0, 1, 2, 4, 6, 65536][rng.int(0...5)], config: config)
                case 6:
                    let pr = InconsistencyProof(targetAxis: .secondary, targetIndex: wild,
                                                symbols: Array(repeating: corpus.symbol, count: rng.int(0...6)))
                    try pr.verify(metadata: md, config: config)
                case 7:
                    var m = corpus.metadata
                    m.metadata.unencodedLength = [0, 1, UInt64.max, config.maxBlobSize + 1][rng.int(0...3)]
                    try m.verify(config: config)
                    _ = try BlobDecoder(config: config, metadata: m).decode(slivers: corpus.pairs.map(\.primary))
                case 8:
                    var opts = EncodingOptions()
                    opts.threads = [-1, 0, 1, 3, 100][rng.int(0...4)]
                    _ = try BlobEncoder(config: config, options: opts).computeMetadata(blob: rng.bytes(rng.int(0...50)))
                    _ = EncodingConfig.innerHashes(leaves: wild)
                    _ = SignerBitmap(memberCount: wild).contains(wild)
                    _ = try SignerBitmap(signers: [wild], memberCount: rng.int(-1...20))
                    _ = ShardMapping(blobID: corpus.metadata.blobID, nShards: rng.int(-1...3)).shard(ofPair: wild)
                default:
                    let tree = MerkleTree(leafHashes: (0..<rng.int(0...9)).map { _ in Blake2b256.hash(rng.bytes(4)) })
                    _ = try tree.proof(leafIndex: wild)
                    _ = MerkleProof(path: [.empty]).computeRoot(leafHash: .zero, leafIndex: wild)
                }
            } catch {
                errors += 1
            }
        }
        #expect(errors > iterations / 2)
    }
}
