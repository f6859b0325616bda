/// SplitMix64 (Steele, Lea, Flood 2014), the byte source of the project's own fixtures: both this
/// file and `Scripts/rs_fixtures/gen_rs_fixtures.py` implement it. Bytes are the generator's
/// 64-bit outputs in little-endian order, consumed continuously across shards (a shard whose
/// length is not a multiple of 8 leaves the rest of its last word to the next shard).
struct SplitMix64 {
    private var state: UInt64
    private var word: UInt64 = 0
    private var bytesLeftInWord = 0

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func nextByte() -> UInt8 {
        if bytesLeftInWord == 0 { word = next(); bytesLeftInWord = 8 }
        defer { word >>= 8; bytesLeftInWord -= 1 }
        return UInt8(truncatingIfNeeded: word)
    }

    mutating func bytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in nextByte() } }

    /// A uniform value in `0 ..< bound` (bound > 0), by rejection-free multiply-shift; fine for tests.
    mutating func below(_ bound: Int) -> Int {
        Int(truncatingIfNeeded: next().multipliedFullWidth(by: UInt64(bound)).high)
    }
}
