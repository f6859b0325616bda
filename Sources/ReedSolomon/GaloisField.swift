// GF(2^16) arithmetic and the constant tables of Leopard-RS as used by reed-solomon-simd 3.x
// (spec/walrus-encoding.md §9.1-9.2). Every table here is a pure function of the constants below;
// they are built once, lazily and thread-safely (Swift runs a global `let` initializer once).
// The Walsh-Hadamard transform lives in C (rs_fwht) so that debug builds stay quick.
internal import CReedSolomonSIMD

/// Constants and tables of the field. Elements are `UInt16`; a "log" of 65535 stands for zero.
enum GF {
    static let bits = 16
    /// Number of field elements.
    static let order = 65536
    /// `order - 1`: the multiplicative group order, and the "log of zero" marker.
    static let modulus: UInt16 = 65535
    static let polynomial = 0x1002D
    static let cantorBasis: [UInt16] = [
        0x0001, 0xACCA, 0x3C0E, 0x163E, 0xC582, 0xED2E, 0x914C, 0x4012,
        0x6C98, 0x10D8, 0x6A72, 0xB900, 0xFDB8, 0xFB34, 0xFF38, 0x991E,
    ]

    /// Addition modulo 65535 in ones'-complement form (65535 and 0 both mean 0).
    @inline(__always)
    static func addMod(_ x: UInt16, _ y: UInt16) -> UInt16 {
        let sum = UInt32(x) + UInt32(y)
        return UInt16(truncatingIfNeeded: sum + (sum >> 16))
    }

    /// Subtraction modulo 65535, the counterpart of `addMod`.
    @inline(__always)
    static func subMod(_ x: UInt16, _ y: UInt16) -> UInt16 {
        let difference = UInt32(x) &- UInt32(y)
        return UInt16(truncatingIfNeeded: difference &+ (difference >> 16))
    }
}

/// The tables every engine needs: EXP, LOG, SKEW (FFT twiddles as logs) and LOG_WALSH (decoder).
struct GFTables: Sendable {
    /// `exp[log] = element`; `exp[65535] == exp[0]`.
    let exp: [UInt16]
    /// `log[element] = log`; `log[0] == 65535` ("zero").
    let log: [UInt16]
    /// FFT butterfly factors as logs, 65535 entries; 65535 means "multiply by zero" (skip).
    let skew: [UInt16]
    /// Walsh-Hadamard transform of LOG (with `[0] = 0`), used to evaluate the erasure locator.
    let logWalsh: [UInt16]

    /// The shared tables, built on first use.
    static let shared = GFTables()

    private init() {
        let (exp, log) = Self.makeExpLog()
        self.exp = exp
        self.log = log
        self.skew = Self.makeSkew(exp: exp, log: log)
        var walsh = log
        walsh[0] = 0
        walsh.withUnsafeMutableBufferPointer { rs_fwht($0.baseAddress, GF.order) }
        self.logWalsh = walsh
    }

    /// `x * element(logFactor)`: 0 if `x == 0`, else `EXP[LOG[x] + logFactor mod 65535]`.
    /// Linear over GF(2) in `x`, which is what lets fast engines use nibble tables.
    @inline(__always)
    func mul(_ x: UInt16, logFactor: UInt16) -> UInt16 {
        x == 0 ? 0 : exp[Int(GF.addMod(log[Int(x)], logFactor))]
    }

    private static func makeExpLog() -> (exp: [UInt16], log: [UInt16]) {
        var exp = [UInt16](repeating: 0, count: GF.order)
        var log = [UInt16](repeating: 0, count: GF.order)
        // A temporary log table of the polynomial basis, stored in `exp`.
        var state = 1
        for i in 0..<Int(GF.modulus) {
            exp[state] = UInt16(i)
            state <<= 1
            if state >= GF.order { state ^= GF.polynomial }
        }
        exp[0] = GF.modulus
        // Cantor basis: element j (as a bit vector over the basis) in the polynomial basis ...
        for i in 0..<GF.bits {
            let width = 1 << i
            for j in 0..<width { log[j + width] = log[j] ^ GF.cantorBasis[i] }
        }
        // ... and its log; then invert into the final EXP.
        for i in 0..<GF.order { log[i] = exp[Int(log[i])] }
        for i in 0..<GF.order { exp[Int(log[i])] = UInt16(i) }
        exp[Int(GF.modulus)] = exp[0]
        return (exp, log)
    }

    private static func makeSkew(exp: [UInt16], log: [UInt16]) -> [UInt16] {
        func mul(_ x: UInt16, _ logFactor: UInt16) -> UInt16 {
            x == 0 ? 0 : exp[Int(GF.addMod(log[Int(x)], logFactor))]
        }
        var skew = [UInt16](repeating: 0, count: Int(GF.modulus))
        var temp = (1..<GF.bits).map { UInt16(1 << $0) }
        for m in 0..<(GF.bits - 1) {
            let step = 1 << (m + 1)
            skew[(1 << m) - 1] = 0
            for i in m..<(GF.bits - 1) {
                let s = 1 << (i + 1)
                var j = (1 << m) - 1
                while j < s {
                    skew[j + s] = skew[j] ^ temp[i]
                    j += step
                }
            }
            temp[m] = GF.modulus - log[Int(mul(temp[m], log[Int(temp[m] ^ 1)]))]
            for i in (m + 1)..<(GF.bits - 1) {
                temp[i] = mul(temp[i], GF.addMod(log[Int(temp[i] ^ 1)], temp[m]))
            }
        }
        for i in 0..<Int(GF.modulus) { skew[i] = log[Int(skew[i])] }
        return skew
    }
}
