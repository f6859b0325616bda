import Economics
import ResultRecords
import SimEngine
import SimSupport
import Testing
@testable import WalrusModel

@testable import Simulation

/// Byzantine storage nodes at world level: with at most f shards misbehaving, every honest
/// write certifies and every read returns the written bytes, whatever the behaviour; the honest
/// side's real checks (Merkle proofs of slivers and symbols, metadata against the blob ID) are
/// what catch them.
@Suite struct ByzantineTests {
    /// Nodes holding at most `limit` shards of the genesis committee, largest first, split
    /// alternately into two groups (for two colluding faults).
    static func groups(_ s: Scenario, limit: Int) throws -> ([Int], [Int]) {
        let world = try World(scenario: s)
        var sim = Simulator(model: world)
        world.start(&sim.scheduler)
        let members = world.view.committee.members.sorted { ($0.shards.count, $1.node) > ($1.shards.count, $0.node) }
        var total = 0, a: [Int] = [], b: [Int] = []
        for m in members where total + m.shards.count <= limit {
            total += m.shards.count
            if a.count <= b.count { a.append(m.node.index) } else { b.append(m.node.index) }
        }
        return (a, b)
    }

    static let behaviours: [StorageNode.Behaviour] = [.withhold, .corruptSlivers, .wrongMetadata, .lazySigner, .refuseSync, .silent,
                                                     .selective(servePermille: 300)]

    @Test(arguments: behaviours)
    func fShardsOfOneBehaviourChangeNoOutcome(_ behaviour: StorageNode.Behaviour) throws {
        var s = smallScenario(seed: 31, writes: 8, reads: 10, duration: .minutes(30))
        s.workloads.append(WorkloadSpec(name: "churn", kind: .stakeChurn(fractionPermille: 300)))  // shards move: sync runs
        s.protocolSpec.syncSwitchToRecovery = .minutes(2)
        s.protocolSpec.syncRetryMin = .seconds(20)
        let (group, _) = try Self.groups(s, limit: s.faultTolerance)
        s.faults = [FaultSpec(at: .zero, duration: nil, kind: .byzantine(nodes: .indices(group), behaviour: behaviour, blobsPermille: 1_000))]
        let (world, _) = try runWorld(s)
        #expect(world.operations.writesOK == 8, "\(behaviour.name): \(world.operations)")
        #expect(world.operations.readsOK == 10 && world.operations.readsFailed == 0 && world.operations.readsInconsistent == 0,
                "\(behaviour.name): \(world.operations)")
        #expect(world.violations.isEmpty, "\(behaviour.name): \(world.violations)")
        #expect(world.epochsStarted >= 3, "\(behaviour.name): the epoch changes must complete")
        // The behaviour was in effect: lies were served and caught by the honest checks.
        if [.corruptSlivers, .wrongMetadata].contains(behaviour) { #expect(world.responsesRejected > 0, "\(behaviour.name)") }
    }

    /// The case: f shards split between withholding and corrupting nodes, colluding on
    /// the same blobs: every read succeeds with the written bytes.
    @Test func withholdingAndCorruptingNodesTogetherAtFShards() throws {
        var s = smallScenario(seed: 32, writes: 10, reads: 16, duration: .minutes(30))
        let (a, b) = try Self.groups(s, limit: s.faultTolerance)
        #expect(!a.isEmpty && !b.isEmpty)
        s.faults = [
            FaultSpec(at: .zero, duration: nil, kind: .byzantine(nodes: .indices(a), behaviour: .withhold, blobsPermille: 1_000)),
            FaultSpec(at: .zero, duration: nil, kind: .byzantine(nodes: .indices(b), behaviour: .corruptSlivers, blobsPermille: 1_000)),
        ]
        let (world, _) = try runWorld(s)
        #expect(world.operations.readsOK == 16 && world.operations.readsFailed == 0, "\(world.operations)")
        #expect(world.violations.isEmpty, "\(world.violations)")
    }

    /// Beyond f (here: f + a few shards withholding), reads may fail; any failure is counted as
    /// beyond the assumptions, never as a violation.
    @Test func beyondFFailuresAreExpectedNotViolations() throws {
        var s = smallScenario(seed: 33, writes: 6, reads: 12, duration: .minutes(25))
        let (a, b) = try Self.groups(s, limit: s.nodes.shards - 2)
        s.faults = [FaultSpec(at: .zero, duration: nil, kind: .byzantine(nodes: .indices(a + b), behaviour: .silent, blobsPermille: 1_000))]
        let (world, _) = try runWorld(s)
        #expect(world.violations.filter { $0.withinAssumptions }.isEmpty, "\(world.violations)")
        #expect(world.operations.writesOK < 6 || world.readsFailedBeyondF > 0 || world.operations.readsOK < 12)
    }

    /// The availability checker can fail: a deliberately broken model (every node withholds for
    /// real, but the checker is told nothing is faulty) is caught as a violation within f.
    @Test func theAvailabilityCheckerFailsWhenReadsFailWithinF() throws {
        var s = smallScenario(seed: 34, writes: 4, reads: 6, duration: .minutes(20))
        s.faults = [FaultSpec(at: .minutes(1), duration: nil, kind: .byzantine(nodes: .indices(Array(0..<10)), behaviour: .withhold, blobsPermille: 1_000))]
        let world = try World(scenario: s)
        var sim = Simulator(model: world)
        world.start(&sim.scheduler)
        _ = sim.run(RunLimits(until: SimTime.zero + .minutes(2)))
        world.byzantineHolds = Array(repeating: [], count: 10)  // the broken switch: hide the fault from the checker
        world.faultHistory.append(World.FaultState(time: sim.scheduler.now, faultyNodes: [], partitions: []))
        _ = sim.run(RunLimits(until: SimTime.zero + s.duration))
        #expect(world.operations.readsFailed > 0)
        #expect(world.violations.contains { $0.kind == .availability && $0.withinAssumptions }, "\(world.violations)")
    }

    /// Same seed, same Byzantine run: determinism holds on every new path.
    @Test func byzantineRunsAreDeterministic() throws {
        var s = smallScenario(seed: 35, writes: 5, reads: 6, duration: .minutes(15))
        let (a, b) = try Self.groups(s, limit: s.faultTolerance)
        s.faults = [
            FaultSpec(at: .zero, duration: .minutes(8), kind: .byzantine(nodes: .indices(a), behaviour: .corruptSlivers, blobsPermille: 500)),
            FaultSpec(at: .minutes(2), duration: nil, kind: .byzantine(nodes: .indices(b), behaviour: .wrongMetadata, blobsPermille: 1_000)),
        ]
        #expect(try runWorld(s).1.digest == runWorld(s).1.digest)
    }
}

/// The completeness and liveness checkers pass on honest runs and fail when a deliberately
/// broken model (a test-only switch) breaks what they check.
@Suite struct CompletenessAndLivenessCheckerTests {
    @Test func honestRunsPassBothCheckers() throws {
        let (world, _) = try runWorld(smallScenario(seed: 61, writes: 6, reads: 4, duration: .minutes(35)))
        #expect(world.violations.isEmpty, "\(world.violations)")
    }

    @Test func theCompletenessCheckerFailsWhenANodeSilentlyLosesData() throws {
        let s = smallScenario(seed: 62, writes: 6, reads: 0, duration: .minutes(35))
        let world = try World(scenario: s)
        var sim = Simulator(model: world)
        world.start(&sim.scheduler)
        _ = sim.run(RunLimits(until: SimTime.zero + s.duration))
        world.nodes[2].stored.removeAll()  // the broken switch: data vanishes with no fault
        world.finish(now: sim.scheduler.now)
        #expect(world.violations.contains { $0.kind == .completeness && $0.withinAssumptions }, "\(world.violations)")
    }

    @Test func theLivenessCheckerFailsWhenHonestWritesFailWithinF() throws {
        var s = smallScenario(seed: 63, writes: 4, reads: 0, duration: .minutes(20))
        s.faults = [FaultSpec(at: .zero, duration: nil, kind: .byzantine(nodes: .indices(Array(0..<10)), behaviour: .silent, blobsPermille: 1_000))]
        let world = try World(scenario: s)
        var sim = Simulator(model: world)
        world.start(&sim.scheduler)
        _ = sim.run(RunLimits(until: SimTime.zero + .seconds(1)))
        world.byzantineHolds = Array(repeating: [], count: 10)  // hide the silent nodes from the checker
        world.faultHistory.append(World.FaultState(time: sim.scheduler.now, faultyNodes: [], partitions: []))
        _ = sim.run(RunLimits(until: SimTime.zero + s.duration))
        #expect(world.operations.writesFailed > 0)
        #expect(world.violations.contains { $0.kind == .liveness && $0.withinAssumptions }, "\(world.violations)")
    }
}
