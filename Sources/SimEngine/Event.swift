import SimSupport

/// One scheduled event: a 32-byte value, stored inline in the event queue.
///
/// Events carry no closures and no references, so scheduling one allocates nothing and the
/// queue stays a flat array (DESIGN §9: a class or closure per event costs 3-4x). What an
/// event means is up to the model: `kind` says what happens, `target` to whom (a node index,
/// a client index, the chain...), and `payload` carries one word of data — a small value, or
/// an index into a table of larger messages that the model owns.
///
/// Events are totally ordered by `(time, sequence)`: the sequence number is assigned at
/// scheduling time and is unique within a run, so simultaneous events fire in the order they
/// were scheduled, on every machine.
public struct Event: Sendable, Equatable {
    /// When the event fires, in integer nanoseconds of simulated time.
    public var time: SimTime
    /// Unique, increasing in scheduling order; the tie-breaker for equal times.
    public var sequence: UInt64
    /// Whom the event is for (a node, client or other model index); the model decides the meaning.
    public var target: UInt32
    /// What happens; the model defines the values.
    public var kind: UInt32
    /// One word of data: a small value, or an index into a model-owned table.
    public var payload: UInt64

    /// Stores the fields; use ``Scheduler/schedule(at:target:kind:payload:)``, which assigns the sequence.
    @inlinable
    public init(time: SimTime, sequence: UInt64, target: UInt32, kind: UInt32, payload: UInt64) {
        self.time = time
        self.sequence = sequence
        self.target = target
        self.kind = kind
        self.payload = payload
    }

    /// The ordering key: time in the high 64 bits, sequence in the low 64 bits.
    @inlinable @inline(__always)
    public var orderKey: UInt128 { UInt128(time.nanoseconds) << 64 | UInt128(sequence) }

    /// Strict `(time, sequence)` order. Compared as one 128-bit key, which compiles to a
    /// branch-free compare: heap sifts compare random keys, where branches mispredict.
    @inlinable @inline(__always)
    public func precedes(_ other: Event) -> Bool { orderKey < other.orderKey }
}

/// A handle to a scheduled event, for cancelling it before it fires.
public struct TimerID: Hashable, Sendable {
    /// The event's sequence number.
    public var sequence: UInt64
    /// Wraps a sequence number; only handles returned by the scheduler name real events.
    @inlinable public init(sequence: UInt64) { self.sequence = sequence }
}
