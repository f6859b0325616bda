import TestSupport
import ReedSolomon
import Testing

// Properties that need no oracle: any k of the k+r shards decode, and a batch equals its
// codewords coded one at a time.

struct Shape: Sendable, CustomTestStringConvertible {
    let originalCount: Int, recoveryCount: Int, rate: ReedSolomonRate?
    var testDescription: String { "\(originalCount):\(recoveryCount) \(rate.map { "\($0)" } ?? "auto")" }
}

private let decodeShapes: [Shape] = [
    Shape(originalCount: 1, recoveryCount: 1, rate: nil),
    Shape(originalCount: 1, recoveryCount: 5, rate: nil),
    Shape(originalCount: 5, recoveryCount: 1, rate: nil),
    Shape(originalCount: 4, recoveryCount: 6, rate: nil),
    Shape(originalCount: 7, recoveryCount: 3, rate: nil),
    Shape(originalCount: 7, recoveryCount: 3, rate: .low),
    Shape(originalCount: 4, recoveryCount: 6, rate: .high),
    Shape(originalCount: 34, recoveryCount: 66, rate: nil),
    Shape(originalCount: 67, recoveryCount: 33, rate: nil),
    Shape(originalCount: 33, recoveryCount: 67, rate: .high),
    Shape(originalCount: 100, recoveryCount: 100, rate: nil),
    Shape(originalCount: 129, recoveryCount: 3, rate: nil),
]

@Test("Decode: random erasure patterns of exactly k, and of more than k, shards in any order",
      arguments: decodeShapes, EngineUnderTest.available)
func decodeRandomErasures(shape: Shape, engine: EngineUnderTest) throws {
    let k = shape.originalCount, r = shape.recoveryCount
    let codec = try engine.codec(originalCount: k, recoveryCount: r, rate: shape.rate)
    var rng = SplitMix64(seed: UInt64(k * 1000 + r))
    for trial in 0..<6 {
        let shardBytes = [2, 6, 64, 66, 130, 200][trial]
        let originals = (0..<k).map { _ in rng.streamBytes(shardBytes) }
        let recovery = try codec.encode(originals)
        let count = trial % 2 == 0 ? k : k + rng.below(r + 1)
        let kept = randomSubset(of: k + r, size: count, using: &rng)
        let shards = kept.map { $0 < k ? originals[$0] : recovery[$0 - k] }
        #expect(try codec.decode(indices: kept, shards: shards) == originals, "trial \(trial)")
    }
    // The extreme patterns: all originals (nothing to do) and as many recoveries as possible.
    let originals = (0..<k).map { _ in rng.streamBytes(10) }
    let recovery = try codec.encode(originals)
    #expect(try codec.decode(indices: Array(0..<k), shards: originals) == originals)
    let lost = min(k, r)
    let indices = Array(k..<(k + lost)) + Array(lost..<k)
    let shards = Array(recovery[..<lost]) + Array(originals[lost...])
    #expect(try codec.decode(indices: indices, shards: shards) == originals)
}

struct BatchCase: Sendable, CustomTestStringConvertible {
    let originalCount: Int, recoveryCount: Int, symbolBytes: Int, codewordCount: Int
    var testDescription: String { "\(originalCount):\(recoveryCount) \(codewordCount) x \(symbolBytes) B" }
}

private let batchCases: [BatchCase] = [
    BatchCase(originalCount: 4, recoveryCount: 6, symbolBytes: 2, codewordCount: 1),
    BatchCase(originalCount: 4, recoveryCount: 6, symbolBytes: 6, codewordCount: 7),
    BatchCase(originalCount: 7, recoveryCount: 3, symbolBytes: 10, codewordCount: 33),
    BatchCase(originalCount: 34, recoveryCount: 66, symbolBytes: 2, codewordCount: 100),
    BatchCase(originalCount: 67, recoveryCount: 33, symbolBytes: 66, codewordCount: 13),
    BatchCase(originalCount: 67, recoveryCount: 33, symbolBytes: 128, codewordCount: 5),
    BatchCase(originalCount: 334, recoveryCount: 666, symbolBytes: 6, codewordCount: 40),
    BatchCase(originalCount: 667, recoveryCount: 333, symbolBytes: 152, codewordCount: 3),
]

@Test("Batch encode and decode equal coding each codeword on its own",
      arguments: batchCases, EngineUnderTest.available)
func batchEqualsSingles(batch: BatchCase, engine: EngineUnderTest) throws {
    let k = batch.originalCount, r = batch.recoveryCount, s = batch.symbolBytes, b = batch.codewordCount
    let codec = try engine.codec(originalCount: k, recoveryCount: r)
    var rng = SplitMix64(seed: UInt64(k + 7 * r + 31 * s + b))
    let originalRows = rng.streamBytes(k * b * s)  // k rows of b symbols
    let recoveryRows = try codec.encodeBatch(originals: originalRows, symbolBytes: s, codewordCount: b)
    #expect(recoveryRows.count == r * b * s)

    func symbol(_ rows: [UInt8], row: Int, codeword: Int) -> [UInt8] {
        let start = row * b * s + codeword * s
        return Array(rows[start..<(start + s)])
    }
    for codeword in 0..<b {
        let originals = (0..<k).map { symbol(originalRows, row: $0, codeword: codeword) }
        let recovery = try codec.encode(originals)
        #expect((0..<r).map { symbol(recoveryRows, row: $0, codeword: codeword) } == recovery,
                "codeword \(codeword)")
    }

    // Batch decode from one shared random set of k present indices.
    let kept = randomSubset(of: k + r, size: k, using: &rng)
    var shardRows = [UInt8]()
    for index in kept {
        let rows = index < k ? originalRows : recoveryRows
        let row = index < k ? index : index - k
        shardRows += rows[(row * b * s)..<((row + 1) * b * s)]
    }
    let decoded = try codec.decodeBatch(indices: kept, shards: shardRows, symbolBytes: s, codewordCount: b)
    #expect(decoded == originalRows)
}

@Test("Contiguous-buffer API equals the [[UInt8]] API", arguments: EngineUnderTest.available)
func contiguousBuffers(engine: EngineUnderTest) throws {
    let k = 10, r = 5, shardBytes = 100
    let codec = try engine.codec(originalCount: k, recoveryCount: r)
    var rng = SplitMix64(seed: 42)
    let originals = (0..<k).map { _ in rng.streamBytes(shardBytes) }
    var recovery = [UInt8](repeating: 0, count: r * shardBytes)
    try originals.joined().map { $0 }.withUnsafeBytes { input in
        try recovery.withUnsafeMutableBytes { output in
            try codec.encode(originals: input, shardBytes: shardBytes, into: output)
        }
    }
    #expect(recovery == Array(try codec.encode(originals).joined()))

    let indices = [14, 0, 2, 11, 3, 4, 10, 6, 13, 8]
    let shards = indices.flatMap { $0 < k ? originals[$0] : Array(recovery[(($0 - k) * shardBytes)..<(($0 - k + 1) * shardBytes)]) }
    var restored = [UInt8](repeating: 0, count: k * shardBytes)
    try shards.withUnsafeBytes { input in
        try restored.withUnsafeMutableBytes { output in
            try codec.decode(indices: indices, shards: input, shardBytes: shardBytes, into: output)
        }
    }
    #expect(restored == Array(originals.joined()))
}

@Test("Both engines agree on a wide random shape with a tail block", arguments: [ReedSolomonRate.high, .low])
func enginesAgree(rate: ReedSolomonRate) throws {
    let k = 300, r = 200, shardBytes = 1000
    var rng = SplitMix64(seed: 7)
    let originals = (0..<k).map { _ in rng.streamBytes(shardBytes) }
    let reference = try ReedSolomonCodec(originalCount: k, recoveryCount: r, engine: .reference, rate: rate)
    let fast = try ReedSolomonCodec(originalCount: k, recoveryCount: r, engine: .fast, rate: rate)
    #expect(try reference.encode(originals) == fast.encode(originals))
}

@Test("Outputs never write past their buffers (sentinel bytes after the output survive)",
      arguments: [2, 6, 10, 62, 66, 130, 152], EngineUnderTest.available)
func outputsStayInBounds(symbolBytes: Int, engine: EngineUnderTest) throws {
    let k = 5, r = 7, b = 3
    let codec = try engine.codec(originalCount: k, recoveryCount: r)
    var rng = SplitMix64(seed: UInt64(symbolBytes))
    let originals = rng.streamBytes(k * b * symbolBytes)
    let recoveryBytes = r * b * symbolBytes
    var recoveryAndSentinel = [UInt8](repeating: 0xA5, count: recoveryBytes + 64)
    try originals.withUnsafeBytes { input in
        try recoveryAndSentinel.withUnsafeMutableBytes { output in
            try codec.encodeBatch(originals: input, symbolBytes: symbolBytes, codewordCount: b,
                                  into: UnsafeMutableRawBufferPointer(rebasing: output[..<recoveryBytes]))
        }
    }
    #expect(recoveryAndSentinel[recoveryBytes...].allSatisfy { $0 == 0xA5 })
    let recovery = Array(recoveryAndSentinel[..<recoveryBytes])
    #expect(recovery == (try codec.encodeBatch(originals: originals, symbolBytes: symbolBytes, codewordCount: b)))

    // Decode originals 0 and 4 from recoveries 0 and 6 into a buffer followed by sentinels.
    let rowBytes = b * symbolBytes
    let indices = [1, 2, 3, k, k + 6]
    let rows = indices.map { index in
        index < k ? Array(originals[(index * rowBytes)..<((index + 1) * rowBytes)])
            : Array(recovery[((index - k) * rowBytes)..<((index - k + 1) * rowBytes)])
    }
    let shards = Array(rows.joined())
    var restoredAndSentinel = [UInt8](repeating: 0x5A, count: k * rowBytes + 64)
    try shards.withUnsafeBytes { input in
        try restoredAndSentinel.withUnsafeMutableBytes { output in
            try codec.decodeBatch(indices: indices, shards: input, symbolBytes: symbolBytes, codewordCount: b,
                                  into: UnsafeMutableRawBufferPointer(rebasing: output[..<(k * rowBytes)]))
        }
    }
    #expect(restoredAndSentinel[(k * rowBytes)...].allSatisfy { $0 == 0x5A })
    #expect(Array(restoredAndSentinel[..<(k * rowBytes)]) == originals)
}
