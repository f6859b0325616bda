import RedStuff
import SimSupport
import Testing

@testable import WalrusModel

/// `SliverAnswers`, the slivers of a batched answer: the compact form (modeled slivers of the
/// asked pairs, one size, some not served) reads as the same payloads, at the same size on the
/// wire, as the answers given one by one; anything else is kept as given.
@Suite struct SliverAnswersTests {
    let pairs = [12, 3, 40, 7, 0]

    /// The answers built pair by pair, read back at every position.
    func readBack(_ given: [SliverPayload?]) -> (SliverAnswers, [SliverPayload?]) {
        var builder = SliverAnswers.Builder(pairs: pairs)
        for answer in given { builder.append(answer) }
        let answers = builder.answers
        return (answers, pairs.indices.map { answers.payload(at: $0, pair: pairs[$0]) })
    }

    @Test func everyFormReadsAsTheAnswersGiven() throws {
        let real = try Sliver(axis: .primary, index: 40, symbolSize: 2, data: [1, 2, 3, 4])
        let modeled: [SliverPayload?] = pairs.map { .modeled(index: $0, bytes: 900) }
        var someMissing = modeled
        someMissing[1] = nil
        someMissing[4] = nil
        var withReal = modeled
        withReal[2] = .real(real)
        var wrongIndex = modeled
        wrongIndex[3] = .modeled(index: 8, bytes: 900)
        var twoSizes = modeled
        twoSizes[4] = .modeled(index: 0, bytes: 901)
        let cases: [(given: [SliverPayload?], compact: Bool)] = [
            (modeled, true), (someMissing, true), (pairs.map { _ in nil }, true),
            (withReal, false), (wrongIndex, false), (twoSizes, false), ([nil, nil, .real(real), nil, nil], false),
        ]
        for (given, compact) in cases {
            let (answers, back) = readBack(given)
            #expect(back == given)
            #expect(answers.count == given.count)
            #expect(answers.wireBytes == given.reduce(0) { $0 + ($1?.wireBytes ?? 1) })
            #expect(answers == SliverAnswers(pairs: pairs) { pair in given[pairs.firstIndex(of: pair)!] })
            for k in given.indices {
                let expected: Int? = if compact, case .modeled(_, let b)? = given[k] { b } else { nil }
                #expect(answers.compactModeledBytes(at: k) == expected, "\(given) at \(k)")
            }
        }
        #expect(SliverAnswers.Builder(pairs: []).answers.count == 0)
    }

    /// What a node answers a batched request with, position by position, against `servable`
    /// asked pair by pair.
    func answersAgree(_ h: ModelHarness, node i: Int, _ blob: BlobRef, pairs asked: [Int]? = nil) -> (agree: Bool, served: Int) {
        var node = h.nodes[i]
        let pairs = asked ?? Array((0..<h.config.nShards).reversed())
        let actions = node.receive(.sliversRequest(blob: blob, pairs: pairs), from: .client(ClientID(0)), context: h.context)
        guard case .send(_, .sliversResponse(_, let asked, let answers))? = actions.last, asked == pairs else { return (false, 0) }
        let node0 = node
        guard answers == SliverAnswers(pairs: pairs, serve: { node0.servable(blob, $0, h.context)?.primary }) else { return (false, 0) }
        var served = 0
        for (k, pair) in pairs.enumerated() {
            let expected = node.servable(blob, pair, h.context)?.primary
            guard answers.payload(at: k, pair: pair) == expected else { return (false, served) }
            if expected != nil { served += 1 }
        }
        return (true, served)
    }

    /// A node serves a batched request (per-blob checks once for a modeled blob) exactly what
    /// it serves pair by pair: a modeled blob it holds some pairs of, then the same blob
    /// deleted (nothing served), and a real blob.
    @Test func aNodeAnswersABatchAsItServesEachPair() throws {
        var h = try ModelHarness()
        let modeled = try h.addModeledBlob(0, size: 1_000, deletable: true)
        let (blob, mapping) = (modeled.blob, modeled.mapping)
        let mine = h.view.committee.shards(of: NodeID(1))
        h.storeModeled(modeled, node: 1, shards: Array(mine.dropFirst()))
        let held = answersAgree(h, node: 1, blob)
        #expect(held.agree && held.served == mine.count - 1)
        // A node that stored its whole list (the group), asked for exactly its shards' pairs in
        // order (what an honest reader asks), in another order, and for one pair more.
        let theirs = h.view.committee.shards(of: NodeID(2))
        h.storeModeled(modeled, node: 2)
        let inOrder = theirs.map { mapping.pair(ofShard: $0.index) }
        let other = mapping.pair(ofShard: mine[0].index)  // a pair of node 1's, not node 2's
        let cases = [(inOrder, theirs.count), (inOrder.reversed(), theirs.count), (inOrder + [other], theirs.count),
                     (inOrder.dropLast() + [other], theirs.count - 1)]
        for (asked, served) in cases {
            let answer = answersAgree(h, node: 2, blob, pairs: asked)
            #expect(answer.agree && answer.served == served, "\(asked)")
        }
        h.executeOnChain(.deleteBlob(client: ClientID(0), blob: blob), from: .client(ClientID(0)))
        let deleted = answersAgree(h, node: 1, blob)
        #expect(deleted.agree && deleted.served == 0)

        let (real, realEncoded, _) = try h.encodeBlob(1, size: 2_000, seed: 7)
        try h.storeEverywhereAndCertify(real, realEncoded)
        let realAnswers = answersAgree(h, node: 2, real)
        #expect(realAnswers.agree && realAnswers.served == h.view.committee.shards(of: NodeID(2)).count)
    }

    /// A read of a modeled blob played to its end, every node answering honestly; `listed`
    /// hands the client each batched answer as payloads (the pair-by-pair path) instead of the
    /// compact form the nodes built (taken whole). Returns every action of the client, in order.
    func playModeledRead(listed: Bool) throws -> [String] {
        var h = try ModelHarness()
        let modeled = try h.addModeledBlob(0, size: 3_000)
        let blob = modeled.blob
        for i in h.nodes.indices { h.storeModeled(modeled, node: i) }
        var log: [String] = []
        var queue = h.client.startRead(op: 7, blob: blob, order: [3, 8, 1, 6, 0, 9, 2, 5, 7, 4], context: h.context).sent
        var finished = false
        while !queue.isEmpty, !finished {
            let (to, message) = queue.removeFirst()
            guard case .node(let n) = to else { continue }
            for (_, reply) in h.nodes[n.index].receive(message, from: .client(ClientID(0)), context: h.context).sent {
                var answer = reply
                if listed, case .sliversResponse(let b, let pairs, let slivers) = reply {
                    answer = .sliversResponse(blob: b, pairs: pairs, slivers: SliverAnswers(pairs.indices.map { slivers.payload(at: $0, pair: pairs[$0]) }))
                }
                let out = h.client.receive(answer, from: to, context: h.context)
                log += out.map { String(describing: $0) }
                queue += out.sent
                if out.observed.contains(where: { if case .operationFinished = $0 { true } else { false } }) { finished = true }
            }
        }
        #expect(finished)
        return log
    }

    /// A client takes an honest node's whole compact answer at once; that gives the read
    /// exactly what taking it pair by pair gives: the same CPU charged, the same requests, the
    /// same bytes and end.
    @Test func aWholeAnswerTakenAtOnceEqualsPairByPair() throws {
        let whole = try playModeledRead(listed: false)
        let pairByPair = try playModeledRead(listed: true)
        #expect(whole == pairByPair)
        #expect(whole.contains { $0.contains("operationFinished") && $0.contains("ok") })
    }

    /// A message carrying the compact form costs, on the wire, what the same answers given as
    /// payloads cost.
    @Test func aBatchedAnswerWeighsTheSameInEitherForm() {
        var builder = SliverAnswers.Builder(pairs: pairs)
        for (k, pair) in pairs.enumerated() { builder.append(k == 1 ? nil : .modeled(index: pair, bytes: 4_096)) }
        let given: [SliverPayload?] = pairs.enumerated().map { $0.offset == 1 ? nil : .modeled(index: $0.element, bytes: 4_096) }
        let compact = Message.sliversResponse(blob: BlobRef(0), pairs: pairs, slivers: builder.answers)
        let listed = Message.sliversResponse(blob: BlobRef(0), pairs: pairs, slivers: SliverAnswers(given))
        #expect(compact.wireBytes == listed.wireBytes)
    }
}
