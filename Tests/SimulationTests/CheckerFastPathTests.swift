import RedStuff
import SimEngine
import SimSupport
import Testing

@testable import Simulation
@testable import WalrusModel

/// The durability and completeness checkers answer modeled blobs from the nodes' ranges in one
/// pass instead of asking every node about every pair of every blob (which was a fifth of a
/// long modeled run). The answer must be the pair-by-pair one: checked here against that
/// definition, written out plainly, on modeled worlds whose nodes lost data in several ways.
@Suite struct CheckerFastPathTests {
    /// A modeled small world run to its end, its checks not yet run.
    static func world(seed: UInt64, faults: [FaultSpec] = []) throws -> (World, SimTime) {
        var s = smallScenario(seed: seed, writes: 30, reads: 0, duration: .minutes(35))
        s.fidelity.encoding = .modeled
        s.faults = faults
        let world = try World(scenario: s)
        var sim = Simulator(model: world)
        world.start(&sim.scheduler)
        _ = sim.run(RunLimits(until: SimTime.zero + s.duration))
        return (world, sim.scheduler.now)
    }

    /// The durability verdicts by definition: per live certified blob, the distinct pairs the
    /// nodes that are up hold, when fewer than the decoding threshold.
    static func expectedLosses(_ world: World, now: SimTime) -> [String] {
        let ctx = world.context(now)
        let need = world.config.sliversForDecoding(.primary)
        return world.view.liveCertified.compactMap { blob in
            var pairs = Set<Int>()
            for i in world.nodes.indices where !world.crashed[i] { pairs.formUnion(world.nodes[i].heldPairs(blob, context: ctx)) }
            return pairs.count < need ? "\(blob): \(pairs.count)" : nil
        }
    }

    /// The completeness verdicts by definition: per blob certified before the quiet tail and per
    /// honest member that is up, the pairs of its shards it does not hold.
    static func expectedGaps(_ world: World, now: SimTime) -> [String] {
        let ctx = world.context(now)
        let tailStart = SimTime(nanoseconds: now.nanoseconds - world.scenario.checks.quietTail.nanoseconds)
        var gaps: [String] = []
        for blob in world.view.liveCertified {
            guard let certified = world.blobs[Int(blob.index)].certifiedAt, certified <= tailStart,
                  let id = world.catalog.blobID(blob) else { continue }
            let mapping = ShardMapping(blobID: id, nShards: world.config.nShards)
            for member in world.view.committee.members where !world.crashed[member.node.index] {
                let missing = member.shards.map { mapping.pair(ofShard: $0.index) }
                    .filter { !world.nodes[member.node.index].holds(blob, pair: $0, context: ctx) }
                if !missing.isEmpty { gaps.append("\(blob) \(member.node) \(missing)") }
            }
        }
        return gaps
    }

    static func found(_ world: World, _ kind: Violation.Kind) -> [String] {
        world.violations.filter { $0.kind == kind }.map { v in
            switch kind {
            case .durability: return "\(v.blob!): \(v.detail.split(separator: " ")[1])"
            default: return "\(v.blob!) \(v.detail.replacingOccurrences(of: " lacks pairs", with: "").split(separator: " after")[0])"
            }
        }
    }

    @Test func nodesThatLostShardsAreReportedAsThePairByPairCheckWould() throws {
        let (world, now) = try Self.world(seed: 71)
        #expect(world.view.liveCertified.count >= 20)
        // Node 2 forgets one of its shards, node 5 everything; node 7 finds one blob invalid
        // (so it no longer holds it); blobs below index 10 lose a shard at node 3.
        let shard2 = try #require(world.view.committee.shards(of: world.nodes[2].id).first)
        world.nodes[2].modeledHeld.removeShards { $0 == shard2 }
        world.nodes[5].modeledHeld.removeAll()
        world.nodes[7].invalidBlobs.insert(world.view.liveCertified[3])
        let gaps = Self.expectedGaps(world, now: now)
        #expect(!gaps.isEmpty)
        world.finish(now: now)
        #expect(Self.found(world, .completeness).sorted() == gaps.sorted())
        #expect(Self.found(world, .durability).isEmpty && Self.expectedLosses(world, now: now).isEmpty)
    }

    @Test func lossesBeyondTheThresholdAreCountedAsThePairByPairCheckWould() throws {
        // Most shards' holders lose their disks for good: blobs fall below the threshold.
        let (world, now) = try Self.world(seed: 72, faults: [
            FaultSpec(at: .minutes(30), duration: nil, kind: .crash(nodes: .shardsUpTo(14), loseDisk: true)),
        ])
        let losses = Self.expectedLosses(world, now: now)
        #expect(!losses.isEmpty)
        world.violations.removeAll()  // the epoch change after the crash checked once already
        world.checkDurability(now: now)
        #expect(Self.found(world, .durability).sorted() == losses.sorted())
    }

    @Test func durableBlobsNeedNoVerdict() throws {
        let (world, now) = try Self.world(seed: 73)
        world.checkDurability(now: now)
        #expect(world.violations.isEmpty && Self.expectedLosses(world, now: now).isEmpty)
    }
}

/// Write completeness right after an epoch change: the new owners of moved shards may still
/// be syncing them (the hand-over's quorum does not wait for every node), so a change that
/// started within the quiet tail leaves the guarantee with the previous committee, which keeps
/// its shards through the epoch. One that started before the tail is judged on the new owners.
@Suite struct CompletenessAfterAnEpochChangeTests {
    /// A modeled world with stake churn run to its end; a member that gained shards at the
    /// last change has forgotten them, as one still syncing them would not yet hold them.
    static func worldWithAnUnsyncedNewOwner(changeStartedAgo: SimDuration) throws -> World {
        var s = smallScenario(seed: 74, writes: 20, reads: 0, duration: .minutes(35))
        s.fidelity.encoding = .modeled
        s.workloads.append(WorkloadSpec(name: "churn", kind: .stakeChurn(fractionPermille: 300)))
        let world = try World(scenario: s)
        var sim = Simulator(model: world)
        world.start(&sim.scheduler)
        _ = sim.run(RunLimits(until: SimTime.zero + s.duration))
        let now = sim.scheduler.now
        let view = world.view
        let gainer = try #require(view.committee.members.first { member in
            member.shards.contains { !view.previousCommittee.shards(of: member.node).contains($0) }
        }, "the churn moved no shard")
        let gained = Set(gainer.shards).subtracting(view.previousCommittee.shards(of: gainer.node))
        world.nodes[gainer.node.index].modeledHeld.removeShards { gained.contains($0) }
        world.lastEpochChangeStart = SimTime(nanoseconds: now.nanoseconds - changeStartedAgo.nanoseconds)
        world.finish(now: now)
        return world
    }

    @Test func aChangeWithinTheTailIsJudgedOnThePreviousOwners() throws {
        let world = try Self.worldWithAnUnsyncedNewOwner(changeStartedAgo: .seconds(30))
        #expect(!world.violations.contains { $0.kind == .completeness }, "\(world.violations)")
    }

    @Test func aChangeBeforeTheTailIsJudgedOnTheNewOwners() throws {
        let world = try Self.worldWithAnUnsyncedNewOwner(changeStartedAgo: .minutes(20))
        #expect(world.violations.contains { $0.kind == .completeness && $0.withinAssumptions }, "\(world.violations)")
    }
}

/// Blob sync after certification recovers the shards the node had in the epoch the blob was
/// certified (Walrus's `recover_blob_slivers`): a blob certified just before an epoch change
/// is its previous owners' to recover and hand over, and the new owners get it by shard sync
/// instead of each starting a recovery of its own (at 10,000 nodes, thousands of requests each).
@Suite struct BlobSyncShardsTests {
    @Test func blobSyncFollowsTheCertificationEpochsAssignment() throws {
        // Stopped part-way into an epoch, so that live blobs were certified in this epoch and the last.
        var found: (World, SimTime, BlobRef, BlobRef)?
        for minutes: UInt64 in [12, 14, 16, 18, 20, 22, 24] where found == nil {
            var s = smallScenario(seed: 75, writes: 40, reads: 0, duration: .minutes(minutes))
            s.fidelity.encoding = .modeled
            s.workloads.append(WorkloadSpec(name: "churn", kind: .stakeChurn(fractionPermille: 300)))
            let (world, scheduler) = try runWorld(s)
            let view = world.view
            if let now = view.liveCertified.first(where: { view.status($0)?.certifiedEpoch == view.epoch }),
               let before = view.liveCertified.first(where: { view.status($0)?.certifiedEpoch?.rawValue == view.epoch.rawValue - 1 }) {
                found = (world, scheduler.now, now, before)
            }
        }
        let (world, end, thisEpoch, lastEpoch) = try #require(found)
        let view = world.view, ctx = world.context(end)
        let older = view.liveCertified.first { ($0.index, view.status($0)?.certifiedEpoch.map { $0.rawValue + 1 < view.epoch.rawValue } ?? false).1 }
        var moved = false
        for node in world.nodes {
            #expect(node.blobSyncShards(thisEpoch, ctx) == view.committee.shards(of: node.id))
            #expect(node.blobSyncShards(lastEpoch, ctx) == view.previousCommittee.shards(of: node.id))
            if let older { #expect(node.blobSyncShards(older, ctx).isEmpty) }
            moved = moved || view.committee.shards(of: node.id) != view.previousCommittee.shards(of: node.id)
        }
        #expect(moved, "the churn moved no shard, so the two assignments were not told apart")
    }
}
