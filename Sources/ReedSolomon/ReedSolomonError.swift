/// Why a Reed-Solomon call was refused. Every bad input is reported this way; nothing traps.
public enum ReedSolomonError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The shard counts are outside what the (chosen or automatic) rate supports: both must be
    /// at least 1, and `min(pow2(k), pow2(r)) + max(k, r) <= 65536` (spec §9.5).
    case unsupportedShardCount(originalCount: Int, recoveryCount: Int)
    /// Shard or symbol size must be even and positive.
    case invalidShardBytes(Int)
    /// A batch must hold at least one codeword.
    case invalidCodewordCount(Int)
    /// A `[[UInt8]]` argument has the wrong number of shards.
    case wrongShardCount(expected: Int, actual: Int)
    /// Shard number `position` of a `[[UInt8]]` argument has the wrong length.
    case wrongShardLength(position: Int, expectedBytes: Int, actualBytes: Int)
    /// A contiguous buffer argument has the wrong length.
    case wrongBufferLength(argument: String, expectedBytes: Int, actualBytes: Int)
    /// A codeword index is not in `0 ..< originalCount + recoveryCount`.
    case shardIndexOutOfRange(index: Int, shardCount: Int)
    /// A codeword index was given twice.
    case duplicateShardIndex(Int)
    /// Decoding needs at least `originalCount` distinct shards.
    case notEnoughShards(originalCount: Int, receivedCount: Int)
    /// The requested sizes do not fit in memory addresses.
    case sizeOverflow

    /// A one-line message naming the offending values and the rule they break.
    public var description: String {
        switch self {
        case let .unsupportedShardCount(k, r):
            return "unsupported shard counts: \(k) original, \(r) recovery"
                + " (need both >= 1 and min(pow2(k), pow2(r)) + max(k, r) <= 65536)"
        case let .invalidShardBytes(bytes):
            return "invalid shard size \(bytes) bytes (must be even and > 0)"
        case let .invalidCodewordCount(count):
            return "invalid codeword count \(count) (must be > 0)"
        case let .wrongShardCount(expected, actual):
            return "expected \(expected) shards, got \(actual)"
        case let .wrongShardLength(position, expected, actual):
            return "shard \(position) has \(actual) bytes, expected \(expected)"
        case let .wrongBufferLength(argument, expected, actual):
            return "buffer '\(argument)' has \(actual) bytes, expected \(expected)"
        case let .shardIndexOutOfRange(index, count):
            return "shard index \(index) out of range 0..<\(count)"
        case let .duplicateShardIndex(index):
            return "shard index \(index) given more than once"
        case let .notEnoughShards(k, received):
            return "not enough shards to decode: need \(k), got \(received)"
        case .sizeOverflow:
            return "requested sizes overflow"
        }
    }
}
