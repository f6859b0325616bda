/// A set of small non-negative integers — pair, column or sliver indices, all below the shard
/// count — kept as a bitmap: membership, insertion and removal without hashing, which a
/// `Set<Int>` paid for every sliver a read asks for and takes, and for every source a modeled
/// recovery counts. It has no iteration: nothing that affects results may depend on the order
/// of a set (DESIGN §4), and none of its users needs one.
struct DenseIndexSet: Sendable, Equatable {
    /// Bit `i % 64` of `words[i / 64]` is set when `i` is a member; grown on demand.
    private var words: [UInt64] = []
    /// The number of members.
    private(set) var count = 0

    /// An empty set.
    init() {}

    /// Whether the set has no member.
    var isEmpty: Bool { count == 0 }

    /// Whether `i` is a member (false for any negative `i`). The three per-index operations are
    /// inlined: a read asks them per sliver, and the calls cost more than the bit tests.
    @inline(__always) func contains(_ i: Int) -> Bool {
        i >= 0 && i >> 6 < words.count && words[i >> 6] & (1 << UInt64(i & 63)) != 0
    }

    /// Adds `i` (which must not be negative); `inserted` says whether it was new, as `Set.insert` does.
    @discardableResult @inline(__always)
    mutating func insert(_ i: Int) -> (inserted: Bool, memberAfterInsert: Int) {
        precondition(i >= 0, "DenseIndexSet holds non-negative indices, not \(i)")
        let w = i >> 6, bit: UInt64 = 1 << UInt64(i & 63)
        if w >= words.count { grow(toWords: w + 1) }
        guard words[w] & bit == 0 else { return (false, i) }
        words[w] |= bit
        count += 1
        return (true, i)
    }

    /// Adds zero words up to `count` words (the rare path of `insert`).
    private mutating func grow(toWords count: Int) {
        words.append(contentsOf: repeatElement(0, count: count - words.count))
    }

    /// Removes `i`, returning it if it was a member.
    @discardableResult @inline(__always)
    mutating func remove(_ i: Int) -> Int? {
        guard contains(i) else { return nil }
        words[i >> 6] &= ~(1 << UInt64(i & 63))
        count -= 1
        return i
    }

    // Bulk operations on a mask of indices: bit `i % 64` of `mask[w]` stands for index
    // `64 * (first + w) + i`, so a mask covers only the words its indices fall in.

    /// Whether every index in `mask` (starting at word `first`) is a member of this set or of `other`.
    func coversAll(_ mask: UnsafeMutableBufferPointer<UInt64>, from first: Int, with other: DenseIndexSet) -> Bool {
        for k in mask.indices where mask[k] != 0 {
            let w = first + k
            let mine = w < words.count ? words[w] : 0, theirs = w < other.words.count ? other.words[w] : 0
            if mask[k] & ~(mine | theirs) != 0 { return false }
        }
        return true
    }

    /// Removes every index in `mask` (starting at word `first`), as `remove` of each.
    mutating func subtract(_ mask: UnsafeMutableBufferPointer<UInt64>, from first: Int) {
        guard first < words.count else { return }
        var removed = 0
        words.withUnsafeMutableBufferPointer { words in
            for k in mask.indices where first + k < words.count {
                removed += (words[first + k] & mask[k]).nonzeroBitCount
                words[first + k] &= ~mask[k]
            }
        }
        count -= removed
    }

    /// Adds every index in `mask` (starting at word `first`), as `insert` of each.
    mutating func formUnion(_ mask: UnsafeMutableBufferPointer<UInt64>, from first: Int) {
        if first + mask.count > words.count { grow(toWords: first + mask.count) }
        var added = 0
        words.withUnsafeMutableBufferPointer { words in
            for k in mask.indices {
                added += (mask[k] & ~words[first + k]).nonzeroBitCount
                words[first + k] |= mask[k]
            }
        }
        count += added
    }

    /// Removes every member, keeping the storage.
    mutating func removeAll() {
        for w in words.indices { words[w] = 0 }
        count = 0
    }

    /// Adds every member of `other`.
    mutating func formUnion(_ other: DenseIndexSet) {
        if other.words.count > words.count { words.append(contentsOf: repeatElement(0, count: other.words.count - words.count)) }
        var total = 0
        for w in words.indices {
            if w < other.words.count { words[w] |= other.words[w] }
            total += words[w].nonzeroBitCount
        }
        count = total
    }

    /// Adds every element of `indices` (none may be negative).
    mutating func formUnion<S: Sequence>(_ indices: S) where S.Element == Int {
        for i in indices { insert(i) }
    }
}
