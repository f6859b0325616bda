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
            let epochBefore = chain.economy.epoch
            let events = chain.execute(tx, submitter: genesis, now: .zero)
            recordFlows(.zero)
            afterTransaction(tx, before: epochBefore, now: .zero, scheduler: &scheduler)
            for e in events { deliverChainEvent(e, executedAt: .zero, now: .zero, scheduler: &scheduler) }
        }
        for (i, w) in scenario.workloads.enumerated() {
            switch w.kind {
            case .writes(let spec):
                // A closed loop starts its writers together; each then starts the next when its write ends.
                for _ in 0..<max(1, min(spec.closedLoop, spec.count)) {
                    scheduler.schedule(at: SimTime.zero + spec.start, target: UInt32(i), kind: Kind.workload.rawValue)
                }
            case .reads(let spec):
                // A closed loop starts its readers together, as for writes.
                for _ in 0..<max(1, min(spec.closedLoop, spec.count)) {
                    scheduler.schedule(at: SimTime.zero + spec.start, target: UInt32(i), kind: Kind.workload.rawValue)
                }
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
        func next(_ gaps: Distribution, _ arrival: ArrivalProcess, scale: Double = 1) {
            var d = arrival.gap(after: now, gaps: gaps, stream: stream, operationsLeftInBurst: &operationsLeftInBurst[w])
            // A `demand` policy stretches or shortens write gaps with the storage price (1: as drawn).
            if scale != 1 { d = SimDuration(seconds: d.seconds * scale) }
            scheduler.schedule(after: d, target: UInt32(w), kind: Kind.workload.rawValue)
        }
        switch scenario.workloads[w].kind {
        case .writes(let spec):
            guard workloadIssued[w] < spec.count else { return }
            workloadIssued[w] += 1
            if spec.quiltBatch > 1 {
                addRecord(spec, workload: w, stream: stream, now: now, scheduler: &scheduler)
                if workloadIssued[w] < spec.count { next(spec.interArrivalSeconds, spec.arrival, scale: econ.writeGapScale) }
            } else {
                let blob = startWrite(spec, workload: w, stream: stream, now: now, scheduler: &scheduler)
                if spec.closedLoop > 0 {
                    // The next write of this writer starts when this one ends (a skipped one: now).
                    if let blob { closedLoopWrites[blob] = w } else { next(spec.interArrivalSeconds, .renewal) }
                } else if workloadIssued[w] < spec.count {
                    next(spec.interArrivalSeconds, spec.arrival, scale: econ.writeGapScale)
                }
            }
        case .reads(let spec):
            guard workloadIssued[w] < spec.count else { return }
            let picked = readSelectors[w].map { $0.pick(now: now, stream: stream, isReadable: isReadable) } ?? pickReadableBlob(stream)
            if let blob = picked {
                workloadIssued[w] += 1
                let c = ClientID(UInt32(stream.uniformInt(below: UInt64(clients.count))))
                let order = readOrder(blob, stream: clientStreams[Int(c.rawValue)])
                let op = newOperation()
                // A quilt is read one record at a time, by patch ID: a patch drawn uniformly.
                let patch = quiltPatchEnds[blob].map { ends in
                    let k = Int(stream.uniformInt(below: UInt64(ends.count - 1)))
                    return Int(ends[k])..<Int(ends[k + 1])
                }
                // Registered before the read starts: a read can end at once (a blob invalid on chain).
                if spec.closedLoop > 0 { closedLoopReads[op] = w }
                let ctx = context(now, for: .client(c))
                withActionBuffer(for: .client(c), now: now, scheduler: &scheduler) {
                    clients[Int(c.rawValue)].startRead(op: op, blob: blob, order: order, patch: patch, context: ctx, into: $0)
                }
            }
            if spec.closedLoop > 0 {
                // A closed-loop reader with nothing readable yet looks again after its think
                // time, at least a second (a zero think time would spin at one instant).
                if picked == nil {
                    scheduler.schedule(after: max(.seconds(1), SimDuration(seconds: max(0, spec.interArrivalSeconds.sample(stream)))),
                                       target: UInt32(w), kind: Kind.workload.rawValue)
                }
            } else if workloadIssued[w] < spec.count {
                next(spec.interArrivalSeconds, spec.arrival)
            }
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
            if workloadIssued[w] < spec.count { next(spec.interArrivalSeconds, .renewal) }
        case .stakeChurn:
            break
        }
    }

    /// Whether readers may ask for `blob` now: certified, unexpired and undeleted (invalid
    /// blobs included, as in `pickReadableBlob`).
    func isReadable(_ blob: BlobRef) -> Bool {
        guard let status = view.status(blob), status.certifiedEpoch != nil else { return false }
        return !status.deleted && status.endEpoch > view.epoch
    }

    /// Tells the reads workloads' selectors that `blob` was certified at `time`. A blob's Zipf
    /// rank comes from its own stream, so it is the same for every reader and every run.
    func offerToReaders(_ blob: BlobRef, certifiedAt time: SimTime) {
        let writer = blobs[Int(blob.index)].workload
        for selector in readSelectors {
            selector?.certified(blob, writer: writer, at: time) {
                1 - streams.stream("blob.popularity", index: UInt64(blob.index)).uniform()
            }
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

    /// A blob size drawn for workload `spec`, after its `oversize` policy; `nil` when the draw
    /// is skipped (counted).
    func drawSize(_ spec: WriteWorkload, stream: RandomStream) -> UInt64? {
        // Sizes above the largest encodable blob follow the workload's `oversize` policy, counted.
        let drawn = max(1, spec.sizeBytes.sample(stream).rounded())
        guard drawn > Double(config.maxBlobSize) else { return UInt64(drawn) }
        switch spec.oversize {
        case .clip:
            sizesClipped += 1
            return config.maxBlobSize
        case .skip:
            writesSkippedOversize += 1
            return nil
        }
    }

    /// A closed-loop write or read of workload `w` ended: the workload's next operation starts
    /// after a think time drawn from `interArrivalSeconds`, until its count is issued.
    func continueClosedLoop(workload w: Int, scheduler: inout Scheduler) {
        let gaps: Distribution
        switch scenario.workloads[w].kind {
        case .writes(let spec) where workloadIssued[w] < spec.count: gaps = spec.interArrivalSeconds
        case .reads(let spec) where workloadIssued[w] < spec.count: gaps = spec.interArrivalSeconds
        default: return
        }
        let think = SimDuration(seconds: max(0, gaps.sample(workloadStreams[w])))
        scheduler.schedule(after: think, target: UInt32(w), kind: Kind.workload.rawValue)
    }

    /// Creates a blob (content from its own stream), encodes it (for real, or modeled by the
    /// fidelity) and starts its write. Returns the blob, or `nil` when an oversized draw is skipped.
    @discardableResult
    func startWrite(_ spec: WriteWorkload, workload w: Int, stream: RandomStream, now: SimTime, scheduler: inout Scheduler) -> BlobRef? {
        guard let size = drawSize(spec, stream: stream) else { return nil }
        return startWrite(spec, workload: w, size: size, records: nil, stream: stream, now: now, scheduler: &scheduler)
    }

    /// Starts writing a blob of `size` bytes, or, with `records`, the quilt of those records
    /// (`size` is then the quilt blob's length). Lifetime and deletability are drawn per blob.
    @discardableResult
    func startWrite(_ spec: WriteWorkload, workload w: Int, size: UInt64, records: [(record: UInt64, size: UInt64)]?,
                    stream: RandomStream, now: SimTime, scheduler: inout Scheduler) -> BlobRef {
        let index = UInt32(blobs.count)
        let blob = BlobRef(index)
        let epochs = stream.uniformInt(in: spec.lifetimeEpochs)
        let deletable = spec.deletablePermille > 0 && stream.bernoulli(spec.deletablePermille, over: 1_000)
        let c = ClientID(UInt32(Int(index) % clients.count))
        let toWrite: BlobToWrite
        // A malicious writer's blob (its own stream, so the choice shifts nothing else).
        let maliciousStream = spec.inconsistentPermille > 0 ? streams.stream("blob.inconsistent", index: UInt64(index)) : nil
        let malicious = maliciousStream?.bernoulli(spec.inconsistentPermille, over: 1_000) ?? false
        if malicious || isRealEncoding(index) {
            let content: [UInt8]
            let encoded: EncodedBlob
            do {
                if let records {
                    let quilt = try QuiltEncoder(config: config, options: EncodingOptions(threads: options.encoderThreads))
                        .encode(blobs: records.map { r in
                            // Record identifiers are valid by construction ("record-<n>").
                            try! QuiltBlob(data: Self.blobContent(size: Int(r.size), stream: streams.stream("record.content", index: r.record)),
                                           identifier: Self.recordIdentifier(r.record))
                        })
                    content = quilt.quilt.data
                    encoded = quilt.encoded
                } else {
                    content = Self.blobContent(size: Int(size), stream: streams.stream("blob.content", index: UInt64(index)))
                    encoded = try BlobEncoder(config: config, options: EncodingOptions(threads: options.encoderThreads)).encode(blob: content)
                }
            } catch {
                preconditionFailure("encoding a \(size)-byte blob failed: \(error)")  // sizes and quilts are checked before
            }
            var metadata = encoded.metadata
            if malicious, let maliciousStream {
                metadata = Self.inconsistentMetadata(encoded, badPair: Int(maliciousStream.uniformInt(below: UInt64(config.rows))), config: config)
            }
            catalog.add(blob, BlobCatalog.Entry(metadata: metadata, pairs: encoded.pairs, sizeBytes: UInt64(content.count),
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
                              deletable: deletable, writer: c, inconsistent: malicious, workload: w, records: records?.count ?? 1,
                              recordBytes: records?.reduce(0) { $0 + $1.size } ?? size))
        let op = newOperation()
        let ctx = context(now, for: .client(c))
        withActionBuffer(for: .client(c), now: now, scheduler: &scheduler) {
            clients[Int(c.rawValue)].startWrite(op: op, blob: blob, encoded: toWrite, sizeBytes: size, epochs: epochs,
                                                deletable: deletable, context: ctx, into: $0)
        }
        return blob
    }

    // MARK: Quilts

    /// The identifier of record `n` in its quilt: the quilt orders patches by identifier bytes.
    static func recordIdentifier(_ n: UInt64) -> String { "record-\(n)" }

    /// Adds one record to workload `w`'s pending quilt and writes the quilt once it holds
    /// `quilt_batch` records, or when this is the workload's last record.
    func addRecord(_ spec: WriteWorkload, workload w: Int, stream: RandomStream, now: SimTime, scheduler: inout Scheduler) {
        if let size = drawSize(spec, stream: stream) {
            quiltRecords += 1
            pendingRecords[w].append((record: quiltRecords, size: size))
        }
        guard pendingRecords[w].count >= spec.quiltBatch || workloadIssued[w] >= spec.count, !pendingRecords[w].isEmpty else { return }
        let records = pendingRecords[w]
        pendingRecords[w] = []
        writeQuilts(records, spec: spec, workload: w, stream: stream, now: now, scheduler: &scheduler)
    }

    /// Writes `records` as one quilt, or, when they do not fit one (too many columns or a
    /// symbol above the maximum), as two halves, recursively. A record that fits no quilt on its
    /// own is above the largest blob and was already handled by `oversize`.
    func writeQuilts(_ records: [(record: UInt64, size: UInt64)], spec: WriteWorkload, workload w: Int, stream: RandomStream,
                     now: SimTime, scheduler: inout Scheduler) {
        let patches = records.map { (identifier: Self.recordIdentifier($0.record), dataLength: Int($0.size)) }
        if let layout = try? QuiltLayout(patches: patches, config: config), UInt64(layout.blobLength) <= config.maxBlobSize {
            let blob = BlobRef(UInt32(blobs.count))
            quiltPatchEnds[blob] = [UInt16(layout.indexColumns)] + layout.patchColumns.map { UInt16($0.upperBound) }
            startWrite(spec, workload: w, size: UInt64(layout.blobLength), records: records, stream: stream, now: now, scheduler: &scheduler)
        } else if records.count > 1 {
            let half = records.count / 2
            writeQuilts(Array(records[..<half]), spec: spec, workload: w, stream: stream, now: now, scheduler: &scheduler)
            writeQuilts(Array(records[half...]), spec: spec, workload: w, stream: stream, now: now, scheduler: &scheduler)
        } else {
            writesSkippedOversize += 1
        }
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
