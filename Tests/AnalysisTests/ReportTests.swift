@testable import Analysis
import Foundation
import ResultRecords
import ResultsStore
import SimSupport
import Testing

/// A fresh directory under the system temporary directory.
struct TempDir {
    let url: URL
    init() {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("analysis-tests-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
    func cleanup() { try? FileManager.default.removeItem(at: url) }
}

/// One synthetic run: its sweep parameters and the value of metric `x` (none when nil).
struct SyntheticRun {
    var id: String
    var seed: UInt64
    var params: [String: String]
    var value: Double?
    var complete = true
}

/// Writes `runs` into one results database (one file per run, then merged, as a sweep does).
func writeDatabase(_ runs: [SyntheticRun], in dir: TempDir, name: String = "all.sqlite") throws -> String {
    var files: [String] = []
    for r in runs {
        func quoted(_ s: String) -> String { "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }
        let json = "{" + r.params.keys.sorted().map { "\(quoted($0)): \(quoted(r.params[$0]!))" }.joined(separator: ", ") + "}"
        let info = RunInfo(runID: r.id, scenarioName: "synthetic", scenarioDigest: "d", scenarioText: "", parametersJSON: json,
                           seed: r.seed, codeVersion: "test", toolchain: "test", fidelity: "", wallStartedAt: nil)
        let path = dir.path("\(r.id).sqlite")
        let store = try SQLiteResultsStore(path: path, run: info)
        if let v = r.value { store.record(MetricSample(name: "x", timeNs: 0, value: .double(v))) }
        if r.complete { try store.finish(RunSummary(eventDigest: TraceDigest(), endNs: 1)) } else { try store.flush() }
        files.append(path)
    }
    let out = dir.path(name)
    _ = try ResultsDatabase.merge(sources: files, into: out)  // copies only the complete runs
    return out
}

let metricX = "SELECT r.run_id, (SELECT value FROM metrics AS m WHERE m.run_id = r.run_id AND m.name = 'x') FROM runs AS r"

/// The fixtures written by Scripts/gen_report_fixtures.py (numpy and scipy).
struct FixtureFile: Decodable {
    struct Stats: Decodable { var n: Int; var mean: Double; var sd: Double?; var ci95_low: Double?; var ci95_high: Double? }
    struct Point: Decodable { var values: [String]; var n: Int; var mean: Double; var sd: Double?; var ci95_low: Double?; var ci95_high: Double? }
    struct Unpaired: Decodable { var mean_difference: Double; var df: Double; var ci95_low: Double; var ci95_high: Double }
    struct Difference: Decodable { var baseline: [String]; var point: [String]; var paired: Stats?; var unpaired: Unpaired }
    struct Run: Decodable { var run_id: String; var seed: UInt64; var params: [String: String]; var value: Double? }
    struct Case: Decodable { var name: String; var by: [String]; var runs: [Run]; var points: [Point]; var differences: [Difference] }
    var cases: [Case]

    static func load() throws -> FixtureFile {
        let url = Bundle.module.url(forResource: "report-cases", withExtension: "json", subdirectory: "Fixtures")!
        return try JSONDecoder().decode(FixtureFile.self, from: Data(contentsOf: url))
    }
}

func close(_ a: Double?, _ b: Double?, _ what: String) {
    switch (a, b) {
    case (nil, nil): break
    case let (x?, y?): #expect(abs(x - y) <= 1e-9 * max(1, abs(y)), "\(what): got \(x), expected \(y)")
    default: Issue.record("\(what): got \(String(describing: a)), expected \(String(describing: b))")
    }
}

@Suite("walrus-sim report: statistics")
struct ReportStatisticsTests {
    @Test("points and differences agree with scipy", arguments: try! FixtureFile.load().cases.map(\.name))
    func agreesWithScipy(name: String) throws {
        let c = try FixtureFile.load().cases.first { $0.name == name }!
        let dir = TempDir(); defer { dir.cleanup() }
        let db = try writeDatabase(c.runs.map { SyntheticRun(id: $0.run_id, seed: $0.seed, params: $0.params, value: $0.value) }, in: dir)
        let report = try SweepReport.build(database: ResultsDatabase(path: db), metric: "x", metricSQL: metricX, by: c.by)
        #expect(report.points.map(\.values) == c.points.map(\.values))
        for (got, want) in zip(report.points, c.points) {
            #expect(got.summary.n == want.n)
            close(got.summary.mean, want.mean, "\(want.values) mean")
            close(got.summary.sd, want.sd, "\(want.values) sd")
            close(got.summary.ci95Low, want.ci95_low, "\(want.values) ci95_low")
            close(got.summary.ci95High, want.ci95_high, "\(want.values) ci95_high")
        }
        #expect(report.differences.map(\.point) == c.differences.map(\.point))
        for (got, want) in zip(report.differences, c.differences) {
            #expect(got.baseline == want.baseline)
            #expect(got.paired?.n == want.paired?.n)
            close(got.paired?.mean, want.paired?.mean, "\(want.point) paired mean")
            close(got.paired?.ci95Low, want.paired?.ci95_low, "\(want.point) paired ci95_low")
            close(got.paired?.ci95High, want.paired?.ci95_high, "\(want.point) paired ci95_high")
            close(got.unpaired.meanDifference, want.unpaired.mean_difference, "\(want.point) unpaired mean")
            close(got.unpaired.degreesOfFreedom, want.unpaired.df, "\(want.point) unpaired df")
            close(got.unpaired.ci95Low, want.unpaired.ci95_low, "\(want.point) unpaired ci95_low")
            close(got.unpaired.ci95High, want.unpaired.ci95_high, "\(want.point) unpaired ci95_high")
        }
    }

    @Test("common random numbers: the paired interval is tighter than the unpaired one")
    func pairedIsTighter() throws {
        let c = try FixtureFile.load().cases.first { $0.name == "burn" }!
        for d in c.differences {
            let paired = d.paired!.ci95_high! - d.paired!.ci95_low!
            let unpaired = d.unpaired.ci95_high - d.unpaired.ci95_low
            #expect(paired * 5 < unpaired)
        }
    }

    @Test("Student t quantiles from GSL match tables")
    func tQuantiles() {
        #expect(abs(studentT975(degreesOfFreedom: 1) - 12.706204736) < 1e-8)
        #expect(abs(studentT975(degreesOfFreedom: 4) - 2.776445105) < 1e-8)
        #expect(abs(studentT975(degreesOfFreedom: 30) - 2.042272456) < 1e-8)
    }

    @Test("one run: a mean and no interval")
    func singleValue() {
        let s = Summary([3.5])!
        #expect(s.n == 1 && s.mean == 3.5 && s.sd == nil && s.ci95Low == nil && s.ci95High == nil)
        #expect(Summary([]) == nil)
    }

    @Test("incomplete runs and NULL values are left out")
    func exclusions() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let db = try writeDatabase([
            SyntheticRun(id: "a-1", seed: 1, params: ["k": "1"], value: 1),
            SyntheticRun(id: "a-2", seed: 2, params: ["k": "1"], value: 3),
            SyntheticRun(id: "a-3", seed: 3, params: ["k": "1"], value: nil),
        ], in: dir)
        // An incomplete run in the same file: written directly, never finished.
        let info = RunInfo(runID: "a-4", scenarioName: "synthetic", scenarioDigest: "d", scenarioText: "", parametersJSON: #"{"k": "1"}"#,
                           seed: 4, codeVersion: "test", toolchain: "test", fidelity: "", wallStartedAt: nil)
        let store = try SQLiteResultsStore(path: db, run: info, ifExists: .append)
        store.record(MetricSample(name: "x", timeNs: 0, value: .double(100)))
        try store.flush()
        let r = try SweepReport.build(database: ResultsDatabase(path: db), metric: "x", metricSQL: metricX, by: ["k"])
        #expect(r.points.count == 1)
        #expect(r.points[0].runIDs == ["a-1", "a-2"])
        #expect(r.points[0].summary.mean == 2)
    }
}

@Suite("walrus-sim report: errors")
struct ReportErrorTests {
    func db(_ dir: TempDir) throws -> ResultsDatabase {
        try ResultsDatabase(path: writeDatabase([
            SyntheticRun(id: "r-1", seed: 1, params: ["economics.burn_bp": "0"], value: 1),
            SyntheticRun(id: "r-2", seed: 1, params: ["economics.burn_bp": "300"], value: 2),
        ], in: dir))
    }

    func error(_ sql: String, by: [String] = []) throws -> ReportError? {
        let dir = TempDir(); defer { dir.cleanup() }
        do { _ = try SweepReport.build(database: db(dir), metric: "x", metricSQL: sql, by: by) } catch let e as ReportError { return e }
        return nil
    }

    @Test func keyNotSwept() throws {
        let e = try error(metricX, by: ["nodes.count"])
        #expect(e == .keyNotSwept(key: "nodes.count", swept: ["economics.burn_bp"]))
        #expect(e!.description.contains("swept key paths: economics.burn_bp"))
    }

    @Test func noRows() throws { #expect(try error("SELECT run_id, 1 FROM runs WHERE 0") == .noRows) }
    @Test func threeColumns() throws { #expect(try error("SELECT run_id, 1, 2 FROM runs") == .wrongColumnCount(found: 3)) }
    @Test func oneColumn() throws { #expect(try error("SELECT run_id FROM runs") == .wrongColumnCount(found: 1)) }
    @Test func text() throws { #expect(try error("SELECT run_id, 'abc' FROM runs") == .nonNumericValue(runID: "r-1", found: "abc")) }
    @Test func unknownRun() throws { #expect(try error("SELECT 'nope', 1") == .unknownRun(runID: "nope")) }
    @Test func duplicate() throws { #expect(try error("SELECT 'r-1', 1 UNION ALL SELECT 'r-1', 2") == .duplicateRun(runID: "r-1")) }
    @Test func badSQL() throws {
        guard case let .queryFailed(m)? = try error("SELEC run_id") else { Issue.record("expected queryFailed"); return }
        #expect(m.contains("syntax error"))
    }
    @Test func readOnly() throws {
        guard case .queryFailed? = try error("DELETE FROM runs RETURNING run_id, 1") else { Issue.record("expected queryFailed"); return }
    }
    @Test func keyMissingInSomeRuns() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let database = try ResultsDatabase(path: writeDatabase([
            SyntheticRun(id: "a", seed: 1, params: ["k": "1"], value: 1),
            SyntheticRun(id: "b", seed: 1, params: ["j": "2"], value: 2),
        ], in: dir))
        #expect(throws: ReportError.keyMissingInRun(key: "k", runID: "b")) {
            try SweepReport.build(database: database, metric: "x", metricSQL: metricX, by: ["k"])
        }
    }

    @Test("single runs per point: CSV leaves sd and the interval empty, JSON writes null")
    func singleRunPoints() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let r = try SweepReport.build(database: db(dir), metric: "x", metricSQL: metricX, by: ["economics.burn_bp"])
        #expect(r.csv() == "economics.burn_bp,n,mean,sd,ci95_low,ci95_high\n0,1,1.0,,,\n300,1,2.0,,,\n")
        #expect(r.json().contains("\"sd\": null"))
        #expect(r.differences[0].paired?.n == 1 && r.differences[0].paired?.ci95Low == nil)
    }

    @Test func allNull() throws { #expect(try error("SELECT run_id, NULL FROM runs") == .noValues(completeRuns: 2)) }

    @Test("every named metric runs on a database without the data it needs, or names its absence")
    func namedMetricsCompile() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let database = try db(dir)
        for m in NamedMetric.all {
            do { _ = try SweepReport.build(database: database, metric: m.name, metricSQL: m.sql, by: ["economics.burn_bp"]) } catch {
                // No ops, nodes or samples in the synthetic runs: no rows or no values, never bad SQL.
                #expect(error == .noRows || error == .noValues(completeRuns: 2), "\(m.name): \(error)")
            }
        }
    }
}

@Suite("walrus-sim report: output shape")
struct ReportOutputTests {
    func report() throws -> SweepReport {
        let dir = TempDir(); defer { dir.cleanup() }
        let runs = (1...3).flatMap { s in
            ["0", "300"].map { b in SyntheticRun(id: "r-\(b)-\(s)", seed: UInt64(s), params: ["economics.burn_bp": b, "w": "{ kind = \"a, b\" }"],
                                                 value: Double(s) + (b == "0" ? 0 : 0.5)) }
        }
        return try SweepReport.build(database: ResultsDatabase(path: writeDatabase(runs, in: dir)), metric: "x", metricSQL: metricX,
                                     by: ["economics.burn_bp", "w"])
    }

    @Test func csv() throws {
        let lines = try report().csv().split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[0] == "economics.burn_bp,w,n,mean,sd,ci95_low,ci95_high")
        #expect(lines.count == 4 && lines[3] == "")
        #expect(lines[1].hasPrefix("0,\"{ kind = \"\"a, b\"\" }\",3,2.0,1.0,"))
        #expect(lines[2].hasPrefix("300,\"{ kind = \"\"a, b\"\" }\",3,2.5,1.0,"))
    }

    @Test func json() throws {
        let r = try report()
        let object = try JSONSerialization.jsonObject(with: Data(r.json().utf8)) as! [String: Any]
        #expect(object["metric"] as? String == "x")
        #expect(object["by"] as? [String] == ["economics.burn_bp", "w"])
        let points = object["points"] as! [[String: Any]]
        #expect(points.count == 2)
        #expect((points[1]["values"] as! [String: String])["economics.burn_bp"] == "300")
        #expect(points[0]["n"] as? Int == 3)
        let d = (object["differences"] as! [[String: Any]])[0]
        let paired = d["paired"] as! [String: Any]
        #expect(paired["n"] as? Int == 3)
        #expect(paired["mean"] as? Double == 0.5)
        #expect(paired["sd"] as? Double == 0)  // every pair differs by exactly 0.5
        #expect((d["unpaired"] as! [String: Any])["mean_difference"] as? Double == 0.5)
        #expect(r.json() == (try report().json()))  // deterministic
    }

    @Test func table() throws {
        let t = try report().table()
        #expect(t.hasPrefix("metric: x\neconomics.burn_bp  w"))
        #expect(t.contains("difference from economics.burn_bp=0"))
    }
}

@Suite("walrus-sim report: sweep point order")
struct PointOrderTests {
    @Test("sizes and durations sort by magnitude, numbers before text; TOML quotes are dropped")
    func order() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let sizes = ["\"16KiB\"", "\"1MiB\"", "\"1KiB\"", "\"128MiB\""]
        let runs = sizes.enumerated().map { i, v in SyntheticRun(id: "r-\(i)", seed: 1, params: ["workload.probe.size": v], value: Double(i)) }
        let r = try SweepReport.build(database: ResultsDatabase(path: writeDatabase(runs, in: dir)), metric: "x", metricSQL: metricX,
                                      by: ["workload.probe.size"])
        #expect(r.points.map(\.values) == [["1KiB"], ["16KiB"], ["1MiB"], ["128MiB"]])
        #expect(sortableNumber("250ms") == 0.25 && sortableNumber("2h") == 7200 && sortableNumber("launch") == nil)
    }
}
