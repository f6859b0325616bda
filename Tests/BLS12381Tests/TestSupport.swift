import Foundation
import TestSupport
@testable import BLS12381

/// The BLS tests' name for the shared generator; every failing case prints its seed.
typealias SplitMix = SplitMix64

extension SplitMix64 {
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
