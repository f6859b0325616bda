import ReedSolomon
import Testing

// Bad input is reported as a typed error, never a trap.

@Test("Unsupported shard counts are refused")
func unsupportedCounts() {
    for (k, r) in [(0, 1), (1, 0), (-1, 5), (5, -1), (65537, 1), (1, 65537), (40000, 40000), (32769, 32768)] {
        #expect(throws: ReedSolomonError.unsupportedShardCount(originalCount: k, recoveryCount: r)) {
            try ReedSolomonCodec(originalCount: k, recoveryCount: r)
        }
    }
    // Forced rates have their own limits (rs-simd HighRate/LowRate::supports).
    #expect(throws: ReedSolomonError.unsupportedShardCount(originalCount: 60000, recoveryCount: 8000)) {
        try ReedSolomonCodec(originalCount: 60000, recoveryCount: 8000, rate: .high)
    }
    #expect(throws: ReedSolomonError.unsupportedShardCount(originalCount: 65536, recoveryCount: 1)) {
        try ReedSolomonCodec(originalCount: 65536, recoveryCount: 1, rate: .low)
    }
    #expect((try? ReedSolomonCodec(originalCount: 65535, recoveryCount: 1)) != nil)
    #expect((try? ReedSolomonCodec(originalCount: 32768, recoveryCount: 32768)) != nil)
}

@Test("Invalid shard sizes and batch counts are refused", arguments: ReedSolomonEngine.allCases)
func invalidSizes(engine: ReedSolomonEngine) throws {
    let codec = try ReedSolomonCodec(originalCount: 2, recoveryCount: 2, engine: engine)
    for bytes in [0, 1, 3, 63, -2] {
        let shards = [[UInt8](repeating: 1, count: max(bytes, 0)), [UInt8](repeating: 2, count: max(bytes, 0))]
        if bytes >= 0 {
            #expect(throws: ReedSolomonError.invalidShardBytes(bytes)) { try codec.encode(shards) }
        }
        #expect(throws: ReedSolomonError.invalidShardBytes(bytes)) {
            try codec.encodeBatch(originals: [], symbolBytes: bytes, codewordCount: 1)
        }
    }
    #expect(throws: ReedSolomonError.invalidCodewordCount(0)) {
        try codec.encodeBatch(originals: [], symbolBytes: 2, codewordCount: 0)
    }
    #expect(throws: ReedSolomonError.wrongShardCount(expected: 2, actual: 3)) {
        try codec.encode([[1, 2], [3, 4], [5, 6]])
    }
    #expect(throws: ReedSolomonError.wrongShardLength(position: 1, expectedBytes: 2, actualBytes: 4)) {
        try codec.encode([[1, 2], [3, 4, 5, 6]])
    }
    #expect(throws: ReedSolomonError.wrongBufferLength(argument: "originals", expectedBytes: 12, actualBytes: 10)) {
        try codec.encodeBatch(originals: [UInt8](repeating: 0, count: 10), symbolBytes: 2, codewordCount: 3)
    }
    #expect(throws: ReedSolomonError.sizeOverflow) {
        try codec.encodeBatch(originals: [], symbolBytes: 2, codewordCount: Int.max / 2)
    }
}

@Test("Bad decode inputs are refused", arguments: ReedSolomonEngine.allCases)
func badDecodeInputs(engine: ReedSolomonEngine) throws {
    let codec = try ReedSolomonCodec(originalCount: 3, recoveryCount: 2, engine: engine)
    let originals: [[UInt8]] = [[1, 2], [3, 4], [5, 6]]
    let recovery = try codec.encode(originals)
    #expect(throws: ReedSolomonError.shardIndexOutOfRange(index: 5, shardCount: 5)) {
        try codec.decode(indices: [0, 1, 5], shards: [originals[0], originals[1], recovery[0]])
    }
    #expect(throws: ReedSolomonError.shardIndexOutOfRange(index: -1, shardCount: 5)) {
        try codec.decode(indices: [0, 1, -1], shards: [originals[0], originals[1], recovery[0]])
    }
    #expect(throws: ReedSolomonError.duplicateShardIndex(3)) {
        try codec.decode(indices: [3, 0, 3], shards: [recovery[0], originals[0], recovery[0]])
    }
    #expect(throws: ReedSolomonError.notEnoughShards(originalCount: 3, receivedCount: 2)) {
        try codec.decode(indices: [0, 4], shards: [originals[0], recovery[1]])
    }
    #expect(throws: ReedSolomonError.notEnoughShards(originalCount: 3, receivedCount: 0)) {
        try codec.decode(indices: [], shards: [])
    }
    #expect(throws: ReedSolomonError.wrongShardCount(expected: 3, actual: 2)) {
        try codec.decode(indices: [0, 1, 3], shards: [originals[0], originals[1]])
    }
    #expect(throws: ReedSolomonError.wrongShardLength(position: 2, expectedBytes: 2, actualBytes: 4)) {
        try codec.decode(indices: [0, 1, 3], shards: [originals[0], originals[1], [1, 2, 3, 4]])
    }
    #expect(throws: ReedSolomonError.invalidShardBytes(3)) {
        try codec.decode(indices: [0, 1, 3], shards: [[1, 2, 3], [1, 2, 3], [1, 2, 3]])
    }
    #expect(throws: ReedSolomonError.wrongBufferLength(argument: "shards", expectedBytes: 6, actualBytes: 4)) {
        try codec.decodeBatch(indices: [0, 1, 3], shards: [1, 2, 3, 4], symbolBytes: 2, codewordCount: 1)
    }
}

@Test("Errors describe themselves")
func errorDescriptions() {
    #expect(ReedSolomonError.invalidShardBytes(3).description == "invalid shard size 3 bytes (must be even and > 0)")
    #expect(ReedSolomonError.duplicateShardIndex(4).description == "shard index 4 given more than once")
    #expect("\(ReedSolomonError.notEnoughShards(originalCount: 3, receivedCount: 2))"
        == "not enough shards to decode: need 3, got 2")
}
