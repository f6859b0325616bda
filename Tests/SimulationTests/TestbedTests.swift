import ResultRecords
import SimSupport
import Testing
import WalrusModel

@testable import Simulation

/// An explicit testbed in `[nodes]`: listed regions and capacities are the nodes', and a
/// `provider` selection takes down exactly that provider's nodes.
@Suite struct TestbedTests {
    func scenario() -> Scenario {
        var s = smallScenario(seed: 17, writes: 4, reads: 4, duration: .minutes(12))
        let regions = ["eu-west", "us-east", "ap-southeast", "eu-west", "ca-central", "us-east", "eu-north", "sa-east", "eu-west", "us-west"]
        s.nodes.nodeRegions = regions
        s.nodes.providers = ["Hetzner", "OVH", "AWS", "Hetzner", "OVH", "AWS", "OVH", "self-hosted", "OVH", "AWS"]
        s.nodes.capacities = (0..<10).map { UInt64($0 + 1) << 40 }
        s.faults = [FaultSpec(at: .minutes(6), duration: .minutes(2), kind: .crash(nodes: .provider("Hetzner"), loseDisk: false))]
        return s
    }

    @Test func listedRegionsCapacitiesAndProviderOutage() throws {
        let s = scenario()
        try s.validate()
        let sink = CollectingResultsSink()
        let (world, _) = try runWorld(s, sink: sink)
        #expect(world.nodeRegion.map { world.network.regions.names[$0.index] } == s.nodes.nodeRegions)
        #expect(sink.nodes.map(\.capacityBytes) == s.nodes.capacities)
        #expect(sink.nodes.map(\.region) == s.nodes.nodeRegions)
        #expect(world.faultTargets[0] == [0, 3])  // the Hetzner nodes
        #expect(world.violations.filter { $0.kind == .durability || $0.kind == .consistency }.isEmpty, "\(world.violations)")
    }

    @Test func badListsAreRefusedWithTheirKey() {
        var s = scenario()
        s.nodes.capacities = [1 << 40]
        #expect(throws: ScenarioValidationError.self) { try s.validate() }
        s = scenario()
        s.faults = [FaultSpec(at: .minutes(6), duration: nil, kind: .crash(nodes: .provider("Equinix"), loseDisk: false))]
        do {
            try s.validate()
            Issue.record("an unknown provider was accepted")
        } catch {
            #expect(error.keyPath.hasSuffix("provider"), "\(error)")
        }
    }
}
