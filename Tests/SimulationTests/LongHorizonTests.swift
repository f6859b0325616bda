import Economics
import RedStuff
import SimEngine
import SimSupport
import Testing
import WalrusModel

@testable import Simulation

/// A modeled world run for many epochs with blobs written, read and expiring all the time: a
/// steady state in which the live work does not grow, so neither may the engine's queue, the
/// world's pending-work tables, nor what the nodes keep of their blobs.
func steadyModeledScenario(seed: UInt64 = 5, epochs: Int = 24) -> Scenario {
    var s = Scenario(name: "steady", duration: .minutes(10) * UInt64(epochs), nodes: NodesSpec(count: 12, shards: 40))
    s.seed = seed
    s.economics.preset = .testnet
    s.economics.epochDuration = .minutes(10)
    s.nodes.stake = .dirichlet(totalWAL: 10_000_000, alpha: 2)
    s.clients.count = 3
    s.fidelity.encoding = .modeled
    s.fidelity.signatures = .modeled
    let writes = epochs * 30  // one write every 20 s on average, all run long
    var w = WriteWorkload(interArrivalSeconds: .exponential(mean: 20), sizeBytes: .lognormal(mu: 11, sigma: 1.5), count: writes)
    // At least two epochs: a one-epoch blob written just before an epoch change expires while
    // its stores are under way, and its write fails (not a liveness violation): the test is
    // about sizes staying bounded, so its writes are meant to succeed.
    w.lifetimeEpochs = 2...4
    var r = ReadWorkload(interArrivalSeconds: .exponential(mean: 20), count: writes)
    r.start = .minutes(2)
    s.workloads = [
        WorkloadSpec(name: "uploads", kind: .writes(w)),
        WorkloadSpec(name: "downloads", kind: .reads(r)),
        WorkloadSpec(name: "churn", kind: .stakeChurn(fractionPermille: 50)),
    ]
    s.metricsInterval = .minutes(5)
    return s
}

/// One sample of the world's size, taken at an epoch boundary.
struct SizeSample {
    var queue: Int
    var work: World.PendingWork
    var holdingBytes: Int
    var liveBlobs: Int
}

/// Runs `scenario` and samples the world's size every `every` of simulated time.
func sampleSizes(_ scenario: Scenario, every: SimDuration) throws -> (World, Scheduler, [SizeSample]) {
    let world = try World(scenario: scenario)
    var sim = Simulator(model: world)
    world.start(&sim.scheduler)
    var samples: [SizeSample] = []
    var t = SimTime.zero
    while t < SimTime.zero + scenario.duration {
        t = t + every
        _ = sim.run(RunLimits(until: t))
        samples.append(SizeSample(queue: sim.scheduler.pendingCount, work: world.pendingWork,
                                  holdingBytes: world.nodes.reduce(0) { $0 + $1.modeledHoldingBytes },
                                  liveBlobs: world.view.liveCertified.count))
    }
    world.finish(now: sim.scheduler.now)
    return (world, sim.scheduler, samples)
}

@Suite struct LongHorizonTests {
    /// Over 24 epochs of steady load, the queue, the pending-work tables and the nodes' records
    /// stay as large as in the first epochs: nothing accumulates as time passes. Nodes keep no
    /// record per modeled blob, and their per-shard ranges stay a few hundred bytes each.
    @Test func pendingWorkAndNodeStateStayBoundedOverManyEpochs() throws {
        let (world, _, samples) = try sampleSizes(steadyModeledScenario(), every: .minutes(10))
        #expect(world.violations.isEmpty, "\(world.violations.prefix(3))")
        #expect(world.operations.writesOK >= 600, "\(world.operations)")
        #expect(world.operations.readsOK >= 600, "\(world.operations)")
        #expect(world.epochsStarted >= 20)
        let early = samples[2..<8], late = samples[(samples.count - 8)...]
        let maxQueueEarly = early.map(\.queue).max()!, maxQueueLate = late.map(\.queue).max()!
        let maxLiveEarly = early.map(\.liveBlobs).max()!, maxLiveLate = late.map(\.liveBlobs).max()!
        // The live work is steady (blobs expire as fast as they are written) ...
        #expect(maxLiveLate <= 2 * maxLiveEarly, "live blobs \(maxLiveEarly) early, \(maxLiveLate) late")
        // ... and so is the scheduled work: a cap, not growth with elapsed time.
        #expect(maxQueueLate <= 2 * maxQueueEarly + 50, "queue \(maxQueueEarly) early, \(maxQueueLate) late")
        let work = late.map { $0.work.inFlight + $0.work.transactions + $0.work.chainEvents + $0.work.timers + $0.work.deferred }
        let workEarly = early.map { $0.work.inFlight + $0.work.transactions + $0.work.chainEvents + $0.work.timers + $0.work.deferred }
        #expect(work.max()! <= 2 * workEarly.max()! + 50, "pending work \(workEarly) early, \(work) late")
        #expect(samples.last!.work.slots <= 2 * samples[7].work.slots + 100, "slab slots \(samples[7].work.slots) -> \(samples.last!.work.slots)")
        // Nodes: no per-blob records for modeled blobs, and ranges that do not grow with blobs.
        #expect(world.nodes.allSatisfy { $0.storedBlobCount == 0 })
        let bytesEarly = early.map(\.holdingBytes).max()!, bytesLate = late.map(\.holdingBytes).max()!
        #expect(bytesLate <= 2 * bytesEarly + 4_096, "node holdings \(bytesEarly) B early, \(bytesLate) B late")
        // Action buffers parked behind CPU work come back empty for reuse, a bounded number of them.
        #expect(!world.spareActionBuffers.isEmpty && world.spareActionBuffers.count <= World.spareActionBuffersKept)
        #expect(world.spareActionBuffers.allSatisfy { $0.isEmpty && $0.capacity <= World.spareActionBufferKeptCapacity })
    }

    /// The modeled holdings answer for a blob as the per-blob records did: every live certified
    /// blob has each of its owners' pairs held, and an expired one is held by nobody.
    @Test func modeledHoldingsFollowCommitteeAndExpiry() throws {
        let (world, _, _) = try sampleSizes(steadyModeledScenario(epochs: 8), every: .minutes(10))
        #expect(world.violations.isEmpty, "\(world.violations.prefix(3))")
        let ctx = world.context(SimTime.zero + world.scenario.duration)
        var checked = 0
        for blob in world.view.liveCertified {
            guard let id = world.catalog.blobID(blob) else { continue }
            let mapping = ShardMapping(blobID: id, nShards: world.config.nShards)
            for member in world.view.committee.members {
                let pairs = member.shards.map { mapping.pair(ofShard: $0.index) }
                let held = world.nodes[member.node.index].heldPairs(blob, context: ctx)
                // Pairs beyond the current shards are those of shards owned in the previous committee.
                if held.contains(where: { !pairs.contains($0) }) {
                    #expect(world.view.previousCommittee.members.contains { $0.node == member.node })
                }
                if world.view.handoverDone { #expect(Set(pairs).isSubset(of: Set(held)), "\(blob) at \(member.node)") }
                checked += 1
            }
        }
        #expect(checked > 0)
        let expired = (0..<world.blobs.count).map { BlobRef(UInt32($0)) }.filter {
            guard let st = world.view.status($0) else { return false }
            return st.registered && st.endEpoch <= world.view.epoch
        }
        #expect(!expired.isEmpty)
        for blob in expired { #expect(world.nodes.allSatisfy { $0.heldPairs(blob, context: ctx).isEmpty }, "\(blob)") }
    }

    /// Pins the modeled world's event stream, as `goldenDigest` pins the real-encoding one: the
    /// modeled fast paths (one-event messages, range holdings, sync bookkeeping, confirmation
    /// sets) are rewritten for speed, and must not change what happens. Update the value only
    /// for a deliberate change of the model, saying why in the commit.
    @Test func modeledGoldenDigest() throws {
        let digest = try runWorld(steadyModeledScenario(epochs: 6)).1.digest
        #expect(digest.hex == "9da97492c6ff24e103ea8cd957d7d4b9")
    }

    /// A world reserves its per-blob tables for the blobs its write workloads will write
    /// (quilts count one blob per batch), so that memory per live blob carries no doubling
    /// slack. Reserving changes nothing that happens: `modeledGoldenDigest` was pinned before
    /// worlds reserved and still holds.
    @Test func blobRecordsAreReservedForTheScenariosWrites() throws {
        var s = steadyModeledScenario(epochs: 6)
        var quilts = WriteWorkload(interArrivalSeconds: .exponential(mean: 60), sizeBytes: .constant(2_000), count: 101)
        quilts.quiltBatch = 10
        s.workloads.append(WorkloadSpec(name: "quilts", kind: .writes(quilts)))
        let expected = 6 * 30 + 11
        let world = try World(scenario: s)
        #expect(world.blobs.isEmpty)
        #expect(world.blobs.capacity >= expected)
        #expect(world.catalog.entries.capacity >= expected)
        // Reserved, not built: nothing is registered or catalogued before the run.
        #expect(world.catalog.entries.isEmpty)
        #expect(world.chain.economy.blob(BlobObjectID(0)) == nil)
    }

    /// Same seed, same event stream, for the long modeled run (slicing the run changes nothing).
    @Test func steadyModeledRunIsDeterministic() throws {
        let a = try sampleSizes(steadyModeledScenario(epochs: 6), every: .minutes(10)).1.digest
        let b = try runWorld(steadyModeledScenario(epochs: 6)).1.digest
        #expect(a == b)
    }
}
