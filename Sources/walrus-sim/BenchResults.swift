import ArgumentParser
import Foundation
import ResultsStore

/// `walrus-sim bench results`: the results writer against raw SQLite prepared inserts.
///
/// Both sides write the same operation rows into the same schema with the same connection
/// settings, each into its own temporary file, side by side: the rows go in chunks, a chunk
/// to one side then the same chunk to the other (taking turns going first), so that both
/// see the same load on a shared machine. The raw side holds one transaction throughout; the
/// writer commits every `--batch-rows`. Timing covers the inserts, the final commit and the
/// WAL checkpoint, not deleting old files, opening new ones or creating the schema. Each
/// round gives one ratio; the best rates of all rounds and the median ratio are reported.
struct BenchResults: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "results",
        abstract: "Rows per second of the results writer and of a raw C-API insert loop, and their ratio."
    )

    @Option(help: "Rows each side writes per round.") var rows: UInt64 = 1_000_000
    @Option(help: "Rounds; the best rate of each side and the median ratio are reported.") var repeats: Int = 3
    @Option(help: "The writer's rows per transaction.") var batchRows: Int = 100_000
    @Option(help: "Rows each side writes before the other takes its turn.") var chunkRows: UInt64 = 50_000

    func validate() throws {
        guard rows > 0, repeats > 0, batchRows > 0, chunkRows > 0 else {
            throw ValidationError("--rows, --repeats, --batch-rows and --chunk-rows must be positive")
        }
    }

    func run() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("walrus-sim-bench-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let rawPath = dir.appendingPathComponent("raw.sqlite").path
        let writerPath = dir.appendingPathComponent("writer.sqlite").path

        var rawRates: [Double] = [], writerRates: [Double] = [], ratios: [Double] = [], cpuRatios: [Double] = []
        for _ in 0..<repeats {
            let raw = Side(), writer = Side()
            let inserter = try WriterBenchmark.RawInserter(path: rawPath)
            let store = try WriterBenchmark.makeStore(path: writerPath, batchRows: batchRows)
            try raw.time { try inserter.begin() }
            for (k, start) in stride(from: 0, to: rows, by: Int(chunkRows)).enumerated() {
                let ids = start..<min(start + chunkRows, rows)
                for side in k % 2 == 0 ? [raw, writer] : [writer, raw] {
                    if side === raw {
                        try raw.time { try inserter.insert(ids) }
                    } else {
                        writer.time { WriterBenchmark.write(ids, into: store) }
                    }
                }
            }
            try raw.time { try inserter.commit() }
            try writer.time { try WriterBenchmark.finish(store) }

            rawRates.append(Double(rows) / raw.wallSeconds)
            writerRates.append(Double(rows) / writer.wallSeconds)
            ratios.append(raw.wallSeconds / writer.wallSeconds)
            cpuRatios.append(raw.cpuSeconds / writer.cpuSeconds)
        }
        print("bench=results rows=\(rows) repeats=\(repeats) batch_rows=\(batchRows) chunk_rows=\(chunkRows)"
            + " raw_rows_per_s=\(Int(rawRates.max()!)) writer_rows_per_s=\(Int(writerRates.max()!))"
            + " ratio=\(format(median(ratios))) ratio_min=\(format(ratios.min()!))"
            + " cpu_ratio=\(format(median(cpuRatios)))")
    }

    private func median(_ xs: [Double]) -> Double { xs.sorted()[xs.count / 2] }
    private func format(_ x: Double) -> String { String(format: "%.3f", x) }

    /// Time spent on one side of the comparison, wall and CPU.
    private final class Side {
        var wallSeconds = 0.0
        var cpuSeconds = 0.0

        func time<T>(_ body: () throws -> T) rethrows -> T {
            let cpu0 = BenchResults.cpuSeconds(), start = ContinuousClock.now
            defer {
                let d = ContinuousClock.now - start
                wallSeconds += Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
                cpuSeconds += BenchResults.cpuSeconds() - cpu0
            }
            return try body()
        }
    }

    /// User plus system CPU time of this process: unlike wall time, it does not grow when
    /// other processes take turns on the cores, so it shows the writer's own overhead.
    fileprivate static func cpuSeconds() -> Double {
        var usage = rusage()
        #if canImport(Glibc)
        getrusage(RUSAGE_SELF.rawValue, &usage)
        #else
        getrusage(RUSAGE_SELF, &usage)
        #endif
        func s(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return s(usage.ru_utime) + s(usage.ru_stime)
    }
}
