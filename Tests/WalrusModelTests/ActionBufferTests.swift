import SimSupport
import Testing

@testable import WalrusModel

/// `ActionBuffer` keeps its actions in order through appends, inserts, growth and taking from
/// the front, and an emptied buffer starts over with its storage.
@Suite struct ActionBufferTests {
    /// A timer action that carries `n` in its token, to tell actions apart.
    static func mark(_ n: UInt64) -> Action { .timer(after: .zero, token: n) }

    static func tokens(_ b: ActionBuffer) -> [UInt64] {
        b.map { if case .timer(_, let t) = $0 { t } else { .max } }
    }

    @Test func appendsGrowAndKeepOrder() {
        let b = ActionBuffer(capacity: 2)
        for n in 0..<100 { b.append(Self.mark(UInt64(n))) }
        #expect(Self.tokens(b) == Array(0..<100) && b.count == 100 && b.capacity >= 100)
        b.insert(Self.mark(1_000), at: 0)
        b.insert(Self.mark(2_000), at: 50)
        b.insert(Self.mark(3_000), at: b.endIndex)
        #expect(Self.tokens(b) == [1_000] + Array(0..<49) + [2_000] + Array(49..<100) + [3_000])
        b[b.startIndex + 1] = Self.mark(7)
        #expect(Self.tokens(b).prefix(3) == [1_000, 7, 1])
    }

    @Test func takingFromTheFrontEmptiesItForReuse() {
        let b = ActionBuffer([Self.mark(1), Self.mark(2), Self.mark(3)])
        let capacity = b.capacity
        guard case .timer(_, 1)? = b.takeFirst() else { Issue.record("first action"); return }
        // Indices stay those of the storage: the second action is still at index 1.
        #expect(b.startIndex == 1 && b.count == 2 && Self.tokens(b) == [2, 3])
        guard case .timer(_, 2) = b[1] else { Issue.record("index 1 is the second action"); return }
        _ = b.takeFirst()
        _ = b.takeFirst()
        #expect(b.isEmpty && b.startIndex == 0 && b.endIndex == 0 && b.takeFirst() == nil && b.capacity == capacity)
    }

    @Test func appendingAfterTakingReusesTheFreedFront() {
        let b = ActionBuffer(capacity: 4)
        for n in 0..<4 { b.append(Self.mark(UInt64(n))) }
        _ = b.takeFirst()
        _ = b.takeFirst()
        b.append(Self.mark(4))  // full at the end: the two left move to the front, no growth
        #expect(b.capacity == 4 && b.startIndex == 0 && Self.tokens(b) == [2, 3, 4])
        b.insert(Self.mark(9), at: 1)
        #expect(b.capacity == 4 && Self.tokens(b) == [2, 9, 3, 4])
        b.append(Self.mark(5))
        #expect(b.capacity == 8 && Self.tokens(b) == [2, 9, 3, 4, 5])
        b.removeAll()
        #expect(b.isEmpty && b.capacity == 8)
    }

    @Test func actionsWithReferencesAreReleasedOnce() {
        // Messages with arrays: moved in and out, never copied or destroyed twice (a double
        // release or a leak shows as a crash or as the array still shared).
        var pairs = [1, 2, 3]
        let b = ActionBuffer()
        b.append(.send(to: .node(NodeID(1)), .sliversRequest(blob: BlobRef(0), pairs: pairs)))
        b.append(.send(to: .node(NodeID(2)), .sliversRequest(blob: BlobRef(1), pairs: pairs)))
        if case .send(_, .sliversRequest(_, let taken))? = b.takeFirst() { #expect(taken == [1, 2, 3]) }
        b.removeAll()
        pairs.append(4)  // unique again: the buffer holds no copy
        #expect(pairs == [1, 2, 3, 4] && b.isEmpty)
    }
}
