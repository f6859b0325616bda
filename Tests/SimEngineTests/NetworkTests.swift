import SimSupport
import Testing

@testable import SimEngine

@Suite struct NetworkTests {
    /// Two endpoints in eu-west and us-east (70 ms RTT), 1 Gbit/s links, no jitter.
    func pair(jitter: Distribution = .constant(0), seed: UInt64 = 1) throws -> (Network, EndpointID, EndpointID) {
        var net = try Network(regions: .paperTestbed, jitterMilliseconds: jitter, streams: RandomStreams(runSeed: seed))
        let a = try net.addEndpoint(region: RegionCatalog.paperTestbed.region(named: "eu-west")!, link: .symmetric(megabitsPerSecond: 1_000))
        let b = try net.addEndpoint(region: RegionCatalog.paperTestbed.region(named: "us-east")!, link: .symmetric(megabitsPerSecond: 1_000))
        return (net, a, b)
    }

    func send(_ net: inout Network, _ a: EndpointID, _ b: EndpointID, _ bytes: UInt64, at t: SimTime = .zero) -> SimTime? {
        guard case .success(let tx) = net.transmit(from: a, to: b, bytes: bytes, now: t) else { return nil }
        guard case .success(let at) = net.deliver(tx) else { return nil }
        return at
    }

    @Test func bigMessagesTakeLongerThanSmallOnes() throws {
        var (net, a, b) = try pair()
        let small = send(&net, a, b, 1_024)!
        var (net2, a2, b2) = try pair()
        let big = send(&net2, a2, b2, 100 << 20)!
        // 1 KiB: one-way latency 35 ms plus ~8 us of serialization.
        #expect(small.nanoseconds > 35_000_000 && small.nanoseconds < 35_100_000)
        // 100 MiB at 1 Gbit/s: 0.839 s of serialization plus the latency (cut-through).
        let expected: UInt64 = (100 << 20) * 8 + 35_000_000
        #expect(big.nanoseconds >= expected && big.nanoseconds < expected + 1_000_000)
    }

    /// Serialization takes a 64-bit path when the numbers fit and a 128-bit one when not: both
    /// give ceil(bytes x 8 x 10^9 / (rate x throttle / 1000)) ns, on either side of the edge.
    @Test func serializationIsExactOnBothPaths() {
        let edge = UInt64.max / 8_000_000_000
        for bytes: UInt64 in [0, 1, 999, 1_460, 100 << 20, edge - 1, edge, edge + 1, 10_000_000_000, UInt64.max / 8] {
            for (rate, throttle): (UInt64, UInt64) in [(1_000_000_000, 1_000), (3_000_001, 1_000), (10_000_000_000, 250), (7, 1), (UInt64.max / 2, 1_000)] {
                let effective = max(1, UInt128(rate) * UInt128(throttle) / 1_000)
                let ns = (UInt128(bytes) * 8_000_000_000 + effective - 1) / effective
                let expected = SimDuration(nanoseconds: ns > UInt128(UInt64.max) ? UInt64.max : UInt64(ns))
                #expect(Network.serialization(bytes, bitsPerSecond: rate, throttle: throttle) == expected, "\(bytes) B at \(rate) b/s x \(throttle)")
            }
        }
    }

    @Test func uplinkIsFIFO() throws {
        var (net, a, b) = try pair()
        let first = send(&net, a, b, 10 << 20)!
        let second = send(&net, a, b, 1_024)!
        #expect(second > first)  // queued behind the first on a's uplink
    }

    @Test func slowerLinkSetsTheTransferTime() throws {
        var net = try Network(regions: .paperTestbed, jitterMilliseconds: .constant(0), streams: RandomStreams(runSeed: 1))
        let r = RegionID(0)
        let fast = try net.addEndpoint(region: r, link: .symmetric(megabitsPerSecond: 1_000))
        let slow = try net.addEndpoint(region: r, link: .symmetric(megabitsPerSecond: 100))
        let at = send(&net, fast, slow, 1_000_000)!
        // 8 Mbit through 100 Mbit/s = 80 ms, plus 1 ms one-way.
        #expect(at.nanoseconds >= 81_000_000 && at.nanoseconds < 81_100_000)
    }

    @Test func throttlingSlowsALink() throws {
        var (net, a, b) = try pair()
        net.setThrottle(a, permille: 500)
        let at = send(&net, a, b, 1_000_000)!
        #expect(at.nanoseconds >= 35_000_000 + 16_000_000)
    }

    /// The downlink time a transmission carries is the receiver's at full capacity: delivered
    /// unthrottled, the message arrives at `earliestDelivery`; a receiver throttled while it is
    /// on its way takes it at the throttled rate, later.
    @Test func aThrottleSetInFlightSlowsTheDelivery() throws {
        var (net, a, b) = try pair()
        guard case .success(let first) = net.transmit(from: a, to: b, bytes: 1_000_000, now: .zero) else { Issue.record("sent"); return }
        #expect(net.deliver(first) == .success(net.earliestDelivery(first)))
        let later = SimTime.zero + .seconds(10)
        guard case .success(let second) = net.transmit(from: a, to: b, bytes: 1_000_000, now: later) else { Issue.record("sent"); return }
        net.setThrottle(b, permille: 250)
        guard case .success(let at) = net.deliver(second) else { Issue.record("delivered"); return }
        // 8 Mbit at a quarter of the receiver's downlink takes four times as long through it.
        #expect(at - second.arrivesAt == SimDuration(nanoseconds: 4 * second.downlinkTime.nanoseconds))
        #expect(at > net.earliestDelivery(second))
    }

    @Test func partitionsDownEndpointsAndLossDropMessages() throws {
        var (net, a, b) = try pair()
        let cut = net.cut([a])
        #expect(net.transmit(from: a, to: b, bytes: 10, now: .zero) == .failure(.partitioned))
        net.heal(cut)
        #expect(send(&net, a, b, 10) != nil)
        net.setDown(b, true)
        guard case .success(let tx) = net.transmit(from: a, to: b, bytes: 10, now: .zero) else { Issue.record("sent"); return }
        #expect(net.deliver(tx) == .failure(.receiverDown))
        net.setDown(b, false)
        net.lossPartsPerMillion = 1_000_000
        #expect(net.transmit(from: a, to: b, bytes: 10, now: .zero) == .failure(.lost))
        #expect(net.messagesDropped == 3)
    }

    /// Who can reach whom under cuts, one-way cuts and overlapping cuts (turmoil-style).
    @Test func cutsComposeAndOneWayCutsBlockOneDirection() throws {
        var net = try Network(regions: .paperTestbed, jitterMilliseconds: .constant(0), streams: RandomStreams(runSeed: 1))
        let e = try (0..<4).map { _ in try net.addEndpoint(region: RegionID(0), link: .symmetric(megabitsPerSecond: 100)) }
        func reach() -> [[Bool]] { e.map { a in e.map { b in net.canTalk(a, b) } } }
        #expect(reach().allSatisfy { $0.allSatisfy { $0 } })
        let both = net.cut([e[0], e[1]])
        #expect(net.canTalk(e[0], e[1]) && net.canTalk(e[2], e[3]))  // same side: fine
        #expect(!net.canTalk(e[0], e[2]) && !net.canTalk(e[3], e[1]))  // across: blocked both ways
        let out = net.cut([e[2]], direction: .outbound)
        #expect(!net.canTalk(e[2], e[3]) && net.canTalk(e[3], e[2]))
        net.heal(both)
        #expect(net.canTalk(e[0], e[2]) && !net.canTalk(e[2], e[0]))  // the one-way cut still holds
        let inbound = net.cut([e[0]], direction: .inbound)
        #expect(!net.canTalk(e[1], e[0]) && net.canTalk(e[0], e[1]))
        net.heal(out)
        net.heal(inbound)
        net.heal(inbound)  // healing twice is harmless
        #expect(reach().allSatisfy { $0.allSatisfy { $0 } } && net.cutCount == 0)
        // An endpoint added while a cut is in force starts outside it.
        let c = net.cut([e[0]])
        let late = try net.addEndpoint(region: RegionID(0), link: .symmetric(megabitsPerSecond: 100))
        #expect(!net.canTalk(late, e[0]) && net.canTalk(late, e[1]))
        net.heal(c)
    }

    @Test func lossDoesNotShiftJitter() throws {
        func latencies(loss: UInt64) throws -> [SimTime?] {
            var (net, a, b) = try pair(jitter: .exponential(mean: 5), seed: 3)
            net.lossPartsPerMillion = loss
            return (0..<200).map { i in
                guard case .success(let tx) = net.transmit(from: a, to: b, bytes: 100, now: SimTime(nanoseconds: UInt64(i) * 1_000_000_000)) else { return nil }
                return tx.arrivesAt
            }
        }
        let clean = try latencies(loss: 0), lossy = try latencies(loss: 300_000)
        #expect(lossy.contains(nil))
        for (c, l) in zip(clean, lossy) where l != nil { #expect(c == l) }
        #expect(try latencies(loss: 0) == clean)
    }

    /// Jitter is drawn ahead in batches (`JitterDraws`): the k-th message still gets the k-th
    /// draw of the `network.jitter` stream, as one draw per send would give, across batch
    /// boundaries and for every kind of distribution (the exponential has its own loop).
    @Test func jitterDrawnAheadIsTheStreamInOrder() throws {
        let distributions: [Distribution] = [.exponential(mean: 2), .lognormal(mu: 0.5, sigma: 0.8), .uniform(low: 0, high: 3),
                                              .normal(mean: 1, standardDeviation: 2, floor: -5)]
        for jitter in distributions {
            var (net, a, b) = try pair(jitter: jitter, seed: 11)
            let stream = RandomStreams(runSeed: 11).stream("network.jitter")
            let base = SimDuration(nanoseconds: 35_000_000)  // half of eu-west <-> us-east's 70 ms
            for i in 0..<700 {
                let now = SimTime(nanoseconds: UInt64(i) * 1_000_000_000)
                guard case .success(let tx) = net.transmit(from: a, to: b, bytes: 0, now: now) else { Issue.record("dropped"); return }
                let expected = base + SimDuration(seconds: max(0, jitter.sample(stream)) / 1_000)
                #expect(tx.latency == expected, "message \(i) with \(jitter)")
            }
        }
    }

    @Test func rejectsBadCatalogs() {
        #expect(throws: NetworkError.self) { try RegionCatalog(names: [], rttMilliseconds: []) }
        #expect(throws: NetworkError.self) { try RegionCatalog(names: ["a", "a"], rttMilliseconds: [[0, 1], [1, 0]]) }
        #expect(throws: NetworkError.self) { try RegionCatalog(names: ["a", "b"], rttMilliseconds: [[0, 1], [2, 0]]) }
        #expect(throws: NetworkError.self) { try RegionCatalog(names: ["a"], rttMilliseconds: [[-1]]) }
    }
}
