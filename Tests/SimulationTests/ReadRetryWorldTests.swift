import SimEngine
import SimSupport
import Testing
@testable import WalrusModel

@testable import Simulation

/// Reads under `[resources]` as the SDK the paper ran makes them: members in a random order,
/// each member's shards one after another, and a read that ran out of nodes starts over after
/// the committee-change backoff (`ResourceModel.readRetries`).
@Suite struct ReadRetryWorldTests {
    /// Five writes, then four reads from minute 9 while nodes worth 2f+1 shards withhold every
    /// sliver from minute 8 to 10 s past minute 9 (too few slivers for any read meanwhile).
    func scenario(readRetries: Int) throws -> Scenario {
        var s = smallScenario(seed: 45, writes: 5, reads: 4, duration: .minutes(16))
        if case .reads(var r) = s.workloads[1].kind {
            r.start = .minutes(9)
            r.interArrivalSeconds = .constant(3)
            s.workloads[1].kind = .reads(r)
        }
        var resources = ResourceModel()
        resources.readRetries = readRetries
        s.resources = resources
        let group = try BatchedModeledReadTests.members(s, atLeast: 2 * s.faultTolerance + 1)
        s.faults = [FaultSpec(at: .minutes(8), duration: .seconds(70), kind: .byzantine(nodes: .indices(group), behaviour: .withhold, blobsPermille: 1_000))]
        return s
    }

    /// With the SDK's retries, reads that began while too many nodes withheld ask again once
    /// they serve and all succeed; the same run without retries fails them. Same seed, same digest.
    @Test func readsRetryPastAWithholdingSpellDeterministically() throws {
        let (with, sa) = try runWorld(scenario(readRetries: 5))
        #expect(with.operations.readsOK == 4 && with.operations.readsFailed == 0, "\(with.operations)")
        #expect(with.operations.writesOK == 5, "\(with.operations)")
        let (_, sb) = try runWorld(scenario(readRetries: 5))
        #expect(sa.digest == sb.digest)
        let (without, _) = try runWorld(scenario(readRetries: 0))
        #expect(without.operations.readsFailed > 0, "\(without.operations)")
    }

    /// The SDK's read order: every pair once, each read-committee member's pairs one after another.
    @Test func readOrderGoesMemberByMember() throws {
        var s = smallScenario(seed: 46, writes: 3, reads: 0, duration: .minutes(4))
        s.resources = ResourceModel()
        let (world, _) = try runWorld(s)
        let blob = BlobRef(0)
        let mapping = try #require(world.catalog.shardMapping(blob))
        let order = world.readOrder(blob, stream: RandomStream(seed: 9))
        #expect(order.sorted() == Array(0..<s.nodes.shards))
        var ownerOfPair: [Int: NodeID] = [:]
        for m in world.view.committee.members { for shard in m.shards { ownerOfPair[mapping.pair(ofShard: shard.index)] = m.node } }
        let owners = order.map { ownerOfPair[$0] }
        var seen: Set<NodeID> = []
        for (i, o) in owners.enumerated() where i == 0 || o != owners[i - 1] {
            #expect(seen.insert(try #require(o)).inserted, "member \(String(describing: o)) appears in two runs: \(owners)")
        }
        // Without [resources], a uniform shuffle (not grouped by member in general).
        s.resources = nil
        let (plain, _) = try runWorld(s)
        #expect(plain.readOrder(blob, stream: RandomStream(seed: 9)).sorted() == Array(0..<s.nodes.shards))
    }
}
