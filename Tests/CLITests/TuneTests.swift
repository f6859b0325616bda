import Foundation
import TestSupport
import Testing

/// A case with a known answer: every node votes the same storage price X, so the contracts'
/// 2/3 quorum price is exactly X, and |price - 150000| is minimized at X = 150000.
let tuneScenario = """
    name = "tune-exact"
    duration = "40m"

    [nodes]
    count = 6
    shards = 12
    storage_price_frost = 100000

    [economics]
    preset = "testnet"
    epoch_duration = "10m"

    [fidelity]
    encoding = "modeled"
    signatures = "modeled"

    [tune]
    objective = "SELECT abs(avg(storage_price_frost_per_mib) - 150000.0) FROM epochs WHERE epoch >= 1"
    seeds = [1, 2]
    max_evaluations = 30
    tolerance = 0.0001

    [[tune.parameter]]
    key = "nodes.storage_price_frost"
    low = 10000
    high = 400000
    integer = true
    """

@Suite struct TuneCommandTests {
    @Test func findsTheKnownOptimumStoresEveryEvaluationAndResumes() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("tune.toml")
        try tuneScenario.write(to: file, atomically: true, encoding: .utf8)
        let store = dir.appendingPathComponent("tune.sqlite").path
        let first = try CLI.run(["tune", file.path, "--out", store])
        #expect(first.status == 0, "\(first.stderr)")
        let best = try #require(first.stdout.split(separator: "\n").first { $0.hasPrefix("best: ") })
        let x = try #require(Double(CLI.field("nodes.storage_price_frost", in: String(best)) ?? ""))
        let objective = try #require(Double(CLI.field("objective", in: String(best)) ?? ""))
        #expect(abs(x - 150_000) <= 1_500, "best \(x)")
        #expect(objective <= 1_500)
        let summary = try #require(first.stdout.split(separator: "\n").first { $0.hasPrefix("evaluations=") })
        let evaluations = try #require(Int(CLI.field("evaluations", in: String(summary)) ?? ""))
        #expect(evaluations >= 5)
        #expect(CLI.field("runs", in: String(summary)) == String(2 * evaluations))
        // Every evaluation is stored, per seed.
        let rows = try CLI.shell("sqlite3 \(store) 'SELECT count(*) FROM tune_evaluations'")
        #expect(rows.trimmingCharacters(in: .whitespacesAndNewlines) == String(2 * evaluations))
        // A rerun resumes: the same points come from the store, nothing runs again.
        let second = try CLI.run(["tune", file.path, "--out", store])
        #expect(second.status == 0, "\(second.stderr)")
        let again = try #require(second.stdout.split(separator: "\n").first { $0.hasPrefix("evaluations=") })
        #expect(CLI.field("runs", in: String(again)) == "0")
        #expect(CLI.field("reused", in: String(again)) == String(2 * evaluations))
        #expect(second.stdout.split(separator: "\n").first { $0.hasPrefix("best: ") } == best)
    }

    @Test func anObjectiveThatIsNotOneNumberIsAnErrorAndNothingIsWritten() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("tune.toml")
        let bad = tuneScenario.replacingOccurrences(
            of: "SELECT abs(avg(storage_price_frost_per_mib) - 150000.0) FROM epochs WHERE epoch >= 1",
            with: "SELECT epoch, storage_price_frost_per_mib FROM epochs")
        try bad.write(to: file, atomically: true, encoding: .utf8)
        let store = dir.appendingPathComponent("tune.sqlite").path
        let out = try CLI.run(["tune", file.path, "--out", store])
        #expect(out.status != 0)
        #expect(out.stderr.contains("tune.objective"), "\(out.stderr)")
        #expect(out.stderr.contains("one number"), "\(out.stderr)")
        #expect(!FileManager.default.fileExists(atPath: store))
    }

    @Test func aParameterTheScenarioDoesNotTakeIsRefusedWithItsLine() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("tune.toml")
        try tuneScenario.replacingOccurrences(of: "key = \"nodes.storage_price_frost\"", with: "key = \"nodes.storage_prize_frost\"")
            .write(to: file, atomically: true, encoding: .utf8)
        let out = try CLI.run(["tune", file.path, "--out", dir.appendingPathComponent("t.sqlite").path])
        #expect(out.status != 0)
        #expect(out.stderr.contains("storage_prize_frost"), "\(out.stderr)")
        #expect(out.stderr.contains("line"), "\(out.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("t.sqlite").path))
    }
}
