import Testing
import ReedSolomon

// reed-solomon-simd's own recovery hashes (spec §8.2), on both engines.

/// Encodes upstream originals, checks the recovery hash, then decodes with the first
/// `min(k, r)` originals missing and checks they come back.
private func checkUpstream(originalCount k: Int, recoveryCount r: Int, shardBytes: Int, seed: UInt8,
                           rate: ReedSolomonRate?, engine: EngineUnderTest, sha256: String,
                           checkDecode: Bool = true) throws {
    let codec = try engine.codec(originalCount: k, recoveryCount: r, rate: rate)
    let originals = upstreamOriginals(count: k, shardBytes: shardBytes, seed: seed)
    let recovery = try codec.encode(originals)
    #expect(recovery.count == r)
    #expect(SHA256.hex(recovery) == sha256)
    guard checkDecode else { return }
    let lost = min(k, r)
    let indices = Array(lost..<k) + Array(k..<(k + lost))
    let shards = Array(originals[lost...]) + Array(recovery[..<lost])
    #expect(try codec.decode(indices: indices, shards: shards) == originals)
}

@Test("SHA-256 of the test helper matches FIPS 180-4 examples")
func sha256KnownAnswers() {
    #expect(SHA256.hex([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    #expect(SHA256.hex([Array("abc".utf8)]) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    let long = Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
    #expect(SHA256.hex([long]) == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
}

@Test("ChaCha8 of the test helper matches rand_chacha's first words for seed 0")
func chaCha8KnownAnswer() {
    // ChaCha8, all-zero key and nonce, block 0 (the published ChaCha8 test vector).
    var rng = ChaCha8(repeatedByte: 0)
    var bytes = [UInt8](repeating: 0, count: 8)
    rng.fill(&bytes)
    #expect(bytes == [0x3e, 0x00, 0xef, 0x2f, 0x89, 0x5f, 0x40, 0xd6])
}

@Test("DEFAULT_TINY: automatic rate", arguments: defaultTiny, EngineUnderTest.available)
func upstreamDefaultTiny(vector: UpstreamVector, engine: EngineUnderTest) throws {
    try checkUpstream(originalCount: vector.originalCount, recoveryCount: vector.recoveryCount,
                      shardBytes: 1024, seed: vector.seed, rate: nil, engine: engine,
                      sha256: vector.sha256)
}

@Test("HIGH_TINY: forced high rate", arguments: highTiny, EngineUnderTest.available)
func upstreamHighTiny(vector: UpstreamVector, engine: EngineUnderTest) throws {
    try checkUpstream(originalCount: vector.originalCount, recoveryCount: vector.recoveryCount,
                      shardBytes: 1024, seed: vector.seed, rate: .high, engine: engine,
                      sha256: vector.sha256)
}

@Test("LOW_TINY: forced low rate", arguments: lowTiny, EngineUnderTest.available)
func upstreamLowTiny(vector: UpstreamVector, engine: EngineUnderTest) throws {
    try checkUpstream(originalCount: vector.originalCount, recoveryCount: vector.recoveryCount,
                      shardBytes: 1024, seed: vector.seed, rate: .low, engine: engine,
                      sha256: vector.sha256)
}

@Test("8-byte shards: HIGH 34000:2000 and LOW 2000:34000", arguments: EngineUnderTest.available)
func upstreamEightByteShards(engine: EngineUnderTest) throws {
    try checkUpstream(originalCount: 34000, recoveryCount: 2000, shardBytes: 8, seed: 123, rate: .high,
                      engine: engine,
                      sha256: "8bd33dbe0189b5bffcb843fd93fd8c85daada2533cc7df0c352773e846b701f5",
                      checkDecode: false)
    try checkUpstream(originalCount: 2000, recoveryCount: 34000, shardBytes: 8, seed: 123, rate: .low,
                      engine: engine,
                      sha256: "9bd2da4d03580d3e2471c60a49595b209a6f9a5f1d504d0c4bd017b953efdd99",
                      checkDecode: false)
}

/// The five 64-byte vectors with up to 65536 shards: minutes on the reference engine in a debug
/// build, so they run only with `WALRUS_SLOW_TESTS=1`.
private let slowTestsEnabled = ProcessInfoLite.environment("WALRUS_SLOW_TESTS") == "1"

struct LargeVector: Sendable, CustomTestStringConvertible {
    let originalCount: Int, recoveryCount: Int, seed: UInt8, rate: ReedSolomonRate, sha256: String
    var testDescription: String { "\(rate) \(originalCount):\(recoveryCount) seed \(seed)" }
}

private let largeVectors: [LargeVector] = [
    LargeVector(originalCount: 3000, recoveryCount: 30000, seed: 14, rate: .high,
                sha256: "2d7d97fd92be0721b4fcfac8814fe0dd9ad07959eb40558c6ed9af09943fed4e"),
    LargeVector(originalCount: 60000, recoveryCount: 3000, seed: 12, rate: .high,
                sha256: "88e68e1d86a0fc168a549e195845d20b49ff85734db20d560c36ff2e14f78676"),
    LargeVector(originalCount: 32768, recoveryCount: 32768, seed: 11, rate: .high,
                sha256: "432025ead0e3f432f74e30500076a8c2b5554f5dfb7767b62fc3a8126eef7389"),
    LargeVector(originalCount: 32768, recoveryCount: 32768, seed: 11, rate: .low,
                sha256: "432025ead0e3f432f74e30500076a8c2b5554f5dfb7767b62fc3a8126eef7389"),
    LargeVector(originalCount: 3000, recoveryCount: 60000, seed: 13, rate: .low,
                sha256: "d44f9c9ed9158f8aad140794e64a730577327f195753af21b810090966b4b4df"),
    LargeVector(originalCount: 30000, recoveryCount: 3000, seed: 15, rate: .low,
                sha256: "202f99a2ade121d2404e967d5c04ff390f7a147070a2dcbe71dcf3baeafdf93a"),
]

@Test("64-byte shards, up to 65536 shards (slow tier)", .enabled(if: slowTestsEnabled),
      arguments: largeVectors, EngineUnderTest.available)
func upstreamLarge(vector: LargeVector, engine: EngineUnderTest) throws {
    try checkUpstream(originalCount: vector.originalCount, recoveryCount: vector.recoveryCount,
                      shardBytes: 64, seed: vector.seed, rate: vector.rate, engine: engine,
                      sha256: vector.sha256, checkDecode: false)
}

struct LargeDecodeCase: Sendable, CustomTestStringConvertible {
    let originalCount: Int, recoveryCount: Int, rate: ReedSolomonRate
    var testDescription: String { "\(rate) \(originalCount):\(recoveryCount)" }
}

@Test("Large decode round trips, every original lost that can be (slow tier)",
      .enabled(if: slowTestsEnabled),
      arguments: [LargeDecodeCase(originalCount: 32768, recoveryCount: 32768, rate: .high),
                  LargeDecodeCase(originalCount: 32768, recoveryCount: 32768, rate: .low),
                  LargeDecodeCase(originalCount: 60000, recoveryCount: 3000, rate: .high),
                  LargeDecodeCase(originalCount: 3000, recoveryCount: 60000, rate: .low)],
      EngineUnderTest.available.filter { $0 != .reference })
func largeDecode(shape: LargeDecodeCase, engine: EngineUnderTest) throws {
    let k = shape.originalCount, r = shape.recoveryCount, shardBytes = 64
    let codec = try engine.codec(originalCount: k, recoveryCount: r, rate: shape.rate)
    let originals = upstreamOriginals(count: k, shardBytes: shardBytes, seed: 99)
    let recovery = try codec.encode(originals)
    let lost = min(k, r)
    let indices = Array(lost..<k) + Array(k..<(k + lost))
    let shards = Array(originals[lost...]) + Array(recovery[..<lost])
    #expect(try codec.decode(indices: indices, shards: shards) == originals)
}
