import Foundation
import TestSupport
import Testing

/// `walrus-sim reproduce paper --quick` on the repository's testbed: the summary files and
/// their columns, every item present, and clear errors for an unknown experiment and an unusable `--out`.
@Suite struct ReproduceCommandTests {
    static let testbed = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Scenarios/paper/testbed.toml").path

    @Test func quickWritesTheSummaryFiles() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("paper").path
        let r = try CLI.run(["reproduce", "paper", "--quick", "--testbed", Self.testbed, "--out", out])
        #expect(r.status == 0, "\(r.stderr)")
        let csv = try String(contentsOfFile: out + "/summary.csv", encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(csv.first == "item,metric,bound,paper,simulated,ci_low,ci_high,ratio")
        let items = Set(csv.dropFirst().map { String($0.split(separator: ",")[0]) })
        #expect(items == ["T1", "F8", "F9", "F10", "F11", "F12", "S7.3"])
        // §7.3 is listed without a simulated value (not run), never with a made-up one.
        for line in csv.dropFirst() where line.hasPrefix("S7.3,") {
            let afterMetric = line.split(separator: "\"").last!.split(separator: ",", omittingEmptySubsequences: false)
            #expect(afterMetric[3].isEmpty && afterMetric[6].isEmpty, "\(line)")
        }
        for line in csv.dropFirst() {
            // The metric is quoted and may hold commas; the bound follows it.
            let afterMetric = line.split(separator: "\"").last!.split(separator: ",", omittingEmptySubsequences: false)
            #expect(["=", "<", ">"].contains(String(afterMetric[1])), "\(line)")
        }
        // Every latency row has a simulated value: writes and reads of the testbed succeeded.
        for line in csv.dropFirst() where line.hasPrefix("F8,\"write latency p50") || line.hasPrefix("F8,\"read latency p50") {
            let simulated = line.split(separator: "\"").last!.split(separator: ",", omittingEmptySubsequences: false)[3]
            #expect((Double(simulated) ?? 0) > 0, "no simulated latency: \(line)")
        }
        #expect(r.stdout.contains("RedStuff expansion"))
        for file in ["summary.md", "latency.csv", "latency-vs-size.svg"] {
            #expect(FileManager.default.fileExists(atPath: out + "/" + file), "\(file)")
        }
        let svg = try String(contentsOfFile: out + "/latency-vs-size.svg", encoding: .utf8)
        #expect(svg.hasPrefix("<svg") && svg.hasSuffix("</svg>\n"))
    }

    /// A `--out` that cannot be a directory fails at once, naming the option and what is in the
    /// way, before any run (the full evaluation takes minutes).
    @Test func unusableOutputDirectoryFailsBeforeTheRuns() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("a-file").path
        try Data("x".utf8).write(to: URL(fileURLWithPath: file))
        for (out, why) in [(file + "/paper", "\(file) is a file, not a directory"), (file, "it exists and is not a directory")] {
            let r = try CLI.run(["reproduce", "paper", "--testbed", Self.testbed, "--out", out])
            #expect(r.status != 0)
            #expect(r.stderr.contains("--out \(out): cannot create the directory: \(why)"), "\(r.stderr)")
            #expect(!r.stderr.contains("run 1/"), "the runs started: \(r.stderr)")
        }
    }

    @Test func unknownExperimentIsRefused() throws {
        let r = try CLI.run(["reproduce", "nature"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("unknown experiment \"nature\""))
    }
}
