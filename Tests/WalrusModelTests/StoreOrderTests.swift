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

    /// Registers a 1,200-byte write and returns the requests sent once the registration is seen.
    func startStoring(_ h: inout ModelHarness, _ r: ResourceModel) throws -> [(to: Party, message: Message)] {
        let (blob, encoded, _) = try h.encodeBlob(0, size: 1_200)
        let start = h.client.startWrite(op: 1, blob: blob, encoded: BlobToWrite(encoded: encoded), sizeBytes: 1_200, epochs: 2,
                                        deletable: false, context: context(h, r))
        let registered = h.executeOnChain(try #require(start.submitted.first), from: .client(ClientID(0)))
        return h.client.chainEvent(registered[0], context: context(h, r)).sent
    }

    /// Whether `message` is a store batch (pairs), not a metadata request (a store without pairs).
    func isBatch(_ message: Message) -> Bool {
        if case .store(_, _, let pairs) = message { !pairs.isEmpty } else { false }
    }

    /// Plays the network for `sent` until nothing is left, the nodes in `silent` never answering;
    /// returns every request sent, in order (those of `sent` first).
    func play(_ h: inout ModelHarness, _ r: ResourceModel, _ sent: [(to: Party, message: Message)], silent: Set<NodeID> = [],
              limit: Int = 500) -> [(to: Party, message: Message)] {
        var pending = sent, all = sent
        var steps = 0
        while !pending.isEmpty, steps < limit {
            steps += 1
            let (to, message) = pending.removeFirst()
            guard case .node(let n) = to, !silent.contains(n) else { continue }
            for (_, reply) in h.nodes[n.index].receive(message, from: .client(ClientID(0)), context: context(h, r)).sent {
                let more = h.client.receive(reply, from: to, context: context(h, r)).sent
                pending += more
                all += more
            }
        }
        return all
    }

    /// Every member's metadata request goes first (one permit each, in committee order); a
    /// member's store batches follow once its metadata is answered.
    @Test func metadataRequestsGoFirstAndBatchesFollowTheirAnswers() throws {
        var h = try ModelHarness()
        let r = try resources(h, blobSize: 1_200)
        let sent = try startStoring(&h, r)
        #expect(sent.map(\.to) == h.view.committee.members.map { .node($0.node) }, "\(sent.map(\.to))")
        #expect(!sent.contains { isBatch($0.message) })
        // No answers: no batch ever goes.
        #expect(!play(&h, r, sent, silent: Set(h.view.committee.members.map(\.node))).contains { isBatch($0.message) })
    }

    /// The first member's store batch in flight (one batch) and the one parked behind it take
    /// all the room: no other member gets a batch until the first member's batches drain.
    /// (Passing a busy member over, the other members' batches would go at once.)
    @Test func aMembersParkedBatchesHoldTheRoomOfTheSliverWritesInFlight() throws {
        var h = try ModelHarness()
        let r = try resources(h, blobSize: 1_200)
        let members = h.view.committee.members
        #expect(members[0].shards.count >= 3, "the test needs a member with three batches")
        let all = play(&h, r, try startStoring(&h, r))
        let batches = all.filter { isBatch($0.message) }.map(\.to)
        // The first member's batches all go before any other member's.
        let firstOther = batches.firstIndex { $0 != .node(members[0].node) } ?? batches.count
        #expect(firstOther == members[0].shards.count, "\(batches)")
        #expect(batches.count == members.reduce(0) { $0 + $1.shards.count }, "one batch per pair: \(batches)")
    }

    /// A member that refuses its metadata (it has not seen the registration) gives back its
    /// room; its batches are not queued (the SDK queues a member's slivers only after its
    /// metadata is stored), the other members' go, and its metadata goes again after the backoff.
    @Test func aRefusedMemberGivesBackItsRoomAndItsBatchesWait() throws {
        var h = try ModelHarness()
        let r = try resources(h, blobSize: 1_200)
        let members = h.view.committee.members
        let sent = try startStoring(&h, r)
        guard case .store(let blob, _, _)? = sent.first?.message else { Issue.record("\(sent)"); return }
        let refusal = h.client.receive(.blobStatusResponse(blob: blob, registered: false, certified: false),
                                       from: .node(members[0].node), context: context(h, r))
        let retry = try #require(refusal.timerTokens.first { $0 & 0xff == 6 })
        let rest = play(&h, r, Array(sent.dropFirst()) + refusal.sent)
        #expect(!rest.contains { $0.to == .node(members[0].node) && isBatch($0.message) }, "no batch before the metadata")
        #expect(rest.contains { $0.to == .node(members[1].node) && isBatch($0.message) })
        // After the backoff its metadata request goes again, then its batches.
        h.now = h.now + r.storeRetryDelay(node: members[0].node.index, retry: 0)
        let again = play(&h, r, h.client.timerFired(token: retry, context: context(h, r)).sent)
        #expect(again.first.map { $0.to == .node(members[0].node) && !isBatch($0.message) } == true, "\(again.map(\.to))")
        #expect(again.filter { isBatch($0.message) }.count == members[0].shards.count)
    }

    /// A member that never answers (it is down) holds its room only until the request timeout:
    /// the request then fails like a refused one, and after `storeRetries` retries (each timing
    /// out) the client gives up on the member; the other members' batches all go meanwhile.
    @Test func anUnansweredRequestTimesOutAndTheMemberIsGivenUpOnAfterItsRetries() throws {
        var h = try ModelHarness()
        var r = try resources(h, blobSize: 1_200)
        r.storeRetries = 1
        let members = h.view.committee.members
        let down: Set<NodeID> = [members[0].node]
        let first = play(&h, r, try startStoring(&h, r), silent: down)
        #expect(first.filter { isBatch($0.message) }.count == members.dropFirst().reduce(0) { $0 + $1.shards.count },
                "the others' batches go beside the silent member's one permit")
        // At the timeout its request fails; after the backoff it goes again and times out again.
        h.now = h.now + r.storeRequestTimeout
        let timeout = h.client.timerFired(token: 1 << 8 | 8, context: context(h, r))
        let retry = try #require(timeout.timerTokens.first { $0 & 0xff == 6 })
        h.now = h.now + r.storeRetryDelay(node: members[0].node.index, retry: 0)
        let again = h.client.timerFired(token: retry, context: context(h, r)).sent
        #expect(again.map(\.to) == [.node(members[0].node)], "\(again.map(\.to))")
        h.now = h.now + r.storeRequestTimeout
        let second = h.client.timerFired(token: 1 << 8 | 8, context: context(h, r))
        #expect(second.timerTokens.allSatisfy { $0 & 0xff != 6 }, "no retry after the last one")
        #expect(second.sent.allSatisfy { $0.to != .node(members[0].node) }, "the member is given up on")
    }
}
