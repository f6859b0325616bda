import Foundation
@testable import BLS12381

/// Deterministic test randomness (SplitMix64); every failing case prints its seed.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func bytes(_ n: Int) -> [UInt8] { (0..<n).map { _ in UInt8(truncatingIfNeeded: next()) } }
    /// A random reduced field element.
    mutating func fp() -> Fp {
        while true {
            let c = (next(), next(), next(), next(), next(), next() & 0x1fff_ffff_ffff_ffff)
            if let f = Fp(canonical: c) { return f }
        }
    }
    mutating func fp2() -> Fp2 { Fp2(fp(), fp()) }
    mutating func fp12() -> Fp12 {
        Fp12(Fp6(fp2(), fp2(), fp2()), Fp6(fp2(), fp2(), fp2()))
    }
    /// A random scalar below 2^254.
    mutating func scalar() -> [UInt8] { var b = bytes(32); b[0] &= 0x3f; return b }
}

enum Env {
    static var slow: Bool { ProcessInfo.processInfo.environment["WALRUS_SLOW_TESTS"] == "1" }
}

/// Lower-case hex without separators.
func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

/// Bytes of a hex string (test inputs are well formed).
func unhex(_ s: String) -> [UInt8] {
    var out: [UInt8] = []
    var it = s.makeIterator()
    while let a = it.next(), let b = it.next() { out.append(UInt8(String([a, b]), radix: 16)!) }
    return out
}

extension Fp {
    /// From a 96-digit hex string (test constants).
    init(hex s: String) { self = Fp(bigEndian: unhex(String(repeating: "0", count: 96 - s.count) + s))! }
}
