import Economics
import RedStuff
import SimSupport
import Testing
@testable import WalrusModel

/// How a recovery asks for symbols, as Walrus's node does: per-request timeouts, a weighted
/// random order of nodes per round, symbols served from cached Merkle trees, and no blob sync
/// for a blob a node already holds in full.
@Suite struct RecoveryRequestTests {
    /// Each request times out on its own deadline: giving up on the early ones leaves the later
    /// ones (and what they promised) outstanding; an answered request is never given up on,
    /// and a node asked again counts only under its new deadline.
    @Test func requestsTimeOutOneByOne() {
        var state = StorageNode.RecoveryState()
        let a = NodeID(1), b = NodeID(2), c = NodeID(3)
        state.expect(.init(primary: 2, secondary: 2, deadline: SimTime(nanoseconds: 45)), from: a)
        state.expect(.init(primary: 1, secondary: 0, deadline: SimTime(nanoseconds: 50)), from: b)
        state.expect(.init(primary: 3, secondary: 3, deadline: SimTime(nanoseconds: 60)), from: c)
        #expect(state.promised(.primary) == 6 && state.promised(.secondary) == 5)
        let due1 = state.nextDeadline()
        #expect(due1 == SimTime(nanoseconds: 45))

        state.settle(b)  // b answered
        state.expireRequests(now: SimTime(nanoseconds: 55))
        #expect(state.outstanding.keys.sorted() == [c])
        #expect(state.promised(.primary) == 3 && state.promised(.secondary) == 3)
        let due2 = state.nextDeadline()
        #expect(due2 == SimTime(nanoseconds: 60))

        // Asked again, c's first deadline no longer applies.
        state.expect(.init(primary: 1, secondary: 1, deadline: SimTime(nanoseconds: 100)), from: c)
        state.expireRequests(now: SimTime(nanoseconds: 70))
        #expect(state.outstanding.keys.sorted() == [c] && state.promised(.primary) == 1)
        let due3 = state.nextDeadline()
        #expect(due3 == SimTime(nanoseconds: 100))
        state.expireRequests(now: SimTime(nanoseconds: 100))
        #expect(state.outstanding.isEmpty && state.promised(.primary) == 0 && state.promised(.secondary) == 0)
        let due4 = state.nextDeadline()
        #expect(due4 == nil)
    }

    /// A node whose peers never answer gives each request `recoveryRequestTimeout`, then, with
    /// nobody left to ask, backs off; no timer fires before the first deadline.
    @Test func silentPeersAreGivenUpOnAtTheirDeadline() throws {
        var h = try ModelHarness()
        let (blob, encoded, _) = try h.encodeBlob(0, size: 3_000)
        try h.storeEverywhereAndCertify(blob, encoded, skippingNode: 0)
        let certified = ChainEvent.blobCertified(blob: blob, epoch: h.view.epoch, endEpoch: h.view.epoch + 3)
        let sync = try #require(h.nodes[0].chainEvent(certified, context: h.context).timerTokens.first)
        h.now = h.now + .seconds(15)
        // Node 0 holds nothing: it fetches metadata first (answered), then asks for symbols.
        let start = h.nodes[0].timerFired(token: sync, context: h.context)
        var requests: [Action] = []
        for (to, message) in start.sent {
            guard case .node(let n) = to, case .metadataRequest = message else { continue }
            for (_, reply) in h.nodes[n.index].receive(message, from: .node(NodeID(0)), context: h.context).sent {
                requests += h.nodes[0].receive(reply, from: to, context: h.context)
            }
        }
        let asked = requests.sent.filter { if case .recoveryRequest = $0.message { true } else { false } }
        #expect(!asked.isEmpty)
        let timers = requests.compactMap { action -> (SimDuration, UInt64)? in
            if case .timer(let after, let token) = action, token & 0xFF == StorageNode.TimerKind.recoveryTimeout.rawValue {
                return (after, token)
            }
            return nil
        }
        // One timer per recovered pair for its whole batch (all sent now), at the request timeout.
        let mine = h.pairs(ofNode: 0, blobID: encoded.metadata.blobID)
        let timer = try #require(timers.first)
        #expect(timers.count == mine.count && timers.allSatisfy { $0.0 == h.nodes[0].recoveryRequestTimeout })
        // Nobody answers: at the deadline every request is given up, nobody is left, back off.
        h.now = h.now + timer.0
        let expired = h.nodes[0].timerFired(token: timer.1, context: h.context)
        #expect(expired.observed.contains { if case .recoveryFailed = $0 { true } else { false } })
        #expect(expired.sent.isEmpty)
    }

    /// The proof cache keeps at most its capacity, the oldest out first.
    @Test func proofCacheKeepsTheNewest() {
        var cache = ProofCache()
        func kept(_ key: UInt64, _ capacity: Int = 2) -> Bool { cache.hit(key, capacity: capacity) }
        #expect(!kept(1) && !kept(2))
        #expect(kept(1))  // kept: no eviction, no reinsertion
        #expect(!kept(3))  // evicts 1, the oldest
        #expect(cache.count == 2 && kept(2) && kept(3))
        #expect(!kept(1))
        for k in 10..<10_000 { _ = kept(UInt64(k), 5) }
        #expect(cache.count == 5 && kept(9_999, 5) && !kept(9_000, 5))
    }

    /// Serving symbols costs a source sliver's expansion and Merkle tree once; later symbols
    /// from it take the kept tree, and expand again only for a target outside the systematic
    /// part (10 shards, f = 3: a primary sliver has 7 symbols, a secondary one 4).
    @Test func symbolsFromACachedTreeCostLess() throws {
        let h = try ModelHarness()
        var node = h.nodes[1]
        let ctx = h.context, blob = BlobRef(7), bytes = 4_096
        let full = ctx.costs.sliver(bytes: UInt64(bytes), nShards: 10)
        let expansion = ctx.costs.expansion(bytes: UInt64(bytes), nShards: 10)
        #expect(expansion < full)
        func cost(_ target: Int, _ axes: RecoveryAxes) -> SimDuration {
            node.symbolCost(blob, source: 2, target: target, axes: axes, primaryBytes: bytes, secondaryBytes: bytes, ctx)
        }
        #expect(cost(5, .both) == full + full)  // both source slivers: expanded and hashed
        // Target 5's secondary sliver is index 4 < 7: systematic in our primary sliver.
        #expect(cost(5, .secondary) == .zero)
        // Its primary sliver is index 5, not below 4: our secondary sliver is expanded again.
        #expect(cost(5, .primary) == expansion)
        #expect(cost(1, .primary) == .zero && cost(1, .secondary) == expansion)  // index 8: beyond 7
        #expect(cost(5, .both) == expansion)
        // Another source pair, or another blob, is a new tree.
        #expect(node.symbolCost(blob, source: 3, target: 5, axes: .secondary, primaryBytes: bytes, secondaryBytes: bytes, ctx) == full)
        #expect(node.symbolCost(BlobRef(8), source: 2, target: 5, axes: .secondary, primaryBytes: bytes, secondaryBytes: bytes, ctx) == full)
        // A crash loses the cache.
        node.crash()
        #expect(cost(5, .secondary) == full)
    }

    /// The nodes to ask: every other member once, in an order that is a pure function of
    /// (recovery, round) and drawn again each round, larger nodes first more often in
    /// proportion to their shards.
    @Test func candidatesAreAWeightedShuffle() throws {
        let h = try ModelHarness(nodeCount: 6, shards: 13)
        let node = h.nodes[0], ctx = h.context
        let others = h.view.committee.members.map(\.node).filter { $0 != node.id }
        let key = StorageNode.RecoveryKey(blob: BlobRef(3), pair: 4)
        let first = node.candidateNodes(for: key, round: 1, ctx)
        #expect(first.sorted() == others.sorted())
        #expect(node.candidateNodes(for: key, round: 1, ctx) == first)
        #expect((2...6).contains { node.candidateNodes(for: key, round: UInt8($0), ctx) != first })
        // Over many recoveries, how often each node is asked first follows its weight.
        var firsts: [NodeID: Int] = [:]
        let trials = 6_000
        for i in 0..<trials {
            let k = StorageNode.RecoveryKey(blob: BlobRef(UInt32(i / 13)), pair: i % 13)
            firsts[node.candidateNodes(for: k, round: 1, ctx)[0], default: 0] += 1
        }
        let total = others.reduce(0) { $0 + h.view.committee.weight(of: $1) }
        for n in others {
            let expected = Double(trials * h.view.committee.weight(of: n)) / Double(total)
            let seen = Double(firsts[n] ?? 0)
            #expect(abs(seen - expected) < 0.15 * expected, "\(n): \(seen) first, expected about \(expected)")
        }
    }

    /// Certification of a blob a node holds in full starts no blob sync (Walrus skips it when
    /// the blob `is_stored_at_all_shards`); a node missing pairs waits out the deferral.
    @Test func blobSyncOnlyWhereSomethingIsMissing() throws {
        var h = try ModelHarness()
        let (blob, encoded, _) = try h.encodeBlob(0, size: 3_000)
        try h.storeEverywhereAndCertify(blob, encoded, skippingNode: 2)
        let certified = ChainEvent.blobCertified(blob: blob, epoch: h.view.epoch, endEpoch: h.view.epoch + 3)
        for i in 0..<4 {
            let actions = h.nodes[i].chainEvent(certified, context: h.context)
            #expect(actions.timerTokens.count == (i == 2 ? 1 : 0), "node \(i): \(actions)")
        }
    }
}
