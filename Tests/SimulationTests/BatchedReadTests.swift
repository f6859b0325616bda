import Economics
import SimEngine
import SimSupport
import Testing
@testable import WalrusModel

@testable import Simulation

/// Modeled reads without a resource model ask each node once for all the primary slivers of
/// its shards (`sliversRequest`); real-encoding reads ask once per sliver. The batching changes
/// only the number of messages: reads must succeed and fail in the same situations (honest,
/// withholding, corrupting, crashed or silent nodes, within f and beyond 2f shards).
@Suite struct BatchedModeledReadTests {
    /// The same world twice: real encoding (one request per sliver) and modeled (one per node).
    static func pair(seed: UInt64, reads: Int = 10, readsStart: SimDuration? = nil,
                     faults: (Scenario) throws -> [FaultSpec]) throws -> (perSliver: World, batched: World) {
        var s = smallScenario(seed: seed, writes: 6, reads: reads, duration: .minutes(25))
        if let readsStart, case .reads(var r) = s.workloads[1].kind {
            r.start = readsStart
            s.workloads[1].kind = .reads(r)
        }
        s.faults = try faults(s)
        let perSliver = try runWorld(s).0
        s.fidelity.encoding = .modeled
        let batched = try runWorld(s).0
        return (perSliver, batched)
    }

    /// Genesis members, largest first, until they hold at least `atLeast` shards (or, with
    /// `atMost`, as many as fit under it).
    static func members(_ s: Scenario, atLeast: Int = 0, atMost: Int = .max) throws -> [Int] {
        let world = try World(scenario: s)
        var sim = Simulator(model: world)
        world.start(&sim.scheduler)
        let sorted = world.view.committee.members.sorted { ($0.shards.count, $1.node) > ($1.shards.count, $0.node) }
        var total = 0, picked: [Int] = []
        for m in sorted {
            if atLeast > 0 {
                if total >= atLeast { break }
            } else if total + m.shards.count > atMost {
                continue
            }
            total += m.shards.count
            picked.append(m.node.index)
        }
        return picked
    }

    static func expectSameOutcomes(_ w: (perSliver: World, batched: World), _ what: String) {
        let a = w.perSliver.operations, b = w.batched.operations
        #expect(a.readsOK == b.readsOK && a.readsFailed == b.readsFailed && a.readsInconsistent == b.readsInconsistent,
                "\(what): per-sliver \(a), batched \(b)")
        #expect(a.writesOK == b.writesOK, "\(what): per-sliver \(a), batched \(b)")
    }

    /// A modeled read costs a request and a response per node asked, not per sliver: fewer
    /// messages than the R requests and R responses a per-sliver read needs at the least.
    @Test func modeledReadsAskEachNodeOnce() throws {
        func readMessages(modeled: Bool) throws -> (UInt64, World) {
            var s = smallScenario(seed: 41, writes: 6, reads: 10, duration: .minutes(25))
            if modeled { s.fidelity.encoding = .modeled }
            let withReads = try runWorld(s).0
            s.workloads = s.workloads.filter { if case .reads = $0.kind { return false } else { return true } }
            let without = try runWorld(s).0
            return (withReads.network.messagesDelivered - without.network.messagesDelivered, withReads)
        }
        let (perSliver, realWorld) = try readMessages(modeled: false)
        let (batched, modeledWorld) = try readMessages(modeled: true)
        #expect(realWorld.operations.readsOK == 10 && modeledWorld.operations.readsOK == 10)
        let n = 20, f = (n - 1) / 3, r = UInt64(n - 2 * f)
        // Per-sliver: metadata request and response, then at least R requests and R responses.
        #expect(perSliver >= 10 * (2 * r + 2), "per-sliver read messages \(perSliver)")
        #expect(batched < 10 * (2 * r + 2), "batched read messages \(batched)")
        #expect(batched * 3 <= perSliver * 2, "batched \(batched) vs per-sliver \(perSliver)")
    }

    /// Honest nodes, and f shards withholding, corrupting or crashed: every read succeeds
    /// either way, and corrupted slivers are caught by the same check.
    @Test(arguments: ["honest", "withhold", "corruptSlivers", "crash"])
    func withinFEveryReadSucceedsEitherWay(_ fault: String) throws {
        let w = try Self.pair(seed: 42) { s in
            let group = try Self.members(s, atMost: s.faultTolerance)
            switch fault {
            case "withhold": return [FaultSpec(at: .zero, duration: nil, kind: .byzantine(nodes: .indices(group), behaviour: .withhold, blobsPermille: 1_000))]
            case "corruptSlivers":
                return [FaultSpec(at: .zero, duration: nil, kind: .byzantine(nodes: .indices(group), behaviour: .corruptSlivers, blobsPermille: 1_000))]
            case "crash": return [FaultSpec(at: .minutes(4), duration: nil, kind: .crash(nodes: .indices(group), loseDisk: false))]
            default: return []
            }
        }
        Self.expectSameOutcomes(w, fault)
        #expect(w.batched.operations.readsOK == 10, "\(fault): \(w.batched.operations)")
        if fault == "corruptSlivers" { #expect(w.perSliver.responsesRejected > 0 && w.batched.responsesRejected > 0) }
    }

    /// Beyond 2f shards withholding or silent (after the writes certified), fewer than R
    /// primary slivers can be had: every read fails either way, after going through the pairs.
    @Test(arguments: ["withhold", "silent"])
    func beyondTwoFEveryReadFailsEitherWay(_ fault: String) throws {
        let w = try Self.pair(seed: 43, reads: 4, readsStart: .minutes(9)) { s in
            let group = try Self.members(s, atLeast: 2 * s.faultTolerance + 1)
            let behaviour: StorageNode.Behaviour = fault == "silent" ? .silent : .withhold
            return [FaultSpec(at: .minutes(8), duration: nil, kind: .byzantine(nodes: .indices(group), behaviour: behaviour, blobsPermille: 1_000))]
        }
        Self.expectSameOutcomes(w, fault)
        // Every read starts after the fault (minute 9 on) and fails.
        #expect(w.batched.operations.readsFailed == 4 && w.batched.operations.readsOK == 0, "\(fault): \(w.batched.operations)")
    }

    /// Same seed, same batched run, withholding and crashes included.
    @Test func batchedModeledReadsAreDeterministic() throws {
        var s = smallScenario(seed: 44, writes: 5, reads: 8, duration: .minutes(20))
        s.fidelity.encoding = .modeled
        let group = try Self.members(s, atMost: s.faultTolerance)
        s.faults = [
            FaultSpec(at: .zero, duration: nil, kind: .byzantine(nodes: .indices(Array(group.prefix(1))), behaviour: .withhold, blobsPermille: 500)),
            FaultSpec(at: .minutes(6), duration: .minutes(4), kind: .crash(nodes: .indices(Array(group.dropFirst())), loseDisk: false)),
        ]
        let a = try runWorld(s).1.digest, b = try runWorld(s).1.digest
        #expect(a == b)
    }
}
