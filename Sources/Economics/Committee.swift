import SimSupport

/// The bounded list of candidates for the next committee (spec §1.3, `active_set.move`).
///
/// Its vector order is part of the protocol: it is the D'Hondt tie-break and decides which
/// slot an eviction overwrites, and it depends on the history of insertions, in-place
/// evictions and swap-removals. A position index per node makes lookups O(1) without any
/// dictionary.
public struct ActiveSet: Hashable, Sendable {
    /// One candidate and the stake it had when last inserted or updated.
    public struct Entry: Hashable, Sendable {
        /// The candidate; at most one entry per node.
        public var node: NodeID
        /// The candidate's stake in FROST; always positive and at least ``ActiveSet/thresholdFrost``.
        public var stakeFrost: UInt64
    }
    /// The most entries the set holds (spec §1.3: 111 on Mainnet); always positive.
    public let maxSize: Int
    /// Stake below this, in FROST, removes a node or keeps it out (`MIN_STAKE`, 0 by default).
    public let thresholdFrost: UInt64
    /// The entries in protocol order.
    public private(set) var entries: [Entry] = []
    /// Sum of the entries' stakes in FROST, kept in step by every insert, update and removal.
    public private(set) var totalStakeFrost: UInt64 = 0
    /// `position[node.index]` = index into `entries`, or -1.
    private var position: [Int32] = []

    /// An empty set. Traps if `maxSize` is not positive (`EZeroMaxSize`).
    public init(maxSize: Int, thresholdFrost: UInt64 = 0) {
        precondition(maxSize > 0, "EZeroMaxSize")
        self.maxSize = maxSize
        self.thresholdFrost = thresholdFrost
    }

    /// Whether `node` is a candidate. O(1).
    public func contains(_ node: NodeID) -> Bool { positionOf(node) != nil }
    /// The candidate's stake in FROST, or `nil` if `node` is not in the set. O(1).
    public func stake(of node: NodeID) -> UInt64? { positionOf(node).map { entries[$0].stakeFrost } }

    private func positionOf(_ node: NodeID) -> Int? {
        let i = node.index
        guard i < position.count, position[i] >= 0 else { return nil }
        return Int(position[i])
    }

    private mutating func setPosition(_ node: NodeID, _ p: Int) {
        let i = node.index
        if i >= position.count { position.append(contentsOf: repeatElement(-1, count: i + 1 - position.count)) }
        position[i] = Int32(p)
    }

    /// `insert_or_update`: zero (or below-threshold) stake removes the node; a member is
    /// updated in place; a newcomer is appended while there is room, otherwise it overwrites
    /// the first member with the strictly smallest stake below its own, or is not admitted.
    /// Returns whether the node is in the set afterwards.
    @discardableResult
    public mutating func insertOrUpdate(_ node: NodeID, stakeFrost: UInt64) -> Bool {
        if stakeFrost == 0 || stakeFrost < thresholdFrost {
            remove(node)
            return false
        }
        if let p = positionOf(node) {
            totalStakeFrost = totalStakeFrost - entries[p].stakeFrost + stakeFrost
            entries[p].stakeFrost = stakeFrost
            return true
        }
        if entries.count < maxSize {
            setPosition(node, entries.count)
            entries.append(Entry(node: node, stakeFrost: stakeFrost))
            totalStakeFrost += stakeFrost
            return true
        }
        var minStake = stakeFrost
        var minIndex = -1
        for (i, e) in entries.enumerated() where e.stakeFrost < minStake {
            minStake = e.stakeFrost
            minIndex = i
        }
        guard minIndex >= 0 else { return false }
        setPosition(entries[minIndex].node, -1)
        totalStakeFrost = totalStakeFrost - minStake + stakeFrost
        entries[minIndex] = Entry(node: node, stakeFrost: stakeFrost)
        setPosition(node, minIndex)
        return true
    }

    /// Swap-remove: the last entry moves into the hole.
    public mutating func remove(_ node: NodeID) {
        guard let p = positionOf(node) else { return }
        totalStakeFrost -= entries[p].stakeFrost
        setPosition(node, -1)
        let last = entries.removeLast()
        if p < entries.count {
            entries[p] = last
            setPosition(last.node, p)
        }
    }
}

/// One member of a committee and the shard indices it holds, in the contract's list order
/// (the order matters: a shrinking node gives up shards from the end of its list).
public struct CommitteeMember: Hashable, Sendable {
    /// The member node.
    public var node: NodeID
    /// Its shard indices in the contract's list order; not necessarily sorted or contiguous.
    public var shards: [ShardIndex]
    /// Pairs `node` with `shards` as given; no checks.
    public init(node: NodeID, shards: [ShardIndex]) { self.node = node; self.shards = shards }
}

/// A committee: node → shard indices, sorted by node id (spec §1.3, `committee.move`).
public struct Committee: Hashable, Sendable {
    /// Members sorted by node id, each with at least one shard.
    public private(set) var members: [CommitteeMember]
    /// `memberSlots[id]`: the position in `members` of the node with raw id `id`, or -1; empty
    /// when the ids are too sparse for a table (then `memberIndex` bisects). Derived from
    /// `members` (a committee is not changed after it is built), so it cannot disagree with it.
    @usableFromInline let memberSlots: [Int32]

    /// The committee with no members, as before the first `voting_end`.
    public static let empty = Committee(sortedMembers: [])
    init(sortedMembers: [CommitteeMember]) {
        self.members = sortedMembers
        // Looked up per store, confirmation and recovery candidate: at thousands of members a
        // bisection of the member list was a few percent of a run.
        let top = Int(sortedMembers.last?.node.rawValue ?? 0)
        if !sortedMembers.isEmpty, top < 4 * sortedMembers.count + 1024 {
            var slots = [Int32](repeating: -1, count: top + 1)
            for (i, m) in sortedMembers.enumerated() { slots[Int(m.node.rawValue)] = Int32(i) }
            memberSlots = slots
        } else {
            memberSlots = []
        }
    }

    /// Whether there are no members. O(1).
    public var isEmpty: Bool { members.isEmpty }
    /// The number of member nodes (not shards). O(1).
    public var count: Int { members.count }
    /// The number of shards held across all members: `N` for any non-empty committee the economy builds. O(members).
    public var totalShards: Int { members.reduce(0) { $0 + $1.shards.count } }

    /// The member's position in `members`: a table lookup, or a bisection by node id.
    /// (This and the lookups below are inlinable: the model asks them per store and per
    /// confirmation, and inlined there their retain of the shard list is the model's own.)
    @inlinable public func memberIndex(of node: NodeID) -> Int? {
        if !memberSlots.isEmpty {
            let id = Int(node.rawValue)
            guard id < memberSlots.count, memberSlots[id] >= 0 else { return nil }
            return Int(memberSlots[id])
        }
        var lo = 0, hi = members.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if members[mid].node < node { lo = mid + 1 } else { hi = mid }
        }
        return lo < members.count && members[lo].node == node ? lo : nil
    }
    /// Whether `node` holds at least one shard. O(log members).
    public func contains(_ node: NodeID) -> Bool { memberIndex(of: node) != nil }
    /// The node's shard count, 0 if not a member.
    @inlinable public func weight(of node: NodeID) -> Int { memberIndex(of: node).map { members[$0].shards.count } ?? 0 }
    /// The node's shard indices in list order, empty if not a member. O(log members).
    @inlinable public func shards(of node: NodeID) -> [ShardIndex] { memberIndex(of: node).map { members[$0].shards } ?? [] }

    /// `committee::initialize` (spec §1.4): sort by node id and hand out contiguous ranges.
    /// `counts` may contain zeros, which are dropped.
    public static func initialize(_ counts: [(node: NodeID, shards: Int)]) -> Committee {
        var next = 0
        let members = counts.filter { $0.shards > 0 }.sorted { $0.node < $1.node }.map { entry -> CommitteeMember in
            let shards = (next ..< next + entry.shards).map { ShardIndex(UInt16($0)) }
            next += entry.shards
            return CommitteeMember(node: entry.node, shards: shards)
        }
        return Committee(sortedMembers: members)
    }

    /// `committee::transition` (spec §1.4): the minimal-move reassignment. `counts` is the new
    /// apportionment in active-set order (zeros allowed) and must sum to this committee's
    /// shard count.
    ///
    /// Old members are walked in node-id order: leaving ones push all their shards on a stack,
    /// shrinking ones push their surplus from the end of their list, growing ones are queued
    /// after the new members (which keep the active-set order). Queued nodes then pop the stack
    /// (LIFO) up to their new count. Only shards of shrinking or leaving nodes move.
    public func transition(to counts: [(node: NodeID, shards: Int)]) -> Committee {
        precondition(counts.reduce(0) { $0 + $1.shards } == totalShards, "EInvalidShardAssignment")
        // Dense lookup of the new count and of "already consumed" for each node.
        var maxNode = 0
        for c in counts { maxNode = max(maxNode, c.node.index + 1) }
        for m in members { maxNode = max(maxNode, m.node.index + 1) }
        var newCount = [Int32](repeating: -1, count: maxNode)
        for c in counts { newCount[c.node.index] = Int32(c.shards) }

        var kept: [CommitteeMember] = []
        kept.reserveCapacity(counts.count)
        var toMove: [ShardIndex] = []
        var growing: [(node: NodeID, shards: Int, old: Int)] = []
        for (mi, m) in members.enumerated() {
            let assigned = Int(newCount[m.node.index])
            newCount[m.node.index] = -2  // removed from the pending map
            if assigned <= 0 {
                toMove.append(contentsOf: m.shards)
                continue
            }
            let current = m.shards.count
            if current == assigned {
                kept.append(m)
            } else if current > assigned {
                var list = m.shards
                for _ in 0 ..< current - assigned { toMove.append(list.removeLast()) }
                kept.append(CommitteeMember(node: m.node, shards: list))
            } else {
                growing.append((m.node, assigned, mi))
            }
        }
        // Pending = remaining new entries in their order, then growing old members.
        var pending: [(node: NodeID, shards: Int, old: Int)] = []
        for c in counts where newCount[c.node.index] >= 0 { pending.append((c.node, c.shards, -1)) }
        pending.append(contentsOf: growing)
        for p in pending where p.shards > 0 {
            var list = p.old >= 0 ? members[p.old].shards : []
            while list.count < p.shards { list.append(toMove.removeLast()) }
            kept.append(CommitteeMember(node: p.node, shards: list))
        }
        kept.sort { $0.node < $1.node }
        return Committee(sortedMembers: kept)
    }

    /// `committee::diff`: nodes only in `self`, nodes only in `other`, both sorted by id.
    public func diff(_ other: Committee) -> (onlyInSelf: [NodeID], onlyInOther: [NodeID]) {
        var a: [NodeID] = [], b: [NodeID] = []
        var i = 0, j = 0
        while i < members.count && j < other.members.count {
            let l = members[i].node, r = other.members[j].node
            if l == r { i += 1; j += 1 } else if l < r { a.append(l); i += 1 } else { b.append(r); j += 1 }
        }
        while i < members.count { a.append(members[i].node); i += 1 }
        while j < other.members.count { b.append(other.members[j].node); j += 1 }
        return (a, b)
    }

    /// Shards that change owner from `self` to `next`: Σ over nodes of max(0, old − new),
    /// which `transition` achieves exactly (spec §1.4).
    public func movedShardCount(to next: Committee) -> Int {
        var moved = 0
        for m in members { moved += max(0, m.shards.count - next.weight(of: m.node)) }
        return moved
    }

    /// For each shard index, its owner (`nil` if unassigned). Handy for the world and tests.
    public func ownerByShard(nShards: Int) -> [NodeID?] {
        var owners = [NodeID?](repeating: nil, count: nShards)
        for m in members { for s in m.shards where s.index < nShards { owners[s.index] = m.node } }
        return owners
    }
}
