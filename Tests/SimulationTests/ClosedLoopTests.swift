import ResultRecords
import SimSupport
import Testing
import WalrusModel

@testable import Simulation

/// Closed-loop writers (`closed_loop`): N writes in flight, each next one starting when one ends.
@Suite struct ClosedLoopTests {
    func scenario(writers: Int, count: Int) -> Scenario {
        var s = smallScenario(seed: 13, writes: 0, reads: 0, duration: .minutes(12))
        s.clients.count = 1
        var w = WriteWorkload(interArrivalSeconds: .constant(0), sizeBytes: .constant(4_096), count: count)
        w.closedLoop = writers
        s.workloads = [WorkloadSpec(name: "loop", kind: .writes(w))]
        return s
    }

    @Test func oneWriterWritesBackToBack() throws {
        let sink = CollectingResultsSink()
        let (world, _) = try runWorld(scenario(writers: 1, count: 6), sink: sink)
        #expect(world.operations.writesOK == 6, "\(world.operations)")
        let writes = sink.operations.filter { $0.kind == .write }.sorted { $0.startNs < $1.startNs }
        // Each write starts exactly when the one before it ended (think time 0): never two at once.
        for (a, b) in zip(writes, writes.dropFirst()) { #expect(b.startNs == a.endNs) }
    }

    @Test func nWritersKeepNInFlightAndAreDeterministic() throws {
        let sink = CollectingResultsSink()
        let (world, scheduler) = try runWorld(scenario(writers: 3, count: 9), sink: sink)
        #expect(world.operations.writesOK == 9, "\(world.operations)")
        let writes = sink.operations.filter { $0.kind == .write }
        #expect(writes.filter { $0.startNs == 0 }.count == 3)  // three writers start together
        // At no start are more than three writes in flight.
        for w in writes {
            let inFlight = writes.filter { $0.startNs <= w.startNs && ($0.endNs ?? .max) > w.startNs }.count
            #expect(inFlight <= 3)
        }
        #expect(scheduler.digest == (try runWorld(scenario(writers: 3, count: 9))).1.digest)
    }

    /// One blob written, then `readers` closed-loop readers reading it `count` times in all.
    func readScenario(readers: Int, count: Int) -> Scenario {
        var s = scenario(writers: 1, count: 1)
        var r = ReadWorkload(interArrivalSeconds: .constant(0), count: count)
        r.closedLoop = readers
        s.workloads.append(WorkloadSpec(name: "reads", kind: .reads(r)))
        return s
    }

    /// Closed-loop readers start together (finding nothing readable, they look again each
    /// second), keep at most N reads in flight, each next one starting when one ends; deterministic.
    @Test func nReadersKeepNInFlightAndAreDeterministic() throws {
        let sink = CollectingResultsSink()
        let (world, scheduler) = try runWorld(readScenario(readers: 3, count: 9), sink: sink)
        #expect(world.operations.readsOK == 9, "\(world.operations)")
        let reads = sink.operations.filter { $0.kind == .read }
        let firstStart = try #require(reads.map(\.startNs).min())
        #expect(reads.filter { $0.startNs == firstStart }.count == 3)  // three readers start together
        for r in reads {
            let inFlight = reads.filter { $0.startNs <= r.startNs && ($0.endNs ?? .max) > r.startNs }.count
            #expect(inFlight <= 3)
            // Every later read starts exactly when another one ended.
            if r.startNs != firstStart { #expect(reads.contains { $0.endNs == r.startNs }) }
        }
        #expect(scheduler.digest == (try runWorld(readScenario(readers: 3, count: 9))).1.digest)
    }
}
