import Economics
import ResultRecords
import SimEngine
import SimSupport
import Testing
import WalrusModel

@testable import Simulation

/// Faults compose: overlapping faults never undo each other, and the checkers' fault windows
/// agree with the faults at their boundaries.
@Suite struct FaultCompositionTests {
    /// Runs `scenario` to `until` and returns the world, still running.
    func world(_ scenario: Scenario, until: SimDuration) throws -> World {
        let world = try World(scenario: scenario)
        var sim = Simulator(model: world)
        world.start(&sim.scheduler)
        _ = sim.run(RunLimits(until: SimTime.zero + until))
        return world
    }

    @Test func anInnerCrashEndingDoesNotRestartANodeAnOuterCrashStillHolds() throws {
        var s = smallScenario(seed: 2, writes: 3, reads: 0, duration: .minutes(40))
        s.workloads.removeLast()
        s.faults = [
            FaultSpec(at: .minutes(10), duration: .minutes(20), kind: .crash(nodes: .indices([3]), loseDisk: false)),
            FaultSpec(at: .minutes(15), duration: .minutes(5), kind: .crash(nodes: .indices([3]), loseDisk: true)),
        ]
        #expect(try world(s, until: .minutes(17)).crashed[3])
        #expect(try world(s, until: .minutes(25)).crashed[3])  // the inner crash ended at 20m
        let after = try world(s, until: .minutes(31))
        #expect(!after.crashed[3])
        #expect(after.diskLost[3] == false)  // the disk loss of the inner crash was applied at the restart
    }

    @Test func overlappingLossSpikeAndThrottleCompose() throws {
        var s = smallScenario(seed: 2, writes: 1, reads: 0, duration: .minutes(40))
        s.workloads.removeLast()
        s.network.lossPartsPerMillion = 0
        s.faults = [
            FaultSpec(at: .minutes(1), duration: .minutes(10), kind: .loss(partsPerMillion: 500_000)),
            FaultSpec(at: .minutes(2), duration: .minutes(2), kind: .loss(partsPerMillion: 500_000)),
            FaultSpec(at: .minutes(1), duration: .minutes(10), kind: .latencySpike(nodes: .indices([1]), extra: .milliseconds(100))),
            FaultSpec(at: .minutes(2), duration: .minutes(2), kind: .latencySpike(nodes: .indices([1]), extra: .milliseconds(50))),
            FaultSpec(at: .minutes(1), duration: .minutes(10), kind: .throttle(nodes: .indices([1]), permille: 500)),
            FaultSpec(at: .minutes(2), duration: .minutes(2), kind: .throttle(nodes: .indices([1]), permille: 500)),
        ]
        let both = try world(s, until: .minutes(3))
        #expect(both.network.lossPartsPerMillion == 750_000)
        #expect(both.network.endpoint(EndpointID(1)).extraLatency == .milliseconds(150))
        #expect(both.network.endpoint(EndpointID(1)).throttlePermille == 250)
        let outer = try world(s, until: .minutes(5))
        #expect(outer.network.lossPartsPerMillion == 500_000)
        #expect(outer.network.endpoint(EndpointID(1)).extraLatency == .milliseconds(100))
        #expect(outer.network.endpoint(EndpointID(1)).throttlePermille == 500)
        let none = try world(s, until: .minutes(12))
        #expect(none.network.lossPartsPerMillion == 0)
        #expect(none.network.endpoint(EndpointID(1)).extraLatency == .zero)
        #expect(none.network.endpoint(EndpointID(1)).throttlePermille == 1_000)
    }

    @Test func overlappingPartitionsBothHoldUntilEachHeals() throws {
        var s = smallScenario(seed: 2, writes: 1, reads: 0, duration: .minutes(40))
        s.workloads.removeLast()
        s.faults = [
            FaultSpec(at: .minutes(1), duration: .minutes(10), kind: .partition(side: .nodes(.indices([0])), direction: .both)),
            FaultSpec(at: .minutes(2), duration: .minutes(2), kind: .partition(side: .nodes(.indices([0])), direction: .both)),
        ]
        #expect(!(try world(s, until: .minutes(3)).network.canTalk(EndpointID(0), EndpointID(1))))
        #expect(!(try world(s, until: .minutes(5)).network.canTalk(EndpointID(0), EndpointID(1))))
        #expect(try world(s, until: .minutes(12)).network.canTalk(EndpointID(0), EndpointID(1)))
    }

    /// A read that fails at the very instant a fault ends (or starts) met that fault: it is not
    /// an availability violation outside fault windows.
    @Test func aReadFailingExactlyAsTheFaultEndsIsNotAFalseAlarm() throws {
        var s = smallScenario(seed: 2, writes: 1, reads: 0, duration: .minutes(40))
        s.workloads.removeLast()
        s.faults = [FaultSpec(at: .minutes(1), duration: .minutes(2), kind: .crash(nodes: .indices(Array(0..<10)), loseDisk: false))]
        let w = try world(s, until: .minutes(10))
        func at(_ ns: UInt64) -> SimTime { SimTime(nanoseconds: ns) }
        let endNs: UInt64 = 180_000_000_000, startNs: UInt64 = 60_000_000_000
        let end = at(endNs), start = at(startNs)
        func read(_ from: SimTime, _ to: SimTime) -> FinishedOperation {
            FinishedOperation(id: 1, kind: .read, client: ClientID(0), blob: BlobRef(0), start: from, end: to, result: .failed,
                              bytes: 0, attempts: 3, detail: "test")
        }
        #expect(w.faultOverlaps(at(endNs - 30_000_000_000), end))
        #expect(w.faultOverlaps(start, at(startNs + 1_000_000_000)))
        #expect(!w.faultOverlaps(at(endNs + 1), at(endNs + 5_000_000_000)))
        #expect(!w.faultOverlaps(.zero, at(startNs - 1)))
        let before = w.violations.count
        w.checkOperation(read(at(endNs - 30_000_000_000), end), now: end)
        #expect(w.violations.count == before)
        // The same failure entirely after the fault is a violation: the checker can fail.
        w.checkOperation(read(at(endNs + 1), at(endNs + 60_000_000_000)), now: at(endNs + 60_000_000_000))
        #expect(w.violations.count == before + (w.view.status(BlobRef(0)).map { !$0.deleted && $0.endEpoch > w.view.epoch } == true ? 1 : 0))
    }

    @Test func genesisStakesAddUpToTheTotalExactlyForExtremeWeights() throws {
        for (stake, k) in [(StakeDistribution.dirichlet(totalWAL: 1_000, alpha: 0.05), 500), (.zipf(totalWAL: 1_000, exponent: 40), 600),
                           (.dirichlet(totalWAL: 18_000_000_000, alpha: 0.05), 3), (.zipf(totalWAL: 7, exponent: 3), 7),
                           (.equal(totalWAL: 1_000_000_007), 13)] {
            var spec = NodesSpec(count: k, shards: 10)
            spec.stake = stake
            let stakes = try World.genesisStakes(spec, streams: RandomStreams(runSeed: 5))
            let total: UInt64 = switch stake { case .dirichlet(let t, _), .zipf(let t, _), .equal(let t): t; default: 0 }
            #expect(stakes.reduce(UInt128(0)) { $0 + UInt128($1.rawValue) } == UInt128(total) * UInt128(Frost.perWAL), "\(stake)")
            #expect(stakes.allSatisfy { $0.rawValue >= Frost.perWAL }, "\(stake)")
        }
    }

    @Test func oversizeDrawsAreClippedOrSkippedAndCounted() throws {
        for policy in OversizePolicy.allCases {
            var s = smallScenario(seed: 4, writes: 6, reads: 0, duration: .minutes(15))
            s.workloads.removeLast()
            s.fidelity.encoding = .modeled
            guard case .writes(var w) = s.workloads[0].kind else { Issue.record("no writes"); return }
            w.sizeBytes = .lognormal(mu: 40, sigma: 1)  // e^40 bytes: every draw is far too large
            w.oversize = policy
            s.workloads[0].kind = .writes(w)
            let world = try world(s, until: .minutes(15))
            switch policy {
            case .clip:
                #expect(world.sizesClipped == 6)
                #expect(world.blobs.count == 6 && world.blobs.allSatisfy { $0.sizeBytes == world.config.maxBlobSize })
            case .skip:
                #expect(world.writesSkippedOversize == 6 && world.blobs.isEmpty)
            }
        }
    }
}

/// Loss, latency spikes and throttling at world level: within what the protocol tolerates they
/// slow the network but lose nothing, and their effect shows in the outcome.
@Suite struct NetworkFaultOutcomeTests {
    func run(_ faults: [FaultSpec], seed: UInt64 = 81) throws -> World {
        var s = smallScenario(seed: seed, writes: 8, reads: 12, duration: .minutes(25))
        s.faults = faults
        return try runWorld(s).0
    }

    func mean(_ xs: [SimDuration]) -> Double { xs.isEmpty ? 0 : Double(xs.reduce(0) { $0 + $1.nanoseconds }) / Double(xs.count) }

    @Test func lossDropsMessagesButRetriesDeliverEverything() throws {
        let world = try run([FaultSpec(at: .zero, duration: nil, kind: .loss(partsPerMillion: 20_000))])
        #expect(world.network.messagesDropped > 0)
        #expect(world.operations.writesOK == 8 && world.operations.readsOK == 12, "\(world.operations)")
        #expect(world.violations.isEmpty, "\(world.violations)")
    }

    @Test func aLatencySpikeSlowsReadsAndLosesNothing() throws {
        let calm = try run([])
        let spiked = try run([FaultSpec(at: .zero, duration: nil, kind: .latencySpike(nodes: .indices(Array(0..<10)), extra: .milliseconds(400)))])
        #expect(spiked.operations.writesOK == 8 && spiked.operations.readsOK == 12, "\(spiked.operations)")
        #expect(mean(spiked.readLatencies) > mean(calm.readLatencies) + 300_000_000, "\(mean(spiked.readLatencies)) vs \(mean(calm.readLatencies))")
        #expect(spiked.violations.isEmpty, "\(spiked.violations)")
    }

    @Test func throttledLinksSlowWritesAndLoseNothing() throws {
        let calm = try run([])
        let throttled = try run([FaultSpec(at: .zero, duration: nil, kind: .throttle(nodes: .indices(Array(0..<10)), permille: 5))])
        #expect(throttled.operations.writesOK == 8, "\(throttled.operations)")
        #expect(mean(throttled.writeLatencies) > mean(calm.writeLatencies), "\(mean(throttled.writeLatencies)) vs \(mean(calm.writeLatencies))")
        #expect(throttled.violations.isEmpty, "\(throttled.violations)")
    }
}

/// `isolate_chain`: a side cut off from the chain too sees the chain as it was, its transactions
/// wait, and it catches up when the cut heals.
@Suite struct ChainIsolationTests {
    @Test func aClientCutOffFromTheChainWritesOnlyAfterTheHeal() throws {
        var s = smallScenario(seed: 91, writes: 6, reads: 0, duration: .minutes(30))
        s.workloads.removeLast()
        s.clients.count = 1
        s.clients.attemptTimeout = .minutes(20)  // long enough to outlast the cut
        let side = PartitionSide.regions([s.clients.regions.first ?? s.network.regions.names[0]])
        s.faults = [FaultSpec(at: .zero, duration: .minutes(8), kind: .partition(side: side, direction: .both, isolateChain: true))]
        let sink = CollectingResultsSink()
        let (world, _) = try runWorld(s, sink: sink)
        let cutEnd = SimDuration.minutes(8).nanoseconds
        let registered = world.blobs.compactMap(\.registeredAt)
        #expect(!registered.isEmpty)
        #expect(registered.allSatisfy { $0.nanoseconds >= cutEnd }, "a registration executed while its client could not reach the chain")
        #expect(world.operations.writesOK > 0, "\(world.operations)")
        #expect(world.violations.filter(\.withinAssumptions).isEmpty, "\(world.violations)")
        #expect(try runWorld(s).1.digest == runWorld(s).1.digest)
    }

    /// Without `isolate_chain`, the same cut leaves the chain reachable: registrations go through.
    @Test func withoutIsolationTheChainStaysReachable() throws {
        var s = smallScenario(seed: 91, writes: 6, reads: 0, duration: .minutes(30))
        s.workloads.removeLast()
        s.clients.count = 1
        let side = PartitionSide.regions([s.clients.regions.first ?? s.network.regions.names[0]])
        s.faults = [FaultSpec(at: .zero, duration: .minutes(8), kind: .partition(side: side, direction: .both))]
        let (world, _) = try runWorld(s)
        #expect(world.blobs.compactMap(\.registeredAt).contains { $0.nanoseconds < SimDuration.minutes(8).nanoseconds })
    }
}
