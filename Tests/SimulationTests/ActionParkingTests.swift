import SimEngine
import SimSupport
import Testing
import WalrusModel

@testable import Simulation

/// `World.execute` carries out a reaction's actions in order; CPU work delays the ones after
/// it. What is left is parked behind the CPU, as the whole list or, when one action is left,
/// that action alone (`World.ParkedActions`). Either way each action must run when the CPU
/// work before it ends, and never when its party is down.
@Suite struct ActionParkingTests {
    /// A world of `smallScenario` that has not started: nothing is scheduled but what the test does.
    static func idleWorld() throws -> (World, Simulator<World>) {
        let world = try World(scenario: smallScenario())
        return (world, Simulator(model: world))
    }

    /// A timer action whose token no state machine knows: it shows as a timer event at the
    /// time the action was carried out, and nothing reacts to it.
    static func mark(_ n: UInt64) -> Action { .timer(after: .zero, token: 0xff | n << 8) }

    /// The (time, kind) of every event the world handles until the queue is empty.
    static func drain(_ sim: inout Simulator<World>) -> [(SimTime, World.Kind)] {
        var seen: [(SimTime, World.Kind)] = []
        while sim.scheduler.pendingCount > 0 {
            _ = sim.run(RunLimits(maxEvents: 1))
            seen.append((sim.scheduler.currentEvent.time, World.Kind(rawValue: sim.scheduler.currentEvent.kind)!))
        }
        return seen
    }

    @Test func eachActionRunsWhenTheCPUWorkBeforeItEnds() throws {
        let (world, sim0) = try Self.idleWorld()
        var sim = sim0
        let node = Party.node(NodeID(3))
        // Parked as a list (three actions left), again as a list, then the last one alone.
        let actions = ActionBuffer([.cpu(.milliseconds(1)), Self.mark(1), .cpu(.milliseconds(2)), Self.mark(2),
                                    .cpu(.milliseconds(4)), Self.mark(3)])
        let parkedList = world.execute(actions, for: node, now: .zero, scheduler: &sim.scheduler)
        #expect(parkedList, "five actions were left behind the first CPU work")
        #expect(actions.count == 5, "the parked buffer keeps the five actions after the first CPU work")
        // A reaction with one action behind its CPU work: the buffer, emptied, stays the caller's.
        let short = ActionBuffer([.cpu(.milliseconds(10)), Self.mark(4)])
        let parkedShort = world.execute(short, for: .node(NodeID(5)), now: .zero, scheduler: &sim.scheduler)
        #expect(!parkedShort && short.isEmpty, "one action left is parked alone")
        #expect(world.deferredActions.count == 2)
        let events = Self.drain(&sim)
        let timers = events.filter { $0.1 == .timer }.map { $0.0 }
        let ms = { (m: UInt64) in SimTime.zero + .milliseconds(m) }
        #expect(timers == [ms(1), ms(3), ms(7), ms(10)], "\(events)")
        #expect(events.filter { $0.1 == .deferred }.map { $0.0 } == [ms(1), ms(3), ms(7), ms(10)])
        #expect(world.deferredActions.count == 0 && world.timers.count == 0)
        #expect(world.cpuFreeAt[3] == ms(7) && world.cpuFreeAt[5] == ms(10))
    }

    @Test func aPartyDownWhenItsParkedActionsComeDueDropsThem() throws {
        let (world, sim0) = try Self.idleWorld()
        var sim = sim0
        world.execute(ActionBuffer([.cpu(.milliseconds(1)), Self.mark(1)]), for: .node(NodeID(2)), now: .zero, scheduler: &sim.scheduler)
        world.execute(ActionBuffer([.cpu(.milliseconds(1)), Self.mark(2), Self.mark(3)]), for: .node(NodeID(4)), now: .zero,
                      scheduler: &sim.scheduler)
        world.crashed[2] = true
        world.crashed[4] = true
        let events = Self.drain(&sim)
        #expect(events.map(\.1) == [.deferred, .deferred], "\(events)")
        #expect(world.deferredActions.count == 0 && world.timers.count == 0)
        // The dropped list's buffer came back emptied, for reuse.
        #expect(world.spareActionBuffers.count == 1 && world.spareActionBuffers.allSatisfy(\.isEmpty))
    }
}
