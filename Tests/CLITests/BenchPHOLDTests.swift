import TestSupport
import Testing

@Suite struct BenchPHOLDTests {
    @Test func sameSeedSameDigestAcrossProcesses() throws {
        let args = ["bench", "phold", "--lps", "50", "--population", "4", "--events", "20000", "--seed", "11"]
        let a = try CLI.run(args), b = try CLI.run(args)
        #expect(a.status == 0 && b.status == 0, "stderr: \(a.stderr)")
        let digest = CLI.field("digest", in: a.stdout)
        #expect(digest != nil && digest == CLI.field("digest", in: b.stdout))
        #expect(CLI.field("events", in: a.stdout) == "20000")
        #expect(Double(CLI.field("events_per_s", in: a.stdout) ?? "") ?? 0 > 0)

        let other = try CLI.run(["bench", "phold", "--lps", "50", "--population", "4", "--events", "20000", "--seed", "12"])
        #expect(CLI.field("digest", in: other.stdout) != digest)
    }

    /// The golden digest of the engine's PHOLD stream as the CLI prints it; equal to the
    /// in-process value pinned in SimEngineTests.
    @Test func matchesTheInProcessGolden() throws {
        let out = try CLI.run(["bench", "phold", "--lps", "10", "--population", "2", "--events", "1000", "--seed", "7"])
        #expect(CLI.field("digest", in: out.stdout) == "9d40ce4ea11ceefceb492fd15db5c0d0")
    }

    @Test(arguments: [
        (["--lps", "0"], "lps"),
        (["--lps", "-5"], "lps"),
        (["--population", "0"], "population"),
        (["--events", "0"], "events"),
        (["--events", "-1"], "events"),
        (["--bogus"], "bogus"),
        (["--seed", "abc"], "seed"),
    ])
    func badInputIsACleanError(extra: [String], mentions: String) throws {
        let out = try CLI.run(["bench", "phold"] + extra)
        #expect(out.status != 0)
        #expect(out.status < 128, "must exit with an error, not die by a signal")
        #expect(out.stderr.contains(mentions), "stderr was: \(out.stderr)")
        #expect(out.stdout.isEmpty)
    }
}
