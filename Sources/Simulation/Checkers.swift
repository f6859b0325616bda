import Economics
import RedStuff
import ResultRecords
import SimEngine
import SimSupport
import WalrusCrypto
import WalrusModel


/// A broken invariant, with what a user needs to reproduce it.
public struct Violation: Sendable, CustomStringConvertible {
    /// The invariant that broke.
    public enum Kind: String, Sendable { case durability, availability, consistency, conservation, completeness, liveness }
    /// Which invariant broke.
    public var kind: Kind
    /// When it was found.
    public var time: SimTime
    /// The blob concerned, when one is.
    public var blob: BlobRef?
    /// What was found, in words.
    public var detail: String
    /// The run's seed, to reproduce it.
    public var seed: UInt64
    /// Whether the protocol's assumptions held (at most f faulty shards, no fault window): a
    /// violation under its assumptions is a bug; beyond them it is an expected, reported loss.
    public var withinAssumptions: Bool

    /// One line: kind, blob, time, detail, scope, and how to reproduce.
    public var description: String {
        let where_ = blob.map { " \($0)" } ?? ""
        let scope = withinAssumptions ? "VIOLATION" : "beyond the fault assumptions"
        return "\(kind.rawValue)\(where_) at \(time): \(detail) [\(scope); reproduce with --seed \(seed)]"
    }
}

/// The invariant checkers. Each violation says whether the protocol's assumptions held, so a
/// broken guarantee (a bug) is told apart from an expected loss beyond them.
extension World {
    // MARK: Checkers

    /// Durability: every live certified blob must keep at least R primary slivers among the
    /// nodes that are up (enough to decode it); a loss while at most f shards are faulty is a
    /// protocol violation, beyond f it is reported as an expected loss.
    public func checkDurability(now: SimTime) {
        guard scenario.checks.durability else { return }
        let need = config.sliversForDecoding(.primary)
        let ctx = context(now)
        let nodes = self.nodes  // a local array: calling a node's method through the property copies the node
        let up = nodes.indices.filter { !crashed[$0] }
        let surelyDurable = modeledBlobsHeld(atLeast: need, among: view.liveCertified, by: up, ctx)
        // Distinct pairs held, counted in a bitmap reset after each blob: a set per blob was
        // most of an epoch change of a long modeled run (hundreds of thousands of live blobs).
        var seen = [Bool](repeating: false, count: config.nShards)
        var marked: [Int] = []
        for blob in view.liveCertified where !surelyDurable[Int(blob.index)] {
            var held = 0
            for i in up {
                for p in nodes[i].heldPairs(blob, context: ctx) where p >= 0 && p < seen.count && !seen[p] {
                    seen[p] = true
                    marked.append(p)
                    held += 1
                }
                if held >= need { break }
            }
            for p in marked { seen[p] = false }
            marked.removeAll(keepingCapacity: true)
            if held < need {
                violations.append(Violation(kind: .durability, time: now, blob: blob,
                                            detail: "only \(held) of the \(need) slivers needed are held by nodes that are up",
                                            seed: scenario.seed, withinAssumptions: faultyShards <= config.maxFaulty))
            }
        }
    }

    /// The modeled blobs among `blobs` of which nodes `up` together hold at least `need`
    /// distinct pairs, counted from the nodes' ranges in one pass (O(ranges + blobs), not a
    /// question per node, blob and shard): the per-blob count of shards on which some node of
    /// `up` holds the blob, with each shard's ranges merged across nodes (a pair's shard is
    /// unique per blob, so distinct shards are distinct pairs). It may leave out a blob that
    /// is durable — one a node found invalid, or a real one — which the exact count settles.
    /// Returns a flag per blob index up to the last of `blobs`.
    func modeledBlobsHeld(atLeast need: Int, among blobs: [BlobRef], by up: [Int], _ ctx: ProtocolContext) -> [Bool] {
        let span = blobs.last.map { Int($0.index) + 1 } ?? 0
        var perShard = [[Range<UInt32>]](repeating: [], count: config.nShards)
        var refused = Set<BlobRef>()  // a node that found a blob invalid does not hold it, whatever its ranges say
        for i in up {
            nodes[i].forEachModeledRange { shard, range in
                if Int(shard.index) < perShard.count, Int(range.lowerBound) < span { perShard[Int(shard.index)].append(range) }
            }
            refused.formUnion(nodes[i].invalidBlobs)
        }
        var delta = [Int32](repeating: 0, count: span + 1)  // +1 where a shard's merged range starts, -1 past its end
        for var ranges in perShard where !ranges.isEmpty {
            ranges.sort { $0.lowerBound < $1.lowerBound }
            var open = ranges[0]
            for r in ranges.dropFirst() {
                if r.lowerBound <= open.upperBound { open = open.lowerBound ..< max(open.upperBound, r.upperBound); continue }
                delta[Int(open.lowerBound)] += 1
                delta[min(span, Int(open.upperBound))] -= 1
                open = r
            }
            delta[Int(open.lowerBound)] += 1
            delta[min(span, Int(open.upperBound))] -= 1
        }
        var sure = [Bool](repeating: false, count: span)
        var held: Int32 = 0, next = 0
        for blob in blobs {
            while next <= Int(blob.index) { held += delta[next]; next += 1 }
            if held >= need, isKeptModeled(blob, in: ctx.view), !refused.contains(blob) {
                sure[Int(blob.index)] = true
            }
        }
        return sure
    }

    /// Whether `blob` is modeled and `view` has the nodes still keep it: the blobs whose
    /// holdings the checkers' fast paths read from each shard's ranges at once.
    func isKeptModeled(_ blob: BlobRef, in view: ChainView) -> Bool {
        catalog.isModeled(blob) && StorageNode.viewKeepsModeled(blob, view)
    }

    /// Spec §6.5's bytes to recover one sliver pair of `blob`: `R + C` recovery symbols of the
    /// blob's symbol size, each with a Merkle proof of `ceil(log2 n)` 33-byte steps and its
    /// 5-byte header. What the protocol really moves adds message framing, the metadata fetch
    /// when the node lacks it, and the overshoot of the last responder (a node sends one symbol
    /// per pair it holds).
    public func recoveryEstimate(_ blob: BlobRef) -> UInt64 {
        let size = catalog.entry(blob)?.sizeBytes ?? blobs[Int(blob.index)].sizeBytes
        let s = (try? config.symbolSize(forBlobLength: size)) ?? 2
        let perSymbol = UInt64(s + 5 + 33 * MerkleHash.pathLength(leafCount: config.nShards))
        return UInt64(config.rows + config.columns) * perSymbol
    }

    /// End-of-run checks that need a quiet tail (no fault in force during the last
    /// `checks.quietTail`): write completeness (every honest node that is up holds its pairs of
    /// every valid blob certified before the tail) and epoch liveness (no epoch change that
    /// started before the tail is still unfinished).
    public func checkQuietTail(now: SimTime) {
        let tail = scenario.checks.quietTail
        guard now.nanoseconds > tail.nanoseconds else { return }
        let tailStart = SimTime(nanoseconds: now.nanoseconds - tail.nanoseconds)
        guard !faultOverlaps(tailStart, now) else { return }
        if scenario.checks.writeCompleteness {
            let ctx = context(now)
            let nodes = self.nodes  // see checkDurability
            let due = view.liveCertified.filter {
                let info = blobs[Int($0.index)]
                guard let certified = info.certifiedAt else { return false }
                return certified <= tailStart && !info.inconsistent && catalog.blobID($0) != nil
            }
            // After an epoch change that started within the tail the new owners may still be
            // syncing their shards (the hand-over's quorum does not wait for every node), and
            // the previous owners keep holding them through the epoch: the guarantee is theirs
            // to keep. (An unfinished hand-over that started earlier is a liveness violation.)
            let recentChange = lastEpochChangeStart.map { $0 > tailStart } ?? false
            let holders = recentChange && !view.previousCommittee.isEmpty ? view.previousCommittee : view.committee
            let honestUp = holders.members.filter { !crashed[$0.node.index] && byzantineHolds[$0.node.index].isEmpty }
            // Modeled blobs are asked of each shard's ranges at once; only the blobs some node
            // lacks there (and every real blob) take the exact pair-by-pair question below.
            let modeled = due.filter { isKeptModeled($0, in: ctx.view) }
            var settled = [Bool](repeating: false, count: due.last.map { Int($0.index) + 1 } ?? 0)
            for blob in modeled { settled[Int(blob.index)] = true }
            for member in honestUp {
                for shard in member.shards {
                    for blob in nodes[member.node.index].modeledBlobsLacking(on: shard, among: modeled) { settled[Int(blob.index)] = false }
                }
            }
            for blob in due where !settled[Int(blob.index)] {
                guard let blobID = catalog.blobID(blob) else { continue }
                let mapping = ShardMapping(blobID: blobID, nShards: config.nShards)
                for member in honestUp {
                    // A plain loop: a closure over `nodes` copied the node for every pair.
                    var missing: [Int] = []
                    for shard in member.shards {
                        let pair = mapping.pair(ofShard: shard.index)
                        if !nodes[member.node.index].holds(blob, pair: pair, context: ctx) { missing.append(pair) }
                    }
                    guard !missing.isEmpty else { continue }
                    violations.append(Violation(kind: .completeness, time: now, blob: blob,
                                                detail: "\(member.node) lacks pairs \(missing) after a quiet tail of \(tail)",
                                                seed: scenario.seed, withinAssumptions: true))
                }
            }
        }
        if scenario.checks.liveness, !view.handoverDone, let started = lastEpochChangeStart, started <= tailStart {
            violations.append(Violation(kind: .liveness, time: now, blob: nil,
                                        detail: "the change to epoch \(view.epoch.rawValue), started at \(started), is unfinished after a quiet tail of \(tail)",
                                        seed: scenario.seed, withinAssumptions: true))
        }
    }

    /// Conservation of WAL to the FROST.
    public func checkConservation(now: SimTime) {
        guard scenario.checks.conservation else { return }
        let report = chain.economy.conservationReport()
        if !report.isBalanced {
            violations.append(Violation(kind: .conservation, time: now, blob: nil,
                                        detail: "minted \(report.mintedFrost) FROST but the books hold \(report.heldFrost)",
                                        seed: scenario.seed, withinAssumptions: true))
        }
    }

    /// Whether any fault was in force at some instant of `[start, end]`, both ends included: an
    /// operation that ends exactly when a fault ends (or starts exactly when one starts) met it.
    func faultOverlaps(_ start: SimTime, _ end: SimTime) -> Bool {
        faultWindows.contains { w in
            guard let w else { return false }
            return w.start <= end && (w.end ?? .distantFuture) >= start
        }
    }

    /// The most shards of the current committee faulty for a reader at any instant of
    /// `[start, end]`: held by crashed or Byzantine nodes, or by nodes a partition in force
    /// separates from the reader's endpoint (in either direction; a read needs both).
    func maxFaultyShards(from start: SimTime, to end: SimTime, reader: ClientID) -> Int {
        let readerEndpoint = nodes.count + Int(reader.rawValue)
        var worst = 0
        for (k, state) in faultHistory.enumerated() {
            let until = k + 1 < faultHistory.count ? faultHistory[k + 1].time : .distantFuture
            guard state.time <= end, until >= start else { continue }
            var faulty = Set(state.faultyNodes)
            for j in state.partitions {
                let readerInside = faultSides[j].contains(readerEndpoint)
                for n in nodes.indices where faultSides[j].contains(n) != readerInside { faulty.insert(n) }
            }
            worst = max(worst, faulty.reduce(0) { $0 + view.committee.weight(of: NodeID(UInt32($1))) })
        }
        return worst
    }

    /// Availability and read consistency of a finished operation: a read that returns other
    /// bytes than were written is a consistency violation; a failed read of a live blob outside
    /// every fault window is an availability violation when at most f shards were faulty for the
    /// reader (crashed, Byzantine, cut off) at every instant of it; beyond f it is counted in
    /// `readsFailedBeyondF`.
    func checkOperation(_ op: FinishedOperation, now: SimTime) {
        switch (op.kind, op.result) {
        case (.write, .failed), (.write, .notFound):
            // Walrus guarantees an honest writer reaches PoA while at most f shards are faulty.
            guard scenario.checks.liveness, !blobs[Int(op.blob.index)].inconsistent else { break }
            // Liveness holds for a registration that is still valid: a blob whose end epoch came
            // before its certificate could not be certified by anyone.
            if view.status(op.blob)?.registrationExpired(at: view.epoch) == true { break }
            let faulty = maxFaultyShards(from: op.start, to: op.end, reader: op.client)
            if faulty <= config.maxFaulty {
                violations.append(Violation(kind: .liveness, time: now, blob: op.blob,
                                            detail: "an honest write failed with at most \(faulty) faulty shards (f = \(config.maxFaulty)): \(op.detail)",
                                            seed: scenario.seed, withinAssumptions: true))
            }
        case (.read, .inconsistent):
            violations.append(Violation(kind: .consistency, time: now, blob: op.blob, detail: op.detail,
                                        seed: scenario.seed, withinAssumptions: true))
        case (.read, .ok), (.read, .invalid):
            // Read consistency (spec §6.2): every honest reader of a blob gets the same bytes
            // (checked against the written content) or the same `invalid`; an honest writer's
            // blob is never invalid.
            let success = op.result == .ok
            let honest = !blobs[Int(op.blob.index)].inconsistent
            if let first = firstReadOutcome[op.blob], first != success {
                violations.append(Violation(kind: .consistency, time: now, blob: op.blob,
                                            detail: "readers disagree: an earlier read got \(first ? "the bytes" : "invalid"), this one \(op.result.rawValue)",
                                            seed: scenario.seed, withinAssumptions: true))
            } else if !success && honest {
                violations.append(Violation(kind: .consistency, time: now, blob: op.blob,
                                            detail: "a read of an honestly written blob ended invalid: \(op.detail)",
                                            seed: scenario.seed, withinAssumptions: true))
            }
            if firstReadOutcome[op.blob] == nil { firstReadOutcome[op.blob] = success }
        case (.read, .failed), (.read, .notFound):
            // A blob that expired, was deleted or was found invalid while being read is not an
            // availability failure.
            let stillLive = view.status(op.blob).map { !$0.deleted && $0.endEpoch > view.epoch } ?? false
            guard stillLive, scenario.checks.availability else { break }
            // Walrus guarantees reads while at most f shards are faulty for the reader (crashed,
            // Byzantine, or cut off from it), during faults too; beyond f, failures are expected.
            let faulty = maxFaultyShards(from: op.start, to: op.end, reader: op.client)
            if faulty <= config.maxFaulty {
                violations.append(Violation(kind: .availability, time: now, blob: op.blob,
                                            detail: "read failed with at most \(faulty) faulty shards (f = \(config.maxFaulty)): \(op.detail)",
                                            seed: scenario.seed, withinAssumptions: true))
            } else {
                readsFailedBeyondF += 1
            }
        default:
            break
        }
    }
}
