import SimSupport

/// PHOLD, the standard benchmark workload for discrete-event engines, as defined in
/// `../shared/bench/README.md`, running through the same `Simulator`/`EventHandler` API as the
/// Walrus model (no special fast path).
///
/// `lps` logical processes each start with `population` events at time `delay()`. Handling an
/// event counts it and, until `totalEvents` have been handled, schedules one new event for a
/// uniformly random process at `now + delay()`. Delays are exponential with mean 1 ms, in
/// integer nanoseconds as `floor(d * 1e6) + 1` (d in ms). Each process draws from its own stream
/// `("phold.lp", index)`, so the event stream is a function of the seed alone.
public struct PHOLD: EventHandler {
    /// The four parameters of a PHOLD run; ``validate()`` checks them before any run.
    public struct Configuration: Sendable, Equatable {
        /// Logical processes, in `1...UInt32.max`; each is an event target with its own random stream.
        public var lps: Int
        /// Initial events per process, at least 1; `lps × population` is at most 100,000,000.
        public var population: Int
        /// Events to handle before the model asks the run to stop; at least 1.
        public var totalEvents: UInt64
        /// The run seed every process stream derives from.
        public var seed: UInt64

        /// Stores the parameters unchecked; ``validate()`` or ``PHOLD/makeSimulator(_:)`` checks them.
        public init(lps: Int, population: Int, totalEvents: UInt64, seed: UInt64) {
            self.lps = lps
            self.population = population
            self.totalEvents = totalEvents
            self.seed = seed
        }

        /// Names the first parameter that cannot run.
        public func validate() throws(PHOLDError) {
            guard lps >= 1 else { throw .invalid("lps must be at least 1, got \(lps)") }
            guard lps <= Int(UInt32.max) else { throw .invalid("lps must be at most \(UInt32.max), got \(lps)") }
            guard population >= 1 else { throw .invalid("population must be at least 1, got \(population)") }
            guard lps.multipliedReportingOverflow(by: population).overflow == false,
                  lps * population <= 100_000_000
            else { throw .invalid("lps x population must be at most 100,000,000 initial events") }
            guard totalEvents >= 1 else { throw .invalid("events must be at least 1, got \(totalEvents)") }
        }
    }

    /// The only event kind PHOLD uses.
    public static let eventKind: UInt32 = 1

    /// The validated parameters of this run.
    public let configuration: Configuration
    /// Events handled so far.
    @inlinable public var handled: UInt64 { handledCount }
    /// Sum of the target indices of handled events; a cheap cross-check against the peers.
    @inlinable public var targetSum: UInt64 { targetIndexSum }
    @usableFromInline var handledCount: UInt64 = 0
    @usableFromInline var targetIndexSum: UInt64 = 0
    @usableFromInline let streams: [RandomStream]

    /// Builds the model and a simulator holding its initial events.
    public static func makeSimulator(_ configuration: Configuration) throws(PHOLDError) -> Simulator<PHOLD> {
        try configuration.validate()
        let model = PHOLD(configuration: configuration)
        var scheduler = Scheduler(reservingCapacity: configuration.lps * configuration.population + 1)
        for lp in 0..<configuration.lps {
            for _ in 0..<configuration.population {
                let delay = model.delay(from: model.streams[lp])
                scheduler.schedule(after: delay, target: UInt32(lp), kind: eventKind)
            }
        }
        return Simulator(model: model, scheduler: scheduler)
    }

    private init(configuration: Configuration) {
        self.configuration = configuration
        let random = RandomStreams(runSeed: configuration.seed)
        streams = (0..<configuration.lps).map { random.stream("phold.lp", index: UInt64($0)) }
    }

    @inlinable
    func delay(from stream: RandomStream) -> SimDuration {
        SimDuration(nanoseconds: UInt64(stream.exponential(mean: 1.0) * 1e6) + 1)
    }

    /// Counts the event; then either requests a stop (the `totalEvents`-th event) or schedules one successor.
    @inlinable
    public mutating func handle(_ event: Event, scheduler: inout Scheduler) {
        handledCount &+= 1
        targetIndexSum &+= UInt64(event.target)
        if handledCount >= configuration.totalEvents {
            scheduler.requestStop()
            return
        }
        let (next, delay) = draw(for: event.target)
        scheduler.schedule(after: delay, target: next, kind: PHOLD.eventKind)
    }

    /// The next target and delay, drawn from the handling process's stream. Non-mutating, so
    /// the stream is borrowed from the array without a retain/release pair per event.
    @inlinable
    func draw(for lp: UInt32) -> (UInt32, SimDuration) {
        let stream = streams[Int(lp)]
        let next = UInt32(truncatingIfNeeded: stream.uniformInt(below: UInt64(configuration.lps)))
        return (next, delay(from: stream))
    }
}

/// Why a PHOLD configuration cannot run.
public enum PHOLDError: Error, Equatable, CustomStringConvertible {
    /// The reason, naming the first parameter that cannot run.
    case invalid(String)
    /// `invalid PHOLD configuration: <reason>`.
    public var description: String {
        switch self { case .invalid(let why): "invalid PHOLD configuration: \(why)" }
    }
}
