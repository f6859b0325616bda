import ArgumentParser
import Foundation
import SimEngine
import SimSupport
import RedStuff
import Simulation
import WalrusModel

/// `walrus-sim bench world`: a synthetic Walrus world of a given shape, for scale figures
/// without a scenario file (the scenario files under Scenarios/paper/ are the reference runs).
///
/// Besides the world's own rates it measures, in the same process, PHOLD with as many pending
/// events as the world had on average: the world's cost per event against the bare engine's at
/// the same event-queue size (`world_vs_phold`), timed in alternating slices of a second run of
/// the world (`pairedRates`).
struct BenchWorld: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "world",
        abstract: "Run a synthetic world (nodes x shards, blobs written then read) and print its rates.",
        discussion: """
            Every node may join the committee (committee_members reports its size at the end). \
            Prints one line of key=value fields: events_per_s and ops_per_s (writes and reads \
            finished per wall second), mean_queue (pending events, sampled every 10,000 events), \
            then, unless --phold-events is 0, paired_events_per_s and phold_events_per_s: the \
            world run a second time in slices of 10,000 events, each followed by a slice of PHOLD \
            at the mean queue size, so that both rates see the same machine, and world_vs_phold, \
            their ratio; \
            live_blobs, rss_bytes_per_live_blob (resident memory grown since the world was built, \
            per live certified blob) and node_state_bytes_per_live_blob (what the storage nodes \
            keep for their blobs, counted from their records), max_rss_mib, the event digest, and \
            where the work goes: events_by_kind, deliveries_by_kind and delivered_bytes_by_kind. \
            Before the run, a warning on standard error says when the writes need more client \
            CPU than the clients have (at thousands of shards a write's metadata alone is 3n^2 \
            hashes, a minute at 10,000 shards): such writes queue, time out and fail.
            """
    )

    @Option(help: "Storage nodes (>= 1).") var nodes: Int = 100
    @Option(help: "Shards (>= 4).") var shards: Int = 100
    @Option(help: "Blobs to write (each is then read once).") var blobs: Int = 100
    @Option(help: "Mean blob size in bytes (lognormal sizes around it).") var meanBytes: Int = 65_536
    @Option(help: "Epochs to simulate (each --epoch-minutes long).") var epochs: Int = 1
    @Option(help: "Epoch length in minutes (>= 10). Writes and reads arrive over all but the last 10 minutes of each.")
    var epochMinutes: Int = 60
    @Option(help: "Clients (>= 1), each with one CPU and its own 10 Gbit/s link: at thousands of shards a write's encoding (3n^2 hashes for its metadata) bounds the write rate a client sustains.")
    var clients: Int = 4
    @Option(help: "Stake moved per epoch, in permille of all stake (0...1000).") var churnPermille: UInt64 = 0
    @Option(help: "Signatures: real or modeled.") var signatures: String = "modeled"
    @Option(help: "Encoding: real or modeled (sizes and costs only, DESIGN §5).") var encoding: String = "real"
    @Option(help: "Events PHOLD runs at the world's mean queue size, alternating with a second run of the world (0: skip both).") var pholdEvents: UInt64 = 2_000_000
    @Option(help: "Host threads for the encoder (results are identical for any value).") var threads: Int = 1
    @Option(help: "Run seed.") var seed: UInt64 = 1

    func validate() throws {
        guard nodes >= 1 else { throw ValidationError("--nodes must be at least 1") }
        guard ScenarioLimits.shards.contains(shards) else { throw ValidationError("--shards must be in \(ScenarioLimits.shards)") }
        guard blobs >= 0 else { throw ValidationError("--blobs must be >= 0") }
        guard meanBytes >= 1 else { throw ValidationError("--mean-bytes must be >= 1") }
        guard epochs >= 1 else { throw ValidationError("--epochs must be >= 1") }
        guard (10...100_000).contains(epochMinutes) else { throw ValidationError("--epoch-minutes must be in 10...100000") }
        guard (1...10_000).contains(clients) else { throw ValidationError("--clients must be in 1...10000") }
        guard churnPermille <= 1_000 else { throw ValidationError("--churn-permille must be in 0...1000 (permille of all stake)") }
        guard ["real", "modeled"].contains(signatures) else { throw ValidationError("--signatures must be real or modeled") }
        guard ["real", "modeled"].contains(encoding) else { throw ValidationError("--encoding must be real or modeled") }
        guard threads >= 1 else { throw ValidationError("--threads must be >= 1") }
    }

    func run() throws {
        let epoch = SimDuration.minutes(UInt64(epochMinutes))
        var s = Scenario(name: "bench-world", duration: epoch * UInt64(epochs) + .minutes(5), nodes: NodesSpec(count: nodes, shards: shards))
        s.seed = seed
        s.economics.preset = .testnet
        s.economics.epochDuration = epoch
        // Every node may be in the committee: the preset's active set (111, Walrus's) would
        // leave a "10,000-node" world with a 111-member committee.
        s.economics.activeSetSize = max(nodes, 1)
        s.nodes.stake = .dirichlet(totalWAL: 1_000_000_000, alpha: 4)
        s.clients.count = clients
        s.fidelity.signatures = signatures == "real" ? .real : .modeled
        s.fidelity.encoding = encoding == "real" ? .real : .modeled
        let gap = Double(epochs * (epochMinutes - 10) * 60) / Double(max(1, blobs))
        let mu = log(Double(meanBytes)) - 0.5
        var w = WriteWorkload(interArrivalSeconds: .exponential(mean: gap), sizeBytes: .lognormal(mu: mu, sigma: 1), count: blobs)
        w.lifetimeEpochs = (epochs + 1)...(epochs + 3)
        var r = ReadWorkload(interArrivalSeconds: .exponential(mean: gap), count: blobs)
        r.start = .minutes(3)
        s.workloads = [WorkloadSpec(name: "writes", kind: .writes(w)), WorkloadSpec(name: "reads", kind: .reads(r))]
        if churnPermille > 0 { s.workloads.append(WorkloadSpec(name: "churn", kind: .stakeChurn(fractionPermille: churnPermille))) }

        let clock = ContinuousClock()
        let t0 = clock.now
        var sim = try startedWorld(s)
        let world = sim.model
        if let warning = Self.clientOverload(config: world.config, costs: s.fidelity.costModel, members: world.view.committee.members.count,
                                             blobs: blobs, epochs: epochs, epochMinutes: epochMinutes, clients: clients, meanBytes: meanBytes) {
            FileHandle.standardError.write(Data(("warning: " + warning + "\n").utf8))
        }
        let rssBuilt = residentBytes()
        let t1 = clock.now
        // Run in slices to sample the queue size; slicing does not change the event stream.
        var queueSum = 0.0, samples = 0.0
        let until = SimTime.zero + s.duration
        while sim.run(RunLimits(until: until, maxEvents: Self.sliceEvents)) == .eventLimit {
            queueSum += Double(sim.scheduler.pendingCount)
            samples += 1
        }
        let runWall = seconds(clock.now - t1)
        let rssRun = residentBytes()
        let liveBlobs = world.view.liveCertified.count
        let nodeBytes = world.nodes.reduce(0) { $0 + $1.modeledHoldingBytes + $1.storedBlobCount * 64 }
        world.finish(now: sim.scheduler.now)
        let wall = seconds(clock.now - t0)
        let ops = world.operations
        let events = sim.scheduler.eventsHandled
        let eventsPerS = Double(events) / runWall
        let finishedOps = ops.writesOK + ops.writesFailed + ops.readsOK + ops.readsFailed + ops.readsInconsistent + ops.readsInvalid
        let meanQueue = samples > 0 ? queueSum / samples : Double(sim.scheduler.pendingCount)
        var line = "world nodes=\(nodes) shards=\(shards) blobs=\(blobs) encoding=\(encoding) epochs_started=\(world.epochsStarted) committee_members=\(world.view.committee.members.count) events=\(events)"
            + " wall_s=\(formatted(wall, digits: 2)) run_s=\(formatted(runWall, digits: 2)) events_per_s=\(Int(eventsPerS))"
            + " ops_per_s=\(formatted(Double(finishedOps) / runWall, digits: 1)) mean_queue=\(Int(meanQueue.rounded()))"
        if pholdEvents > 0 {
            let paired = try pairedRates(scenario: s, queue: Int(meanQueue.rounded()), worldEvents: events, digest: sim.scheduler.digest)
            line += " paired_events_per_s=\(Int(paired.world)) phold_events_per_s=\(Int(paired.phold))"
                + " world_vs_phold=\(formatted(paired.world / paired.phold, digits: 3))"
        }
        let perBlob = { (bytes: Int) in liveBlobs > 0 ? String(bytes / liveBlobs) : "n/a" }
        line += " live_blobs=\(liveBlobs) rss_bytes_per_live_blob=\(perBlob(max(0, rssRun - rssBuilt)))"
            + " node_state_bytes_per_live_blob=\(perBlob(nodeBytes))"
            + " writes_ok=\(ops.writesOK) writes_failed=\(ops.writesFailed) reads_ok=\(ops.readsOK) reads_failed=\(ops.readsFailed)"
            + " recoveries=\(world.recoveries) violations=\(world.violations.count) max_rss_mib=\(maxResidentMiB()) digest=\(sim.scheduler.digest.hex)"
        // Where the events go: by event kind, and the messages delivered by message kind.
        let counts = { (list: [(kind: String, count: UInt64)]) in list.map { "\($0.kind):\($0.count)" }.joined(separator: ",") }
        line += " events_by_kind=\(counts(world.eventsByKind)) deliveries_by_kind=\(counts(world.deliveriesByKind))"
            + " delivered_bytes_by_kind=\(counts(world.deliveredBytesByKind))"
        print(line)
        for v in world.violations.prefix(5) { print("  \(v)") }
    }

    /// Why the writes will overload their clients' CPUs, or `nil` when the clients keep up.
    ///
    /// A write costs its client its encoding (the bytes, and 3n² hashes for the metadata's
    /// Merkle trees: a minute at 10,000 shards) and a check of each confirmation of its quorum
    /// (about two thirds of the committee); writes arrive over `epochs x (epochMinutes - 10)`
    /// minutes, spread over clients with one CPU each (no `[resources]`). Past that capacity,
    /// writes queue on their client's CPU, and once the wait outgrows their attempts' timeouts
    /// they fail, which the checkers report as liveness violations: the run then measures an
    /// overloaded client, not the network. The settings suggested keep the clients 80% busy.
    /// The estimate uses the mean blob size; sizes are lognormal around it.
    static func clientOverload(config: EncodingConfig, costs: CostModel, members: Int, blobs: Int, epochs: Int, epochMinutes: Int,
                               clients: Int, meanBytes: Int) -> String? {
        guard blobs > 0 else { return nil }
        let encode = costs.encodeBlob(blobLength: UInt64(meanBytes), config: config)
        let perWrite = (encode + costs.signatureCost * UInt64((2 * members + 2) / 3)).seconds
        let window = Double(epochs * (epochMinutes - 10) * 60)
        // CPU seconds the writes need per second of arrivals; all at once when the window is empty.
        let demand = window > 0 ? perWrite * Double(blobs) / window : .infinity
        guard demand > Double(clients) else { return nil }
        let capacity = 0.8 * Double(clients)
        let neededClients = Int((perWrite * Double(blobs) / max(window, 1) / 0.8).rounded(.up))
        let neededMinutes = Int((perWrite * Double(blobs) / (Double(epochs) * 60 * capacity)).rounded(.up)) + 10
        let load = window > 0 ? String(format: "%.1fx", demand / Double(clients)) : "all at once"
        return "each write costs its client about \(String(format: "%.1f", perWrite)) s of CPU (encoding, with 3n^2 hashes for the "
            + "metadata at n = \(config.nShards), and checking its confirmations), and \(blobs) writes over \(clients) client(s) in "
            + "\(epochs) x \(epochMinutes - 10) minutes ask \(load) of their CPUs: writes queue on the clients, and once the wait "
            + "outgrows their timeouts they fail (reported as liveness violations). For a rate the clients sustain use --clients >= "
            + "\(neededClients) or --epoch-minutes >= \(neededMinutes)."
    }

    /// A world of `scenario` with its initial events scheduled, ready to run.
    func startedWorld(_ scenario: Scenario) throws -> Simulator<World> {
        var sim = Simulator(model: try World(scenario: scenario, options: World.Options(encoderThreads: threads)))
        sim.model.start(&sim.scheduler)
        return sim
    }

    /// The world's runs go in slices of this many events: the first samples the queue size
    /// after each, the second alternates them with PHOLD's (`pairedRates`).
    static let sliceEvents: UInt64 = 10_000

    /// The world's and PHOLD's event rates timed side by side: a second run of the same world
    /// (`scenario`, which ran `worldEvents` events to `digest` the first time) in slices of
    /// 10,000 events, each followed by a slice of PHOLD with `queue` pending events (8 per
    /// logical process, as `bench phold`), its `pholdEvents` spread over the world's slices.
    ///
    /// Why not one after the other: on a shared machine the speed drifts by a quarter within
    /// a second, and a world run then a PHOLD run each caught their own part of it (single
    /// runs of the standard command gave ratios from 0.15 to 0.29). Alternating slices a few
    /// milliseconds long puts the same drift into both rates. Throws if the second run's
    /// digest differs from the first's (the world would not be deterministic).
    func pairedRates(scenario: Scenario, queue: Int, worldEvents: UInt64, digest: TraceDigest) throws -> (world: Double, phold: Double) {
        let population = min(8, max(1, queue))
        let config = PHOLD.Configuration(lps: max(1, (queue + population / 2) / population), population: population,
                                         totalEvents: pholdEvents, seed: seed)
        var phold = try PHOLD.makeSimulator(config)
        var sim = try startedWorld(scenario)
        let pholdSlice = max(1, pholdEvents * Self.sliceEvents / max(1, worldEvents))
        let clock = ContinuousClock()
        var worldTime = Duration.zero, pholdTime = Duration.zero
        let until = SimTime.zero + scenario.duration
        var worldRunning = true
        while worldRunning {
            let t0 = clock.now
            worldRunning = sim.run(RunLimits(until: until, maxEvents: Self.sliceEvents)) == .eventLimit
            let t1 = clock.now
            if phold.model.handled < pholdEvents { _ = phold.run(RunLimits(maxEvents: pholdSlice)) }
            worldTime += t1 - t0
            pholdTime += clock.now - t1
        }
        guard sim.scheduler.digest == digest else {
            throw ValidationError("the world's second run (timed against PHOLD) ended with digest \(sim.scheduler.digest.hex), "
                                  + "not \(digest.hex): the run is not deterministic")
        }
        return (Double(sim.scheduler.eventsHandled) / seconds(worldTime), Double(phold.model.handled) / seconds(pholdTime))
    }
}

func seconds(_ d: Duration) -> Double {
    Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
}

#if canImport(Glibc)
import Glibc

/// Peak resident memory of this process, in MiB (Linux `getrusage`).
func maxResidentMiB() -> Int {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return usage.ru_maxrss / 1024
}

/// Resident memory of this process now, in bytes (Linux `/proc/self/statm`); 0 if unreadable.
func residentBytes() -> Int {
    guard let f = fopen("/proc/self/statm", "r") else { return 0 }
    defer { fclose(f) }
    var buffer = [CChar](repeating: 0, count: 128)
    guard fgets(&buffer, Int32(buffer.count), f) != nil else { return 0 }
    let line = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
    let fields = String(decoding: line, as: UTF8.self).split(separator: " ")
    guard fields.count >= 2, let pages = Int(fields[1]) else { return 0 }
    return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
}
#else
func maxResidentMiB() -> Int { 0 }
func residentBytes() -> Int { 0 }
#endif
