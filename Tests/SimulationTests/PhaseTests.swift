import ResultRecords
import SimSupport
import Testing
import WalrusModel

@testable import Simulation

/// Operation phases (`op_phases`): every successful write and read gets its phases, disjoint
/// and in time order within the operation, ending at its end.
@Suite struct PhaseTests {
    @Test func writesAndReadsGetOrderedDisjointPhases() throws {
        let sink = CollectingResultsSink()
        let (world, _) = try runWorld(smallScenario(seed: 7, writes: 6, reads: 6, duration: .minutes(15)), sink: sink)
        #expect(world.operations.writesOK == 6 && world.operations.readsOK == 6, "\(world.operations)")
        let byOp = Dictionary(grouping: sink.phases, by: \.opID)
        for op in sink.operations where op.outcome == .success {
            let rows = (byOp[op.opID] ?? []).sorted { $0.seq < $1.seq }
            let phases = rows.filter { $0.kind == "phase" }
            let names = phases.map(\.phase)
            if op.kind == .write {
                #expect(names == ["encode", "register", "register_event", "store", "store_extra_wait", "certify", "certify_event"],
                        "op \(op.opID): \(names)")
                #expect(rows.contains { $0.phase == "store_upload" && $0.kind == "span" })
            } else {
                #expect(names == ["metadata", "slivers", "decode", "consistency_check"], "op \(op.opID): \(names)")
            }
            // Disjoint, in order, from the start to the end.
            #expect(phases.first?.startNs == op.startNs)
            #expect(phases.last?.endNs == op.endNs)
            for (a, b) in zip(phases, phases.dropFirst()) { #expect(a.endNs <= b.startNs, "op \(op.opID)") }
            for p in rows { #expect(p.startNs <= p.endNs) }
        }
        // Every row belongs to a recorded operation, and (op, seq) is unique.
        let ops = Set(sink.operations.map(\.opID))
        #expect(sink.phases.allSatisfy { ops.contains($0.opID) })
        #expect(Set(sink.phases.map { "\($0.opID)/\($0.seq)" }).count == sink.phases.count)
    }

    @Test func phasesAreDeterministic() throws {
        func phases() throws -> [OperationPhaseRecord] {
            let sink = CollectingResultsSink()
            _ = try runWorld(smallScenario(seed: 9, writes: 4, reads: 4, duration: .minutes(12)), sink: sink)
            return sink.phases
        }
        let a = try phases()
        #expect(!a.isEmpty)
        #expect(a == (try phases()))
    }
}
