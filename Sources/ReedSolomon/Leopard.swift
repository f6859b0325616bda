// The Leopard-RS encoding and decoding schedules of reed-solomon-simd 3.x (spec §9.5, §9.6),
// written once against `LeopardWork` so that the reference and the fast engine run the very same
// sequence of transforms and differ only in how a work array stores and combines its shards.
internal import CReedSolomonSIMD

/// A work array of shards, each a vector of GF(2^16) elements of one common length. Every
/// operation is element-wise across shards, so an element position is one independent codeword.
protocol LeopardWork {
    /// Number of shards (rows) in the array.
    var shardCount: Int { get }

    /// Sets shard `shard` from a row of `row.count / symbolBytes` symbols, each in the
    /// rs-simd byte layout (`ShardLayout`). Elements past the row's end (engine padding) get
    /// unspecified values; being separate codewords, they never reach a stored element.
    mutating func load(shard: Int, from row: UnsafeRawBufferPointer, symbolBytes: Int)
    /// Writes shard `shard` as a row of symbols in the rs-simd byte layout.
    func store(shard: Int, to row: UnsafeMutableRawBufferPointer, symbolBytes: Int)
    /// Offers `row`, an output row that `store(shard:to:)` will later receive, as the storage of
    /// shard `shard` from now on (its contents are scratch until then). An engine whose layout
    /// matches may take it, which makes that store free; others ignore it.
    mutating func adopt(shard: Int, row: UnsafeMutableRawBufferPointer, symbolBytes: Int)

    mutating func zero(_ shards: Range<Int>)
    /// `work[to + i] = work[from + i]` for `i < count`.
    mutating func copy(from: Int, to: Int, count: Int)
    /// `work[into + i] ^= work[from + i]` for `i < count` (ranges must not overlap).
    mutating func xor(from: Int, into: Int, count: Int)
    /// `work[shard] *= element(logFactor)`.
    mutating func mul(shard: Int, logFactor: UInt16)

    /// Forward additive FFT on `[pos, pos + size)` (spec §9.4); outputs at offsets
    /// `>= truncated` are garbage.
    mutating func fft(pos: Int, size: Int, truncated: Int, skewDelta: Int)
    /// The same FFT with its input read from `[source, source + size)`, which is left unchanged
    /// (ranges must not overlap): a copy followed by an in-place FFT.
    mutating func fft(pos: Int, size: Int, truncated: Int, skewDelta: Int, readingFrom source: Int)
    /// Inverse additive FFT on `[pos, pos + size)`; inputs at offsets `>= truncated` must be
    /// zero (the truncated transform skips the blocks that would only combine zeros).
    mutating func ifft(pos: Int, size: Int, truncated: Int, skewDelta: Int)
}

extension LeopardWork {
    mutating func fft(pos: Int, size: Int, truncated: Int, skewDelta: Int, readingFrom source: Int) {
        copy(from: source, to: pos, count: size)
        fft(pos: pos, size: size, truncated: truncated, skewDelta: skewDelta)
    }

    mutating func adopt(shard: Int, row: UnsafeMutableRawBufferPointer, symbolBytes: Int) {}

    /// Formal derivative in the novel polynomial basis, over the whole array.
    mutating func formalDerivative() {
        for i in 1..<shardCount {
            let width = 1 << i.trailingZeroBitCount
            xor(from: i, into: i - width, count: width)
        }
    }
}

/// Which of the two Leopard schedules codes a shape (spec §9.5).
public enum ReedSolomonRate: Sendable, Hashable {
    /// Chunks of `pow2(recoveryCount)`; natural when there are more originals than recoveries.
    case high
    /// Chunks of `pow2(originalCount)`; natural when there are more recoveries than originals.
    case low

    /// The rate reed-solomon-simd's `DefaultRate` picks, or nil if the shape is unsupported.
    static func automatic(originalCount k: Int, recoveryCount r: Int) -> ReedSolomonRate? {
        guard k > 0, r > 0, k <= GF.order, r <= GF.order else { return nil }
        let kPow2 = k.nextPowerOfTwo, rPow2 = r.nextPowerOfTwo
        guard min(kPow2, rPow2) + max(k, r) <= GF.order else { return nil }
        if kPow2 != rPow2 { return kPow2 > rPow2 ? .high : .low }
        // Equal chunk sizes: both rates give identical recovery shards; rs-simd picks the
        // "wrong" one on purpose because it decodes faster.
        return k <= r ? .high : .low
    }

    /// Whether this rate supports the shape (rs-simd `HighRate::supports` / `LowRate::supports`).
    func supports(originalCount k: Int, recoveryCount r: Int) -> Bool {
        guard k > 0, r > 0, k < GF.order, r < GF.order else { return false }
        switch self {
        case .high: return r.nextPowerOfTwo + k <= GF.order
        case .low: return k.nextPowerOfTwo + r <= GF.order
        }
    }
}

extension Int {
    /// Smallest power of two `>= self` (for `self >= 1`).
    var nextPowerOfTwo: Int { self <= 1 ? 1 : 1 << (Int.bitWidth - (self - 1).leadingZeroBitCount) }

    func roundedUp(toMultipleOf m: Int) -> Int { (self + m - 1) / m * m }
}

/// The encoding schedule.
enum LeopardEncoder {
    /// Shards the work array needs for encoding.
    static func workCount(originalCount k: Int, recoveryCount r: Int, rate: ReedSolomonRate) -> Int {
        switch rate {
        case .high: return k.roundedUp(toMultipleOf: r.nextPowerOfTwo)
        case .low: return r.roundedUp(toMultipleOf: k.nextPowerOfTwo)
        }
    }

    /// Encodes in place: on entry originals are at `work[0..<k]` (the rest is don't-care);
    /// on return recovery shard `i` is at `work[i]` for `i < r`.
    static func encode<W: LeopardWork>(_ work: inout W, originalCount k: Int, recoveryCount r: Int,
                                       rate: ReedSolomonRate) {
        switch rate {
        case .high:
            let chunk = r.nextPowerOfTwo
            // Sum the IFFTs of every chunk of originals (each with its own skew) into chunk 0.
            work.zero(min(k, chunk)..<chunk)
            work.ifft(pos: 0, size: chunk, truncated: min(k, chunk), skewDelta: chunk)
            var start = chunk
            while start < k {
                let count = min(chunk, k - start)
                work.zero((start + count)..<(start + chunk))
                work.ifft(pos: start, size: chunk, truncated: count, skewDelta: start + chunk)
                work.xor(from: start, into: 0, count: chunk)
                start += chunk
            }
            work.fft(pos: 0, size: chunk, truncated: r, skewDelta: 0)
        case .low:
            let chunk = k.nextPowerOfTwo
            work.zero(k..<chunk)
            work.ifft(pos: 0, size: chunk, truncated: k, skewDelta: 0)
            // Evaluate the one polynomial on each chunk of recovery positions, chunk 0 last since
            // the others read their input (the coefficients) from it.
            var start = chunk
            while start < r {
                work.fft(pos: start, size: chunk, truncated: min(chunk, r - start),
                         skewDelta: start + chunk, readingFrom: 0)
                start += chunk
            }
            work.fft(pos: 0, size: chunk, truncated: min(chunk, r), skewDelta: chunk)
        }
    }
}

/// A decoding schedule for one set of present shards: where each codeword index sits in the
/// work array, and the erasure locator evaluated at every position (as logs). It depends only on
/// the shape and on which indices are present, so a batch of codewords shares one plan.
struct LeopardDecodePlan {
    let originalCount: Int
    let recoveryCount: Int
    let rate: ReedSolomonRate
    /// Work array size: `pow2(end)`.
    let workCount: Int
    /// One past the last meaningful work position (`end` in spec §9.6).
    let end: Int
    /// `present[i]` for codeword index `i` (< k: original, else recovery `i - k`).
    let present: [Bool]
    /// Erasure locator values as logs, one per work position (65536 entries).
    let locatorLogs: [UInt16]

    /// Work position of codeword index `index`.
    func position(ofIndex index: Int) -> Int {
        switch rate {
        case .high:
            // Recovery shards first (at 0..<r), originals after the recovery chunk.
            return index < originalCount ? recoveryCount.nextPowerOfTwo + index : index - originalCount
        case .low:
            return index < originalCount ? index : originalCount.nextPowerOfTwo + index - originalCount
        }
    }

    /// Builds the plan. `present` has `k + r` entries with at least `k` set.
    init(originalCount k: Int, recoveryCount r: Int, rate: ReedSolomonRate, present: [Bool]) {
        originalCount = k
        recoveryCount = r
        self.rate = rate
        self.present = present
        var erasures = [UInt16](repeating: 0, count: GF.order)
        let truncated: Int
        switch rate {
        case .high:
            let chunk = r.nextPowerOfTwo
            end = chunk + k
            for i in 0..<r where !present[k + i] { erasures[i] = 1 }
            for i in r..<chunk { erasures[i] = 1 }
            for j in 0..<k where !present[j] { erasures[chunk + j] = 1 }
            truncated = end
        case .low:
            let chunk = k.nextPowerOfTwo
            end = chunk + r
            for j in 0..<k where !present[j] { erasures[j] = 1 }
            for i in 0..<r where !present[k + i] { erasures[chunk + i] = 1 }
            for i in end..<GF.order { erasures[i] = 1 }
            truncated = GF.order
        }
        workCount = end.nextPowerOfTwo
        // Evaluate the error locator polynomial at every position via two Walsh transforms.
        GFTables.shared.logWalsh.withUnsafeBufferPointer { logWalsh in
            erasures.withUnsafeMutableBufferPointer {
                rs_eval_locator($0.baseAddress, truncated, logWalsh.baseAddress)
            }
        }
        locatorLogs = erasures
    }

    /// Recovers missing originals in place. On entry, each present codeword index's shard is at
    /// `work[position(ofIndex:)]` (every other position is don't-care); on return each missing
    /// original `j` is at `work[position(ofIndex: j)]`.
    func decode<W: LeopardWork>(_ work: inout W) {
        let k = originalCount
        var isLoaded = [Bool](repeating: false, count: workCount)
        for index in 0..<(k + recoveryCount) where present[index] {
            isLoaded[position(ofIndex: index)] = true
        }
        // Multiply received shards by the locator; erased and padding positions become zero.
        var position = 0
        while position < workCount {
            if isLoaded[position] {
                work.mul(shard: position, logFactor: locatorLogs[position])
                position += 1
            } else {
                var runEnd = position + 1
                while runEnd < workCount && !isLoaded[runEnd] { runEnd += 1 }
                work.zero(position..<runEnd)
                position = runEnd
            }
        }
        work.ifft(pos: 0, size: workCount, truncated: end, skewDelta: 0)
        work.formalDerivative()
        work.fft(pos: 0, size: workCount, truncated: end, skewDelta: 0)
        for j in 0..<k where !present[j] {
            let p = self.position(ofIndex: j)
            work.mul(shard: p, logFactor: GF.modulus - locatorLogs[p])
        }
    }
}
