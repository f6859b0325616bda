import RedStuff
import SimSupport

/// What a node holds of modeled blobs (DESIGN §5), in memory that does not grow with blobs or
/// shards: per shard the node holds (or held in the previous committee), the set of blobs
/// whose pair on that shard it stored, as sorted ranges of blob indices. Blobs are written
/// roughly in index order and a node stores every pair of its shards, so each set is a few
/// ranges however many blobs it covers.
///
/// A modeled blob's metadata is the catalog's (the writer's, which the node verified on
/// receipt), and its pairs carry only sizes, so the ranges are all the node needs to answer
/// for them. A blob that expired, was deleted or was declared invalid stops being held the
/// moment the node's view says so — exactly when the per-blob records of real blobs are dropped
/// (`startEpoch`, `blobDeleted`, `blobInvalidated`) — without being removed from the ranges,
/// which would fragment them; blob indices are never reused, so it never comes back.
extension StorageNode {
    /// Whether `blob` was written with modeled encoding (its pairs carry sizes only).
    func isModeled(_ blob: BlobRef, _ ctx: ProtocolContext) -> Bool { ctx.catalog.isModeled(blob) }

    /// Whether a modeled blob is still kept by the nodes that stored it, as the node's view
    /// sees it: registered, neither deleted nor invalid, and not expired.
    func modeledKept(_ blob: BlobRef, _ ctx: ProtocolContext) -> Bool {
        Self.viewKeepsModeled(blob, ctx.view)
            && (invalidBlobs.isEmpty || !invalidBlobs.contains(blob))  // hashing skipped in the common case
    }

    /// The part of `modeledKept` every node shares: `view` has `blob` registered, neither
    /// deleted nor invalid, and not expired.
    public static func viewKeepsModeled(_ blob: BlobRef, _ view: ChainView) -> Bool {
        guard let st = view.status(blob) else { return false }
        return st.registered && !st.deleted && !st.invalid && st.endEpoch > view.epoch
    }

    /// Of `candidates` (modeled blobs `viewKeepsModeled` keeps, ascending by index, each
    /// once), those whose pair on `shard` the node does not hold, as `holds` answers pair by
    /// pair. O(ranges · log candidates) when it lacks none: the end-of-run checks ask this of
    /// every shard of every node about every live blob.
    public func modeledBlobsLacking(on shard: ShardIndex, among candidates: [BlobRef]) -> [BlobRef] {
        guard let held = modeledHeld.ranges(on: shard) else { return candidates }
        guard invalidBlobs.isEmpty else {  // blobs the node found invalid are not held, whatever the ranges say
            return candidates.filter { !held.contains($0.index) || invalidBlobs.contains($0) }
        }
        return held.absent(from: candidates)
    }

    /// Calls `body` with every range of blob indices the node holds on a shard, shard by shard
    /// in ascending order. Blobs the node's view no longer keeps are in them (see above).
    public func forEachModeledRange(_ body: (ShardIndex, Range<UInt32>) -> Void) {
        modeledHeld.forEachRange(body)
    }

    /// Records that the node stored the pair of modeled `blob` on `shard`.
    mutating func storeModeled(_ blob: BlobRef, shard: Int) {
        modeledHeld.insert(blob.index, shard: ShardIndex(UInt16(shard)))
    }

    /// Whether the node holds pair `pair` of modeled `blob`.
    func holdsModeled(_ blob: BlobRef, pair: Int, _ ctx: ProtocolContext) -> Bool {
        guard let mapping = ctx.catalog.shardMapping(blob), modeledKept(blob, ctx) else { return false }
        let shard = mapping.shard(ofPair: pair)
        return modeledHeld.contains(blob.index, shard: ShardIndex(UInt16(shard)))
    }

    /// The pair indices of modeled `blob` the node holds, ascending.
    func modeledPairs(_ blob: BlobRef, _ ctx: ProtocolContext) -> [Int] {
        guard !modeledHeld.isEmpty, let mapping = ctx.catalog.shardMapping(blob), modeledKept(blob, ctx) else { return [] }
        var pairs: [Int] = []
        for shard in modeledHeld.shards(holding: blob.index) { pairs.append(mapping.pair(ofShard: shard.index)) }
        return pairs.sorted()
    }

    /// Whether the node holds any pair of modeled `blob` (and so its metadata).
    func holdsAnyModeled(_ blob: BlobRef, _ ctx: ProtocolContext) -> Bool {
        guard !modeledHeld.isEmpty, modeledKept(blob, ctx) else { return false }
        return modeledHeld.holdsAny(blob.index)
    }

    /// Forgets the modeled pairs of every shard the node owns neither in `mine` nor in `before`.
    /// The group of whole-list stores (see `ShardHoldings`) is kept only while `mine` is its list.
    mutating func dropModeledShards(keeping mine: Set<ShardIndex>, _ before: Set<ShardIndex>) {
        modeledHeld.flushGroup(unlessItIs: mine)
        modeledHeld.removeShards { !mine.contains($0) && !before.contains($0) }
    }

    // MARK: Any blob, real or modeled

    /// The metadata the node stored for `blob`: a real blob's own record, or a modeled blob's
    /// catalog metadata when the node holds any of its pairs; `nil` when it holds none.
    func storedMetadata(_ blob: BlobRef, _ ctx: ProtocolContext) -> BlobMetadataWithID? {
        if let s = stored[blob] { return s.metadata }
        guard holdsAnyModeled(blob, ctx) else { return nil }
        return ctx.catalog.entry(blob)?.metadata
    }

    /// Whether the node holds pair `pair` of `blob` (real or modeled), as its view sees it.
    public func holds(_ blob: BlobRef, pair: Int, context ctx: ProtocolContext) -> Bool {
        if stored[blob]?.pairs[pair] != nil { return true }
        return isModeled(blob, ctx) && holdsModeled(blob, pair: pair, ctx)
    }

    /// Pair indices of `blob` (real or modeled) the node holds, ascending.
    public func heldPairs(_ blob: BlobRef, context ctx: ProtocolContext) -> [Int] {
        if let s = stored[blob] { return s.pairs.keys.sorted() }
        return isModeled(blob, ctx) ? modeledPairs(blob, ctx) : []
    }

    /// Bytes of the node's records of modeled blobs (the ranges and their table), for the
    /// memory-per-blob figures of `walrus-sim bench world`.
    public var modeledHoldingBytes: Int {
        modeledHeld.byteCount
    }

    /// Real blobs the node keeps a per-blob record of (modeled ones have none).
    public var storedBlobCount: Int { stored.count }
}

/// A node's modeled holdings: per shard, the blobs whose pair on it the node holds. A node
/// holds a handful of shards, so a short array sorted by shard (binary search) beats a hash
/// table here, and iterates in a deterministic order. The shard numbers are an array of their
/// own, apart from the blob sets: the search reads plain integers and never copies (retains)
/// a set, which it did as an array of (shard, set) pairs on every store of every node.
///
/// What an honest store records, a blob on every shard of the node's committee list, is kept
/// once for the whole list (the *group*) instead of once per shard: a store is then one range
/// insert, not one per shard. A blob is held on a shard when the shard is in the group and
/// the group's set has it, or the shard's own set has it. The group is adopted from the first
/// whole-list store and given up (its blobs copied into the shards' own sets, `flushGroup`)
/// when the node's shards change or one of its shards is dropped.
struct ShardHoldings: Sendable {
    /// The shards with a set of their own, ascending, each once.
    private var tableShards: [ShardIndex] = []
    /// `sets[i]`: the blobs held on `tableShards[i]` outside the group.
    private var sets: [BlobRanges] = []
    /// The group's shards, ascending, each once; empty exactly when `group` is.
    private var groupShards: [ShardIndex] = []
    /// The blobs held on every shard of `groupShards`.
    private var group = BlobRanges()

    /// Whether the table is empty.
    var isEmpty: Bool { tableShards.isEmpty && groupShards.isEmpty }

    /// The shards anything was recorded on (and not dropped since), ascending, each once.
    var shards: [ShardIndex] { Self.merged(tableShards, groupShards) }

    /// The position of `shard` in `held` (ascending), or where it would go. (Asked per pair
    /// stored and per shard of every blob sync: inlined, without bounds checks.)
    @inline(__always) private static func slot(_ shard: ShardIndex, in held: [ShardIndex]) -> (index: Int, found: Bool) {
        held.withUnsafeBufferPointer { held in
            var lo = 0, hi = held.count
            while lo < hi {
                let mid = (lo &+ hi) >> 1
                if held[mid].rawValue < shard.rawValue { lo = mid &+ 1 } else { hi = mid }
            }
            return (lo, lo < held.count && held[lo] == shard)
        }
    }

    /// Whether blob `index` is held on `shard`.
    func contains(_ index: UInt32, shard: ShardIndex) -> Bool {
        contains(index, shard: shard, inGroup: groupHolds(index))
    }

    /// `contains(_:shard:)` for a caller that asked `groupHolds(index)` once for many shards.
    @inline(__always) func contains(_ index: UInt32, shard: ShardIndex, inGroup: Bool) -> Bool {
        if inGroup && Self.slot(shard, in: groupShards).found { return true }
        let (i, found) = Self.slot(shard, in: tableShards)
        return found && sets[i].contains(index)
    }

    /// Whether the group holds blob `index` (on every group shard).
    @inline(__always) func groupHolds(_ index: UInt32) -> Bool { group.contains(index) }

    /// The group's shards, ascending (empty when there is no group).
    var groupList: [ShardIndex] { groupShards }

    /// Records blob `index` as held on `shard`.
    mutating func insert(_ index: UInt32, shard: ShardIndex) {
        let (i, found) = Self.slot(shard, in: tableShards)
        if !found {
            tableShards.insert(shard, at: i)
            sets.insert(BlobRanges(), at: i)
        }
        sets[i].insert(index)
    }

    /// Records blob `index` as held on every shard of the node's committee list `allShards`
    /// (in the committee's order, each once), what an honest store writes: in the group when it
    /// is the group's list or there is no group yet (then it becomes the group, ascending),
    /// else as `insert(_:sortedShards:)`.
    mutating func insert(_ index: UInt32, allShards: [ShardIndex]) {
        // The committee's own (ascending) list shares its storage with the group's: `==` is
        // O(1) then, and the list needs no check of its order.
        if !groupShards.isEmpty && allShards == groupShards {
            group.insert(index)
            return
        }
        let sorted = zip(allShards, allShards.dropFirst()).allSatisfy { $0 < $1 } ? allShards : allShards.sorted()
        if groupShards.isEmpty && !sorted.isEmpty { groupShards = sorted }
        insert(index, sortedShards: sorted)
    }

    /// Records blob `index` as held on each of `sortedShards` (ascending, each once): in the
    /// group when they are exactly the group's shards, else one merge over the table instead
    /// of a search per shard.
    mutating func insert(_ index: UInt32, sortedShards: some Collection<ShardIndex>) {
        if !groupShards.isEmpty && sortedShards.count == groupShards.count && sortedShards.elementsEqual(groupShards) {
            group.insert(index)
            return
        }
        var i = 0
        for shard in sortedShards {
            while i < tableShards.count && tableShards[i].rawValue < shard.rawValue { i += 1 }
            if i == tableShards.count || tableShards[i] != shard {
                tableShards.insert(shard, at: i)
                sets.insert(BlobRanges(), at: i)
            }
            sets[i].insert(index)
            i += 1
        }
    }

    /// Gives the group up unless its shards are exactly `shards`: its blobs go into each of
    /// its shards' own sets (a few ranges each), and the next whole-list store starts a new
    /// group. Holds the same blobs on the same shards before and after.
    mutating func flushGroup(unlessItIs shards: Set<ShardIndex>) {
        guard !groupShards.isEmpty, groupShards.count != shards.count || !groupShards.allSatisfy(shards.contains) else { return }
        for shard in groupShards {
            let (i, found) = Self.slot(shard, in: tableShards)
            if found {
                sets[i].formUnion(group)
            } else {
                tableShards.insert(shard, at: i)
                sets.insert(group, at: i)
            }
        }
        groupShards = []
        group = BlobRanges()
    }

    /// The shards on which blob `index` is held, ascending.
    func shards(holding index: UInt32) -> [ShardIndex] {
        let own = tableShards.indices.compactMap { sets[$0].contains(index) ? tableShards[$0] : nil }
        return group.contains(index) ? Self.merged(own, groupShards) : own
    }

    /// The blobs held on `shard`, or `nil` when nothing was recorded on it.
    func ranges(on shard: ShardIndex) -> BlobRanges? {
        let (i, inTable) = Self.slot(shard, in: tableShards)
        let inGroup = Self.slot(shard, in: groupShards).found
        switch (inTable, inGroup) {
        case (false, false): return nil
        case (true, false): return sets[i]
        case (false, true): return group
        case (true, true):
            var both = sets[i]
            both.formUnion(group)
            return both
        }
    }

    /// Calls `body` with each range of each shard, shards ascending.
    func forEachRange(_ body: (ShardIndex, Range<UInt32>) -> Void) {
        for shard in shards { ranges(on: shard)?.forEachRange { body(shard, $0) } }
    }

    /// Whether blob `index` is held on any shard.
    func holdsAny(_ index: UInt32) -> Bool { group.contains(index) || sets.contains { $0.contains(index) } }

    /// Forgets the shards `drop` says to, with their blobs (the group is given up first if it
    /// has any of them).
    mutating func removeShards(where drop: (ShardIndex) -> Bool) {
        if groupShards.contains(where: drop) { flushGroup(unlessItIs: []) }
        var kept = 0
        for i in tableShards.indices where !drop(tableShards[i]) {
            tableShards.swapAt(kept, i)
            sets.swapAt(kept, i)
            kept += 1
        }
        tableShards.removeSubrange(kept...)
        sets.removeSubrange(kept...)
    }

    /// Forgets everything.
    mutating func removeAll() {
        tableShards.removeAll()
        sets.removeAll()
        groupShards.removeAll()
        group = BlobRanges()
    }

    /// Bytes of the table, the group and their ranges.
    var byteCount: Int {
        64 + tableShards.capacity * 2 + sets.capacity * 8 + sets.reduce(0) { $0 + $1.byteCount }
            + groupShards.capacity * 2 + group.byteCount
    }

    /// The union of two ascending shard lists, ascending, each once.
    private static func merged(_ a: [ShardIndex], _ b: [ShardIndex]) -> [ShardIndex] {
        guard !b.isEmpty else { return a }
        guard !a.isEmpty else { return b }
        var out: [ShardIndex] = []
        out.reserveCapacity(a.count + b.count)
        var i = 0, j = 0
        while i < a.count || j < b.count {
            if j == b.count || (i < a.count && a[i].rawValue < b[j].rawValue) {
                out.append(a[i]); i += 1
            } else {
                if i < a.count && a[i] == b[j] { i += 1 }
                out.append(b[j]); j += 1
            }
        }
        return out
    }
}

/// A set of blob indices as sorted, disjoint, non-adjacent half-open ranges `[lo, hi)`.
/// Inserting in ascending order (the common case) extends the last range in O(1); any other
/// insert is a binary search and at worst one array insertion.
struct BlobRanges: Sendable, Equatable {
    /// `bounds[2k] ..< bounds[2k + 1]` is the k-th range, ascending.
    private(set) var bounds: [UInt32] = []

    /// Whether `index` is in the set. O(1) for the newest range (where recent blobs are: a
    /// blob sync asks about a blob certified seconds ago), else O(log ranges).
    func contains(_ index: UInt32) -> Bool {
        let n = bounds.count
        guard n > 0 else { return false }
        if index >= bounds[n - 2] { return index < bounds[n - 1] }
        // The number of bounds <= index is odd exactly when index lies inside a range.
        var lo = 0, hi = n - 2
        while lo < hi {
            let mid = (lo + hi) / 2
            if bounds[mid] <= index { lo = mid + 1 } else { hi = mid }
        }
        return lo & 1 == 1
    }

    /// Adds `index` (no effect if present), merging with the ranges it touches.
    @inline(__always) mutating func insert(_ index: UInt32) {
        // The common case, the next blob: the last range grows, in place.
        let n = bounds.count
        if n > 0 && bounds[n - 1] == index {
            bounds[n - 1] = index + 1
            return
        }
        insertElsewhere(index)
    }

    /// `insert` of anything but the next blob.
    private mutating func insertElsewhere(_ index: UInt32) {
        if let last = bounds.last {
            if index > last { bounds.append(index); bounds.append(index + 1); return }
        } else {
            bounds = [index, index + 1]
            return
        }
        var lo = 0, hi = bounds.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if bounds[mid] <= index { lo = mid + 1 } else { hi = mid }
        }
        if lo & 1 == 1 { return }  // inside range (lo - 1) / 2
        // `index` lies in the gap before bounds[lo] (a range start) and after bounds[lo - 1] (an end).
        let joinsNext = bounds[lo] == index + 1
        let joinsPrevious = lo > 0 && bounds[lo - 1] == index
        switch (joinsPrevious, joinsNext) {
        case (true, true): bounds.removeSubrange((lo - 1)...lo)
        case (true, false): bounds[lo - 1] = index + 1
        case (false, true): bounds[lo] = index
        case (false, false): bounds.insert(contentsOf: [index, index + 1], at: lo)
        }
    }

    /// Adds every member of `other`: the two range lists merged in one pass, touching and
    /// overlapping ranges joined. O(ranges of both).
    mutating func formUnion(_ other: BlobRanges) {
        guard !other.bounds.isEmpty else { return }
        guard !bounds.isEmpty else { bounds = other.bounds; return }
        var out: [UInt32] = []
        out.reserveCapacity(bounds.count + other.bounds.count)
        var i = 0, j = 0
        while i < bounds.count || j < other.bounds.count {
            // The next range by lower bound, from either list.
            let lo: UInt32, hi: UInt32
            if j == other.bounds.count || (i < bounds.count && bounds[i] <= other.bounds[j]) {
                (lo, hi) = (bounds[i], bounds[i + 1]); i += 2
            } else {
                (lo, hi) = (other.bounds[j], other.bounds[j + 1]); j += 2
            }
            if let end = out.last, lo <= end {
                out[out.count - 1] = max(end, hi)
            } else {
                out.append(lo); out.append(hi)
            }
        }
        bounds = out
    }

    /// The members of `sorted` (ascending by index, each once) not in the set, in order.
    /// O(ranges · log n) when there are none, which is the case the checks expect.
    func absent(from sorted: [BlobRef]) -> [BlobRef] {
        var inside = 0
        forEachRange { range in
            inside += sorted.partitioningIndex { $0.index >= range.upperBound } - sorted.partitioningIndex { $0.index >= range.lowerBound }
        }
        return inside == sorted.count ? [] : sorted.filter { !contains($0.index) }
    }

    /// Calls `body` with each range, ascending.
    func forEachRange(_ body: (Range<UInt32>) -> Void) {
        var k = 0
        while k + 1 < bounds.count {
            body(bounds[k] ..< bounds[k + 1])
            k += 2
        }
    }

    /// Ranges in the set.
    var rangeCount: Int { bounds.count / 2 }

    /// Bytes the set's storage occupies (array header and capacity).
    var byteCount: Int { bounds.isEmpty ? 0 : 32 + bounds.capacity * 4 }
}
