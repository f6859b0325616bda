import ArgumentParser
@_spi(Benchmark) import ReedSolomon

/// `walrus-sim bench rs --original K --recovery M --shard-bytes B`: Reed-Solomon encode
/// throughput, in MiB of original data per second, as reed-solomon-simd's benchmarks count it.
/// `--codewords N` encodes N codewords per call through the batch API instead (B-byte symbols).
/// Prints one line of key=value fields; `mib_per_s` is from the fastest iteration (as
/// `Scripts/bench_rs.sh`'s peer, `rs_anchor.py`, reports its best of 5).
struct BenchRS: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rs",
        abstract: "Time Reed-Solomon encoding (one codeword or a batch); prints one key=value line."
    )

    enum EngineChoice: String, ExpressibleByArgument, CaseIterable {
        case fast, reference
        var engine: ReedSolomonEngine { self == .fast ? .fast : .reference }
    }

    @Option(help: "Number of original shards K.")
    var original: Int

    @Option(help: "Number of recovery shards M.")
    var recovery: Int

    @Option(help: "Shard size in bytes (even, > 0); the symbol size when --codewords > 1.")
    var shardBytes: Int

    @Option(help: "Codewords encoded per call through the batch API (as RedStuff does); 1 = single.")
    var codewords: Int = 1

    @Option(help: "Engine: fast or reference.")
    var engine: EngineChoice = .fast

    @Option(help: "Fast-engine kernel: best, gfni512, gfni, avx2 or scalar.")
    var kernel: String = "best"

    @Option(help: "Timed encodes (after \(Self.warmUpIterations) untimed warm-up encodes); the fastest is reported.")
    var iterations: Int = 20

    /// Untimed encodes first, so that tables, work buffers and caches are warm: the benchmark
    /// measures steady-state throughput, as criterion-style benches (and rs-simd's) do.
    static let warmUpIterations = 3

    func validate() throws {
        guard original > 0 else { throw ValidationError("--original must be > 0 (got \(original))") }
        guard recovery > 0 else { throw ValidationError("--recovery must be > 0 (got \(recovery))") }
        guard shardBytes > 0, shardBytes % 2 == 0 else {
            throw ValidationError("--shard-bytes must be even and > 0 (got \(shardBytes))")
        }
        guard iterations > 0 else { throw ValidationError("--iterations must be > 0 (got \(iterations))") }
        guard codewords > 0 else { throw ValidationError("--codewords must be > 0 (got \(codewords))") }
        let (rowBytes, rowOverflow) = shardBytes.multipliedReportingOverflow(by: codewords)
        let (originalBytes, originalOverflow) = original.multipliedReportingOverflow(by: rowBytes)
        let (recoveryBytes, recoveryOverflow) = recovery.multipliedReportingOverflow(by: rowBytes)
        guard !rowOverflow, !originalOverflow, !recoveryOverflow, originalBytes <= 1 << 34, recoveryBytes <= 1 << 34 else {
            throw ValidationError("shard counts x --shard-bytes x --codewords exceed 16 GiB")
        }
        _ = try makeCodec()
    }

    /// The code under test, or a validation error naming what is wrong.
    private func makeCodec() throws -> (codec: ReedSolomonCodec, kernelName: String) {
        let codec: ReedSolomonCodec
        do {
            codec = try ReedSolomonCodec(originalCount: original, recoveryCount: recovery,
                                         engine: engine.engine)
        } catch {
            throw ValidationError("\(error)")
        }
        let kernelName = kernel == "best" ? ReedSolomonEngine.fastKernelName : kernel
        guard let pinned = codec.pinningFastKernel(kernelName) else {
            throw ValidationError("--kernel \(kernel) is unknown or not supported by this CPU")
        }
        return (pinned, kernelName)
    }

    func run() throws {
        let (codec, kernelName) = try makeCodec()
        // Deterministic pseudo-random originals (xorshift64); the content does not affect speed.
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        let rowBytes = shardBytes * codewords
        let originals = (0..<(original * rowBytes)).map { _ -> UInt8 in
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return UInt8(truncatingIfNeeded: state)
        }
        var recoveryBytes = [UInt8](repeating: 0, count: recovery * rowBytes)
        var samples: [Double] = []
        try originals.withUnsafeBytes { input in
            try recoveryBytes.withUnsafeMutableBytes { output in
                for iteration in 0..<(Self.warmUpIterations + iterations) {
                    let start = ContinuousClock.now
                    try codec.encodeBatch(originals: input, symbolBytes: shardBytes,
                                          codewordCount: codewords, into: output)
                    let elapsed = ContinuousClock.now - start
                    if iteration >= Self.warmUpIterations { samples.append(Self.seconds(elapsed)) }
                }
            }
        }
        let best = samples.min()!
        let mean = samples.reduce(0, +) / Double(samples.count)
        let mib = Double(original * rowBytes) / Double(1 << 20)
        let checksum = recoveryBytes.reduce(UInt32(0)) { ($0 &* 31) &+ UInt32($1) }
        print([
            "bench=rs",
            "engine=\(engine.rawValue)",
            "kernel=\(engine == .fast ? kernelName : "none")",
            "original=\(original)",
            "recovery=\(recovery)",
            "shard_bytes=\(shardBytes)",
            "codewords=\(codewords)",
            "rate=\(codec.rate)",
            "iterations=\(iterations)",
            "best_ms=\(Self.format(best * 1e3))",
            "mean_ms=\(Self.format(mean * 1e3))",
            "mib_per_s=\(Self.format(mib / best))",
            "mean_mib_per_s=\(Self.format(mib / mean))",
            "checksum=\(checksum)",
        ].joined(separator: " "))
    }

    private static func seconds(_ duration: Duration) -> Double {
        let (s, attoseconds) = duration.components
        return Double(s) + Double(attoseconds) * 1e-18
    }

    private static func format(_ value: Double) -> String {
        let scaled = (value * 1000).rounded() / 1000
        return "\(scaled)"
    }
}
