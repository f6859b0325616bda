import TestSupport
import Foundation
import ReedSolomon
import Testing

// Fixtures the project generated with reed-solomon-simd's Python bindings
// (Scripts/rs_fixtures/gen_rs_fixtures.py): shapes, odd symbol sizes and Walrus shapes.

struct WheelFixture: Sendable, CustomTestStringConvertible {
    let originalCount: Int
    let recoveryCount: Int
    let shardBytes: Int
    let seed: UInt64
    let originalsSHA256: String
    let recoverySHA256: String

    var testDescription: String { "\(originalCount):\(recoveryCount) x \(shardBytes) B seed \(seed)" }

    /// The originals, regenerated as the script does: one SplitMix64 byte stream, shard after shard.
    func originals() -> [[UInt8]] {
        var rng = SplitMix64(seed: seed)
        return (0..<originalCount).map { _ in rng.streamBytes(shardBytes) }
    }

    static let all: [WheelFixture] = {
        guard let url = Bundle.module.url(forResource: "rs_wheel_fixtures", withExtension: "txt",
                                          subdirectory: "Fixtures"),
              let text = try? String(contentsOf: url, encoding: .utf8)
        else { return [] }
        return text.split(separator: "\n").compactMap { line in
            guard !line.hasPrefix("#") else { return nil }
            let f = line.split(separator: " ").map(String.init)
            guard f.count == 6, let k = Int(f[0]), let r = Int(f[1]), let s = Int(f[2]), let seed = UInt64(f[3])
            else { return nil }
            return WheelFixture(originalCount: k, recoveryCount: r, shardBytes: s, seed: seed,
                                originalsSHA256: f[4], recoverySHA256: f[5])
        }
    }()
}

@Test("Fixture file loads with every line parsed")
func wheelFixturesLoad() {
    #expect(WheelFixture.all.count == 94)
}

@Test("Wheel fixtures: encode matches reed-solomon-simd, decode from a random k-subset restores",
      arguments: WheelFixture.all, EngineUnderTest.available)
func wheelFixture(fixture: WheelFixture, engine: EngineUnderTest) throws {
    let k = fixture.originalCount, r = fixture.recoveryCount
    let originals = fixture.originals()
    #expect(SHA256.hex(originals) == fixture.originalsSHA256, "SplitMix64 port differs from the script")
    let codec = try engine.codec(originalCount: k, recoveryCount: r)
    let recovery = try codec.encode(originals)
    #expect(SHA256.hex(recovery) == fixture.recoverySHA256)

    var rng = SplitMix64(seed: fixture.seed ^ 0x5EED)
    let kept = randomSubset(of: k + r, size: k, using: &rng)
    let shards = kept.map { $0 < k ? originals[$0] : recovery[$0 - k] }
    #expect(try codec.decode(indices: kept, shards: shards) == originals)
}

/// `size` distinct indices from `0 ..< count` in random order (partial Fisher-Yates).
func randomSubset(of count: Int, size: Int, using rng: inout SplitMix64) -> [Int] {
    var indices = Array(0..<count)
    for i in 0..<size {
        indices.swapAt(i, i + rng.below(count - i))
    }
    return Array(indices[..<size])
}
