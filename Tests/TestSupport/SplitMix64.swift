/// SplitMix64 (Steele, Lea, Flood 2014): the one source of seeded test randomness shared by the
/// test targets, and the byte source of the project's own fixtures (`Scripts/rs_fixtures/
/// gen_rs_fixtures.py` implements the same generator, so fixture bytes match).
///
/// Two ways to draw bytes, both pinned by fixtures:
/// - `bytes(_:)` fills each call from whole 64-bit words, little-endian, dropping what is left of
///   the last word (the tests' inputs);
/// - `nextByte()` / `streamBytes(_:)` consume the words continuously across calls, so a run of
///   shards of odd lengths reads one unbroken byte stream (the Reed-Solomon wheel fixtures).
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64
    private var word: UInt64 = 0
    private var bytesLeftInWord = 0

    /// A generator whose first output is a function of `seed` alone.
    public init(seed: UInt64) { state = seed }

    /// The next 64-bit output.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// `count` bytes from `ceil(count / 8)` fresh words, little-endian.
    public mutating func bytes(_ count: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        var i = 0
        while i < count {
            let v = next()
            for k in 0..<8 where i + k < count { out[i + k] = UInt8(truncatingIfNeeded: v >> UInt64(8 * k)) }
            i += 8
        }
        return out
    }

    /// The next byte of the continuous stream (see the type's documentation).
    public mutating func nextByte() -> UInt8 {
        if bytesLeftInWord == 0 {
            word = next()
            bytesLeftInWord = 8
        }
        defer {
            word >>= 8
            bytesLeftInWord -= 1
        }
        return UInt8(truncatingIfNeeded: word)
    }

    /// `count` bytes of the continuous stream.
    public mutating func streamBytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in nextByte() } }

    /// A value in `0 ..< bound` (`bound > 0`) by multiply-shift: not exactly uniform, which is
    /// fine for tests and is what the fixtures were generated with.
    public mutating func below(_ bound: Int) -> Int {
        Int(truncatingIfNeeded: next().multipliedFullWidth(by: UInt64(bound)).high)
    }

    /// A uniform value in `range`.
    public mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &self) }
}
