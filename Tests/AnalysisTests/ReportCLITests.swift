import Foundation
import TestSupport
import Testing

/// The repository's root, from this file's path.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

@Suite("walrus-sim report and digest: the command line")
struct ReportCLITests {
    func database(_ dir: TempDir) throws -> String {
        try writeDatabase((1...4).flatMap { s in
            ["0", "300"].map { b in SyntheticRun(id: "r-\(b)-\(s)", seed: UInt64(s), params: ["economics.burn_bp": b], value: Double(s * s) + (b == "0" ? 0 : 1)) }
        }, in: dir)
    }

    @Test("--csv prints one row per sweep point; --json parses; the table names the metric")
    func formats() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let db = try database(dir)
        let csv = try CLI.run(["report", db, "--sql", metricX, "--by", "economics.burn_bp", "--csv"])
        #expect(csv.status == 0, "\(csv.stderr)")
        let lines = csv.stdout.split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines[0] == "economics.burn_bp,n,mean,sd,ci95_low,ci95_high")
        #expect(lines[1].hasPrefix("0,4,7.5,"))
        #expect(lines[2].hasPrefix("300,4,8.5,"))
        let json = try CLI.run(["report", db, "--sql", metricX, "--by", "economics.burn_bp", "--json"])
        #expect(json.status == 0)
        #expect((try? JSONSerialization.jsonObject(with: Data(json.stdout.utf8))) != nil)
        let table = try CLI.run(["report", db, "--metric", "events", "--by", "economics.burn_bp"])
        #expect(table.status == 0, "\(table.stderr)")
        #expect(table.stdout.hasPrefix("metric: events\n"))
    }

    @Test("--csv prints the intervals scipy computed for the fixtures")
    func csvAgreesWithScipy() throws {
        for c in try FixtureFile.load().cases where !c.by.isEmpty {
            let dir = TempDir(); defer { dir.cleanup() }
            let db = try writeDatabase(c.runs.map { SyntheticRun(id: $0.run_id, seed: $0.seed, params: $0.params, value: $0.value) }, in: dir)
            let r = try CLI.run(["report", db, "--sql", metricX, "--csv"] + c.by.flatMap { ["--by", $0] })
            #expect(r.status == 0, "\(r.stderr)")
            let rows = r.stdout.split(separator: "\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
            #expect(rows.count == c.points.count)
            for (row, want) in zip(rows, c.points) {
                let k = c.by.count
                #expect(Array(row[0..<k]) == want.values)
                #expect(Int(row[k]) == want.n)
                close(Double(row[k + 1]), want.mean, "\(c.name) \(want.values) mean")
                close(Double(row[k + 2]), want.sd, "\(c.name) \(want.values) sd")
                close(Double(row[k + 3]), want.ci95_low, "\(c.name) \(want.values) ci95_low")
                close(Double(row[k + 4]), want.ci95_high, "\(c.name) \(want.values) ci95_high")
            }
        }
    }

    @Test("bad input: a clear error and exit 1")
    func errors() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let db = try database(dir)
        let notOurs = dir.path("other.sqlite")
        try Data("SQLite format 3\0".utf8).write(to: URL(fileURLWithPath: notOurs))
        let cases: [([String], String)] = [
            (["report", db, "--metric", "events", "--by", "nodes.count"], "nodes.count: not a parameter these runs were swept over; swept key paths: economics.burn_bp"),
            (["report", db, "--sql", "SELECT run_id, 1 FROM runs WHERE 0"], "returned no rows"),
            (["report", db, "--sql", "SELECT run_id FROM runs"], "returned 1 column(s); it must return two"),
            (["report", db, "--metric", "latency"], "unknown metric \"latency\"; known metrics: availability, burned_wal"),
            (["report", notOurs, "--metric", "events"], "other.sqlite"),
            (["report", dir.path("missing.sqlite"), "--metric", "events"], "missing.sqlite"),
        ]
        for (args, message) in cases {
            let r = try CLI.run(args)
            #expect(r.status == 1, "\(args): status \(r.status)")
            #expect(r.stderr.contains(message), "\(args): \(r.stderr)")
        }
    }

    @Test("digest: one line per run, equal for equal content")
    func digest() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let db = try database(dir)
        let copy = dir.path("copy.sqlite")
        _ = try CLI.run(["merge", copy, db])
        let a = try CLI.run(["digest", db]), b = try CLI.run(["digest", copy])
        #expect(a.status == 0 && a.stdout.split(separator: "\n").count == 8)
        #expect(a.stdout == b.stdout)
        #expect(a.stdout.hasPrefix("r-0-1\tcomplete\t"))
    }
}

@Suite("cluster templates")
struct ClusterTemplateTests {
    /// Validates the Kubernetes manifests against the OpenAPI schema (installs the validator
    /// from PyPI into Scripts/.venv-k8s on first use) and checks the Slurm template's syntax.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")
                   || ProcessInfo.processInfo.environment["PATH"]?.split(separator: ":").contains { FileManager.default.isExecutableFile(atPath: "\($0)/python3") } == true))
    func kubernetesManifestsValidate() throws {
        let r = try CLI.runProgram(URL(fileURLWithPath: "/bin/bash"), [repositoryRoot.appendingPathComponent("Scripts/cluster/validate-k8s.sh").path],
                               environment: ["WALRUS_SIM": CLI.executable.path])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains("valid: \(repositoryRoot.path)/Scripts/cluster/k8s-indexed-job.yaml"))
        #expect(r.stdout.contains("consistent:"))
    }
}
