import TestSupport
import Testing
import WalrusCrypto
@testable import RedStuff

/// Heavier cases, run with `WALRUS_SLOW_TESTS=1` (minutes in a debug build).
@Suite(.enabled(if: Env.slow, "set WALRUS_SLOW_TESTS=1 to run")) struct SlowTests {
    /// Mainnet shape: n = 1000, full encode, every pair verifies, decode both ways, recovery.
    @Test func mainnetShapeRoundTrip() throws {
        let config = try EncodingConfig(nShards: 1000)
        let f = independentBlobIDFixtures.first { $0.nShards == 1000 && $0.length == 300_000 }!
        let blob = fixtureBlob(length: f.length, seed: f.seed)
        let enc = try BlobEncoder(config: config, options: .init(threads: 2)).encode(blob: blob)
        #expect(enc.blobID.base64 == f.blobID)
        for pair in enc.pairs { try pair.verify(metadata: enc.metadata.metadata, config: config) }
        var rng = SplitMix(seed: 1000)
        let decoder = BlobDecoder(config: config, metadata: enc.metadata, options: .init(threads: 2))
        let primaries = Array(enc.pairs.shuffled(using: &rng).prefix(config.rows).map(\.primary))
        #expect(try decoder.decode(slivers: primaries, check: .strict) == blob)
        let secondaries = Array(enc.pairs.shuffled(using: &rng).prefix(config.columns).map(\.secondary))
        #expect(try decoder.decode(slivers: secondaries, check: .default) == blob)
        // Recover secondary sliver of pair 17 from R primary slivers.
        let symbols = try enc.pairs.suffix(config.rows).map {
            try ExpandedSliver(sliver: $0.primary, config: config).recoverySymbol(forTargetPair: 17)
        }
        #expect(try SliverRecovery.recover(targetAxis: .secondary, targetIndex: enc.pairs[17].secondary.index,
                                           symbols: symbols, metadata: enc.metadata.metadata, config: config)
                == .sliver(enc.pairs[17].secondary))
    }

    /// The largest committee the simulator plans for.
    @Test func n4096MetadataIsThreadIndependent() throws {
        let config = try EncodingConfig(nShards: 4096)
        let blob = fixtureBlob(length: 10_000, seed: 3)
        let a = try BlobEncoder(config: config, options: .init(threads: 1)).computeMetadata(blob: blob)
        let b = try BlobEncoder(config: config, options: .init(threads: 2)).computeMetadata(blob: blob)
        #expect(a == b)
        try a.verify(config: config)
    }
}
