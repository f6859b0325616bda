/// A rolling 128-bit digest of a stream of 64-bit words, with a fixed key.
///
/// It is the fingerprint of a run's event stream (DESIGN §4): two runs with the same digest
/// handled the same events in the same order with the same payloads. It is deliberately not
/// Swift's `Hasher`, which is seeded per process, and not cryptographic: it only has to make
/// accidental collisions between diverging runs vanishingly unlikely, and cost a few
/// nanoseconds per event.
///
/// Two independent 64-bit lanes each absorb every word with a multiply-xorshift mixer (the
/// SplitMix64 / MurmurHash3 finalizer constants); the lanes differ in their keys and
/// rotations, so a collision needs both to collide at once.
public struct TraceDigest: Hashable, Sendable, CustomStringConvertible {
    @usableFromInline var lane0: UInt64 = 0x6a09_e667_f3bc_c908
    @usableFromInline var lane1: UInt64 = 0xbb67_ae85_84ca_a73b
    @usableFromInline var absorbed: UInt64 = 0

    /// The first 64-bit half of the digest (lane 0); `hex` prints it first.
    public var high: UInt64 { lane0 }
    /// The second 64-bit half of the digest (lane 1); `hex` prints it after `high`.
    public var low: UInt64 { lane1 }
    /// How many words have been absorbed.
    public var count: UInt64 { absorbed }

    /// The digest of the empty stream: both lanes at their fixed keys, `count == 0`.
    @inlinable public init() {}

    /// Absorbs one word.
    @inlinable @inline(__always) public mutating func absorb(_ word: UInt64) {
        absorbed &+= 1
        lane0 = TraceDigest.mix((lane0 ^ word) &* 0x9e37_79b9_7f4a_7c15 &+ absorbed)
        lane1 = TraceDigest.mix((lane1 &+ (word << 17 | word >> 47)) ^ 0xc2b2_ae3d_27d4_eb4f &* absorbed)
    }

    /// Absorbs the bytes of a string (its UTF-8), length-prefixed so that concatenations
    /// cannot collide.
    public mutating func absorb(_ text: String) {
        let bytes = Array(text.utf8)
        absorb(UInt64(bytes.count))
        var word: UInt64 = 0, shift: UInt64 = 0
        for b in bytes {
            word |= UInt64(b) << shift
            shift += 8
            if shift == 64 { absorb(word); word = 0; shift = 0 }
        }
        if shift > 0 { absorb(word) }
    }

    @inlinable @inline(__always) static func mix(_ x0: UInt64) -> UInt64 {
        var x = x0
        x ^= x >> 30; x &*= 0xbf58_476d_1ce4_e5b9
        x ^= x >> 27; x &*= 0x94d0_49bb_1331_11eb
        x ^= x >> 31
        return x
    }

    /// 32 lowercase hex digits.
    public var hex: String { hex64(high) + hex64(low) }
    /// The same as `hex`: 32 lowercase hex digits, `high` then `low`.
    public var description: String { hex }
}

/// `x` as 16 lowercase hex digits.
public func hex64(_ x: UInt64) -> String {
    let s = String(x, radix: 16)
    return String(repeating: "0", count: 16 - s.count) + s
}

/// Lowercase hex of a byte sequence.
public func hexString<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
    let digits: [Character] = Array("0123456789abcdef")
    var out = ""
    for b in bytes { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 15)]) }
    return out
}
