import Economics
import RedStuff
import SimSupport
import Testing
import WalrusCrypto
@testable import WalrusModel

/// The chain, storage node and client as state machines: an input in, the actions out.
@Suite struct ChainStateMachineTests {
    @Test func genesisSelectsACommitteeOwningEveryShard() throws {
        let h = try ModelHarness()
        #expect(h.view.epoch == Epoch(1))
        #expect(h.view.committee.totalShards == 10)
        #expect(h.view.committee.count == 4)
        #expect(h.view.ownerOf.allSatisfy { $0 != nil })
    }

    @Test func certificationNeedsAQuorumOfValidSignatures() throws {
        var h = try ModelHarness()
        let (blob, encoded, _) = try h.encodeBlob(0, size: 1_000)
        let registered = h.executeOnChain(.registerBlob(client: ClientID(0), blob: blob, blobID: encoded.metadata.blobID,
                                                        unencodedBytes: 1_000, epochs: 2, deletable: false), from: .client(ClientID(0)))
        guard case .blobRegistered(blob, let end)? = registered.first else { Issue.record("\(registered)"); return }
        #expect(end == h.view.epoch + 2)
        // One node's signature (2-3 of 10 shards) is below 2f+1 = 7.
        let actions = h.nodes[0].receive(.store(blob: blob, metadata: SharedMetadata(encoded.metadata),
                                                pairs: StorePairs(h.pairs(ofNode: 0, blobID: encoded.metadata.blobID).map { .real(encoded.pairs[$0]) })),
                                         from: .client(ClientID(0)), context: h.context)
        let signatures = actions.sent.compactMap { if case .stored(_, _, let s?) = $0.message { s } else { nil } }
        #expect(signatures.count == 1)
        func certificate(_ sigs: [ConfirmationSignature]) throws -> AggregateCertificate {
            try #require(AggregateCertificate.aggregate(sigs, .blobCertification, epoch: h.view.epoch, blobID: encoded.metadata.blobID, mode: .real))
        }
        let failed = h.executeOnChain(.certifyBlob(client: ClientID(0), blob: blob, epoch: h.view.epoch, certificate: try certificate(signatures)),
                                      from: .client(ClientID(0)))
        guard case .transactionFailed(_, blob?, let reason)? = failed.first else { Issue.record("\(failed)"); return }
        #expect(reason.contains("below quorum"))
        // A forged certificate (right signers, another node's signature) is refused outright.
        var forged = try certificate(signatures)
        forged.signers = [NodeID(forged.signers[0].rawValue == 1 ? 2 : 1)]
        let refused = h.executeOnChain(.certifyBlob(client: ClientID(0), blob: blob, epoch: h.view.epoch, certificate: forged),
                                       from: .client(ClientID(0)))
        guard case .transactionFailed(_, _, let why)? = refused.first else { Issue.record("\(refused)"); return }
        #expect(why.contains("invalid aggregate signature"))
    }
}

@Suite struct StorageNodeStateMachineTests {
    @Test func storesVerifiedPairsAndSignsOnlyWhenAllItsPairsArrived() throws {
        var h = try ModelHarness()
        let (blob, encoded, _) = try h.encodeBlob(0, size: 2_000)
        h.executeOnChain(.registerBlob(client: ClientID(0), blob: blob, blobID: encoded.metadata.blobID, unencodedBytes: 2_000,
                                       epochs: 2, deletable: false), from: .client(ClientID(0)))
        let mine = h.pairs(ofNode: 1, blobID: encoded.metadata.blobID)
        #expect(mine.count >= 2)
        // Only the first of its pairs: stored, but no signature yet.
        var actions = h.nodes[1].receive(.store(blob: blob, metadata: SharedMetadata(encoded.metadata), pairs: [.real(encoded.pairs[mine[0]])]),
                                         from: .client(ClientID(0)), context: h.context)
        #expect(h.nodes[1].heldPairs(blob) == [mine[0]])
        guard case .stored(blob, _, nil)? = actions.sent.last?.message else { Issue.record("\(actions)"); return }
        // All of them: signed, and the signature verifies against the node's key.
        actions = h.nodes[1].receive(.store(blob: blob, metadata: SharedMetadata(encoded.metadata), pairs: StorePairs(mine.map { .real(encoded.pairs[$0]) })),
                                     from: .client(ClientID(0)), context: h.context)
        #expect(h.nodes[1].heldPairs(blob) == mine)
        guard case .stored(blob, let epoch, let sig?)? = actions.sent.last?.message else { Issue.record("\(actions)"); return }
        #expect(ConfirmationSigner.verify(sig, epoch: epoch, blobID: encoded.metadata.blobID, mode: .real,
                                          publicKey: h.nodes[1].signer.publicKey))
    }

    @Test func rejectsACorruptedPairAndRefusesToSign() throws {
        var h = try ModelHarness()
        let (blob, encoded, _) = try h.encodeBlob(0, size: 2_000)
        h.executeOnChain(.registerBlob(client: ClientID(0), blob: blob, blobID: encoded.metadata.blobID, unencodedBytes: 2_000,
                                       epochs: 2, deletable: false), from: .client(ClientID(0)))
        let mine = h.pairs(ofNode: 2, blobID: encoded.metadata.blobID)
        var pairs = mine.map { encoded.pairs[$0] }
        var bytes = pairs[0].primary.data
        bytes[0] ^= 0xFF
        pairs[0] = SliverPair(primary: try Sliver(axis: .primary, index: pairs[0].primary.index, symbolSize: pairs[0].primary.symbolSize, data: bytes),
                              secondary: pairs[0].secondary)
        let actions = h.nodes[2].receive(.store(blob: blob, metadata: SharedMetadata(encoded.metadata), pairs: StorePairs(pairs.map { .real($0) })),
                                         from: .client(ClientID(0)), context: h.context)
        #expect(!h.nodes[2].holds(blob, pair: mine[0]))
        #expect(actions.observed.contains { if case .sliverRejected = $0 { true } else { false } })
        guard case .stored(_, _, nil)? = actions.sent.last?.message else { Issue.record("signed a corrupted store: \(actions)"); return }
    }

    @Test func metadataThatDoesNotMatchTheBlobIDIsRefused() throws {
        var h = try ModelHarness()
        let (blob, encoded, _) = try h.encodeBlob(0, size: 500)
        let (_, other, _) = try h.encodeBlob(1, size: 500, seed: 99)
        h.executeOnChain(.registerBlob(client: ClientID(0), blob: blob, blobID: encoded.metadata.blobID, unencodedBytes: 500,
                                       epochs: 2, deletable: false), from: .client(ClientID(0)))
        let actions = h.nodes[0].receive(.store(blob: blob, metadata: SharedMetadata(other.metadata), pairs: []), from: .client(ClientID(0)), context: h.context)
        #expect(h.nodes[0].heldPairs(blob).isEmpty)
        guard case .stored(_, _, nil)? = actions.sent.last?.message else { Issue.record("\(actions)"); return }
    }

    @Test func storesThatArriveBeforeTheRegistrationWaitForIt() throws {
        var h = try ModelHarness()
        let (blob, encoded, _) = try h.encodeBlob(0, size: 800)
        let mine = h.pairs(ofNode: 0, blobID: encoded.metadata.blobID)
        let early = h.nodes[0].receive(.store(blob: blob, metadata: SharedMetadata(encoded.metadata), pairs: StorePairs(mine.map { .real(encoded.pairs[$0]) })),
                                       from: .client(ClientID(0)), context: h.context)
        #expect(early.isEmpty)
        let events = h.executeOnChain(.registerBlob(client: ClientID(0), blob: blob, blobID: encoded.metadata.blobID, unencodedBytes: 800,
                                                    epochs: 2, deletable: false), from: .client(ClientID(0)))
        let actions = h.nodes[0].chainEvent(events[0], context: h.context)
        guard case .stored(blob, _, _?)? = actions.sent.last?.message else { Issue.record("\(actions)"); return }
        #expect(h.nodes[0].heldPairs(blob) == mine)
    }

    @Test func servesMetadataAndPrimarySliversItHoldsAndNothingWhenDown() throws {
        var h = try ModelHarness()
        let (blob, encoded, _) = try h.encodeBlob(0, size: 1_500)
        try h.storeEverywhereAndCertify(blob, encoded)
        let pair = h.pairs(ofNode: 3, blobID: encoded.metadata.blobID)[0]
        let reply = h.nodes[3].receive(.sliverRequest(blob: blob, pair: pair), from: .client(ClientID(0)), context: h.context)
        guard case .sliverResponse(blob, pair, .real(let sliver)?)? = reply.sent.first?.message else { Issue.record("\(reply)"); return }
        #expect(sliver == encoded.pairs[pair].primary)
        let meta = h.nodes[3].receive(.metadataRequest(blob: blob), from: .client(ClientID(0)), context: h.context)
        guard case .metadataResponse(blob, let m?)? = meta.sent.first?.message else { Issue.record("\(meta)"); return }
        #expect(m.value == encoded.metadata)
        h.nodes[3].crash()
        #expect(h.nodes[3].receive(.sliverRequest(blob: blob, pair: pair), from: .client(ClientID(0)), context: h.context).isEmpty)
    }

    /// A node that missed a certified blob waits out the upload deferral, then asks the others
    /// for recovery symbols; fed their answers (computed by their own state machines), it
    /// rebuilds exactly the honest pairs.
    @Test func recoversMissedPairsFromOtherNodesSymbols() throws {
        var h = try ModelHarness()
        let (blob, encoded, _) = try h.encodeBlob(0, size: 3_000)
        try h.storeEverywhereAndCertify(blob, encoded, skippingNode: 0)
        #expect(h.nodes[0].heldPairs(blob).isEmpty)
        let certified = ChainEvent.blobCertified(blob: blob, epoch: h.view.epoch, endEpoch: h.view.epoch + 3)
        let deferral = h.nodes[0].chainEvent(certified, context: h.context)
        #expect(deferral.sent.isEmpty && deferral.timerTokens.count == 1)
        let recovered = h.pump(h.nodes[0].timerFired(token: deferral.timerTokens[0], context: h.context), at: 0)
        let mine = h.pairs(ofNode: 0, blobID: encoded.metadata.blobID)
        #expect(recovered.sorted() == mine)
        #expect(h.nodes[0].heldPairs(blob) == mine)
        for p in mine {
            let reply = h.nodes[0].receive(.sliverRequest(blob: blob, pair: p), from: .client(ClientID(0)), context: h.context)
            guard case .sliverResponse(_, _, .real(let s)?)? = reply.sent.first?.message else { Issue.record("\(reply)"); continue }
            #expect(s == encoded.pairs[p].primary)
        }
    }

    /// Duplicate answers, a node answering twice for a moved shard's old and new owner, a node
    /// that is down: recovery counts each source once, replaces the silent node, and when it has
    /// asked everyone without enough symbols it backs off and tries again rather than giving up.
    @Test func recoveryCountsSourcesOnceAndNeverGivesUpWhileSourcesExist() throws {
        var h = try ModelHarness(nodeCount: 6, shards: 13)  // f = 4: primary recovery needs 9 sources
        let (blob, encoded, _) = try h.encodeBlob(0, size: 4_000)
        try h.storeEverywhereAndCertify(blob, encoded, skippingNode: 0)
        let mine = h.pairs(ofNode: 0, blobID: encoded.metadata.blobID)
        // The node with most shards (asked first) is down at first.
        let others = (1..<6).sorted { h.view.committee.weight(of: NodeID(UInt32($0))) > h.view.committee.weight(of: NodeID(UInt32($1))) }
        let down = others[0]
        h.nodes[down].crash()
        var recovered = h.pump(h.nodes[0].restart(loseDisk: true, context: h.context), at: 0, duplicate: true)
        // Time passes; timers fire (metadata and round timeouts, back-offs). The down node comes
        // back after a while; until then the recovery may lack sources, and must keep trying.
        for step in 0..<12 where recovered.count < mine.count {
            if step == 4 {
                h.nodes[down] = StorageNode(id: NodeID(UInt32(down)), signer: h.nodes[down].signer)
                try h.restoreStore(node: down, blob, encoded)
            }
            h.now = h.now + .seconds(120)
            for token in h.pendingTimers(of: 0) {
                recovered += h.pump(h.nodes[0].timerFired(token: token, context: h.context), at: 0, duplicate: true)
            }
        }
        #expect(recovered.sorted() == mine, "recovered \(recovered) of \(mine)")
        #expect(h.nodes[0].heldPairs(blob) == mine)
    }
}

@Suite struct ClientStateMachineTests {
    /// The write flow, step by step: register, store to every member, certify after a quorum
    /// of confirmations and the SDK's extra wait, finish when the certification is seen.
    @Test func writeRegistersStoresCertifiesAndFinishes() throws {
        var h = try ModelHarness()
        let (blob, encoded, _) = try h.encodeBlob(0, size: 1_200)
        var actions = h.client.startWrite(op: 1, blob: blob, encoded: BlobToWrite(encoded: encoded), sizeBytes: 1_200, epochs: 2,
                                          deletable: false, context: h.context)
        guard case .cpu? = actions.first, case .registerBlob(_, blob, let id, 1_200, 2, false)? = actions.submitted.first else {
            Issue.record("\(actions)"); return
        }
        #expect(id == encoded.metadata.blobID)
        let registered = h.executeOnChain(actions.submitted[0], from: .client(ClientID(0)))
        actions = h.client.chainEvent(registered[0], context: h.context)
        #expect(actions.sent.count == 4)  // one store per committee member
        var certifyToken: UInt64?
        for (to, message) in actions.sent {
            guard case .node(let n) = to else { continue }
            for (_, reply) in h.nodes[n.index].receive(message, from: .client(ClientID(0)), context: h.context).sent {
                let out = h.client.receive(reply, from: to, context: h.context)
                if let t = out.timerTokens.first { certifyToken = t }
            }
        }
        let token = try #require(certifyToken, "no certification scheduled after a quorum of confirmations")
        actions = h.client.timerFired(token: token, context: h.context)
        guard case .certifyBlob(_, blob, _, let certificate)? = actions.submitted.first else { Issue.record("\(actions)"); return }
        #expect(certificate.signers.count == 4 && certificate.signature.count == 96)
        let certified = h.executeOnChain(actions.submitted[0], from: .client(ClientID(0)))
        actions = h.client.chainEvent(certified[0], context: h.context)
        guard case .operationFinished(let op)? = actions.observed.first else { Issue.record("\(actions)"); return }
        #expect(op.kind == .write && op.result == .ok && op.id == 1)
    }

    /// A write whose registration ends before it is certified cannot succeed (nodes stop signing
    /// for an expired blob and the chain refuses its certificate): when the epoch change that
    /// expires it arrives, the write fails at once, saying why, instead of retrying until its
    /// attempts run out.
    @Test func aWriteWhoseRegistrationExpiresBeforeCertificationFailsAtTheEpochChange() throws {
        var h = try ModelHarness()
        let (blob, encoded, _) = try h.encodeBlob(0, size: 1_200)
        let start = h.client.startWrite(op: 1, blob: blob, encoded: BlobToWrite(encoded: encoded), sizeBytes: 1_200, epochs: 1,
                                        deletable: false, context: h.context)
        let registered = h.executeOnChain(try #require(start.submitted.first), from: .client(ClientID(0)))
        let stores = h.client.chainEvent(registered[0], context: h.context)
        #expect(stores.sent.count == 4 && stores.observed.allSatisfy { if case .operationFinished = $0 { false } else { true } })
        // The stores are lost; the epoch ends before they are answered.
        let epoch = h.view.epoch
        for i in 0..<4 { h.executeOnChain(.epochSyncDone(node: NodeID(UInt32(i)), epoch: epoch), from: .node(NodeID(UInt32(i)))) }
        h.now = h.now + .seconds(60 * 86_400)
        h.executeOnChain(.votingEnd, from: .node(NodeID(0)))
        let change = h.executeOnChain(.initiateEpochChange, from: .node(NodeID(0)))
        guard case .epochChangeStart? = change.first, h.view.status(blob)?.endEpoch == h.view.epoch else {
            Issue.record("the epoch did not end the registration: \(change)"); return
        }
        let actions = h.client.chainEvent(change[0], context: h.context)
        guard case .operationFinished(let op)? = actions.observed.first else { Issue.record("\(actions)"); return }
        #expect(op.result == .failed && op.detail.contains("expired"))
        #expect(actions.sent.isEmpty, "no stores for an expired registration")
    }

    /// A node that gains shards pulls each one batch after batch from its previous owner: one
    /// request in flight per shard, the next sent when the previous is answered (as Walrus does;
    /// all at once, every answer waited in the owner's uplink together), until it holds them all.
    @Test func shardSyncPullsOneBatchAtATimePerShard() throws {
        var (h, joiner, gained, written, queue) = try newcomerTakingShards(blobsPerRequest: 2)
        // Plays the network: every request goes to its node, answers come straight back.
        var inFlight: [ShardIndex: Int] = [:], requests: [ShardIndex: Int] = [:], worst = 0
        for case (_, .syncRequest(let shard, _, _)) in queue { inFlight[shard, default: 0] += 1; requests[shard, default: 0] += 1 }
        while !queue.isEmpty {
            let (to, message) = queue.removeFirst()
            guard case .node(let owner) = to, case .syncRequest(let shard, let blobs, _) = message else { continue }
            #expect(blobs.count <= 2)
            worst = max(worst, inFlight.values.max() ?? 0)
            for (_, answer) in h.nodes[owner.index].receive(message, from: .node(joiner), context: h.context).sent {
                inFlight[shard]! -= 1
                let next = h.nodes[4].receive(answer, from: to, context: h.context).sent
                for case (_, .syncRequest(let s, _, _)) in next { inFlight[s, default: 0] += 1; requests[s, default: 0] += 1 }
                queue += next
            }
        }
        #expect(worst == 1, "more than one request of a shard in flight")
        #expect(requests.keys.sorted() == gained.sorted() && requests.values.allSatisfy { $0 == 3 }, "\(requests)")  // 5 blobs, 2 per request
        for (blob, encoded) in written {
            let mapping = ShardMapping(blobID: encoded.metadata.blobID, nShards: h.config.nShards)
            for shard in gained { #expect(h.nodes[4].holds(blob, pair: mapping.pair(ofShard: shard.index), context: h.context)) }
        }
    }

    /// A newcomer that takes shards at an epoch change, after five blobs were stored and
    /// certified by the four genesis members: the harness, its index, the shards it gained,
    /// the blobs written and the sync requests it sends first (one per gained shard).
    func newcomerTakingShards(blobsPerRequest: Int) throws -> (ModelHarness, NodeID, [ShardIndex], [(BlobRef, EncodedBlob)], [(to: Party, message: Message)]) {
        var h = try ModelHarness()
        var written: [(BlobRef, EncodedBlob)] = []
        for i in 0..<5 {
            let (blob, encoded, _) = try h.encodeBlob(UInt32(i), size: 300 + 50 * i, seed: UInt64(i + 1))
            try h.storeEverywhereAndCertify(blob, encoded)
            written.append((blob, encoded))
        }
        let joiner = NodeID(4)
        let signer = ConfirmationSigner(node: joiner, mode: .real, seed: [UInt8](repeating: 9, count: 32))
        try h.chain.addNode(joiner, publicKey: signer.publicKey, commission: BasisPoints(1_000),
                            votes: Votes(storagePriceFrost: Frost(1_000), writePriceFrost: Frost(100), capacityBytes: 1 << 40),
                            stake: Frost(8_000_000 * Frost.perWAL))
        h.nodes.append(StorageNode(id: joiner, signer: signer))
        h.nodes[4].syncBlobsPerRequest = blobsPerRequest
        let epoch = h.view.epoch
        for i in 0..<4 { h.executeOnChain(.epochSyncDone(node: NodeID(UInt32(i)), epoch: epoch), from: .node(NodeID(UInt32(i)))) }
        h.now = h.now + .seconds(60 * 86_400)
        h.executeOnChain(.votingEnd, from: .node(NodeID(0)))
        let change = h.executeOnChain(.initiateEpochChange, from: .node(NodeID(0)))
        let started = change.first.map { if case .epochChangeStart = $0 { true } else { false } } ?? false
        try #require(started, "no epoch change: \(change)")
        let gained = h.view.committee.shards(of: joiner)
        try #require(gained.count >= 2, "the newcomer got \(gained.count) shards")
        let first = h.nodes[4].chainEvent(change[0], context: h.context).sent
        return (h, joiner, gained, written, first)
    }

    /// Walrus sends no metadata with synced slivers; a node that lacks a blob's metadata gets it
    /// once. The newcomer lacks every blob's: over all its gained shards' requests each blob's
    /// metadata is asked for, and sent, exactly once (it was sent with every pair). The answers
    /// are fed back in reverse order, so that pairs of later shards arrive before the answer
    /// with their metadata: they wait for it, and every pair is stored without a recovery.
    @Test func shardSyncSendsEachBlobsMetadataOnceToTheNodeThatLacksIt() throws {
        var (h, joiner, gained, written, queue) = try newcomerTakingShards(blobsPerRequest: 2)
        var asked: [BlobRef: Int] = [:], carried: [BlobRef: Int] = [:], waited = 0, observed: [Observation] = []
        while !queue.isEmpty {
            var answers: [(from: Party, message: Message)] = []
            for (to, message) in queue {
                guard case .node(let owner) = to, case .syncRequest(_, _, let metadataFor) = message else { continue }
                for blob in metadataFor { asked[blob, default: 0] += 1 }
                for (_, answer) in h.nodes[owner.index].receive(message, from: .node(joiner), context: h.context).sent {
                    guard case .syncResponse(_, let items, let missing) = answer else { continue }
                    #expect(missing.isEmpty)
                    for item in items where item.metadata != nil { carried[item.blob, default: 0] += 1 }
                    answers.append((to, answer))
                }
            }
            queue = []
            for (from, answer) in answers.reversed() {
                let actions = h.nodes[4].receive(answer, from: from, context: h.context)
                waited = max(waited, h.nodes[4].sync.awaitingMetadata.values.map(\.count).reduce(0, +))
                observed += actions.observed
                queue += actions.sent
            }
        }
        #expect(written.allSatisfy { asked[$0.0] == 1 && carried[$0.0] == 1 }, "asked \(asked), carried \(carried)")
        #expect(waited > 0, "no pair arrived before its metadata: the reverse order did not exercise the wait")
        #expect(h.nodes[4].recoveries.isEmpty && h.nodes[4].sync.awaitingMetadata.isEmpty)
        #expect(!observed.contains { if case .sliverRejected = $0 { true } else { false } }, "\(observed)")
        for (blob, encoded) in written {
            let mapping = ShardMapping(blobID: encoded.metadata.blobID, nShards: h.config.nShards)
            for shard in gained { #expect(h.nodes[4].holds(blob, pair: mapping.pair(ofShard: shard.index), context: h.context)) }
        }
    }

    /// When the answer that was to bring a blob's metadata names the blob missing (its owner
    /// lost it), or brings metadata that does not match the blob ID (a lying owner), the pairs
    /// of the blob that came from other shards without metadata and waited for it are
    /// recovered from the other nodes, and so is the asked shard's own pair.
    @Test(arguments: [false, true])
    func syncPairsWaitingForMetadataThatWillNotComeAreRecovered(ownerLies: Bool) throws {
        var (h, joiner, gained, written, first) = try newcomerTakingShards(blobsPerRequest: 5)
        let requests = first.compactMap { r -> (owner: NodeID, shard: ShardIndex, blobs: [BlobRef], metadataFor: [BlobRef], message: Message)? in
            guard case .node(let owner) = r.to, case .syncRequest(let shard, let blobs, let metadataFor) = r.message else { return nil }
            return (owner, shard, blobs, metadataFor, r.message)
        }
        let asking = try #require(requests.first { !$0.metadataFor.isEmpty })
        #expect(Set(asking.metadataFor) == Set(written.map(\.0)) && requests.filter { !$0.metadataFor.isEmpty }.count == 1)
        // The other shards' owners answer first: their pairs come without metadata and wait.
        for r in requests where r.shard != asking.shard {
            for (_, answer) in h.nodes[r.owner.index].receive(r.message, from: .node(joiner), context: h.context).sent {
                _ = h.nodes[4].receive(answer, from: .node(r.owner), context: h.context)
            }
        }
        #expect(h.nodes[4].sync.awaitingMetadata.values.map(\.count).reduce(0, +) == written.count * (gained.count - 1))
        #expect(h.nodes[4].recoveries.isEmpty)
        // The asked owner has lost everything (names every blob missing), or lies about the metadata.
        var answer = Message.syncResponse(shard: asking.shard, items: [], missing: asking.blobs)
        if ownerLies {
            let honest = try #require(h.nodes[asking.owner.index].receive(asking.message, from: .node(joiner), context: h.context).sent.first)
            guard case .syncResponse(let shard, let items, let missing) = honest.message else { Issue.record("\(honest)"); return }
            #expect(items.count == written.count && items.allSatisfy { $0.metadata != nil })
            answer = .syncResponse(shard: shard, items: items.map { SyncItem(blob: $0.blob, metadata: $0.metadata.map(StorageNode.falsified), pair: $0.pair) },
                                   missing: missing)
        }
        let observed = h.nodes[4].receive(answer, from: .node(asking.owner), context: h.context).observed
        #expect(h.nodes[4].sync.awaitingMetadata.isEmpty && h.nodes[4].sync.metadataAsked.isEmpty)
        if ownerLies {
            #expect(observed.filter { if case .sliverRejected = $0 { true } else { false } }.count == written.count, "\(observed)")
        }
        for (blob, encoded) in written {
            let mapping = ShardMapping(blobID: encoded.metadata.blobID, nShards: h.config.nShards)
            for shard in gained {
                #expect(h.nodes[4].recoveries[StorageNode.RecoveryKey(blob: blob, pair: mapping.pair(ofShard: shard.index))] != nil,
                        "pair of shard \(shard) of \(blob) not being recovered")
            }
        }
    }

    /// A read fetches verified metadata, then primary slivers until it can decode, and checks
    /// the bytes against what was written.
    @Test func readDecodesTheWrittenBytes() throws {
        var h = try ModelHarness()
        let (blob, encoded, _) = try h.encodeBlob(0, size: 5_000)
        try h.storeEverywhereAndCertify(blob, encoded)
        var queue = h.client.startRead(op: 7, blob: blob, order: Array(0..<10), context: h.context).sent
        var finished: FinishedOperation?
        while !queue.isEmpty, finished == nil {
            let (to, message) = queue.removeFirst()
            guard case .node(let n) = to else { continue }
            for (_, reply) in h.nodes[n.index].receive(message, from: .client(ClientID(0)), context: h.context).sent {
                let out = h.client.receive(reply, from: to, context: h.context)
                queue += out.sent
                for case .operationFinished(let op) in out.observed { finished = op }
            }
        }
        let op = try #require(finished)
        #expect(op.kind == .read && op.result == .ok, "\(op.detail)")
    }

    /// With every node crashed, the read's attempts time out one by one and it fails.
    @Test func readGivesUpAfterItsAttempts() throws {
        var h = try ModelHarness()
        let (blob, encoded, _) = try h.encodeBlob(0, size: 500)
        try h.storeEverywhereAndCertify(blob, encoded)
        var actions = h.client.startRead(op: 3, blob: blob, order: Array(0..<10), context: h.context)
        var finished: FinishedOperation?
        for _ in 0..<20 where finished == nil {
            // Fire the earliest read timeout (token kind 3); nobody answers.
            guard let token = actions.timerTokens.first(where: { $0 & 0xff == 3 }) else { break }
            h.now = h.now + .seconds(30)
            actions = h.client.timerFired(token: token, context: h.context)
            for case .operationFinished(let op) in actions.observed { finished = op }
        }
        let op = try #require(finished)
        #expect(op.result == .failed && op.attempts == 4)
    }
}
