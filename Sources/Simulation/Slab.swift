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
/// Invariant: slot `i < slots` holds an initialized value exactly when `link[i]` is
/// `occupiedMark`; the free list, threaded through `link` from `freeHead`, holds the others,
/// each once.
final class Slab<Element> {
    private var base: UnsafeMutablePointer<Element>
    /// Per slot below `slots`: `occupiedMark` when it holds a value, else the next free slot
    /// (`endOfFreeList` for the last). Raw memory beside the values, as theirs: two arrays (an
    /// occupancy flag and a free stack) cost a uniqueness check each per insert and removal.
    private var link: UnsafeMutablePointer<Int>
    private var capacity: Int
    /// The most recently freed slot, the head of the free list (`endOfFreeList`: none).
    private var freeHead = Slab.endOfFreeList
    /// Slots ever allocated: every slot below is occupied or on the free list.
    private(set) var slots = 0
    /// Occupied slots.
    private(set) var count = 0

    private static var occupiedMark: Int { -2 }
    private static var endOfFreeList: Int { -1 }

    init() {
        capacity = 16
        base = .allocate(capacity: capacity)
        link = .allocate(capacity: capacity)
    }

    deinit {
        for i in 0..<slots where link[i] == Self.occupiedMark { (base + i).deinitialize(count: 1) }
        base.deallocate()
        link.deallocate()
    }

    /// Parks `element` in a free slot and returns the slot.
    @inline(__always)
    func insert(_ element: consuming Element) -> UInt64 {
        let i: Int
        if freeHead != Self.endOfFreeList {
            i = freeHead
            freeHead = link[i]
        } else {
            i = slots
            if i == capacity { grow() }
            slots += 1
        }
        (base + i).initialize(to: element)
        link[i] = Self.occupiedMark
        count += 1
        return UInt64(i)
    }

    /// Lets `body` read or change the element in `slot`, which must be occupied, in place.
    @discardableResult
    func withElement<R>(_ slot: UInt64, _ body: (inout Element) -> R) -> R {
        body(&base[occupiedIndex(slot)])
    }

    /// Removes and returns the element in `slot`, which must be occupied.
    @inline(__always)
    func remove(_ slot: UInt64) -> Element {
        let i = occupiedIndex(slot)
        link[i] = freeHead
        freeHead = i
        count -= 1
        return (base + i).move()
    }

    /// The index of `slot`, which must be occupied.
    @inline(__always) private func occupiedIndex(_ slot: UInt64) -> Int {
        guard slot < UInt64(slots), link[Int(slot)] == Self.occupiedMark else { preconditionFailure("slab slot \(slot) is empty") }
        return Int(slot)
    }

    /// Doubles the storage, moving the occupied slots and copying the links.
    private func grow() {
        let bigger = UnsafeMutablePointer<Element>.allocate(capacity: capacity * 2)
        let biggerLink = UnsafeMutablePointer<Int>.allocate(capacity: capacity * 2)
        for i in 0..<slots where link[i] == Self.occupiedMark { (bigger + i).moveInitialize(from: base + i, count: 1) }
        biggerLink.initialize(from: link, count: slots)
        base.deallocate()
        link.deallocate()
        base = bigger
        link = biggerLink
        capacity *= 2
    }
}
