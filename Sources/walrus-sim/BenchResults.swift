import ArgumentParser
import Foundation
import ResultsStore

/// `walrus-sim bench results`: the results writer against raw SQLite prepared inserts.
///
/// Both sides write the same operation rows into the same schema with the same connection
/// settings, into temporary files, alternating in one process so that both see the same
/// machine; the best of `--repeats` runs of each is reported. Timing covers the inserts, the
/// final commit and the WAL checkpoint, not opening the file or creating the schema.
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
        var rawBest = Duration.seconds(Int64.max), writerBest = Duration.seconds(Int64.max)
        for _ in 0..<repeats {
            let inserter = try WriterBenchmark.RawInserter(path: rawPath)
            let raw = try clock.measure { try inserter.insert(rows: rows) }
            let writer = try clock.measure {
                try WriterBenchmark.writeWithStore(path: writerPath, rows: rows, batchRows: batchRows)
            }
            rawBest = min(rawBest, raw)
            writerBest = min(writerBest, writer)
        }
        // The writer's time includes opening its file, which the raw side does untimed; that
        // only counts against the writer.
        let rawRate = Double(rows) / seconds(rawBest), writerRate = Double(rows) / seconds(writerBest)
        print("bench=results rows=\(rows) repeats=\(repeats) batch_rows=\(batchRows)"
            + " raw_rows_per_s=\(Int(rawRate)) writer_rows_per_s=\(Int(writerRate))"
            + " ratio=\(String(format: "%.3f", writerRate / rawRate))")
    }

    private func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}
