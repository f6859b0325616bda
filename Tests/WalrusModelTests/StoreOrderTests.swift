import SimSupport
import Testing
@testable import WalrusModel

/// The order in which a write's store batches go under `[resources]`, as the SDK the paper ran
/// orders its sliver writes (`retry_with_limits_and_backoff` at `f7135f5b`): each request takes
/// the write's permit among the sliver writes in flight first (a FIFO semaphore), then one of
/// its node's connections, and holds the first while it waits for the second.
@Suite struct StoreOrderTests {
    /// One pair per batch (2 connections per node) and room for two batches (4 slivers).
    func resources(_ h: ModelHarness, blobSize: UInt64) throws -> ResourceModel {
        var r = ResourceModel()
        r.statusCheck = false
        r.registrationDelay = .zero
        r.maxNodeConnections = 2
        r.maxDataInFlight = 4 * UInt64(try h.config.sliverSize(.primary, blobLength: blobSize))
        return r
    }

    func context(_ h: ModelHarness, _ r: ResourceModel) -> ProtocolContext {
        ProtocolContext(now: h.now, view: h.view, catalog: h.catalog, config: h.config,
                        costs: CostModel(encodeBytesPerSecond: 400 << 20, signatureCost: .microseconds(470)),
                        signatures: .real, resources: r)
    }

    /// Registers a 1,200-byte write and returns the stores sent once the registration is seen.
    func startStoring(_ h: inout ModelHarness, _ r: ResourceModel) throws -> [(to: Party, message: Message)] {
        let (blob, encoded, _) = try h.encodeBlob(0, size: 1_200)
        let start = h.client.startWrite(op: 1, blob: blob, encoded: BlobToWrite(encoded: encoded), sizeBytes: 1_200, epochs: 2,
                                        deletable: false, context: context(h, r))
        let registered = h.executeOnChain(try #require(start.submitted.first), from: .client(ClientID(0)))
        return h.client.chainEvent(registered[0], context: context(h, r)).sent
    }

    /// The first member's stores in flight to it (one batch) and parked behind it (one batch)
    /// take all the room: no other member gets a batch until the first member's batches drain.
    /// (Passing a busy member over, the other members' batches would go at once.)
    @Test func aMembersParkedBatchesHoldTheRoomOfTheSliverWritesInFlight() throws {
        var h = try ModelHarness()
        let r = try resources(h, blobSize: 1_200)
        let first = h.view.committee.members[0]
        #expect(first.shards.count >= 3, "the test needs a member with three batches")
        var sent = try startStoring(&h, r)
        #expect(sent.map(\.to) == [.node(first.node)], "\(sent.map(\.to))")
        // Each answer from the first member sends its parked batch; the queue behind it (its own
        // next batch) parks again and holds the rest of the room.
        var answered = 0
        var others: [Party] = []
        while others.isEmpty, let (to, message) = sent.first, to == .node(first.node), answered < 10 {
            sent.removeFirst()
            let replies = h.nodes[first.node.index].receive(message, from: .client(ClientID(0)), context: context(h, r)).sent
            answered += 1
            for (_, reply) in replies { sent += h.client.receive(reply, from: to, context: context(h, r)).sent }
            others = sent.map(\.to).filter { $0 != .node(first.node) }
            if others.isEmpty { #expect(sent.count == 1, "one batch at a time to the first member") }
        }
        // The second member's first batch goes only with the first member's last batch in flight.
        #expect(answered == first.shards.count - 1, "\(answered) answers before another member got a batch")
        #expect(others == [.node(h.view.committee.members[1].node)], "\(others)")
    }

    /// A member that refuses its first batch (it has not seen the registration) gives back the
    /// room of its parked batches too: the SDK queues a member's slivers only after its metadata
    /// is stored, so the next member's batch goes at once, and the refused member's batches go
    /// again, in order, after the backoff.
    @Test func aRefusedMemberGivesBackTheRoomOfItsParkedBatches() throws {
        var h = try ModelHarness()
        let r = try resources(h, blobSize: 1_200)
        let members = h.view.committee.members
        let sent = try startStoring(&h, r)
        #expect(sent.map(\.to) == [.node(members[0].node)])
        guard case .store(let blob, _, _)? = sent.first?.message else { Issue.record("\(sent)"); return }
        let refusal = h.client.receive(.blobStatusResponse(blob: blob, registered: false, certified: false),
                                       from: .node(members[0].node), context: context(h, r))
        #expect(refusal.sent.map(\.to) == [.node(members[1].node)], "\(refusal.sent.map(\.to))")
        let retry = try #require(refusal.timerTokens.first)
        // After the backoff the refused member's first batch goes again (it heads the queue);
        // its other batches park behind it.
        h.now = h.now + r.storeRetryDelay(node: members[0].node.index, retry: 0)
        let again = h.client.timerFired(token: retry, context: context(h, r))
        #expect(again.sent.isEmpty, "the room is held by the second member's batches: \(again.sent.map(\.to))")
        // The second member answers: its room goes to the refused member's batch at the head.
        guard let toSecond = refusal.sent.first else { return }
        var replies: [(to: Party, message: Message)] = []
        for (_, reply) in h.nodes[members[1].node.index].receive(toSecond.message, from: .client(ClientID(0)), context: context(h, r)).sent {
            replies += h.client.receive(reply, from: .node(members[1].node), context: context(h, r)).sent
        }
        #expect(replies.map(\.to).contains(.node(members[0].node)), "\(replies.map(\.to))")
    }

    /// A member that never answers (it is down) holds its room only until the request timeout:
    /// the batch then fails like a refused one, the next member's batch goes, and after
    /// `storeRetries` retries (each timing out) the client gives up on the member and the
    /// rest of the write no longer waits behind it.
    @Test func anUnansweredBatchTimesOutAndTheMemberIsGivenUpOnAfterItsRetries() throws {
        var h = try ModelHarness()
        var r = try resources(h, blobSize: 1_200)
        r.storeRetries = 1
        let members = h.view.committee.members
        var sent = try startStoring(&h, r)
        #expect(sent.map(\.to) == [.node(members[0].node)])
        // Nothing is answered. At the timeout the batch fails: room for the second member.
        h.now = h.now + r.storeRequestTimeout
        let timeout = h.client.timerFired(token: 1 << 8 | 8, context: context(h, r))
        #expect(timeout.sent.map(\.to) == [.node(members[1].node)], "\(timeout.sent.map(\.to))")
        let retry = try #require(timeout.timerTokens.first { $0 & 0xff == 6 })
        // The others answer everything; after the backoff the first member's batch goes again
        // (once there is room) and is again unanswered: the one retry is spent, the member dropped.
        var pending = timeout.sent
        var toFirst = 0
        var retried = false
        for _ in 0..<200 {
            guard let (to, message) = pending.first else {
                guard !retried else { break }
                retried = true
                h.now = h.now + r.storeRetryDelay(node: members[0].node.index, retry: 0)
                pending = h.client.timerFired(token: retry, context: context(h, r)).sent
                continue
            }
            pending.removeFirst()
            guard case .node(let n) = to, n != members[0].node else { toFirst += 1; continue }
            for (_, reply) in h.nodes[n.index].receive(message, from: .client(ClientID(0)), context: context(h, r)).sent {
                pending += h.client.receive(reply, from: to, context: context(h, r)).sent
            }
        }
        #expect(retried && toFirst == 1, "the first member's batch went again once: \(toFirst)")
        h.now = h.now + r.storeRequestTimeout
        let second = h.client.timerFired(token: 1 << 8 | 8, context: context(h, r))
        #expect(second.timerTokens.allSatisfy { $0 & 0xff != 6 }, "no retry after the last one")
        #expect(second.sent.allSatisfy { $0.to != .node(members[0].node) }, "the member is given up on")
    }
}
