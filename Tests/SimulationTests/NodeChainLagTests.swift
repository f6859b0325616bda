import ResultRecords
import SimEngine
import SimSupport
import Testing
import WalrusModel

@testable import Simulation

/// Per-node chain lag (`[chain] node_event_lag_s`): each node sees chain events at its own
/// time; under `[resources]` a node that has not seen a registration refuses the stores and the
/// client retries them after the SDK's backoff.
@Suite struct NodeChainLagTests {
    func scenario(lag: Distribution?, seed: UInt64 = 11) -> Scenario {
        var s = smallScenario(seed: seed, writes: 5, reads: 5, duration: .minutes(12))
        s.resources = ResourceModel()
        s.chain.nodeEventLagSeconds = lag
        return s
    }

    @Test func sameSeedSameDigestAndOperationsSucceed() throws {
        let lag = Distribution.uniform(low: 0.3, high: 2.3)
        let (a, sa) = try runWorld(scenario(lag: lag))
        let (_, sb) = try runWorld(scenario(lag: lag))
        #expect(sa.digest == sb.digest)
        #expect(a.operations.writesOK == 5 && a.operations.readsOK == 5, "\(a.operations)")
        #expect(a.violations.isEmpty, "\(a.violations)")
        // The lag changes the event stream; another seed changes it again.
        #expect(sa.digest != (try runWorld(scenario(lag: nil))).1.digest)
        #expect(sa.digest != (try runWorld(scenario(lag: lag, seed: 12))).1.digest)
    }

    /// Every node's own view ends where the shared one is: no event is lost on the way.
    @Test func everyNodeViewCatchesUp() throws {
        let (world, _) = try runWorld(scenario(lag: .uniform(low: 0.3, high: 2.3)))
        #expect(world.nodeViews.count == world.nodes.count)
        for v in world.nodeViews {
            #expect(v.epoch == world.view.epoch)
            #expect(v.blobs.map(\.registered) == world.view.blobs.map(\.registered))
            #expect(v.liveCertified == world.view.liveCertified)
        }
    }

    /// Nodes cut off from the chain under per-node lag keep the view their own stream had
    /// reached, take the missed events when the cut heals, and end level with the chain.
    @Test func nodesCutOffFromTheChainCatchUp() throws {
        var s = scenario(lag: .uniform(low: 0.3, high: 2.3), seed: 13)
        let side = PartitionSide.regions([s.network.regions.names[1]])
        s.faults = [FaultSpec(at: .minutes(1), duration: .minutes(3), kind: .partition(side: side, direction: .both, isolateChain: true))]
        let (world, scheduler) = try runWorld(s)
        #expect(world.violations.filter(\.withinAssumptions).isEmpty, "\(world.violations)")
        #expect(world.operations.writesOK > 0, "\(world.operations)")
        for v in world.nodeViews {
            #expect(v.blobs.map(\.registered) == world.view.blobs.map(\.registered))
            #expect(v.liveCertified == world.view.liveCertified)
        }
        #expect(scheduler.digest == (try runWorld(s)).1.digest)
    }

    /// With every node 3 s behind the chain, no node takes a store before 3 s after the
    /// registration executed, while the client starts storing well before: each write's store
    /// phase waits for refusals and backoffs, and still reaches its quorum.
    @Test func lateNodesRefuseAndTheClientRetries() throws {
        func storeSeconds(_ lag: Distribution?) throws -> [Double] {
            let sink = CollectingResultsSink()
            let (world, _) = try runWorld(scenario(lag: lag), sink: sink)
            #expect(world.operations.writesOK == 5, "\(world.operations)")
            return sink.phases.filter { $0.phase == "store" }.map { Double($0.endNs - $0.startNs) / 1e9 }
        }
        let lagged = try storeSeconds(.constant(3))
        let plain = try storeSeconds(nil)
        #expect(lagged.count == 5 && plain.count == 5)
        // Seen by the client at most 0.5 s after execution; no node before 3 s.
        #expect(lagged.allSatisfy { $0 >= 2.4 }, "\(lagged)")
        #expect(plain.allSatisfy { $0 < 2.4 }, "\(plain)")
    }
}
