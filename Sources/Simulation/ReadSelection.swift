#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SimEngine
import SimSupport
import WalrusModel

/// Chooses the blob each read of one reads workload asks for, by the workload's popularity
/// (`ReadPopularity`), among the blobs it may read: certified, unexpired, undeleted (invalid
/// ones included: readers may still ask for them), written by its source workload if it names one.
///
/// The selector learns of blobs as they are certified (`certified(_:at:)`, in certification
/// order) and forgets dead ones lazily, when a pick lands on one: a blob that stops being
/// readable never becomes readable again, so dropping it is final, and each blob is dropped at
/// most once (amortised O(log n) per pick). Every random draw comes from the workload's stream.
final class ReadSelector {
    let popularity: ReadPopularity
    /// The writes workload whose blobs are read; `nil`: any.
    let source: Int?
    let rereadPermille: UInt64
    /// Blobs in certification order (recency, sequential) or any order (uniform), dead ones
    /// dropped lazily; `certifiedAt` runs parallel to it.
    private var candidates: [BlobRef] = []
    private var certifiedAt: [SimTime] = []
    /// Dead entries noticed in `candidates` since the last compaction.
    private var deadSeen = 0
    /// The next position of a sequential reader.
    private var cursor = 0
    /// Zipf: weights by slot (a slot per certified blob, in order) and the blob in each slot.
    private var weights = FenwickTree()
    private var slots: [BlobRef] = []
    /// The last blobs picked, newest last, for re-reads.
    private var recent: [BlobRef] = []

    init(_ spec: ReadWorkload, source: Int?) {
        popularity = spec.popularity
        self.source = source
        rereadPermille = spec.rereadPermille
    }

    /// Whether picks come from this selector at all: a plain uniform reader of every blob uses
    /// the world's live list directly (the behaviour, draw for draw, of runs before popularity).
    var isTrivial: Bool { popularity == .uniform && source == nil && rereadPermille == 0 }

    /// Notes that `blob`, written by workload `writer`, was certified at `time`.
    func certified(_ blob: BlobRef, writer: Int, at time: SimTime, popularityDraw: () -> Double) {
        if let source, source != writer { return }
        switch popularity {
        case .zipf(let exponent):
            slots.append(blob)
            weights.append(Self.zipfWeight(uniform: popularityDraw(), exponent: exponent))
        case .uniform, .recency, .sequential:
            candidates.append(blob)
            certifiedAt.append(time)
        }
    }

    /// The Zipf weight of a blob whose rank draw is `u` in (0, 1]: with ranks `ceil(u * 2^32)`,
    /// the k-th most popular of N blobs has rank about k * 2^32 / N, so weights `2^64 / rank^s`
    /// fall as k^-s. Integer weights keep the sums exact however blobs come and go.
    static func zipfWeight(uniform u: Double, exponent s: Double) -> UInt128 {
        let rank = max(1, (u * 4_294_967_296).rounded(.up))
        let log2Weight = 64 - s * log2(rank)
        return UInt128(max(1, exp2(max(0, log2Weight)).rounded(.down)))
    }

    /// The blob to read at `now`, or `nil` when none is readable.
    func pick(now: SimTime, stream: RandomStream, isReadable: (BlobRef) -> Bool) -> BlobRef? {
        if rereadPermille > 0, !recent.isEmpty, stream.bernoulli(rereadPermille, over: 1_000) {
            let again = recent[Int(stream.uniformInt(below: UInt64(recent.count)))]
            if isReadable(again) { return remember(again) }
        }
        let chosen: BlobRef?
        switch popularity {
        case .uniform: chosen = pickUniform(stream, isReadable)
        case .zipf: chosen = pickZipf(stream, isReadable)
        case .recency(let halfLife): chosen = pickRecent(now: now, halfLife: halfLife, stream, isReadable)
        case .sequential: chosen = pickNext(isReadable)
        }
        return chosen.map(remember)
    }

    private func remember(_ blob: BlobRef) -> BlobRef {
        guard rereadPermille > 0 else { return blob }
        if recent.count == ReadWorkload.rereadWindow { recent.removeFirst() }
        recent.append(blob)
        return blob
    }

    private func pickUniform(_ stream: RandomStream, _ isReadable: (BlobRef) -> Bool) -> BlobRef? {
        while !candidates.isEmpty {
            let i = Int(stream.uniformInt(below: UInt64(candidates.count)))
            if isReadable(candidates[i]) { return candidates[i] }
            candidates.swapAt(i, candidates.count - 1)
            candidates.removeLast()
        }
        return nil
    }

    private func pickZipf(_ stream: RandomStream, _ isReadable: (BlobRef) -> Bool) -> BlobRef? {
        while weights.total > 0 {
            // Two 64-bit draws make a 128-bit value; the sum is below 2^88, so the bias of the
            // modulo is below 2^-40.
            let draw = UInt128(stream.nextUInt64()) << 64 | UInt128(stream.nextUInt64())
            let slot = weights.slot(containing: draw % weights.total)
            if isReadable(slots[slot]) { return slots[slot] }
            weights.zero(slot)
        }
        return nil
    }

    private func pickRecent(now: SimTime, halfLife: SimDuration, _ stream: RandomStream, _ isReadable: (BlobRef) -> Bool) -> BlobRef? {
        guard !candidates.isEmpty else { return nil }
        // Exponential age with median `halfLife`: mean = halfLife / ln 2.
        let age = stream.exponential(mean: Double(halfLife.nanoseconds) / 1e9 / log(2.0))
        let target = now.nanoseconds - UInt64(min(Double(now.nanoseconds), age * 1e9))
        // The first entry certified after the target (certification times only grow).
        var (low, high) = (0, certifiedAt.count)
        while low < high {
            let mid = (low + high) / 2
            if certifiedAt[mid].nanoseconds > target { high = mid } else { low = mid + 1 }
        }
        let after = low
        var chosen: BlobRef?
        for i in stride(from: after - 1, through: 0, by: -1) {
            if isReadable(candidates[i]) { chosen = candidates[i]; break }
            deadSeen += 1
        }
        if chosen == nil {
            for i in after..<candidates.count {
                if isReadable(candidates[i]) { chosen = candidates[i]; break }
                deadSeen += 1
            }
        }
        compactIfWorthIt(isReadable)
        return chosen
    }

    private func pickNext(_ isReadable: (BlobRef) -> Bool) -> BlobRef? {
        guard !candidates.isEmpty else { return nil }
        if cursor >= candidates.count { cursor = 0 }
        for step in 0..<candidates.count {
            let i = (cursor + step) % candidates.count
            if isReadable(candidates[i]) {
                cursor = i + 1
                let blob = candidates[i]
                compactIfWorthIt(isReadable)
                return blob
            }
            deadSeen += 1
        }
        compactIfWorthIt(isReadable)
        return nil
    }

    /// Drops dead entries once at least half of those seen were dead, keeping the order and the
    /// sequential cursor's place: O(n) work paid for by the n/2 dead entries it removes.
    private func compactIfWorthIt(_ isReadable: (BlobRef) -> Bool) {
        guard deadSeen > 64, deadSeen * 2 > candidates.count else { return }
        var kept = 0, keptBeforeCursor = 0
        for i in candidates.indices where isReadable(candidates[i]) {
            if i < cursor { keptBeforeCursor += 1 }
            candidates[kept] = candidates[i]
            certifiedAt[kept] = certifiedAt[i]
            kept += 1
        }
        candidates.removeLast(candidates.count - kept)
        certifiedAt.removeLast(certifiedAt.count - kept)
        cursor = keptBeforeCursor
        deadSeen = 0
    }
}

/// A Fenwick (binary indexed) tree of non-negative integer weights by slot: appending, zeroing
/// a slot and finding the slot a point of the cumulative sum falls in all take O(log n).
struct FenwickTree {
    /// `tree[i - 1]` sums the weights of slots `(i - lowbit(i)) ..< i` (1-based Fenwick layout).
    private var tree: [UInt128] = []
    /// Each slot's own weight, to zero it.
    private var own: [UInt128] = []
    /// The sum of all weights.
    private(set) var total: UInt128 = 0

    /// Adds a slot at the end with weight `w`.
    mutating func append(_ w: UInt128) {
        let i = tree.count + 1
        // The new node covers (i - lowbit(i)) ..< i: its own weight plus the nodes below it.
        var sum = w
        var j = i - 1
        let low = i - (i & -i)
        while j > low {
            sum += tree[j - 1]
            j -= j & -j
        }
        tree.append(sum)
        own.append(w)
        total += w
    }

    /// Sets slot `slot`'s weight to zero.
    mutating func zero(_ slot: Int) {
        let w = own[slot]
        guard w > 0 else { return }
        own[slot] = 0
        total -= w
        var i = slot + 1
        while i <= tree.count {
            tree[i - 1] -= w
            i += i & -i
        }
    }

    /// The slot whose cumulative range holds `point` (`point < total`): the first slot whose
    /// prefix sum exceeds `point`.
    func slot(containing point: UInt128) -> Int {
        var position = 0, remaining = point
        var step = 1
        while step * 2 <= tree.count { step *= 2 }
        while step > 0 {
            let next = position + step
            if next <= tree.count, tree[next - 1] <= remaining {
                position = next
                remaining -= tree[next - 1]
            }
            step /= 2
        }
        return position
    }
}
