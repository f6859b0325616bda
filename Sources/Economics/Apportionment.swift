/// Committee apportionment and shard-weighted votes (spec §1.3, §3.2, §3.3), as pure
/// functions. Ported from `staking_inner.move` (`dhondt`, `max_shards_per_node`,
/// `quorum_above`, `quorum_below`, `is_quorum_for_n_shards`) and `apportionment_queue.move`.
public enum Apportionment {
    /// `MIN_NODES_FOR_SHARDS_LIMIT` and `SHARDS_LIMIT_DENOMINATOR` (spec §1.3).
    public static let minNodesForShardsLimit = 20
    /// `SHARDS_LIMIT_DENOMINATOR` = 10: with enough nodes, no node holds more than `N / 10` shards (spec §1.3).
    public static let shardsLimitDenominator = 10

    /// The per-node shard cap (spec §1.3): `N / 10` when at least 20 nodes compete, otherwise
    /// `ceil(N * 20 / (k * 10))`.
    public static func maxShardsPerNode(nodes k: Int, shards n: Int) -> Int {
        if k >= minNodesForShardsLimit { return n / shardsLimitDenominator }
        let num = n * minNodesForShardsLimit, den = k * shardsLimitDenominator
        return den == 0 ? n : (num + den - 1) / den
    }

    /// `3 w >= 2 N + 1` (spec §5): the 2f+1 shard quorum.
    @inlinable public static func isQuorum(weight: Int, shards n: Int) -> Bool { 3 * weight >= 2 * n + 1 }

    /// D'Hondt (Jefferson) apportionment of `n` shards over `stakes` in active-set order, with
    /// the per-node cap and ties going to the earlier position (spec §1.3). Returns the shard
    /// count per position (zeros included), summing to `n`; `nil` when the total stake is 0
    /// (`ENoStake`) or the caps cannot hold `n` shards (the contract's heap would abort).
    ///
    /// As in the contract: a Hagenbach-Bischoff warm start `a_i = min(s_i / (S/(n+1) + 1), cap)`,
    /// then a max-heap keyed by (quotient, priority `k - i`). The quotient is the contract's
    /// UQ64.64 value `floor(s_i * 2^64 / (a_i + 1))`. For divisors below 2^32 this orders exactly
    /// as the rationals `s_i/(a_i+1)` do (distinct rationals with such denominators differ by
    /// more than 2^-64), so it is both faithful and exact.
    public static func dhondt(stakes: [UInt64], shards n: Int) -> [Int]? {
        let k = stakes.count
        var total: UInt128 = 0
        for s in stakes { total += UInt128(s) }
        guard total > 0 else { return nil }
        if k == 0 { return [] }
        let cap = maxShardsPerNode(nodes: k, shards: n)
        // The contract's heap would run dry (abort) if the caps cannot hold all shards; this
        // only happens for N < 10 with >= 20 nodes.
        guard cap * k >= n else { return nil }
        let distributionNumber = total / UInt128(n + 1) + 1
        var shards = [Int](repeating: 0, count: k)
        var distributed = 0
        var heap = QuotientHeap(capacity: k)
        for i in 0..<k {
            let a = min(Int(UInt128(stakes[i]) / distributionNumber), cap)
            shards[i] = a
            distributed += a
            if a != cap { heap.push(quotient(stakes[i], a), priority: UInt64(k - i), index: Int32(i)) }
        }
        // `cap * k >= n`, so the heap never runs dry before all shards are out.
        while distributed != n {
            let top = heap.popMax()
            let i = Int(top.index)
            shards[i] += 1
            distributed += 1
            if shards[i] != cap { heap.push(quotient(stakes[i], shards[i]), priority: top.priority, index: top.index) }
        }
        return shards
    }

    @inline(__always) static func quotient(_ stake: UInt64, _ assigned: Int) -> UInt128 {
        (UInt128(stake) << 64) / UInt128(assigned + 1)
    }

    /// `quorum_above` (spec §3.3): the largest `v` such that members voting `>= v` hold a
    /// quorum of shards. `votes` are `(value, shards)`; `nil` when no quorum exists at all.
    public static func quorumAbove(_ votes: [(value: UInt64, weight: Int)], shards n: Int) -> UInt64? {
        let sorted = votes.sorted { $0.value > $1.value }
        var sum = 0
        for v in sorted {
            sum += v.weight
            if isQuorum(weight: sum, shards: n) { return v.value }
        }
        return nil
    }

    /// `quorum_below` (spec §3.2): the smallest `v` such that members voting `<= v` hold a
    /// quorum. The contract starts from all `N` shards and removes the highest votes until the
    /// rest is no longer a quorum, returning the vote that broke it.
    public static func quorumBelow(_ votes: [(value: UInt64, weight: Int)], shards n: Int) -> UInt64? {
        let sorted = votes.sorted { $0.value > $1.value }
        var sum = n
        for v in sorted {
            sum -= v.weight
            if !isQuorum(weight: sum, shards: n) { return v.value }
        }
        return nil
    }
}

/// A binary max-heap on (quotient, priority). Priorities are unique, so the popped order is
/// fully determined by the keys, whatever the heap's internal layout.
struct QuotientHeap {
    struct Entry { var quotient: UInt128; var priority: UInt64; var index: Int32 }
    var entries: [Entry] = []
    init(capacity: Int) { entries.reserveCapacity(capacity) }

    @inline(__always) static func higher(_ a: Entry, _ b: Entry) -> Bool {
        a.quotient != b.quotient ? a.quotient > b.quotient : a.priority > b.priority
    }

    mutating func push(_ quotient: UInt128, priority: UInt64, index: Int32) {
        entries.append(Entry(quotient: quotient, priority: priority, index: index))
        var i = entries.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard Self.higher(entries[i], entries[parent]) else { break }
            entries.swapAt(i, parent)
            i = parent
        }
    }

    mutating func popMax() -> Entry {
        precondition(!entries.isEmpty, "D'Hondt heap ran dry: cap * nodes < shards")
        let top = entries[0]
        let last = entries.removeLast()
        if !entries.isEmpty {
            entries[0] = last
            var i = 0
            let n = entries.count
            while true {
                let l = 2 * i + 1, r = l + 1
                var m = i
                if l < n && Self.higher(entries[l], entries[m]) { m = l }
                if r < n && Self.higher(entries[r], entries[m]) { m = r }
                if m == i { break }
                entries.swapAt(i, m)
                i = m
            }
        }
        return top
    }
}
