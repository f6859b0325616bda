import TestSupport
import Testing

/// `walrus-sim bench world`: its rates, the PHOLD comparison at the world's queue size and the
/// memory figures, on a small modeled world.
@Suite struct BenchWorldTests {
    static let small = ["bench", "world", "--nodes", "10", "--shards", "20", "--blobs", "20", "--encoding", "modeled",
                        "--phold-events", "20000", "--seed", "3"]

    @Test func modeledWorldReportsRatesPholdAndMemory() throws {
        let a = try CLI.run(Self.small), b = try CLI.run(Self.small)
        #expect(a.status == 0 && b.status == 0, "stderr: \(a.stderr)")
        #expect(CLI.field("encoding", in: a.stdout) == "modeled")
        #expect(CLI.field("writes_ok", in: a.stdout) == "20" && CLI.field("reads_ok", in: a.stdout) == "20", "\(a.stdout)")
        #expect(CLI.field("violations", in: a.stdout) == "0")
        for key in ["events_per_s", "ops_per_s", "mean_queue", "phold_events_per_s", "world_vs_phold"] {
            #expect((Double(CLI.field(key, in: a.stdout) ?? "") ?? 0) > 0, "\(key) in \(a.stdout)")
        }
        #expect(CLI.field("live_blobs", in: a.stdout) == "20")
        #expect(Int(CLI.field("node_state_bytes_per_live_blob", in: a.stdout) ?? "") != nil, "\(a.stdout)")
        // Same seed, same event stream, in another process.
        #expect(CLI.field("digest", in: a.stdout) != nil && CLI.field("digest", in: a.stdout) == CLI.field("digest", in: b.stdout))
    }

    @Test(arguments: [
        (["--encoding", "sampled"], "encoding"),
        (["--signatures", "fake"], "signatures"),
        (["--shards", "2"], "shards"),
        (["--nodes", "0"], "nodes"),
    ])
    func badInputIsACleanError(extra: [String], mentions: String) throws {
        let out = try CLI.run(["bench", "world"] + extra)
        #expect(out.status != 0 && out.status < 128)
        #expect(out.stderr.contains(mentions), "stderr was: \(out.stderr)")
        #expect(out.stdout.isEmpty)
    }
}
