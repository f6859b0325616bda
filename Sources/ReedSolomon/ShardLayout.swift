// The byte layout of one symbol (shard) as reed-solomon-simd 3.x stores it (spec §9.3).

/// Where the two bytes of each GF(2^16) element of a symbol live.
///
/// A symbol of `symbolBytes` bytes (even, > 0) holds `symbolBytes / 2` elements. Each full
/// 64-byte block holds 32 elements as 32 low bytes followed by 32 high bytes; a final partial
/// block of `t` bytes holds `t / 2` elements as `t / 2` low bytes followed by `t / 2` high bytes.
/// So a 2-byte symbol is one little-endian `UInt16`, and a 6-byte one is `[l0 l1 l2 h0 h1 h2]`.
enum ShardLayout {
    /// Byte offsets of the low and high byte of element `element` (< symbolBytes / 2).
    @inline(__always)
    static func byteOffsets(element: Int, symbolBytes: Int) -> (low: Int, high: Int) {
        let fullBlocks = symbolBytes / 64
        if element < 32 * fullBlocks {
            let low = 64 * (element / 32) + element % 32
            return (low, low + 32)
        }
        let tailBytes = symbolBytes % 64
        let low = 64 * fullBlocks + (element - 32 * fullBlocks)
        return (low, low + tailBytes / 2)
    }
}
