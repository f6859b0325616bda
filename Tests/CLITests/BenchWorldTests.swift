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
        for key in ["events_per_s", "ops_per_s", "mean_queue", "paired_events_per_s", "phold_events_per_s", "world_vs_phold"] {
            #expect((Double(CLI.field(key, in: a.stdout) ?? "") ?? 0) > 0, "\(key) in \(a.stdout)")
        }
        // The ratio is the paired run's world rate over PHOLD's (three digits).
        let paired = Double(CLI.field("paired_events_per_s", in: a.stdout) ?? "") ?? 0
        let phold = Double(CLI.field("phold_events_per_s", in: a.stdout) ?? "") ?? 1
        #expect(abs((Double(CLI.field("world_vs_phold", in: a.stdout) ?? "") ?? 0) - paired / phold) < 0.001, "\(a.stdout)")
        #expect(CLI.field("live_blobs", in: a.stdout) == "20")
        #expect(Int(CLI.field("node_state_bytes_per_live_blob", in: a.stdout) ?? "") != nil, "\(a.stdout)")
        // Where the events go: the counts by kind add up to the events, and a write's stores and
        // answers are among the deliveries.
        let byKind = (CLI.field("events_by_kind", in: a.stdout) ?? "").split(separator: ",").map { $0.split(separator: ":") }
        #expect(byKind.allSatisfy { $0.count == 2 } && byKind.contains { $0[0] == "message" }, "\(a.stdout)")
        #expect(byKind.reduce(0) { $0 + (UInt64($1.last ?? "") ?? 0) } == UInt64(CLI.field("events", in: a.stdout) ?? ""), "\(a.stdout)")
        let deliveries = CLI.field("deliveries_by_kind", in: a.stdout) ?? ""
        #expect(deliveries.contains("store:") && deliveries.contains("stored:"), "\(a.stdout)")
        // And their bytes: the same kinds, stores (metadata and pairs) the heaviest.
        let bytes = (CLI.field("delivered_bytes_by_kind", in: a.stdout) ?? "").split(separator: ",").map { $0.split(separator: ":") }
        #expect(Set(bytes.map { $0.first ?? "" }) == Set(deliveries.split(separator: ",").map { $0.split(separator: ":").first ?? "" }), "\(a.stdout)")
        #expect(bytes.first?.first == "store" && bytes.allSatisfy { (UInt64($0.last ?? "") ?? 0) > 0 }, "\(a.stdout)")
        // Same seed, same event stream, in another process.
        #expect(CLI.field("digest", in: a.stdout) != nil && CLI.field("digest", in: a.stdout) == CLI.field("digest", in: b.stdout))
    }

    /// Every node may join the committee: with more nodes than Walrus's active set (111), the
    /// committee is not capped at 111 (which the "10,000-node" runs once were).
    @Test func theCommitteeAdmitsEveryNode() throws {
        let out = try CLI.run(["bench", "world", "--nodes", "150", "--shards", "300", "--blobs", "4", "--encoding", "modeled",
                               "--epoch-minutes", "20", "--clients", "2", "--phold-events", "0"])
        #expect(out.status == 0, "stderr: \(out.stderr)")
        #expect((Int(CLI.field("committee_members", in: out.stdout) ?? "") ?? 0) > 111, "\(out.stdout)")
        #expect(CLI.field("writes_ok", in: out.stdout) == "4", "\(out.stdout)")
        // No PHOLD asked for: no second, paired run either.
        #expect(CLI.field("paired_events_per_s", in: out.stdout) == nil && CLI.field("world_vs_phold", in: out.stdout) == nil)
    }

    /// Writes that need more client CPU than the clients have (the 3n² hashes of a write's
    /// metadata at 2,000 shards, 30 writes in a minute on one client) are announced before the
    /// run, with the settings that would sustain them; the run itself still goes ahead. A
    /// rate the clients carry gets no warning.
    @Test func clientCPUOverloadIsAnnouncedWithTheSustainableSettings() throws {
        let shape = ["bench", "world", "--nodes", "4", "--shards", "2000", "--encoding", "modeled", "--epoch-minutes", "11",
                     "--clients", "1", "--phold-events", "0"]
        let over = try CLI.run(shape + ["--blobs", "30"])
        #expect(over.status == 0, "stderr: \(over.stderr)")
        #expect(over.stderr.contains("warning: each write costs its client about"), "stderr: \(over.stderr)")
        #expect(over.stderr.contains("--clients >= ") && over.stderr.contains("--epoch-minutes >= "), "stderr: \(over.stderr)")
        #expect(CLI.field("writes_ok", in: over.stdout) != nil, "\(over.stdout)")
        let fits = try CLI.run(shape + ["--blobs", "2"])
        #expect(fits.status == 0 && !fits.stderr.contains("warning"), "stderr: \(fits.stderr)")
        #expect(CLI.field("writes_ok", in: fits.stdout) == "2", "\(fits.stdout)")
    }

    @Test(arguments: [
        (["--encoding", "sampled"], "encoding"),
        (["--signatures", "fake"], "signatures"),
        (["--shards", "2"], "shards"),
        (["--nodes", "0"], "nodes"),
        (["--epoch-minutes", "5"], "epoch-minutes"),
        (["--clients", "0"], "clients"),
        (["--churn-permille", "1001"], "churn-permille"),
    ])
    func badInputIsACleanError(extra: [String], mentions: String) throws {
        let out = try CLI.run(["bench", "world"] + extra)
        #expect(out.status != 0 && out.status < 128)
        #expect(out.stderr.contains(mentions), "stderr was: \(out.stderr)")
        #expect(out.stdout.isEmpty)
    }
}
