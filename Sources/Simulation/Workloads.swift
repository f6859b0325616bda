import Economics
import RedStuff
import ResultRecords
import SimEngine
import SimSupport
import WalrusCrypto
import WalrusModel

/// Workloads: what the clients do (writes, reads, lifecycle operations) and stake churn.
extension World {
    // MARK: Start

    /// Runs genesis at time zero (voting end and the first epoch change, so that the first
    /// committee is selected from the genesis stakes) and schedules workloads, faults and
    /// metrics. Call once, before running the simulator.
    public func start(_ scheduler: inout Scheduler) {
        let genesis = Party.node(NodeID(0))
        for tx in [Transaction.votingEnd, .initiateEpochChange] {
            let events = chain.execute(tx, submitter: genesis, now: .zero)
            recordFlows(.zero)
            for e in events { deliverChainEvent(e, executedAt: .zero, now: .zero, scheduler: &scheduler) }
        }
        for (i, w) in scenario.workloads.enumerated() {
            switch w.kind {
            case .writes(let spec): scheduler.schedule(at: SimTime.zero + spec.start, target: UInt32(i), kind: Kind.workload.rawValue)
            case .reads(let spec): scheduler.schedule(at: SimTime.zero + spec.start, target: UInt32(i), kind: Kind.workload.rawValue)
            case .lifecycle: scheduler.schedule(at: .zero, target: UInt32(i), kind: Kind.workload.rawValue)
            case .stakeChurn: break  // runs at each epoch start
            }
        }
        for (i, f) in scenario.faults.enumerated() {
            scheduler.schedule(at: SimTime.zero + f.at, target: UInt32(i), kind: Kind.faultStart.rawValue)
        }
        faultTargets = Array(repeating: [], count: scenario.faults.count)
        faultWindows = Array(repeating: nil, count: scenario.faults.count)
        faultCuts = Array(repeating: nil, count: scenario.faults.count)
        faultSides = Array(repeating: [], count: scenario.faults.count)
        scheduler.schedule(at: .zero, target: 0, kind: Kind.metrics.rawValue)
    }

    // MARK: Workloads

    /// Issues workload `w`'s next operation and schedules the one after.
    func runWorkload(_ w: Int, now: SimTime, scheduler: inout Scheduler) {
        let stream = workloadStreams[w]
        func next(_ gap: Distribution) {
            let d = SimDuration(seconds: max(0, gap.sample(stream)))
            scheduler.schedule(after: d, target: UInt32(w), kind: Kind.workload.rawValue)
        }
        switch scenario.workloads[w].kind {
        case .writes(let spec):
            guard workloadIssued[w] < spec.count else { return }
            workloadIssued[w] += 1
            startWrite(spec, stream: stream, now: now, scheduler: &scheduler)
            if workloadIssued[w] < spec.count { next(spec.interArrivalSeconds) }
        case .reads(let spec):
            guard workloadIssued[w] < spec.count else { return }
            if let blob = pickReadableBlob(stream) {
                workloadIssued[w] += 1
                let c = ClientID(UInt32(stream.uniformInt(below: UInt64(clients.count))))
                let order = clientStreams[Int(c.rawValue)].shuffled(Array(0..<config.nShards))
                let op = newOperation()
                execute(clients[Int(c.rawValue)].startRead(op: op, blob: blob, order: order, context: context(now, for: .client(c))),
                        for: .client(c), now: now, scheduler: &scheduler)
            }
            if workloadIssued[w] < spec.count { next(spec.interArrivalSeconds) }
        case .lifecycle(let spec):
            guard workloadIssued[w] < spec.count else { return }
            if let blob = pickLiveBlob(stream) {
                workloadIssued[w] += 1
                let info = blobs[Int(blob.index)]
                let client = info.writer
                if stream.bernoulli(spec.extendPermille, over: 1_000) || !info.deletable {
                    submit(.extendBlob(client: client, blob: blob, epochs: spec.extendEpochs), from: .client(client), now: now, scheduler: &scheduler)
                } else {
                    submit(.deleteBlob(client: client, blob: blob), from: .client(client), now: now, scheduler: &scheduler)
                }
            }
            if workloadIssued[w] < spec.count { next(spec.interArrivalSeconds) }
        case .stakeChurn:
            break
        }
    }

    /// A fresh operation id (1, 2, ...).
    func newOperation() -> UInt64 {
        nextOp += 1
        return nextOp
    }

    /// A certified, unexpired, undeleted blob to read, uniformly: live ones and those the chain
    /// declared invalid (readers may still ask for them). Without invalid blobs this is
    /// `pickLiveBlob` draw for draw.
    func pickReadableBlob(_ stream: RandomStream) -> BlobRef? {
        let live = view.liveCertified, invalid = view.invalidCertified
        guard !live.isEmpty || !invalid.isEmpty else { return nil }
        let i = Int(stream.uniformInt(below: UInt64(live.count + invalid.count)))
        return i < live.count ? live[i] : invalid[i - live.count]
    }

    /// A live certified blob, uniformly.
    func pickLiveBlob(_ stream: RandomStream) -> BlobRef? {
        let live = view.liveCertified
        guard !live.isEmpty else { return nil }
        return live[Int(stream.uniformInt(below: UInt64(live.count)))]
    }

    /// Creates a blob (content from its own stream), encodes it for real and starts its write.
    func startWrite(_ spec: WriteWorkload, stream: RandomStream, now: SimTime, scheduler: inout Scheduler) {
        let index = UInt32(blobs.count)
        let blob = BlobRef(index)
        // Sizes above the largest encodable blob follow the workload's `oversize` policy, counted.
        let drawn = max(1, spec.sizeBytes.sample(stream).rounded())
        var size = drawn < Double(config.maxBlobSize) ? UInt64(drawn) : config.maxBlobSize
        if drawn > Double(config.maxBlobSize) {
            switch spec.oversize {
            case .clip:
                sizesClipped += 1
                size = config.maxBlobSize
            case .skip:
                writesSkippedOversize += 1
                return
            }
        }
        let epochs = stream.uniformInt(in: spec.lifetimeEpochs)
        let deletable = spec.deletablePermille > 0 && stream.bernoulli(spec.deletablePermille, over: 1_000)
        let c = ClientID(UInt32(Int(index) % clients.count))
        let toWrite: BlobToWrite
        // A malicious writer's blob (its own stream, so the choice shifts nothing else).
        let maliciousStream = spec.inconsistentPermille > 0 ? streams.stream("blob.inconsistent", index: UInt64(index)) : nil
        let malicious = maliciousStream?.bernoulli(spec.inconsistentPermille, over: 1_000) ?? false
        if malicious || isRealEncoding(index) {
            let content = Self.blobContent(size: Int(size), stream: streams.stream("blob.content", index: UInt64(index)))
            let encoder = BlobEncoder(config: config, options: EncodingOptions(threads: options.encoderThreads))
            let encoded: EncodedBlob
            do { encoded = try encoder.encode(blob: content) } catch {
                preconditionFailure("encoding a \(size)-byte blob failed: \(error)")  // sizes are clamped to the maximum
            }
            var metadata = encoded.metadata
            if malicious, let maliciousStream {
                metadata = Self.inconsistentMetadata(encoded, badPair: Int(maliciousStream.uniformInt(below: UInt64(config.rows))), config: config)
            }
            catalog.add(blob, BlobCatalog.Entry(metadata: metadata, pairs: encoded.pairs, sizeBytes: size,
                                               contentDigest: Blake2b256.hash(content), honest: !malicious))
            toWrite = BlobToWrite(metadata: metadata, pairs: encoded.pairs)
        } else {
            let metadata = modeledMetadata(size: size, index: index)
            catalog.add(blob, BlobCatalog.Entry(metadata: metadata, pairs: [], sizeBytes: size, contentDigest: .zero,
                                               honest: true, modeled: true))
            let sizes = catalog.sliverSizes(blob)
            toWrite = BlobToWrite(modeledMetadata: metadata, primaryBytes: sizes.primary, secondaryBytes: sizes.secondary)
        }
        let encodedBytes = (try? config.encodedBlobLength(blobLength: size)) ?? 0
        blobs.append(BlobInfo(blobID: toWrite.metadata.blobID, sizeBytes: size, encodedBytes: encodedBytes, epochs: epochs,
                              deletable: deletable, writer: c, inconsistent: malicious))
        let op = newOperation()
        execute(clients[Int(c.rawValue)].startWrite(op: op, blob: blob, encoded: toWrite, sizeBytes: size, epochs: epochs,
                                                   deletable: deletable, context: context(now, for: .client(c))),
                for: .client(c), now: now, scheduler: &scheduler)
    }

    /// The metadata a malicious writer commits to (the paper's malicious client, spec §6.6):
    /// the honest encoding's, except that systematic pair `badPair`'s primary hash is that of an
    /// altered sliver. The node holding that pair refuses the honest sliver it is sent, the
    /// others sign, and the blob certifies; recovering the pair then decodes the honest row,
    /// whose hash does not match: an inconsistency proof. Readers' default consistency check
    /// recomputes systematic sliver `badPair` and fails the same way.
    static func inconsistentMetadata(_ encoded: EncodedBlob, badPair: Int, config: EncodingConfig) -> BlobMetadataWithID {
        let honest = encoded.pairs[badPair].primary
        var data = honest.data
        data[0] ^= 0xFF
        var hashes = encoded.metadata.metadata.hashes
        if let altered = try? Sliver(axis: .primary, index: honest.index, symbolSize: honest.symbolSize, data: data),
           let root = try? altered.merkleRoot(config: config) {
            hashes[badPair].primaryHash = root
        }
        return BlobMetadataWithID(computingIDFor: BlobMetadata(unencodedLength: encoded.metadata.metadata.unencodedLength, hashes: hashes))
    }

    /// Whether blob `index` is encoded for real under the scenario's fidelity: always for
    /// `real`, never for `modeled`, and for `sampled(p)` a deterministic draw per blob from its
    /// own stream, so the choice does not depend on anything else in the run.
    func isRealEncoding(_ index: UInt32) -> Bool {
        switch scenario.fidelity.encoding {
        case .real: return true
        case .modeled: return false
        case .sampled(let permille):
            return streams.stream("fidelity.sample", index: UInt64(index)).bernoulli(min(permille, 1_000), over: 1_000)
        }
    }

    /// Metadata of a notional encoding for a modeled blob: the run's shared notional pair hashes
    /// (`modeledPairHashes`, one array for every modeled blob, so a blob costs no memory per
    /// shard) and a blob ID drawn from the blob's own stream. Modeled metadata is trusted like
    /// modeled pairs (`BlobCatalog.isValidMetadata`): the ID is a commitment that names the blob,
    /// sets its shard rotation and is signed, and the metadata has the real size on the wire.
    func modeledMetadata(size: UInt64, index: UInt32) -> BlobMetadataWithID {
        let stream = streams.stream("blob.modeled", index: UInt64(index))
        let id = BlobID(digest: Digest32(w0: stream.nextUInt64(), w1: stream.nextUInt64(), w2: stream.nextUInt64(), w3: stream.nextUInt64()))
        return BlobMetadataWithID(blobID: id, metadata: BlobMetadata(unencodedLength: size, hashes: modeledPairHashes))
    }

    /// `size` bytes drawn from `stream`: a blob's content is a function of the seed and its index.
    static func blobContent(size: Int, stream: RandomStream) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: size)
        bytes.withUnsafeMutableBytes { raw in
            var i = 0
            while i + 8 <= size {
                raw.storeBytes(of: stream.nextUInt64().littleEndian, toByteOffset: i, as: UInt64.self)
                i += 8
            }
            if i < size {
                var last = stream.nextUInt64()
                while i < size {
                    raw[i] = UInt8(truncatingIfNeeded: last)
                    last >>= 8
                    i += 1
                }
            }
        }
        return bytes
    }

    /// Moves the configured share of all stake between random committee members, in five
    /// moves, just after an epoch starts (so it counts for the next selection).
    func stakeChurn(now: SimTime, scheduler: inout Scheduler) {
        for w in scenario.workloads {
            guard case .stakeChurn(let permille) = w.kind, permille > 0 else { continue }
            let members = view.committee.members.map(\.node)
            guard members.count >= 2 else { return }
            let total = (0..<nodes.count).reduce(UInt64(0)) { $0 &+ chain.stakeOfNode(NodeID(UInt32($1))) }
            let amount = UInt64((UInt128(total) * UInt128(permille)) / 1_000)
            let moves = 5
            let each = amount / UInt64(moves)
            guard each >= Frost.perWAL else { continue }
            for _ in 0..<moves {
                let from = members[Int(churnStream.uniformInt(below: UInt64(members.count)))]
                var to = NodeID(UInt32(churnStream.uniformInt(below: UInt64(nodes.count))))
                if to == from { to = NodeID((to.rawValue + 1) % UInt32(nodes.count)) }
                submit(.moveStake(from: from, to: to, amount: Frost(each)), from: .node(from), now: now, scheduler: &scheduler)
            }
        }
    }
}
