/// The actions a reaction of a state machine writes, in order, for the world to carry out.
///
/// Reused from reaction to reaction: the world lends one buffer to each reaction and carries
/// its actions out by moving them off the front (`takeFirst`), which leaves the buffer empty
/// and ready for the next reaction with its storage kept. A class over memory managed by
/// hand, because an array did the same work through copy-on-write: a uniqueness check on
/// every append, a placeholder written into each slot an action was taken from, and a pass
/// destroying the placeholders to empty it, on every event.
///
/// Indices are positions in the storage: `startIndex` moves up as actions are taken, so an
/// index a reaction noted (`endIndex` before an append) names the same action afterwards. A
/// reaction gets the buffer empty (indices from 0); only appending to a buffer that actions
/// were taken from and that is full moves the rest to the front (`makeRoom`).
///
/// Invariant: slots `startIndex ..< endIndex` hold initialized actions, every other slot is
/// uninitialized; `startIndex == endIndex` only as `0 == 0` (an emptied buffer starts over).
public final class ActionBuffer: RandomAccessCollection {
    /// The storage, `slots` actions; `first ..< end` initialized (the invariant above).
    @usableFromInline var base: UnsafeMutablePointer<Action>
    @usableFromInline var slots: Int
    @usableFromInline var first = 0
    @usableFromInline var end = 0

    /// Slots allocated.
    @inlinable public var capacity: Int { slots }
    /// The first action not yet taken.
    @inlinable public var startIndex: Int { first }
    /// One past the last action.
    @inlinable public var endIndex: Int { end }
    /// The actions not yet taken.
    @inlinable public var count: Int { end - first }
    /// Whether every action was taken (or none written).
    @inlinable public var isEmpty: Bool { first == end }

    /// An empty buffer with room for `capacity` actions before it grows.
    public init(capacity: Int = 16) {
        slots = Swift.max(1, capacity)
        base = .allocate(capacity: slots)
    }

    /// The actions `react` writes into a fresh buffer, as an array: how the state machines'
    /// array-returning reactions (for tests and one-off callers) wrap their `into:` forms.
    public static func collect(_ react: (ActionBuffer) -> Void) -> [Action] {
        let actions = ActionBuffer()
        react(actions)
        return Array(actions)
    }

    /// A buffer holding `actions`, in order.
    public convenience init(_ actions: some Sequence<Action>) {
        self.init(capacity: actions.underestimatedCount)
        append(contentsOf: actions)
    }

    deinit {
        (base + first).deinitialize(count: end - first)
        base.deallocate()
    }

    /// The action at `position`, which must be in `startIndex ..< endIndex`.
    public subscript(position: Int) -> Action {
        get {
            precondition(position >= first && position < end, "action index \(position) out of \(first) ..< \(end)")
            return base[position]
        }
        set {
            precondition(position >= first && position < end, "action index \(position) out of \(first) ..< \(end)")
            base[position] = newValue
        }
    }

    /// Appends `action` after the others.
    @inlinable public func append(_ action: consuming Action) {
        if end == slots { makeRoom(for: 1) }
        (base + end).initialize(to: action)
        end += 1
    }

    /// Appends `actions` in order.
    public func append(contentsOf actions: some Sequence<Action>) {
        for action in actions { append(action) }
    }

    /// Inserts `action` at `position` (in `startIndex ... endIndex`), moving the actions from
    /// there one slot up.
    public func insert(_ action: consuming Action, at position: Int) {
        precondition(position >= first && position <= end, "insert at \(position) out of \(first) ... \(end)")
        let offset = position - first
        if end == slots { makeRoom(for: 1) }
        let at = first + offset
        (base + at + 1).moveInitialize(from: base + at, count: end - at)
        (base + at).initialize(to: action)
        end += 1
    }

    /// Makes room for `count` actions in all without growing again.
    public func reserveCapacity(_ count: Int) {
        if count > slots - first { makeRoom(for: count - (end - first)) }
    }

    /// Moves the first action out, or returns `nil` when there is none. Taking the last one
    /// empties the buffer, its storage kept.
    @inlinable public func takeFirst() -> Action? {
        guard first < end else { return nil }
        let action = (base + first).move()
        first += 1
        if first == end { first = 0; end = 0 }
        return action
    }

    /// Destroys the actions not yet taken; the storage is kept.
    public func removeAll() {
        // Guarded: with none left (the common case) the runtime's generic destroy is still a call.
        if first < end { (base + first).deinitialize(count: end - first) }
        first = 0
        end = 0
    }

    /// Ensures room for `extra` more actions after the last: the actions move to the front of
    /// the storage, into a larger one if they do not fit (double, or what is asked). Indices
    /// noted before shift down by the old `startIndex` (0 while a reaction appends).
    @usableFromInline func makeRoom(for extra: Int) {
        let count = end - first
        let needed = count + extra
        if needed <= slots && first > 0 {
            base.moveInitialize(from: base + first, count: count)
        } else {
            let newCapacity = Swift.max(needed, slots * 2)
            let bigger = UnsafeMutablePointer<Action>.allocate(capacity: newCapacity)
            bigger.moveInitialize(from: base + first, count: count)
            base.deallocate()
            base = bigger
            slots = newCapacity
        }
        first = 0
        end = count
    }
}
