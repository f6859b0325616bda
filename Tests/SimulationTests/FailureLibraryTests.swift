import Foundation
import ResultRecords
import ScenarioLoader
import SimEngine
import SimSupport
import Testing

@testable import Simulation

/// The adversarial scenarios of `Scenarios/failure/`, run as shipped, each with the outcome its
/// comment promises.
@Suite struct FailureLibraryTests {
    static func scenario(_ name: String) throws -> Scenario {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let file = try ScenarioLoader.load(path: root.appendingPathComponent("Scenarios/failure/\(name).toml").path)
        return try #require(file.entry(0)).scenario
    }

    @Test func byzantineFChangesNoOutcome() throws {
        let s = try Self.scenario("byzantine-f")
        let (world, _) = try runWorld(s)
        #expect(world.operations.writesFailed == 0 && world.operations.readsFailed == 0, "\(world.operations)")
        #expect(world.operations.readsOK > 0 && world.responsesRejected > 0)
        #expect(world.violations.isEmpty, "\(world.violations)")
    }

    @Test func byzantineBeyondFIsReportedAsBeyondTheAssumptions() throws {
        let (world, _) = try runWorld(try Self.scenario("byzantine-beyond-f"))
        #expect(world.operations.writesFailed > 0, "\(world.operations)")
        #expect(world.violations.filter(\.withinAssumptions).isEmpty, "\(world.violations)")
    }

    @Test func maliciousClientsBlobsEndInvalid() throws {
        let (world, _) = try runWorld(try Self.scenario("malicious-client"))
        let malicious = world.blobs.filter(\.inconsistent)
        #expect(!malicious.isEmpty && malicious.allSatisfy { $0.invalidAt != nil })
        #expect(world.operations.readsInvalid > 0 && world.operations.readsFailed == 0, "\(world.operations)")
        #expect(world.violations.isEmpty, "\(world.violations)")
    }

    /// Writes started while regions holding more than f shards are cut off never certify within
    /// the window; writes started after it heals all certify; without the cut, all certify.
    @Test func aMajorityPartitionStallsWritesForItsWindowOnly() throws {
        let s = try Self.scenario("partition-majority")
        guard let fault = s.faults.first, let length = fault.duration else { Issue.record("no partition"); return }
        let from = fault.at.nanoseconds, to = (fault.at + length).nanoseconds
        let sink = CollectingResultsSink()
        let (world, _) = try runWorld(s, sink: sink)
        let writes = sink.operations.filter { $0.kind == .write }
        let during = writes.filter { $0.startNs >= from && $0.startNs < to }
        let after = writes.filter { $0.startNs >= to + 60_000_000_000 && ($0.endNs ?? .max) < s.duration.nanoseconds }
        #expect(!during.isEmpty && !after.isEmpty)
        for w in during where w.outcome == .success { #expect((w.endNs ?? 0) >= to, "a write certified inside the partition window") }
        #expect(after.allSatisfy { $0.outcome == .success }, "\(after.filter { $0.outcome != .success })")
        #expect(world.violations.filter(\.withinAssumptions).isEmpty, "\(world.violations)")
        var calm = s
        calm.faults = []
        let (control, _) = try runWorld(calm)
        #expect(control.operations.writesFailed == 0, "\(control.operations)")
    }

    @Test func refusedShardSyncFallsBackToRecovery() throws {
        let (world, _) = try runWorld(try Self.scenario("refuse-sync"))
        #expect(world.epochsStarted >= 3, "epochs: \(world.epochsStarted)")
        #expect(world.recoveries > 0)
        #expect(world.operations.readsFailed == 0 && world.operations.writesFailed == 0, "\(world.operations)")
        #expect(world.violations.isEmpty, "\(world.violations)")
    }
}
