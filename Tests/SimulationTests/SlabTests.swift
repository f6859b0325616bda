import Testing
@testable import Simulation

/// `Slab` manages its slots by hand; these check what the world relies on: values come back
/// intact (across growth), slots are reused last-freed-first (the event payloads, hence the
/// run, depend on it), and every value is destroyed exactly once, whether removed or left in
/// the slab when it goes.
@Suite struct SlabTests {
    /// Counts live instances, so a leak or a double destroy shows.
    final class Tracked {
        let value: Int
        let live: Counter
        init(_ value: Int, _ live: Counter) { self.value = value; self.live = live; live.count += 1 }
        deinit { live.count -= 1 }
    }
    final class Counter { var count = 0 }

    @Test func valuesSurviveGrowthAndSlotsAreReusedLastFreedFirst() {
        let live = Counter()
        do {
            let slab = Slab<(Tracked, [Int])>()
            var slots: [UInt64] = []
            for i in 0..<100 { slots.append(slab.insert((Tracked(i, live), [i, i + 1]))) }  // grows past 16 several times
            #expect(slots == (0..<100).map(UInt64.init))
            #expect(slab.count == 100 && slab.slots == 100 && live.count == 100)
            for i in [7, 42, 99] {
                let (t, array) = slab.remove(UInt64(i))
                #expect(t.value == i && array == [i, i + 1])
            }
            #expect(live.count == 97 && slab.count == 97 && slab.slots == 100)
            // Last freed, first reused.
            #expect(slab.insert((Tracked(1000, live), [])) == 99)
            #expect(slab.insert((Tracked(1001, live), [])) == 42)
            #expect(slab.insert((Tracked(1002, live), [])) == 7)
            #expect(slab.insert((Tracked(1003, live), [])) == 100)
            #expect(slab.remove(42).0.value == 1001)
            #expect(slab.remove(3).1 == [3, 4])
            #expect(live.count == 99)
        }
        // The slab is gone: what it still held was destroyed, once.
        #expect(live.count == 0)
    }

    @Test func aSlabEmptiedAndRefilledKeepsItsHighWaterMark() {
        let slab = Slab<String>()
        for round in 0..<3 {
            let slots = (0..<40).map { slab.insert("r\(round)-\($0)") }
            for s in slots.reversed() { #expect(slab.remove(s).hasPrefix("r\(round)-")) }
            #expect(slab.count == 0 && slab.slots == 40)
        }
    }
}
