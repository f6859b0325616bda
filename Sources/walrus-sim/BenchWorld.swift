import ArgumentParser
import SimEngine
import SimSupport
import Simulation

/// `walrus-sim bench world`: a synthetic Walrus world of a given shape, for scale figures
/// without a scenario file (the scenario files under Scenarios/paper/ are the reference runs).
struct BenchWorld: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "world",
        abstract: "Run a synthetic world (nodes x shards, blobs written then read) and print its rates."
    )

    @Option(help: "Storage nodes (>= 1).") var nodes: Int = 100
    @Option(help: "Shards (>= 4).") var shards: Int = 100
    @Option(help: "Blobs to write (each is then read once).") var blobs: Int = 100
    @Option(help: "Mean blob size in bytes (lognormal sizes around it).") var meanBytes: Int = 65_536
    @Option(help: "Epochs to simulate (epochs last 1 hour).") var epochs: Int = 1
    @Option(help: "Stake moved per epoch, in permille of all stake.") var churnPermille: UInt64 = 0
    @Option(help: "Signatures: real or modeled.") var signatures: String = "modeled"
    @Option(help: "Host threads for the encoder (results are identical for any value).") var threads: Int = 1
    @Option(help: "Run seed.") var seed: UInt64 = 1

    func validate() throws {
        guard nodes >= 1 else { throw ValidationError("--nodes must be at least 1") }
        guard ScenarioLimits.shards.contains(shards) else { throw ValidationError("--shards must be in \(ScenarioLimits.shards)") }
        guard blobs >= 0 else { throw ValidationError("--blobs must be >= 0") }
        guard meanBytes >= 1 else { throw ValidationError("--mean-bytes must be >= 1") }
        guard epochs >= 1 else { throw ValidationError("--epochs must be >= 1") }
        guard ["real", "modeled"].contains(signatures) else { throw ValidationError("--signatures must be real or modeled") }
        guard threads >= 1 else { throw ValidationError("--threads must be >= 1") }
    }

    func run() throws {
        let epoch = SimDuration.hours(1)
        var s = Scenario(name: "bench-world", duration: epoch * UInt64(epochs) + .minutes(5), nodes: NodesSpec(count: nodes, shards: shards))
        s.seed = seed
        s.economics.preset = .testnet
        s.economics.epochDuration = epoch
        s.nodes.stake = .dirichlet(totalWAL: 1_000_000_000, alpha: 4)
        s.clients.count = 4
        s.fidelity.signatures = signatures == "real" ? .real : .modeled
        let gap = Double(epochs) * 3_000 / Double(max(1, blobs))
        let mu = log(Double(meanBytes)) - 0.5
        var w = WriteWorkload(interArrivalSeconds: .exponential(mean: gap), sizeBytes: .lognormal(mu: mu, sigma: 1), count: blobs)
        w.lifetimeEpochs = (epochs + 1)...(epochs + 3)
        var r = ReadWorkload(interArrivalSeconds: .exponential(mean: gap), count: blobs)
        r.start = .minutes(3)
        s.workloads = [WorkloadSpec(name: "writes", kind: .writes(w)), WorkloadSpec(name: "reads", kind: .reads(r))]
        if churnPermille > 0 { s.workloads.append(WorkloadSpec(name: "churn", kind: .stakeChurn(fractionPermille: churnPermille))) }

        let clock = ContinuousClock()
        let t0 = clock.now
        let world = try World(scenario: s, options: World.Options(encoderThreads: threads))
        var sim = Simulator(model: world)
        world.start(&sim.scheduler)
        _ = sim.run(RunLimits(until: SimTime.zero + s.duration))
        world.finish(now: sim.scheduler.now)
        let wall = seconds(clock.now - t0)
        let ops = world.operations
        print("world nodes=\(nodes) shards=\(shards) blobs=\(blobs) epochs_started=\(world.epochsStarted) events=\(sim.scheduler.eventsHandled)"
              + " wall_s=\(formatted(wall, digits: 2)) events_per_s=\(Int(Double(sim.scheduler.eventsHandled) / wall))"
              + " writes_ok=\(ops.writesOK) writes_failed=\(ops.writesFailed) reads_ok=\(ops.readsOK) reads_failed=\(ops.readsFailed)"
              + " recoveries=\(world.recoveries) violations=\(world.violations.count) max_rss_mib=\(maxResidentMiB()) digest=\(sim.scheduler.digest.hex)")
        for v in world.violations.prefix(5) { print("  \(v)") }
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
#else
func maxResidentMiB() -> Int { 0 }
#endif
