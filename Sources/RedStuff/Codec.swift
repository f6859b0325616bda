import Dispatch
import ReedSolomon

/// How the encoder and decoder run. Output never depends on these settings.
public struct EncodingOptions: Sendable, Hashable {
    /// Worker threads for the per-row/per-column work of a whole blob (1 = run inline, no
    /// threads). Per-sliver operations are always single-threaded.
    public var threads: Int
    /// Use the slow, obviously-correct Reed-Solomon reference engine instead of the fast one.
    public var referenceCodec: Bool
    /// Called now and then during a whole-blob encode with the share of the work done
    /// (0...1), from the encoding thread (the first worker); for progress displays of long
    /// encodes at large shard counts. It must not block. Ignored by equality and hashing.
    public var progress: (@Sendable (Double) -> Void)?

    /// `threads` below 1 is raised to 1. Neither setting changes any output byte.
    public init(threads: Int = 1, referenceCodec: Bool = false, progress: (@Sendable (Double) -> Void)? = nil) {
        self.threads = max(1, threads)
        self.referenceCodec = referenceCodec
        self.progress = progress
    }

    /// Equal when the settings that could matter are (the progress callback is not compared).
    public static func == (a: EncodingOptions, b: EncodingOptions) -> Bool {
        a.threads == b.threads && a.referenceCodec == b.referenceCodec
    }

    /// Hashes the settings `==` compares.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(threads)
        hasher.combine(referenceCodec)
    }
}

/// The two 1-D codes of a config (spec §2.2), wrapped so RS errors become `RedStuffError`.
struct AxisCodecs: Sendable {
    /// Primary code: k = R, n symbols. Encodes columns; expands secondary slivers.
    let primary: ReedSolomonCodec
    /// Secondary code: k = C, n symbols. Encodes rows; expands primary slivers.
    let secondary: ReedSolomonCodec

    init(config: EncodingConfig, options: EncodingOptions) throws(RedStuffError) {
        let engine: ReedSolomonEngine = options.referenceCodec ? .reference : .fast
        let n = config.nShards
        do {
            primary = try ReedSolomonCodec(originalCount: config.rows, recoveryCount: n - config.rows, engine: engine)
            secondary = try ReedSolomonCodec(originalCount: config.columns, recoveryCount: n - config.columns, engine: engine)
        } catch {
            throw .codec("\(error)")
        }
    }

    /// The code that expands a sliver of `axis` (the orthogonal code).
    func expanding(_ axis: SliverAxis) -> ReedSolomonCodec { axis == .primary ? secondary : primary }

    /// The code that decodes a sliver of `axis` from recovery symbols (also the orthogonal code).
    func recovering(_ axis: SliverAxis) -> ReedSolomonCodec { expanding(axis) }

    static func encodeBatch(_ codec: ReedSolomonCodec, originals: UnsafeRawBufferPointer, symbolBytes: Int,
                            codewords: Int, into recovery: UnsafeMutableRawBufferPointer) throws(RedStuffError) {
        do {
            try codec.encodeBatch(originals: originals, symbolBytes: symbolBytes, codewordCount: codewords, into: recovery)
        } catch {
            throw .codec("\(error)")
        }
    }

    static func decodeBatch(_ codec: ReedSolomonCodec, indices: [Int], shards: UnsafeRawBufferPointer, symbolBytes: Int,
                            codewords: Int, into originals: UnsafeMutableRawBufferPointer) throws(RedStuffError) {
        do {
            try codec.decodeBatch(indices: indices, shards: shards, symbolBytes: symbolBytes, codewordCount: codewords,
                                  into: originals)
        } catch let e as ReedSolomonError {
            switch e {
            case .duplicateShardIndex(let i): throw .duplicateIndex(i)
            case .shardIndexOutOfRange(let i, let c): throw .indexOutOfRange(index: i, count: c)
            case .notEnoughShards(let k, let got): throw .notEnoughSymbols(needed: k, received: got)
            default: throw .codec("\(e)")
            }
        } catch {
            throw .codec("\(error)")
        }
    }
}

/// A raw pointer that may cross into worker closures; each worker writes a disjoint region.
struct SendablePointer: @unchecked Sendable {
    let raw: UnsafeMutableRawPointer
}

/// Wraps a value (a closure) so it can cross into `concurrentPerform`; the caller guarantees
/// that concurrent calls only touch disjoint memory.
struct UncheckedSendable<T>: @unchecked Sendable {
    let value: T
}

/// Runs `body(worker)` for `worker` in `0..<threads`, inline when `threads == 1`; reports the
/// first error in worker order, so the reported error is deterministic.
func parallelWorkers(_ threads: Int, _ body: (Int) throws -> Void) throws(RedStuffError) {
    if threads <= 1 {
        try typed { try body(0) }
        return
    }
    var errors = [RedStuffError?](repeating: nil, count: threads)
    errors.withUnsafeMutableBufferPointer { errs in
        let errPtr = SendablePointer(raw: UnsafeMutableRawPointer(errs.baseAddress!))
        withoutActuallyEscaping(body) { escapable in
            let box = UncheckedSendable(value: escapable)
            DispatchQueue.concurrentPerform(iterations: threads) { w in
                do {
                    try box.value(w)
                } catch {
                    errPtr.raw.assumingMemoryBound(to: RedStuffError?.self)[w] = asRedStuffError(error)
                }
            }
        }
    }
    if let first = errors.compactMap({ $0 }).first { throw first }
}

func asRedStuffError(_ error: any Error) -> RedStuffError {
    if let e = error as? RedStuffError { return e }
    return .codec("\(error)")
}

/// Runs an untyped-throwing body (closures passed to `withUnsafeBytes` and friends rethrow
/// `any Error`) and converts what it throws to `RedStuffError`.
@inline(__always)
func typed<T>(_ body: () throws -> T) throws(RedStuffError) -> T {
    do {
        return try body()
    } catch {
        throw asRedStuffError(error)
    }
}
