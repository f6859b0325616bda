import ArgumentParser
import Foundation
import ResultsStore

/// `walrus-sim bench results`: the results writer against raw SQLite prepared inserts.
///
/// Both sides write the same operation rows into the same schema with the same connection
/// settings, into temporary files, taking turns in one process so that both see the same
/// machine; the best of `--repeats` runs of each is reported, with the median of the
/// per-repeat ratios. Timing covers the inserts, the
/// final commit and the WAL checkpoint, not deleting the previous file, opening the new one
/// or creating the schema.
struct BenchResults: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "results",
        abstract: "Rows per second of the results writer and of a raw C-API insert loop, and their ratio."
    )

    @Option(help: "Rows each side writes.") var rows: UInt64 = 1_000_000
    @Option(help: "Runs of each side; the best of each is reported.") var repeats: Int = 3
    @Option(help: "The writer's rows per transaction.") var batchRows: Int = 100_000

    func validate() throws {
        guard rows > 0, repeats > 0, batchRows > 0 else { throw ValidationError("--rows, --repeats and --batch-rows must be positive") }
    }

    func run() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("walrus-sim-bench-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let rawPath = dir.appendingPathComponent("raw.sqlite").path
        let writerPath = dir.appendingPathComponent("writer.sqlite").path

        let clock = ContinuousClock()
        var rawRates: [Double] = [], writerRates: [Double] = []
        var rawCPU = Double.infinity, writerCPU = Double.infinity
        for round in 0..<repeats {
            // Each side leaves the kernel dirty pages to write back while the next one runs,
            // so the sides take turns going first.
            var raw = Duration.zero, writer = Duration.zero
            for side in round % 2 == 0 ? [0, 1] : [1, 0] {
                if side == 0 {
                    let inserter = try WriterBenchmark.RawInserter(path: rawPath)
                    let cpu0 = cpuSeconds()
                    raw = try clock.measure { try inserter.insert(rows: rows) }
                    rawCPU = min(rawCPU, cpuSeconds() - cpu0)
                } else {
                    let store = try WriterBenchmark.makeStore(path: writerPath, batchRows: batchRows)
                    let cpu0 = cpuSeconds()
                    writer = try clock.measure { try WriterBenchmark.write(rows: rows, into: store) }
                    writerCPU = min(writerCPU, cpuSeconds() - cpu0)
                }
            }
            rawRates.append(Double(rows) / seconds(raw))
            writerRates.append(Double(rows) / seconds(writer))
        }
        // Best against best is the headline; the median of each repeat's own ratio (its two
        // sides ran back to back) is steadier when other work shares the machine.
        let ratio = writerRates.max()! / rawRates.max()!
        let paired = zip(writerRates, rawRates).map { $0 / $1 }.sorted()
        print("bench=results rows=\(rows) repeats=\(repeats) batch_rows=\(batchRows)"
            + " raw_rows_per_s=\(Int(rawRates.max()!)) writer_rows_per_s=\(Int(writerRates.max()!))"
            + " ratio=\(format(ratio)) ratio_paired_median=\(format(paired[paired.count / 2]))"
            + " cpu_ratio=\(format(rawCPU / writerCPU))")
    }

    /// User plus system CPU time of this process: unlike wall time, it does not grow when
    /// other processes take turns on the cores, so it shows the writer's own overhead.
    private func cpuSeconds() -> Double {
        var usage = rusage()
        #if canImport(Glibc)
        getrusage(RUSAGE_SELF.rawValue, &usage)
        #else
        getrusage(RUSAGE_SELF, &usage)
        #endif
        func s(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return s(usage.ru_utime) + s(usage.ru_stime)
    }

    private func format(_ x: Double) -> String { String(format: "%.3f", x) }

    private func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}
