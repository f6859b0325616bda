import SimEngine
import SimSupport
import Testing
import WalrusModel

@testable import Simulation

/// Modeled runs without `[resources]` give each message one event instead of an arrival and a
/// delivery (`World+Delivery.swift`). The rule claims the two-event path's delivery times,
/// drops and counters, only with fewer events: checked here against the two-event path on the
/// same scenario, with faults that change what an arrival finds while messages are in flight.
@Suite struct OneEventMessageTests {
    /// A modeled small world with `faults`, run with one event per message (`oneEvent`) or two.
    static func run(oneEvent: Bool, seed: UInt64 = 5, faults: [FaultSpec]) throws -> (World, Scheduler, [World.DeliveryRecord]) {
        var s = smallScenario(seed: seed, writes: 40, reads: 40, duration: .minutes(25))
        s.fidelity.encoding = .modeled
        s.faults = faults
        let world = try World(scenario: s)
        #expect(world.oneEventMessages, "modeled runs without [resources] use the one-event rule")
        world.oneEventMessages = oneEvent
        world.deliveryLog = []
        var sim = Simulator(model: world)
        world.start(&sim.scheduler)
        _ = sim.run(RunLimits(until: SimTime.zero + s.duration))
        world.finish(now: sim.scheduler.now)
        return (world, sim.scheduler, world.deliveryLog ?? [])
    }

    static let faultCases: [String: [FaultSpec]] = [
        "none": [],
        // Down while stores and reads are in flight, then back with empty link queues.
        "crash": [FaultSpec(at: .minutes(3), duration: .minutes(4), kind: .crash(nodes: .indices([1, 4]), loseDisk: true))],
        "partition": [FaultSpec(at: .minutes(2), duration: .minutes(5), kind: .partition(side: .nodes(.indices([0, 2, 3])), direction: .inbound))],
        // A throttled downlink queues messages, so deliveries come later than their events.
        "throttle": [FaultSpec(at: .minutes(1), duration: .minutes(6), kind: .throttle(nodes: .indices([0, 1, 2, 3, 4, 5]), permille: 20))],
    ]

    @Test(arguments: ["none", "crash", "partition", "throttle"])
    func sameDeliveriesAsTwoEvents(_ fault: String) throws {
        let faults = try #require(Self.faultCases[fault])
        let (two, twoSched, twoLog) = try Self.run(oneEvent: false, faults: faults)
        let (one, oneSched, oneLog) = try Self.run(oneEvent: true, faults: faults)
        #expect(twoLog.count > 1_000, "\(fault): \(twoLog.count) deliveries")
        let first = oneLog.indices.first { $0 >= twoLog.count || oneLog[$0] != twoLog[$0] }
        #expect(oneLog == twoLog, "\(fault): first difference at \(first.map { "\($0): \(oneLog[$0]) vs \($0 < twoLog.count ? "\(twoLog[$0])" : "none")" } ?? "the end")")
        #expect(one.network.messagesDelivered == two.network.messagesDelivered)
        #expect(one.network.messagesDropped == two.network.messagesDropped)
        #expect("\(one.operations)" == "\(two.operations)")
        #expect(one.writeLatencies == two.writeLatencies && one.readLatencies == two.readLatencies)
        #expect(one.violations.count == two.violations.count)
        // About one event fewer per message.
        #expect(oneSched.eventsHandled + UInt64(oneLog.count) / 2 < twoSched.eventsHandled,
                "\(fault): \(oneSched.eventsHandled) events with one per message, \(twoSched.eventsHandled) with two")
    }

    /// Same seed, same event stream; another seed, another.
    @Test func deterministic() throws {
        let faults = try #require(Self.faultCases["throttle"])
        let a = try Self.run(oneEvent: true, faults: faults).1.digest
        let b = try Self.run(oneEvent: true, faults: faults).1.digest
        let c = try Self.run(oneEvent: true, seed: 6, faults: faults).1.digest
        #expect(a == b)
        #expect(a != c)
    }
}
