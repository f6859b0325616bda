import SimSupport

/// A geographic region, by index into a `RegionCatalog`.
public struct RegionID: Hashable, Comparable, Sendable {
    /// Index into the catalog's `names` and `baseRTT`.
    public var rawValue: UInt16
    /// Wraps an index; ``Network/addEndpoint(region:link:)`` checks it against the catalog.
    @inlinable public init(_ rawValue: UInt16) { self.rawValue = rawValue }
    /// `rawValue` as an `Int`, for array indexing.
    @inlinable public var index: Int { Int(rawValue) }
    /// Orders by catalog index.
    @inlinable public static func < (a: RegionID, b: RegionID) -> Bool { a.rawValue < b.rawValue }
}

/// Regions and the base round-trip times between them.
public struct RegionCatalog: Sendable, Equatable {
    /// Distinct region names; a region's ``RegionID`` is its position here.
    public let names: [String]
    /// `baseRTT[a][b]`: the round-trip time between a node in `a` and one in `b`, before jitter.
    public let baseRTT: [[SimDuration]]

    /// Builds a catalog from names and a symmetric RTT matrix in milliseconds.
    public init(names: [String], rttMilliseconds: [[Double]]) throws(NetworkError) {
        guard !names.isEmpty, names.count <= Int(UInt16.max) else { throw .invalid("a catalog needs 1 to 65535 regions") }
        guard Set(names).count == names.count else { throw .invalid("region names must be distinct") }
        guard rttMilliseconds.count == names.count, rttMilliseconds.allSatisfy({ $0.count == names.count }) else {
            throw .invalid("the RTT matrix must be \(names.count) x \(names.count)")
        }
        for a in names.indices {
            for b in names.indices {
                let x = rttMilliseconds[a][b]
                guard x.isFinite, x >= 0 else { throw .invalid("RTT \(names[a]) -> \(names[b]) must be >= 0 ms, got \(x)") }
                guard x == rttMilliseconds[b][a] else { throw .invalid("RTT matrix is not symmetric at \(names[a]) / \(names[b])") }
            }
        }
        self.names = names
        self.baseRTT = rttMilliseconds.map { row in row.map { SimDuration(seconds: $0 / 1_000) } }
    }

    /// The region called `name`, or `nil` if there is none. O(regions).
    public func region(named name: String) -> RegionID? {
        names.firstIndex(of: name).map { RegionID(UInt16($0)) }
    }

    /// The eight regions of the Walrus paper's testbed (whitepaper v2 §7, figure 6), with
    /// round-trip times approximating public-cloud inter-region pings between representative
    /// cities (Stockholm, Dublin, Warsaw, N. Virginia, Oregon, Montreal, São Paulo, Singapore).
    /// They are a plausible default, not measurements of the Walrus network; scenarios can
    /// supply their own matrix.
    public static let paperTestbed: RegionCatalog = {
        let names = ["eu-north", "eu-west", "eu-east", "us-east", "us-west", "ca-central", "sa-east", "ap-southeast"]
        let rtt: [[Double]] = [
            //  eun   euw   eue   use   usw   cac   sae   aps
            [2, 40, 25, 110, 165, 105, 220, 230],  // eu-north
            [40, 2, 40, 70, 130, 75, 180, 180],  // eu-west
            [25, 40, 2, 100, 160, 100, 210, 170],  // eu-east
            [110, 70, 100, 2, 65, 15, 115, 215],  // us-east
            [165, 130, 160, 65, 2, 70, 175, 165],  // us-west
            [105, 75, 100, 15, 70, 2, 125, 215],  // ca-central
            [220, 180, 210, 115, 175, 125, 2, 325],  // sa-east
            [230, 180, 170, 215, 165, 215, 325, 2],  // ap-southeast
        ]
        return try! RegionCatalog(names: names, rttMilliseconds: rtt)
    }()
}

/// An addressable participant of the network (storage node, client, chain gateway).
public struct EndpointID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Dense index in creation order: the `n`-th ``Network/addEndpoint(region:link:)`` returns `n - 1`.
    public var rawValue: UInt32
    /// Wraps an index; network calls trap on an endpoint that was never added.
    @inlinable public init(_ rawValue: UInt32) { self.rawValue = rawValue }
    /// `rawValue` as an `Int`, for array indexing.
    @inlinable public var index: Int { Int(rawValue) }
    /// Orders by creation.
    @inlinable public static func < (a: EndpointID, b: EndpointID) -> Bool { a.rawValue < b.rawValue }
    /// `endpoint<n>`.
    public var description: String { "endpoint\(rawValue)" }
}

/// Access-link capacity of one endpoint, in bits per second.
public struct LinkCapacity: Sendable, Equatable {
    /// Sending capacity in bits per second; positive for any endpoint the network accepts.
    public var uplinkBitsPerSecond: UInt64
    /// Receiving capacity in bits per second; positive for any endpoint the network accepts.
    public var downlinkBitsPerSecond: UInt64
    /// Stores both capacities as given; ``Network/addEndpoint(region:link:)`` rejects zeros.
    public init(uplinkBitsPerSecond: UInt64, downlinkBitsPerSecond: UInt64) {
        self.uplinkBitsPerSecond = uplinkBitsPerSecond
        self.downlinkBitsPerSecond = downlinkBitsPerSecond
    }
    /// Symmetric capacity in Mb/s (10^6 bit/s), e.g. `.symmetric(megabitsPerSecond: 1_000)` for 1 Gb/s.
    public static func symmetric(megabitsPerSecond: UInt64) -> LinkCapacity {
        LinkCapacity(uplinkBitsPerSecond: megabitsPerSecond * 1_000_000, downlinkBitsPerSecond: megabitsPerSecond * 1_000_000)
    }
}

/// A region catalog, jitter distribution or endpoint the network cannot use.
public enum NetworkError: Error, Equatable, CustomStringConvertible {
    /// The reason, naming the offending value.
    case invalid(String)
    /// `invalid network configuration: <reason>`.
    public var description: String {
        switch self { case .invalid(let why): "invalid network configuration: \(why)" }
    }
}

/// The message-transport model: region-pair latency with jitter, per-endpoint FIFO uplinks and
/// downlinks, and the fault knobs (loss, partitions, latency spikes, throttling, endpoints down).
///
/// A message of `b` bytes from `s` to `r` sent at `t`:
/// 1. waits for `s`'s uplink (FIFO) and takes `8b / uplink` to serialize onto it;
/// 2. its first bit reaches `r` one-way latency later (base RTT / 2 + jitter + any spike);
/// 3. it then waits for `r`'s downlink (FIFO, in arrival order) and is delivered when both the
///    downlink has serialized it and its last bit has arrived.
/// So the slower of the two links sets the transfer time, concurrent transfers share a link in
/// order, and a 100 MiB write takes longer than a 1 KiB one. `transmit` does step 1 and 2 and
/// returns the arrival time; the caller schedules an event then and calls `deliver` (step 3),
/// which reserves the downlink at arrival time so that queueing follows arrival order.
///
/// Randomness: jitter and loss draw from their own streams (`network.jitter`, `network.loss`),
/// so changing the loss rate does not shift the jitter sequence.
public struct Network {
    /// One endpoint's configuration, fault state, link queues and traffic counters.
    public struct Endpoint: Sendable {
        /// The region whose base RTTs apply to its messages.
        public var region: RegionID
        /// Its access-link capacities, before throttling.
        public var link: LinkCapacity
        /// When the uplink / downlink finish what is already queued.
        public var uplinkFreeAt: SimTime = .zero
        /// When the downlink finishes what is already queued; reset to zero when the endpoint comes back up.
        public var downlinkFreeAt: SimTime = .zero
        /// A crashed or disconnected endpoint neither sends nor receives.
        public var isDown = false
        /// Throttling: capacity is multiplied by `throttlePermille / 1000` (1000 = none).
        public var throttlePermille: UInt64 = 1_000
        /// Extra one-way latency on every message to or from this endpoint (a latency spike).
        public var extraLatency: SimDuration = .zero
        /// Bytes put on the uplink, lost and partitioned messages included (wrapping).
        public var bytesSent: UInt64 = 0
        /// Bytes delivered through the downlink (wrapping).
        public var bytesReceived: UInt64 = 0
    }

    /// A message on its way: what `transmit` hands back and `deliver` takes.
    public struct Transmission: Sendable, Equatable {
        /// The sender.
        public var from: EndpointID
        /// The receiver.
        public var to: EndpointID
        /// The message size in bytes; it sets the serialization time on both links.
        public var bytes: UInt64
        /// When the last bit left the sender.
        public var sentAt: SimTime
        /// When the first bit reaches the receiver: the time to call `deliver`.
        public var arrivesAt: SimTime
        /// One-way latency applied.
        public var latency: SimDuration
        /// The time the message takes through the receiver's downlink at full capacity (links
        /// never change; a throttle only slows them): `earliestDelivery` and an unthrottled
        /// `deliver` use it instead of dividing again.
        public var downlinkTime: SimDuration
    }

    /// Which messages a cut blocks, seen from its side.
    public enum CutDirection: String, Sendable, Equatable, CaseIterable {
        /// Nothing crosses the cut.
        case both
        /// Messages from the side to the rest are blocked; the side still hears the rest.
        case outbound
        /// Messages from the rest to the side are blocked; the side can still send out.
        case inbound
    }

    /// The handle of a cut in force, to heal it.
    public struct CutID: Hashable, Sendable {
        /// Cuts are numbered from 1 in the order they are made.
        public var rawValue: UInt32
    }

    struct Cut {
        var id: CutID
        /// Whether each endpoint is on the cut's side, by endpoint index.
        var inside: [Bool]
        var direction: CutDirection
    }

    /// Why a message did not get through.
    public enum Drop: Error, Sendable, Equatable {
        /// `senderDown` / `receiverDown`: that end is down; `partitioned`: a partition separates them; `lost`: random loss.
        case senderDown, receiverDown, partitioned, lost
    }

    /// The regions and base RTTs endpoints are placed in; fixed for the network's life.
    public let regions: RegionCatalog
    /// Every endpoint added, indexed by ``EndpointID/index``.
    public private(set) var endpoints: [Endpoint] = []
    /// Jitter added to every one-way latency, in milliseconds; fixed for the network's life.
    public var jitterMilliseconds: Distribution { jitter.distribution }
    /// Probability of losing any message, in parts per million.
    public var lossPartsPerMillion: UInt64 = 0
    /// The partitions in force (`cut(_:direction:)`), in the order they were made.
    private var cuts: [Cut] = []
    private var nextCut: UInt32 = 1
    /// Messages dropped so far, at send or at delivery, for any ``Drop`` reason (wrapping).
    public private(set) var messagesDropped: UInt64 = 0
    /// Messages ``deliver(_:)`` accepted so far (wrapping).
    public private(set) var messagesDelivered: UInt64 = 0

    /// The jitter draws, made ahead in batches (shared by copies of the network, as its streams are).
    private let jitter: JitterDraws
    private let lossStream: RandomStream

    /// A network with no endpoints. Draws jitter and loss from the `network.jitter` and `network.loss` streams;
    /// throws ``NetworkError/invalid(_:)`` if the jitter distribution is invalid.
    public init(regions: RegionCatalog, jitterMilliseconds: Distribution = .exponential(mean: 2), streams: RandomStreams) throws(NetworkError) {
        do { try jitterMilliseconds.validate() } catch { throw .invalid("jitter: \(error.description)") }
        self.regions = regions
        jitter = JitterDraws(jitterMilliseconds, stream: streams.stream("network.jitter"))
        lossStream = streams.stream("network.loss")
    }

    /// Adds an endpoint, up, unthrottled and unpartitioned, with empty queues; returns the next dense ID.
    /// Throws for an unknown region, a zero capacity, or more than `UInt32.max` endpoints.
    @discardableResult
    public mutating func addEndpoint(region: RegionID, link: LinkCapacity) throws(NetworkError) -> EndpointID {
        guard region.index < regions.names.count else { throw .invalid("unknown region index \(region.index)") }
        guard link.uplinkBitsPerSecond > 0, link.downlinkBitsPerSecond > 0 else { throw .invalid("link capacity must be > 0") }
        guard endpoints.count < Int(UInt32.max) else { throw .invalid("too many endpoints") }
        endpoints.append(Endpoint(region: region, link: link))
        for c in cuts.indices { cuts[c].inside.append(false) }
        return EndpointID(UInt32(endpoints.count - 1))
    }

    /// The endpoint's current state. O(1); traps for an ID the network did not hand out.
    public func endpoint(_ id: EndpointID) -> Endpoint { endpoints[id.index] }

    /// Sends `bytes` from `from` to `to` at `now`. Returns the transmission to deliver at its
    /// `arrivesAt`, or the reason it was dropped. A dropped message still occupied the
    /// sender's uplink if the sender was up (it was sent and lost on the way).
    public mutating func transmit(from: EndpointID, to: EndpointID, bytes: UInt64, now: SimTime) -> Result<Transmission, Drop> {
        let s = endpoints[from.index]
        guard !s.isDown else { return drop(.senderDown) }
        let upStart = max(now, s.uplinkFreeAt)
        let upDone = upStart + Self.serialization(bytes, bitsPerSecond: s.link.uplinkBitsPerSecond, throttle: s.throttlePermille)
        endpoints[from.index].uplinkFreeAt = upDone
        endpoints[from.index].bytesSent &+= bytes
        // Jitter is drawn for every message sent, lost or not, so that the k-th message gets
        // the k-th draw whatever the loss rate and partitions: paired runs stay paired.
        let latency = oneWayLatency(from, to)
        guard from == to || cuts.isEmpty || canTalk(from, to) else { return drop(.partitioned) }
        if lossPartsPerMillion > 0, lossStream.bernoulli(lossPartsPerMillion, over: 1_000_000) { return drop(.lost) }
        let downlinkTime = Self.serialization(bytes, bitsPerSecond: endpoints[to.index].link.downlinkBitsPerSecond, throttle: 1_000)
        return .success(Transmission(from: from, to: to, bytes: bytes, sentAt: upDone, arrivesAt: upStart + latency, latency: latency,
                                     downlinkTime: downlinkTime))
    }

    /// Completes a transmission whose first bit arrives now (`t.arrivesAt`): reserves the
    /// receiver's downlink and returns the delivery time, or the reason it was dropped (the
    /// receiver went down or got partitioned while the message was in flight).
    public mutating func deliver(_ t: Transmission) -> Result<SimTime, Drop> {
        let r = endpoints[t.to.index]
        guard !r.isDown else { return drop(.receiverDown) }
        guard t.from == t.to || cuts.isEmpty || canTalk(t.from, t.to) else { return drop(.partitioned) }
        let downStart = max(t.arrivesAt, r.downlinkFreeAt)
        let downDone = downStart + (r.throttlePermille == 1_000 ? t.downlinkTime
                                    : Self.serialization(t.bytes, bitsPerSecond: r.link.downlinkBitsPerSecond, throttle: r.throttlePermille))
        endpoints[t.to.index].downlinkFreeAt = downDone
        endpoints[t.to.index].bytesReceived &+= t.bytes
        messagesDelivered &+= 1
        return .success(max(downDone, t.sentAt + t.latency))
    }

    /// The earliest time `deliver` can give for `t`, whatever happens before `t` arrives: its
    /// last bit arriving (`sentAt + latency`), and its first bit plus the receiver's downlink
    /// serialization at full capacity (a queue or a throttle only delays it; throttling never
    /// raises capacity, see `setThrottle`). Equal to the delivery time when the receiver's
    /// downlink is idle and unthrottled at arrival. O(1).
    public func earliestDelivery(_ t: Transmission) -> SimTime {
        max(t.sentAt + t.latency, t.arrivesAt + t.downlinkTime)
    }

    private mutating func drop(_ reason: Drop) -> Result<Transmission, Drop> {
        messagesDropped &+= 1
        return .failure(reason)
    }

    private mutating func drop(_ reason: Drop) -> Result<SimTime, Drop> {
        messagesDropped &+= 1
        return .failure(reason)
    }

    /// Base RTT / 2 + jitter + spikes at either end. (Inlined: called from a mutating method,
    /// a call copied the whole network onto the stack per message.)
    @inline(__always) private func oneWayLatency(_ a: EndpointID, _ b: EndpointID) -> SimDuration {
        let ea = endpoints[a.index], eb = endpoints[b.index]
        let base = SimDuration(nanoseconds: regions.baseRTT[ea.region.index][eb.region.index].nanoseconds / 2)
        let jitterMs = max(0, jitter.next())
        return base + SimDuration(seconds: jitterMs / 1_000) + ea.extraLatency + eb.extraLatency
    }

    /// Time to push `bytes` through a link, rounded up to whole nanoseconds. (The 64-bit case
    /// inlined, twice per message; the rest out of line.)
    @inline(__always) static func serialization(_ bytes: UInt64, bitsPerSecond: UInt64, throttle: UInt64) -> SimDuration {
        // The same quotient in 64 bits whenever it fits (every message below ~2 GB on links
        // below ~18 Eb/s): the 128-bit division is a library call, 2% of a modeled run.
        let rate = bitsPerSecond.multipliedReportingOverflow(by: throttle)
        let bits = bytes.multipliedReportingOverflow(by: 8_000_000_000)
        if !rate.overflow, !bits.overflow {
            let effective = max(1, rate.partialValue / 1_000)
            let numerator = bits.partialValue.addingReportingOverflow(effective - 1)
            if !numerator.overflow { return SimDuration(nanoseconds: numerator.partialValue / effective) }
        }
        return wideSerialization(bytes, bitsPerSecond: bitsPerSecond, throttle: throttle)
    }

    /// `serialization` in 128 bits, for sizes or rates whose 64-bit products overflow.
    @inline(never) static func wideSerialization(_ bytes: UInt64, bitsPerSecond: UInt64, throttle: UInt64) -> SimDuration {
        let effective = max(1, UInt128(bitsPerSecond) * UInt128(throttle) / 1_000)
        let ns = (UInt128(bytes) * 8 * 1_000_000_000 + effective - 1) / effective
        return SimDuration(nanoseconds: ns > UInt128(UInt64.max) ? .max : UInt64(ns))
    }

    // MARK: Faults

    /// Whether every partition in force lets `a` send to `b` (ignores whether they are down).
    /// O(partitions in force).
    public func canTalk(_ a: EndpointID, _ b: EndpointID) -> Bool {
        for c in cuts {
            let ia = c.inside[a.index], ib = c.inside[b.index]
            guard ia != ib else { continue }
            switch c.direction {
            case .both: return false
            case .outbound: if ia { return false }
            case .inbound: if ib { return false }
            }
        }
        return true
    }

    /// Cuts the endpoints of `side` off from every other endpoint: with `.both` no message
    /// crosses the cut, with `.outbound` only messages leaving the side are blocked, with
    /// `.inbound` only those entering it. Cuts compose: a message gets through only if no cut
    /// in force blocks it. Messages in flight across the cut are dropped at delivery.
    /// Returns the cut's handle for `heal(_:)`. O(endpoints).
    @discardableResult
    public mutating func cut(_ side: [EndpointID], direction: CutDirection = .both) -> CutID {
        var inside = [Bool](repeating: false, count: endpoints.count)
        for e in side { inside[e.index] = true }
        let id = CutID(rawValue: nextCut)
        nextCut &+= 1
        cuts.append(Cut(id: id, inside: inside, direction: direction))
        return id
    }

    /// Ends the cut `id` (no effect if it already ended); other cuts stay in force. O(cuts).
    public mutating func heal(_ id: CutID) {
        cuts.removeAll { $0.id == id }
    }

    /// The number of cuts in force.
    public var cutCount: Int { cuts.count }

    /// Takes `e` down (it neither sends nor receives; in-flight messages to it drop) or brings it back up
    /// with empty link queues.
    public mutating func setDown(_ e: EndpointID, _ down: Bool) {
        endpoints[e.index].isDown = down
        if !down {
            // A restarted endpoint starts with empty queues.
            endpoints[e.index].uplinkFreeAt = .zero
            endpoints[e.index].downlinkFreeAt = .zero
        }
    }

    /// Scales `e`'s link capacities by `permille / 1000` from now on; 1000 is full speed, values
    /// below 1 become 1 and values above 1000 become 1000 (a throttle never adds capacity, which
    /// `earliestDelivery` relies on).
    public mutating func setThrottle(_ e: EndpointID, permille: UInt64) {
        endpoints[e.index].throttlePermille = min(1_000, max(1, permille))
    }

    /// Adds `extra` one-way latency to every later message to or from `e`; `.zero` ends the spike.
    public mutating func setExtraLatency(_ e: EndpointID, _ extra: SimDuration) {
        endpoints[e.index].extraLatency = extra
    }
}

/// The jitter of a network's messages, drawn ahead in batches from the `network.jitter` stream.
///
/// Every message sent takes the next draw, in order, and nothing else draws from that stream,
/// so the k-th message gets the k-th draw exactly as if it were drawn at send time: drawing
/// ahead changes no result. It pays because a draw of the default exponential jitter is a
/// `log1p`, a chain of dependent floating-point steps: one per message, it was 5% of a modeled
/// run's time, while a batch of them in a loop overlaps in the CPU. The draws a run never uses
/// are left unused.
final class JitterDraws {
    /// The distribution drawn from, in milliseconds.
    let distribution: Distribution
    private let stream: RandomStream
    /// `batch` slots; `drawn[taken ..< batch]` are the draws not yet taken.
    private let drawn: UnsafeMutablePointer<Double>
    private var taken: Int
    private static let batch = 256

    init(_ distribution: Distribution, stream: RandomStream) {
        self.distribution = distribution
        self.stream = stream
        drawn = .allocate(capacity: Self.batch)
        taken = Self.batch
    }

    deinit { drawn.deallocate() }

    /// The next draw of the stream.
    @inline(__always) func next() -> Double {
        if taken == Self.batch { refill() }
        let value = drawn[taken]
        taken &+= 1
        return value
    }

    /// Draws the next `batch` values, in stream order.
    @inline(never) private func refill() {
        if case .exponential(let mean) = distribution {
            // The common case without the distribution's switch per draw, so that the loop's
            // logarithms overlap.
            for i in 0..<Self.batch { drawn[i] = stream.exponential(mean: mean) }
        } else {
            for i in 0..<Self.batch { drawn[i] = distribution.sample(stream) }
        }
        taken = 0
    }
}
