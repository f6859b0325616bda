import SimSupport

/// The clock and the pending events of one run: what a model sees while it handles an event.
///
/// Only the engine advances `now`; models schedule future events and cancel pending ones.
/// Every handled event is folded into `digest`, the run's fingerprint (DESIGN §4): two runs
/// handled the same event stream if and only if (up to hash collisions) their digests match.
public struct Scheduler: Sendable {
    /// The time of the event being handled (or of the last one handled).
    @inlinable public var now: SimTime { clock }
    /// Events handled so far in this run, cancelled ones excluded.
    @inlinable public var eventsHandled: UInt64 { handledCount }
    /// Rolling digest of `(time, kind, target, payload)` of every handled event.
    @inlinable public var digest: TraceDigest { trace }

    /// The event being handled (or the last one handled): for traces and debugging.
    @inlinable public var currentEvent: Event { current }

    @usableFromInline var current = Event(time: .zero, sequence: 0, target: 0, kind: 0, payload: 0)
    @usableFromInline var clock: SimTime = .zero
    @usableFromInline var handledCount: UInt64 = 0
    @usableFromInline var trace = TraceDigest()

    @usableFromInline var queue: EventQueue
    @usableFromInline var nextSequence: UInt64 = 0
    /// Sequence numbers of cancelled events still in the queue (or already fired: cancelling a
    /// fired timer is harmless, its entry is dropped at the next purge).
    @usableFromInline var cancelled: Set<UInt64> = []
    @usableFromInline var stopRequested = false

    /// An empty scheduler at time zero, its queue holding room for `capacity` events.
    public init(reservingCapacity capacity: Int = 1024) {
        queue = EventQueue(reservingCapacity: capacity)
    }

    /// Pending events, including cancelled ones not yet purged.
    public var pendingCount: Int { queue.count }

    /// Schedules an event at absolute time `time`, which must not be in the past.
    @inlinable @discardableResult
    public mutating func schedule(at time: SimTime, target: UInt32, kind: UInt32, payload: UInt64 = 0) -> TimerID {
        precondition(time >= now, "event scheduled in the past: \(time) < now \(now)")
        let sequence = nextSequence
        nextSequence &+= 1
        queue.push(Event(time: time, sequence: sequence, target: target, kind: kind, payload: payload))
        return TimerID(sequence: sequence)
    }

    /// Schedules an event `delay` after now.
    @inlinable @discardableResult
    public mutating func schedule(after delay: SimDuration, target: UInt32, kind: UInt32, payload: UInt64 = 0) -> TimerID {
        schedule(at: now + delay, target: target, kind: kind, payload: payload)
    }

    /// Cancels a pending event so that it never fires. Cancelling twice, or cancelling an
    /// event that already fired, does nothing.
    public mutating func cancel(_ timer: TimerID) {
        guard timer.sequence < nextSequence else { return }
        cancelled.insert(timer.sequence)
        // Cancelled events are skipped lazily when popped; purge them in bulk once they are a
        // large share of the queue, so timer-heavy models do not grow the heap without bound.
        if cancelled.count >= 4096 && cancelled.count * 2 >= queue.count {
            let dead = cancelled
            queue.removeAll { dead.contains($0.sequence) }
            cancelled.removeAll(keepingCapacity: true)
        }
    }

    /// Asks the run loop to return after the current event.
    public mutating func requestStop() { stopRequested = true }

    /// Makes `event` the current one: advances the clock and folds it into the digest.
    @inlinable
    mutating func begin(_ event: Event) {
        current = event
        clock = event.time
        handledCount &+= 1
        trace.absorb(event.time.nanoseconds)
        trace.absorb(UInt64(event.kind) << 32 | UInt64(event.target))
        trace.absorb(event.payload)
    }

    /// The next event that will fire, if any (cancelled events are skipped).
    @inlinable
    mutating func popLive(notAfter limit: SimTime) -> Event? {
        while let head = queue.first {
            if head.time > limit { return nil }
            let event = queue.pop().unsafelyUnwrapped
            if !cancelled.isEmpty, cancelled.remove(event.sequence) != nil { continue }
            return event
        }
        return nil
    }

    /// Time of the earliest pending event (cancelled ones included), if any.
    public var nextEventTime: SimTime? { queue.first?.time }
}

/// The behaviour behind events: a model takes one event and reacts by scheduling others.
///
/// Handlers must be deterministic functions of their state, the event and the random streams
/// they were given: no wall clock, no unseeded randomness, no dictionary iteration order.
public protocol EventHandler {
    /// Reacts to `event` at `scheduler.now`: updates the model and schedules or cancels events.
    mutating func handle(_ event: Event, scheduler: inout Scheduler)
}

/// When a call to `Simulator.run` returns.
public struct RunLimits: Sendable {
    /// Events later than this are left pending; the clock is advanced to this time.
    public var until: SimTime
    /// At most this many events are handled by this call.
    public var maxEvents: UInt64

    /// No limit unless given: `until` defaults to `.distantFuture`, `maxEvents` to `UInt64.max`.
    public init(until: SimTime = .distantFuture, maxEvents: UInt64 = .max) {
        self.until = until
        self.maxEvents = maxEvents
    }

    /// Run until idle or a handler requests a stop.
    public static let unlimited = RunLimits()
}

/// Why `Simulator.run` returned.
public enum StopReason: String, Sendable {
    /// No events left.
    case idle
    /// The next event lies beyond `RunLimits.until`.
    case timeLimit
    /// `RunLimits.maxEvents` events were handled.
    case eventLimit
    /// A handler called `Scheduler.requestStop()`.
    case requested
}

/// A single-threaded, synchronous discrete-event simulator: a scheduler and a model.
///
/// `run` pops events in `(time, sequence)` order and hands each to the model. Nothing here
/// reads the wall clock or draws random numbers; a run is a pure function of the model's
/// initial state and its seeded streams.
public struct Simulator<Model: EventHandler> {
    /// The clock and pending events; schedule the initial events here before the first `run`.
    public var scheduler: Scheduler
    /// The model that handles every event; read its results after `run` returns.
    public var model: Model

    /// Pairs a model with a scheduler, which may already hold the initial events.
    public init(model: Model, scheduler: Scheduler = Scheduler()) {
        self.model = model
        self.scheduler = scheduler
    }

    /// Handles events until a limit is reached, the queue is empty, or a handler asks to stop.
    /// Calling it again continues where it left off.
    @inlinable
    public mutating func run(_ limits: RunLimits = .unlimited) -> StopReason {
        var handled: UInt64 = 0
        while handled < limits.maxEvents {
            guard let event = scheduler.popLive(notAfter: limits.until) else {
                if scheduler.queue.isEmpty { return .idle }
                if limits.until != .distantFuture, scheduler.clock < limits.until { scheduler.clock = limits.until }
                return .timeLimit
            }
            scheduler.begin(event)
            handled &+= 1
            model.handle(event, scheduler: &scheduler)
            if scheduler.stopRequested {
                scheduler.stopRequested = false
                return .requested
            }
        }
        return .eventLimit
    }
}
