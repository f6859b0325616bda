/// Values parked while an event is pending, addressed by a small integer that fits an event's
/// payload. Slots are reused (last freed, first reused), which is deterministic because the
/// sequence of inserts and removals is.
///
/// The slots are memory managed by hand: `insert` moves a value into an uninitialized slot and
/// `remove` moves it out, leaving the slot uninitialized. An array of optionals did the same
/// work through `Optional` (every in-flight message was copied in, the empty slot it replaced
/// destroyed through the runtime's generic witness, and the taken value destroyed the same
/// way): about 360 instructions per insert and 500 per removal in the standard `bench world`,
/// counted with callgrind, a tenth of the world's cost per message. A class, so that the world
/// holds each slab by reference and changes it without uniqueness checks.
///
/// Invariant: slot `i < slots` holds an initialized value exactly when `occupied[i]`; the free
/// list holds the others, each once.
final class Slab<Element> {
    private var base: UnsafeMutablePointer<Element>
    private var capacity: Int
    private var occupied: [Bool] = []
    private var free: [Int] = []

    init() {
        capacity = 16
        base = .allocate(capacity: capacity)
    }

    deinit {
        for i in occupied.indices where occupied[i] { (base + i).deinitialize(count: 1) }
        base.deallocate()
    }

    /// Occupied slots.
    var count: Int { occupied.count - free.count }
    /// Slots ever allocated: the high-water mark of `count`.
    var slots: Int { occupied.count }

    /// Parks `element` in a free slot and returns the slot.
    func insert(_ element: consuming Element) -> UInt64 {
        let i: Int
        if !free.isEmpty {
            i = free.removeLast()  // (`popLast` was an out-of-line call per insert)
        } else {
            i = occupied.count
            if i == capacity { grow() }
            occupied.append(false)
        }
        (base + i).initialize(to: element)
        occupied[i] = true
        return UInt64(i)
    }

    /// Lets `body` read or change the element in `slot`, which must be occupied, in place.
    @discardableResult
    func withElement<R>(_ slot: UInt64, _ body: (inout Element) -> R) -> R {
        body(&base[occupiedIndex(slot)])
    }

    /// Removes and returns the element in `slot`, which must be occupied.
    func remove(_ slot: UInt64) -> Element {
        let i = occupiedIndex(slot)
        occupied[i] = false
        free.append(i)
        return (base + i).move()
    }

    /// The index of `slot`, which must be occupied.
    private func occupiedIndex(_ slot: UInt64) -> Int {
        let i = Int(slot)
        guard i < occupied.count, occupied[i] else { preconditionFailure("slab slot \(slot) is empty") }
        return i
    }

    /// Doubles the storage, moving the occupied slots.
    private func grow() {
        let bigger = UnsafeMutablePointer<Element>.allocate(capacity: capacity * 2)
        for i in occupied.indices where occupied[i] { (bigger + i).moveInitialize(from: base + i, count: 1) }
        base.deallocate()
        base = bigger
        capacity *= 2
    }
}
