import TestSupport
import SimSupport
import Testing

@testable import SimEngine

@Suite struct EventQueueTests {
    @Test func popsInTimeThenSequenceOrder() {
        var rng = SplitMix64(seed: 42)
        var queue = EventQueue()
        var expected: [Event] = []
        for seq in 0..<5_000 {
            // Few distinct times, so many ties must be broken by sequence.
            let e = Event(time: SimTime(nanoseconds: rng.next() % 200), sequence: UInt64(seq), target: 0, kind: 0, payload: rng.next())
            queue.push(e)
            expected.append(e)
        }
        expected.sort { $0.precedes($1) }
        var popped: [Event] = []
        while let e = queue.pop() { popped.append(e) }
        #expect(popped == expected)
    }

    @Test func interleavedPushAndPopMatchesSortedModel() {
        var rng = SplitMix64(seed: 7)
        var queue = EventQueue()
        var model: [Event] = []
        var seq: UInt64 = 0
        for _ in 0..<4_000 {
            if rng.next() % 3 != 0 || model.isEmpty {
                let e = Event(time: SimTime(nanoseconds: rng.next() % 10_000), sequence: seq, target: 1, kind: 2, payload: seq)
                seq += 1
                queue.push(e)
                model.append(e)
            } else {
                let i = model.indices.min { model[$0].precedes(model[$1]) }!
                #expect(queue.pop() == model.remove(at: i))
            }
        }
        #expect(queue.count == model.count)
    }

    @Test func removeAllKeepsHeapOrder() {
        var rng = SplitMix64(seed: 9)
        var queue = EventQueue()
        for seq in 0..<3_000 {
            queue.push(Event(time: SimTime(nanoseconds: rng.next() % 1_000), sequence: UInt64(seq), target: 0, kind: 0, payload: 0))
        }
        queue.removeAll { $0.sequence % 3 == 0 }
        #expect(queue.count == 2_000)
        var last: Event?
        while let e = queue.pop() {
            #expect(e.sequence % 3 != 0)
            if let l = last { #expect(l.precedes(e)) }
            last = e
        }
    }
}

