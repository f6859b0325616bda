import WalrusCrypto
@testable import RedStuff

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
    mutating func bytes(_ n: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: n)
        var i = 0
        while i < n {
            let v = next()
            for k in 0..<8 where i + k < n { out[i + k] = UInt8(truncatingIfNeeded: v >> UInt64(8 * k)) }
            i += 8
        }
        return out
    }
    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &self) }
}

import Foundation

enum Env {
    static var slow: Bool { ProcessInfo.processInfo.environment["WALRUS_SLOW_TESTS"] == "1" }
}
