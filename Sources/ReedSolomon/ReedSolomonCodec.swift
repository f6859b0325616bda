// Public surface of the module: a Reed-Solomon code over GF(2^16) whose output is byte-for-byte
// that of reed-solomon-simd 3.x (Leopard-RS), for single codewords and for batches of them.

/// Which implementation does the arithmetic. Both produce identical bytes.
public enum ReedSolomonEngine: Sendable, Hashable, CaseIterable {
    /// The spec written out element by element: slow, obviously right.
    case reference
    /// Table-driven and (where the CPU allows) SIMD; the default.
    case fast
}

/// A systematic Reed-Solomon code with `originalCount` original and `recoveryCount` recovery
/// shards, identical in output to reed-solomon-simd 3.x (`ReedSolomonEncoder`/`Decoder`).
///
/// Codeword indices: `0 ..< originalCount` name original shards, `originalCount ..<
/// originalCount + recoveryCount` name recovery shards (index `k + i` is recovery shard `i`).
///
/// Shards are byte strings of an even, positive size in rs-simd's layout (spec §9.3): every
/// 64-byte block holds 32 elements as 32 low bytes then 32 high bytes; a shorter final block of
/// `t` bytes holds `t/2` low bytes then `t/2` high bytes. Callers never need to know this unless
/// they interpret shard bytes as field elements.
///
/// **Batches.** Every element position of a shard is an independent codeword, so many codewords
/// that share `(k, r)` and a symbol size are coded in one call: a *row* of a batch of `B`
/// codewords with `symbolBytes`-byte symbols is `B * symbolBytes` bytes, and codeword `b`'s
/// symbol sits at byte offset `b * symbolBytes` of its row, in its own rs-simd layout. The result
/// equals coding each codeword on its own. A single codeword is a batch with `B = 1`.
///
/// The type is a small value and `Sendable`; calls are independent and may run concurrently.
public struct ReedSolomonCodec: Sendable, Hashable {
    /// `k`, the number of original (systematic) shards; at least 1.
    public let originalCount: Int
    /// `r`, the number of recovery shards; at least 1, and `(k, r)` is supported by ``rate``.
    public let recoveryCount: Int
    /// The Leopard schedule in use (automatic choice as in rs-simd unless forced).
    public let rate: ReedSolomonRate
    /// Which implementation computes; it never changes the output bytes.
    public let engine: ReedSolomonEngine
    /// The C kernel behind `.fast` (tests pin each one; callers get the best the CPU has).
    var fastKernel = FastKernel.best

    /// Number of codeword indices, `originalCount + recoveryCount`.
    public var shardCount: Int { originalCount + recoveryCount }

    /// Creates a code. Throws `.unsupportedShardCount` if rs-simd would refuse the shape.
    /// - Parameters:
    ///   - rate: nil (default) picks the rate as rs-simd's `ReedSolomonEncoder` does; `.high` or
    ///     `.low` force one schedule like rs-simd's `HighRate`/`LowRate` (outputs differ from the
    ///     automatic choice when `pow2(k) != pow2(r)`).
    public init(originalCount: Int, recoveryCount: Int, engine: ReedSolomonEngine = .fast,
                rate: ReedSolomonRate? = nil) throws {
        let chosen: ReedSolomonRate
        if let rate {
            guard rate.supports(originalCount: originalCount, recoveryCount: recoveryCount) else {
                throw ReedSolomonError.unsupportedShardCount(
                    originalCount: originalCount, recoveryCount: recoveryCount)
            }
            chosen = rate
        } else {
            guard let automatic = ReedSolomonRate.automatic(
                originalCount: originalCount, recoveryCount: recoveryCount)
            else {
                throw ReedSolomonError.unsupportedShardCount(
                    originalCount: originalCount, recoveryCount: recoveryCount)
            }
            chosen = automatic
        }
        self.originalCount = originalCount
        self.recoveryCount = recoveryCount
        self.rate = chosen
        self.engine = engine
    }

    // MARK: Encoding

    /// Encodes `originalCount` shards of one common even size into `recoveryCount` recovery
    /// shards of the same size (rs-simd `encode`).
    public func encode(_ originals: [[UInt8]]) throws -> [[UInt8]] {
        guard originals.count == originalCount else {
            throw ReedSolomonError.wrongShardCount(expected: originalCount, actual: originals.count)
        }
        let shardBytes = originals[0].count
        try Self.validate(symbolBytes: shardBytes, codewordCount: 1)
        var flat = [UInt8]()
        flat.reserveCapacity(try Self.product(originalCount, shardBytes))
        for (position, shard) in originals.enumerated() {
            guard shard.count == shardBytes else {
                throw ReedSolomonError.wrongShardLength(
                    position: position, expectedBytes: shardBytes, actualBytes: shard.count)
            }
            flat += shard
        }
        let recovery = try encodeBatch(originals: flat, symbolBytes: shardBytes, codewordCount: 1)
        return (0..<recoveryCount).map { Array(recovery[($0 * shardBytes)..<(($0 + 1) * shardBytes)]) }
    }

    /// Encodes one codeword held contiguously: original shard `i` at byte offset
    /// `i * shardBytes` of `originals` (exactly `originalCount * shardBytes` bytes); writes
    /// recovery shard `i` at offset `i * shardBytes` of `recovery` (exactly
    /// `recoveryCount * shardBytes` bytes). No allocation beyond the engine's work array.
    public func encode(originals: UnsafeRawBufferPointer, shardBytes: Int,
                       into recovery: UnsafeMutableRawBufferPointer) throws {
        try encodeBatch(originals: originals, symbolBytes: shardBytes, codewordCount: 1,
                        into: recovery)
    }

    /// Encodes `codewordCount` independent codewords at once, as if `encode` were called on
    /// each.
    ///
    /// Layout: `originals` is `originalCount` rows of `codewordCount * symbolBytes` bytes each,
    /// row after row; row `i` holds original symbol `i` of every codeword, codeword `b`'s at byte
    /// offset `b * symbolBytes` within the row. `recovery` receives `recoveryCount` rows in the
    /// same layout (row `i` = recovery symbol `i` of every codeword). Each symbol uses its own
    /// rs-simd byte layout (so a 6-byte symbol is `[l0 l1 l2 h0 h1 h2]`). The buffers must not
    /// overlap; `recovery` may be used as scratch space before it receives the result.
    public func encodeBatch(originals: UnsafeRawBufferPointer, symbolBytes: Int,
                            codewordCount: Int,
                            into recovery: UnsafeMutableRawBufferPointer) throws {
        try Self.validate(symbolBytes: symbolBytes, codewordCount: codewordCount)
        let rowBytes = try Self.product(symbolBytes, codewordCount)
        try Self.expect(originals.count, try Self.product(originalCount, rowBytes), "originals")
        try Self.expect(recovery.count, try Self.product(recoveryCount, rowBytes), "recovery")
        let workCount = LeopardEncoder.workCount(originalCount: originalCount,
                                                 recoveryCount: recoveryCount, rate: rate)
        switch engine {
        case .reference:
            runEncode(originals, recovery, rowBytes: rowBytes, symbolBytes: symbolBytes,
                      stripes: Stripes(wholeRowOf: rowBytes, symbolBytes: symbolBytes),
                      makeWork: ReferenceWork.init)
        case .fast:
            runEncode(originals, recovery, rowBytes: rowBytes, symbolBytes: symbolBytes,
                      stripes: Stripes(rowBytes: rowBytes, symbolBytes: symbolBytes, workCount: workCount)) {
                FastWork(shardCount: $0, width: $1, kernel: fastKernel)
            }
        }
    }

    /// `encodeBatch` on arrays: `originals` holds `originalCount` rows of
    /// `codewordCount * symbolBytes` bytes; returns `recoveryCount` rows in the same layout.
    public func encodeBatch(originals: [UInt8], symbolBytes: Int,
                            codewordCount: Int) throws -> [UInt8] {
        try Self.validate(symbolBytes: symbolBytes, codewordCount: codewordCount)
        let outputBytes = try Self.product(recoveryCount, try Self.product(symbolBytes, codewordCount))
        var recovery = [UInt8](repeating: 0, count: outputBytes)
        try originals.withUnsafeBytes { input in
            try recovery.withUnsafeMutableBytes { output in
                try encodeBatch(originals: input, symbolBytes: symbolBytes,
                                codewordCount: codewordCount, into: output)
            }
        }
        return recovery
    }

    // MARK: Decoding

    /// Restores all `originalCount` original shards from any `>= originalCount` distinct shards.
    /// `shards[j]` is the shard with codeword index `indices[j]` (see the type's doc); all shards
    /// have one common even size. Returns the originals in order (present ones copied).
    public func decode(indices: [Int], shards: [[UInt8]]) throws -> [[UInt8]] {
        guard shards.count == indices.count else {
            throw ReedSolomonError.wrongShardCount(expected: indices.count, actual: shards.count)
        }
        guard let shardBytes = shards.first?.count else {
            throw ReedSolomonError.notEnoughShards(originalCount: originalCount, receivedCount: 0)
        }
        try Self.validate(symbolBytes: shardBytes, codewordCount: 1)
        var flat = [UInt8]()
        flat.reserveCapacity(try Self.product(shards.count, shardBytes))
        for (position, shard) in shards.enumerated() {
            guard shard.count == shardBytes else {
                throw ReedSolomonError.wrongShardLength(
                    position: position, expectedBytes: shardBytes, actualBytes: shard.count)
            }
            flat += shard
        }
        let originals = try decodeBatch(indices: indices, shards: flat, symbolBytes: shardBytes,
                                        codewordCount: 1)
        return (0..<originalCount).map { Array(originals[($0 * shardBytes)..<(($0 + 1) * shardBytes)]) }
    }

    /// Decodes one codeword held contiguously: the shard with codeword index `indices[j]` is at
    /// byte offset `j * shardBytes` of `shards` (exactly `indices.count * shardBytes` bytes).
    /// Writes original shard `i` at offset `i * shardBytes` of `originals` (exactly
    /// `originalCount * shardBytes` bytes).
    public func decode(indices: [Int], shards: UnsafeRawBufferPointer, shardBytes: Int,
                       into originals: UnsafeMutableRawBufferPointer) throws {
        try decodeBatch(indices: indices, shards: shards, symbolBytes: shardBytes,
                        codewordCount: 1, into: originals)
    }

    /// Decodes `codewordCount` codewords that all have the same present indices, as if `decode`
    /// were called on each; the erasure locator is computed once for the whole batch.
    ///
    /// Layout: `shards` is `indices.count` rows of `codewordCount * symbolBytes` bytes; row `j`
    /// holds the symbol with codeword index `indices[j]` of every codeword, codeword `b`'s at
    /// byte offset `b * symbolBytes`. `originals` receives `originalCount` rows in the same layout
    /// (row `i` = original symbol `i` of every codeword). Indices may come in any order; at least
    /// `originalCount` distinct ones are needed, and extra ones are used as well. The buffers must
    /// not overlap; `originals` may be used as scratch space before it receives the result.
    public func decodeBatch(indices: [Int], shards: UnsafeRawBufferPointer, symbolBytes: Int,
                            codewordCount: Int,
                            into originals: UnsafeMutableRawBufferPointer) throws {
        try Self.validate(symbolBytes: symbolBytes, codewordCount: codewordCount)
        let rowBytes = try Self.product(symbolBytes, codewordCount)
        try Self.expect(shards.count, try Self.product(indices.count, rowBytes), "shards")
        try Self.expect(originals.count, try Self.product(originalCount, rowBytes), "originals")
        var present = [Bool](repeating: false, count: shardCount)
        var rowOfIndex = [Int](repeating: -1, count: shardCount)
        for (row, index) in indices.enumerated() {
            guard index >= 0 && index < shardCount else {
                throw ReedSolomonError.shardIndexOutOfRange(index: index, shardCount: shardCount)
            }
            guard !present[index] else { throw ReedSolomonError.duplicateShardIndex(index) }
            present[index] = true
            rowOfIndex[index] = row
        }
        guard indices.count >= originalCount else {
            throw ReedSolomonError.notEnoughShards(originalCount: originalCount,
                                                   receivedCount: indices.count)
        }
        let input = DecodeInput(shards: shards, rowBytes: rowBytes, rowOfIndex: rowOfIndex)
        // Present originals are copied as they are.
        for j in 0..<originalCount where present[j] {
            copyRow(from: input.row(j), to: originals, at: j * rowBytes)
        }
        guard !present[0..<originalCount].allSatisfy({ $0 }) else { return }
        let plan = LeopardDecodePlan(originalCount: originalCount, recoveryCount: recoveryCount,
                                     rate: rate, present: present)
        switch engine {
        case .reference:
            runDecode(plan, input, originals,
                      stripes: Stripes(wholeRowOf: rowBytes, symbolBytes: symbolBytes),
                      makeWork: ReferenceWork.init)
        case .fast:
            runDecode(plan, input, originals,
                      stripes: Stripes(rowBytes: rowBytes, symbolBytes: symbolBytes,
                                       workCount: plan.workCount)) {
                FastWork(shardCount: $0, width: $1, kernel: fastKernel)
            }
        }
    }

    /// `decodeBatch` on arrays: `shards` holds `indices.count` rows of
    /// `codewordCount * symbolBytes` bytes; returns `originalCount` rows in the same layout.
    public func decodeBatch(indices: [Int], shards: [UInt8], symbolBytes: Int,
                            codewordCount: Int) throws -> [UInt8] {
        try Self.validate(symbolBytes: symbolBytes, codewordCount: codewordCount)
        let outputBytes = try Self.product(originalCount, try Self.product(symbolBytes, codewordCount))
        var originals = [UInt8](repeating: 0, count: outputBytes)
        try shards.withUnsafeBytes { input in
            try originals.withUnsafeMutableBytes { output in
                try decodeBatch(indices: indices, shards: input, symbolBytes: symbolBytes,
                                codewordCount: codewordCount, into: output)
            }
        }
        return originals
    }

    // MARK: Internals

    /// The same code with the fast engine pinned to `kernel` (for tests and benchmarks).
    func withFastKernel(_ kernel: FastKernel) -> ReedSolomonCodec {
        var copy = self
        copy.fastKernel = kernel
        return copy
    }

    private struct DecodeInput {
        let shards: UnsafeRawBufferPointer
        let rowBytes: Int
        let rowOfIndex: [Int]

        func row(_ index: Int) -> UnsafeRawBufferPointer {
            let start = rowOfIndex[index] * rowBytes
            return UnsafeRawBufferPointer(rebasing: shards[start..<(start + rowBytes)])
        }
    }

    /// Runs the encoding schedule over the rows stripe by stripe (see `Stripes`);
    /// `makeWork(shardCount, width)` creates an engine's work array, reused for every stripe.
    private func runEncode<W: LeopardWork>(_ originals: UnsafeRawBufferPointer,
                                           _ recovery: UnsafeMutableRawBufferPointer,
                                           rowBytes: Int, symbolBytes: Int, stripes: Stripes,
                                           makeWork: (Int, Int) -> W) {
        let k = originalCount, r = recoveryCount
        var work = makeWork(LeopardEncoder.workCount(originalCount: k, recoveryCount: r, rate: rate),
                            stripes.maxStripeBytes / 2)
        // Output rows double as work storage only when a stripe is the whole row: stripes of long
        // rows would scatter the work array over the rows, at a stride that thrashes the cache.
        let adoptOutput = stripes.maxStripeBytes == rowBytes
        for stripe in stripes.ranges {
            for i in 0..<r where adoptOutput {
                let row = UnsafeMutableRawBufferPointer(
                    rebasing: recovery[(i * rowBytes + stripe.lowerBound)..<(i * rowBytes + stripe.upperBound)])
                work.adopt(shard: i, row: row, symbolBytes: stripes.unitBytes)
            }
            for i in 0..<k {
                let row = UnsafeRawBufferPointer(
                    rebasing: originals[(i * rowBytes + stripe.lowerBound)..<(i * rowBytes + stripe.upperBound)])
                work.load(shard: i, from: row, symbolBytes: stripes.unitBytes)
            }
            LeopardEncoder.encode(&work, originalCount: k, recoveryCount: r, rate: rate)
            for i in 0..<r {
                let row = UnsafeMutableRawBufferPointer(
                    rebasing: recovery[(i * rowBytes + stripe.lowerBound)..<(i * rowBytes + stripe.upperBound)])
                work.store(shard: i, to: row, symbolBytes: stripes.unitBytes)
            }
        }
    }

    private func runDecode<W: LeopardWork>(_ plan: LeopardDecodePlan, _ input: DecodeInput,
                                           _ originals: UnsafeMutableRawBufferPointer,
                                           stripes: Stripes, makeWork: (Int, Int) -> W) {
        var work = makeWork(plan.workCount, stripes.maxStripeBytes / 2)
        let rowBytes = input.rowBytes
        func outputRow(_ j: Int, _ stripe: Range<Int>) -> UnsafeMutableRawBufferPointer {
            UnsafeMutableRawBufferPointer(
                rebasing: originals[(j * rowBytes + stripe.lowerBound)..<(j * rowBytes + stripe.upperBound)])
        }
        let adoptOutput = stripes.maxStripeBytes == rowBytes  // as in runEncode
        for stripe in stripes.ranges {
            for j in 0..<originalCount where adoptOutput && !plan.present[j] {
                work.adopt(shard: plan.position(ofIndex: j), row: outputRow(j, stripe),
                           symbolBytes: stripes.unitBytes)
            }
            for index in 0..<shardCount where plan.present[index] {
                let row = UnsafeRawBufferPointer(rebasing: input.row(index)[stripe])
                work.load(shard: plan.position(ofIndex: index), from: row, symbolBytes: stripes.unitBytes)
            }
            plan.decode(&work)
            for j in 0..<originalCount where !plan.present[j] {
                work.store(shard: plan.position(ofIndex: j), to: outputRow(j, stripe),
                           symbolBytes: stripes.unitBytes)
            }
        }
    }

    private func copyRow(from row: UnsafeRawBufferPointer, to output: UnsafeMutableRawBufferPointer,
                         at offset: Int) {
        UnsafeMutableRawBufferPointer(rebasing: output[offset..<(offset + row.count)])
            .copyMemory(from: row)
    }

    private static func validate(symbolBytes: Int, codewordCount: Int) throws {
        guard symbolBytes > 0 && symbolBytes % 2 == 0 else {
            throw ReedSolomonError.invalidShardBytes(symbolBytes)
        }
        guard codewordCount > 0 else { throw ReedSolomonError.invalidCodewordCount(codewordCount) }
    }

    private static func product(_ a: Int, _ b: Int) throws -> Int {
        let (result, overflow) = a.multipliedReportingOverflow(by: b)
        guard !overflow else { throw ReedSolomonError.sizeOverflow }
        return result
    }

    private static func expect(_ actual: Int, _ expected: Int, _ argument: String) throws {
        guard actual == expected else {
            throw ReedSolomonError.wrongBufferLength(argument: argument, expectedBytes: expected,
                                                     actualBytes: actual)
        }
    }
}
