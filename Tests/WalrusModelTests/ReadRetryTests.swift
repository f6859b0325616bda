import SimSupport
import Testing
@testable import WalrusModel

/// The SDK's read retry under `[resources]` (`read_blob_retry_committees` at `f7135f5b`): a read
/// that ran out of nodes before it held enough slivers starts over after the committee-change
/// backoff and asks again the nodes that answered "not held" (say, still syncing new shards).
@Suite struct ReadRetryTests {
    /// The harness's context with a resource model (no status check: the read starts with metadata).
    func context(_ h: ModelHarness, _ resources: ResourceModel?) -> ProtocolContext {
        ProtocolContext(now: h.now, view: h.view, catalog: h.catalog, config: h.config,
                        costs: CostModel(encodeBytesPerSecond: 400 << 20, signatureCost: .microseconds(470)),
                        signatures: .real, resources: resources)
    }

    /// Plays the network for the client's `actions` until nothing is left: nodes in `syncing`
    /// answer every sliver request "not held", the others answer as themselves. Returns the
    /// finished operation, if any, and the client's timer tokens set meanwhile.
    func play(_ h: inout ModelHarness, _ actions: [Action], syncing: Set<Int>, resources: ResourceModel?) -> (FinishedOperation?, [UInt64]) {
        var queue = actions
        var timers: [UInt64] = []
        var finished: FinishedOperation?
        while !queue.isEmpty {
            let action = queue.removeFirst()
            switch action {
            case .send(.node(let n), let message):
                var replies = h.nodes[n.index].receive(message, from: .client(ClientID(0)), context: context(h, resources)).sent.map(\.message)
                if syncing.contains(n.index), case .sliverRequest(let blob, let pair) = message {
                    replies = [.sliverResponse(blob: blob, pair: pair, sliver: nil)]
                }
                for reply in replies { queue += h.client.receive(reply, from: .node(n), context: context(h, resources)) }
            case .timer(_, let token):
                timers.append(token)
            case .observe(.operationFinished(let op)):
                finished = op
            default:
                break
            }
        }
        return (finished, timers)
    }

    /// Three of four nodes answer "not held" (10 shards, 4 needed: the one left holds 2 or 3):
    /// the first pass runs out of nodes. With the SDK's retry, the read waits out the backoff,
    /// asks everyone again once they hold their slivers, and decodes; without it, it fails.
    @Test func aReadThatRanOutOfNodesAsksAgainAfterTheBackoff() throws {
        var resources = ResourceModel()
        resources.statusCheck = false
        for retries in [5, 0] {
            resources.readRetries = retries
            var h = try ModelHarness()
            let (blob, encoded, _) = try h.encodeBlob(0, size: 5_000)
            try h.storeEverywhereAndCertify(blob, encoded)
            let start = h.client.startRead(op: 9, blob: blob, order: Array(0..<10), context: context(h, resources))
            let (first, timers) = play(&h, start, syncing: [0, 1, 2], resources: resources)
            let retryTokens = timers.filter { $0 & 0xff == 7 }
            if retries == 0 {
                let op = try #require(first)
                #expect(op.result == .failed && op.detail.contains("primary slivers available"), "\(op.detail)")
                #expect(retryTokens.isEmpty)
                continue
            }
            #expect(first == nil, "the read must wait for its retry, not end: \(String(describing: first))")
            let token = try #require(retryTokens.first)
            // The backoff: 1 s x 2^0 plus up to 1 s of jitter.
            let delay = resources.readRetryDelay(op: 9, retry: 0)
            #expect(delay >= .seconds(1) && delay <= .seconds(2))
            // Probes while the read waits ask nothing.
            let probe = h.client.timerFired(token: 9 << 8 | 4, context: context(h, resources))
            #expect(probe.sent.isEmpty)
            h.now = h.now + delay
            let again = h.client.timerFired(token: token, context: context(h, resources))
            #expect(again.sent.contains { if case .metadataRequest = $0.message { true } else { false } })
            let (second, _) = play(&h, again, syncing: [], resources: resources)
            let op = try #require(second)
            #expect(op.result == .ok && op.attempts == 2, "\(op.detail), attempts \(op.attempts)")
        }
    }

    /// Nodes that never come back: the read retries `readRetries` times, then fails.
    @Test func aReadGivesUpAfterItsRetries() throws {
        var resources = ResourceModel()
        resources.statusCheck = false
        resources.readRetries = 3
        var h = try ModelHarness()
        let (blob, encoded, _) = try h.encodeBlob(0, size: 5_000)
        try h.storeEverywhereAndCertify(blob, encoded)
        var (finished, timers) = play(&h, h.client.startRead(op: 4, blob: blob, order: Array(0..<10), context: context(h, resources)),
                                      syncing: [0, 1, 2], resources: resources)
        var passes = 1
        while finished == nil, let token = timers.first(where: { $0 & 0xff == 7 }) {
            h.now = h.now + .seconds(5)
            (finished, timers) = play(&h, h.client.timerFired(token: token, context: context(h, resources)), syncing: [0, 1, 2], resources: resources)
            passes += 1
        }
        let op = try #require(finished)
        #expect(op.result == .failed && passes == 4 && op.attempts == 4, "passes \(passes), attempts \(op.attempts)")
    }

    /// The committee-change backoff: `min(5 s, 1 s x 2^i + jitter)`, jitter in 0...1000 ms, the
    /// same for the same operation and retry.
    @Test func readBackoffFollowsTheSDKsCommitteeChangeBackoff() {
        let r = ResourceModel()
        for op in UInt64(0)..<40 {
            for retry in 0..<6 {
                let d = r.readRetryDelay(op: op, retry: retry).nanoseconds
                let base = (UInt64(1) << UInt64(retry)) * 1_000_000_000
                #expect(d >= min(base, 5_000_000_000) && d <= min(base + 1_000_000_000, 5_000_000_000), "op \(op) retry \(retry): \(d)")
                #expect(d == r.readRetryDelay(op: op, retry: retry).nanoseconds)
            }
        }
        #expect(Set((UInt64(0)..<40).map { r.readRetryDelay(op: $0, retry: 0).nanoseconds }).count > 30)
    }

    /// The SDK keeps its limit of sliver requests in flight until it holds enough
    /// (`WeightedFutures::execute_weight`): with one of 4 needed still missing and its request
    /// unanswered, each sliver that arrives is followed by a new request, not by none.
    @Test func requestsInFlightStayAtTheLimitToTheEnd() throws {
        var resources = ResourceModel()
        resources.statusCheck = false
        var h = try ModelHarness()
        let (blob, encoded, _) = try h.encodeBlob(0, size: 5_000)
        try h.storeEverywhereAndCertify(blob, encoded)
        let ctx = context(h, resources)
        let start = h.client.startRead(op: 5, blob: blob, order: Array(0..<10), context: ctx)
        let (node, metadataRequest) = try #require(start.sent.first)
        guard case .node(let n) = node else { Issue.record("metadata not asked of a node"); return }
        var out: [Action] = []
        for (_, reply) in h.nodes[n.index].receive(metadataRequest, from: .client(ClientID(0)), context: ctx).sent {
            out += h.client.receive(reply, from: node, context: ctx)
        }
        let first = out.sent.filter { if case .sliverRequest = $0.message { true } else { false } }
        #expect(first.count == 4)  // R = n - 2f = 4 of 10 shards
        // Three requests are answered with their slivers; the fourth never is.
        var followUps = 0
        for (to, request) in first.prefix(3) {
            guard case .node(let m) = to else { continue }
            for (_, reply) in h.nodes[m.index].receive(request, from: .client(ClientID(0)), context: ctx).sent {
                followUps += h.client.receive(reply, from: to, context: ctx).sent.filter { if case .sliverRequest = $0.message { true } else { false } }.count
            }
        }
        #expect(followUps == 3, "\(followUps) new requests after 3 slivers")
    }
}
