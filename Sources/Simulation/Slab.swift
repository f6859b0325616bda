/// Values parked while an event is pending, addressed by a small integer that fits an event's
/// payload. Slots are reused (last freed, first reused), which is deterministic because the
/// sequence of inserts and removals is.
struct Slab<Element> {
    private var items: [Element?] = []
    private var free: [Int] = []

    /// Occupied slots.
    var count: Int { items.count - free.count }
    /// Slots ever allocated: the high-water mark of `count`.
    var slots: Int { items.count }

    mutating func insert(_ element: Element) -> UInt64 {
        if let i = free.popLast() {
            items[i] = element
            return UInt64(i)
        }
        items.append(element)
        return UInt64(items.count - 1)
    }

    /// Removes and returns the element in `slot`, which must be occupied.
    mutating func remove(_ slot: UInt64) -> Element {
        let i = Int(slot)
        // Moved out (`take`), not copied then cleared: no retain and release of what it holds.
        guard let e = items[i].take() else { preconditionFailure("slab slot \(slot) is empty") }
        free.append(i)
        return e
    }
}
