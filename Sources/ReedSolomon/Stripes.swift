// Cache blocking for the fast engine. Every element position is an independent codeword, so a
// whole encode or decode can run on a vertical stripe of the rows (the same byte range of every
// row) and then on the next one. Sized so that all work-array shards of one stripe stay in the
// L2 cache, all FFT passes then hit the cache instead of streaming memory.

/// How rows are cut into stripes: byte ranges of whole *units*, each unit a run of bytes whose
/// rs-simd layout does not depend on its neighbours (a symbol, or any 64-byte block when symbols
/// are whole 64-byte blocks).
struct Stripes {
    /// Size of the layout unit: `symbolBytes`, or 64 when `symbolBytes` is a multiple of 64.
    let unitBytes: Int
    /// Bytes of each stripe (the last may be shorter), a multiple of `unitBytes`.
    let maxStripeBytes: Int
    let rowBytes: Int

    /// Work-array bytes one stripe may occupy: about half of a 2 MiB L2, leaving room for the
    /// rows being read and written.
    static let workBudgetBytes = 1 << 20

    /// One stripe covering the whole row (what the reference engine uses).
    init(wholeRowOf rowBytes: Int, symbolBytes: Int) {
        self.rowBytes = rowBytes
        unitBytes = symbolBytes
        maxStripeBytes = rowBytes
    }

    /// Stripes whose work array (`workCount` shards) fits `workBudgetBytes`, with at least one
    /// unit per stripe.
    init(rowBytes: Int, symbolBytes: Int, workCount: Int) {
        self.rowBytes = rowBytes
        unitBytes = symbolBytes % 64 == 0 ? 64 : symbolBytes
        let unitsPerRow = rowBytes / unitBytes
        let unitsPerStripe = max(1, min(unitsPerRow, Self.workBudgetBytes / max(1, workCount) / unitBytes))
        maxStripeBytes = unitsPerStripe * unitBytes
    }

    /// Byte ranges of the stripes within a row, in order.
    var ranges: [Range<Int>] {
        stride(from: 0, to: rowBytes, by: maxStripeBytes).map { $0..<min($0 + maxStripeBytes, rowBytes) }
    }
}
