// The fast engine: shards in reed-solomon-simd's 64-byte chunk layout, transformed by C kernels
// (GFNI on AVX-512 or AVX2, AVX2 pshufb, or portable scalar; all give identical bytes) with two
// FFT layers fused per pass.
internal import CReedSolomonSIMD

/// Which C kernel the fast engine uses. `best` is the fastest this CPU supports; tests run every
/// supported kernel against the same vectors.
enum FastKernel: Sendable, Hashable, CaseIterable {
    case scalar, avx2, gfni, gfni512

    static let best: FastKernel = {
        switch rs_best_kernel() {
        case RS_KERNEL_GFNI512: return .gfni512
        case RS_KERNEL_GFNI: return .gfni
        case RS_KERNEL_AVX2: return .avx2
        default: return .scalar
        }
    }()

    var cValue: rs_kernel {
        switch self {
        case .scalar: return RS_KERNEL_SCALAR
        case .avx2: return RS_KERNEL_AVX2
        case .gfni: return RS_KERNEL_GFNI
        case .gfni512: return RS_KERNEL_GFNI512
        }
    }

    var isSupported: Bool { rs_kernel_supported(cValue) != 0 }
}

/// Multiply-by-constant tables for every log factor (10 MiB) and a copy of SKEW, in memory the C
/// kernels can hold on to. Built on first use; immutable afterwards, hence safe to share.
final class FastTables: @unchecked Sendable {
    let multiply: UnsafeMutablePointer<UInt8>
    let skew: UnsafeMutablePointer<UInt16>

    static let shared = FastTables()

    private init() {
        let field = GFTables.shared
        let multiply = UnsafeMutablePointer<UInt8>.allocate(capacity: Int(RS_MUL_TABLE_BYTES))
        field.exp.withUnsafeBufferPointer { exp in
            field.log.withUnsafeBufferPointer { log in
                rs_build_mul_tables(exp.baseAddress, log.baseAddress, multiply)
            }
        }
        let skew = UnsafeMutablePointer<UInt16>.allocate(capacity: field.skew.count)
        skew.initialize(from: field.skew, count: field.skew.count)
        self.multiply = multiply
        self.skew = skew
    }
}

/// Owns the work array's memory: 64-byte aligned, uninitialised scratch for every shard, and the
/// table of shard pointers the C kernels index (a shard may instead live in an output row).
private final class WorkStorage {
    let scratch: UnsafeMutablePointer<UInt8>
    let shards: UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>
    /// Scratch for converting rows of symbols to and from chunk layout.
    let staging: UnsafeMutablePointer<UInt8>

    init(shardCount: Int, shardBytes: Int) {
        let bytes = max(shardCount * shardBytes, 64)
        scratch = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
            .bindMemory(to: UInt8.self, capacity: bytes)
        shards = .allocate(capacity: shardCount)
        for i in 0..<shardCount { shards[i] = scratch + i * shardBytes }
        staging = .allocate(capacity: shardBytes + 64)  // RS_STAGING_BYTES(shardBytes)
    }

    deinit {
        scratch.deallocate()
        shards.deallocate()
        staging.deallocate()
    }
}

/// A work array in chunk layout: each shard is `shardBytes` bytes of 64-byte chunks, each chunk
/// holding 32 elements as 32 low bytes then 32 high bytes; `shardBytes` is the element count
/// rounded up to whole chunks. Which element of a row sits where is up to `rs_pack_row` (the same
/// for every shard, so each position stays one codeword). Memory starts uninitialised: the Leopard schedules write
/// every shard before reading it, and padding elements past `width` only meet other padding.
/// When symbols are whole 64-byte blocks, output rows are adopted as shard storage, so results
/// are computed in place in the caller's buffer.
struct FastWork: LeopardWork {
    let shardCount: Int
    let shardBytes: Int
    let kernel: FastKernel
    private let storage: WorkStorage
    private let tables = FastTables.shared

    init(shardCount: Int, width: Int, kernel: FastKernel) {
        self.shardCount = shardCount
        self.shardBytes = (width + 31) / 32 * 64
        self.kernel = kernel
        storage = WorkStorage(shardCount: shardCount, shardBytes: shardBytes)
    }

    private func shard(_ index: Int) -> UnsafeMutablePointer<UInt8> { storage.shards[index]! }

    mutating func adopt(shard index: Int, row: UnsafeMutableRawBufferPointer, symbolBytes: Int) {
        if symbolBytes % 64 == 0, row.count == shardBytes, let base = row.baseAddress {
            storage.shards[index] = base.assumingMemoryBound(to: UInt8.self)
        } else {
            storage.shards[index] = storage.scratch + index * shardBytes
        }
    }

    mutating func load(shard index: Int, from row: UnsafeRawBufferPointer, symbolBytes: Int) {
        guard let source = row.baseAddress else { return }
        rs_pack_row(shard(index), source.assumingMemoryBound(to: UInt8.self), symbolBytes,
                    row.count / symbolBytes, storage.staging)
    }

    func store(shard index: Int, to row: UnsafeMutableRawBufferPointer, symbolBytes: Int) {
        guard let destination = row.baseAddress else { return }
        let target = destination.assumingMemoryBound(to: UInt8.self)
        guard target != shard(index) else { return }  // adopted: already there
        rs_unpack_row(target, shard(index), symbolBytes, row.count / symbolBytes, storage.staging)
    }

    mutating func zero(_ shards: Range<Int>) {
        for i in shards { shard(i).initialize(repeating: 0, count: shardBytes) }
    }

    mutating func copy(from: Int, to: Int, count: Int) {
        for i in 0..<count { shard(to + i).update(from: shard(from + i), count: shardBytes) }
    }

    mutating func xor(from: Int, into: Int, count: Int) {
        for i in 0..<count { rs_xor(shard(into + i), shard(from + i), shardBytes) }
    }

    mutating func mul(shard index: Int, logFactor: UInt16) {
        rs_mul(kernel.cValue, shard(index), shardBytes, logFactor, tables.multiply)
    }

    mutating func fft(pos: Int, size: Int, truncated: Int, skewDelta: Int) {
        fft(pos: pos, size: size, truncated: truncated, skewDelta: skewDelta, readingFrom: pos)
    }

    mutating func fft(pos: Int, size: Int, truncated: Int, skewDelta: Int, readingFrom source: Int) {
        rs_fft(kernel.cValue, storage.shards, shardBytes, pos, source, size, truncated, skewDelta,
               tables.skew, tables.multiply)
    }

    mutating func ifft(pos: Int, size: Int, truncated: Int, skewDelta: Int) {
        rs_ifft(kernel.cValue, storage.shards, shardBytes, pos, size, truncated, skewDelta, tables.skew,
                tables.multiply)
    }
}

extension ReedSolomonEngine {
    /// The instruction set `.fast` uses on this CPU: "gfni512", "gfni", "avx2" or "scalar".
    public static var fastKernelName: String { "\(FastKernel.best)" }
}

@_spi(Benchmark)
extension ReedSolomonCodec {
    /// The same code with the fast engine pinned to the kernel named `name` ("gfni512", "gfni",
    /// "avx2" or "scalar"), or nil if there is no such kernel or this CPU cannot run it. For benchmarks
    /// that compare instruction sets; output bytes never depend on the kernel.
    public func pinningFastKernel(_ name: String) -> ReedSolomonCodec? {
        guard let kernel = FastKernel.allCases.first(where: { "\($0)" == name }), kernel.isSupported
        else { return nil }
        return withFastKernel(kernel)
    }
}
