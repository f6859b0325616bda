import Economics
import RedStuff
import ResultRecords
import SimEngine
import SimSupport
import WalrusCrypto
import WalrusModel

/// Why a world could not be built: the scenario key and what is wrong.
public enum WorldError: Error, Equatable, CustomStringConvertible {
    case invalid(String, String)
    public var description: String {
        switch self { case .invalid(let key, let why): "\(key): \(why)" }
    }
}

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
        scheduler.schedule(at: .zero, target: 0, kind: Kind.metrics.rawValue)
    }

    // MARK: Workloads

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
            if let blob = pickLiveBlob(stream) {
                workloadIssued[w] += 1
                let c = ClientID(UInt32(stream.uniformInt(below: UInt64(clients.count))))
                let order = clientStreams[Int(c.rawValue)].shuffled(Array(0..<config.nShards))
                let op = newOperation()
                execute(clients[Int(c.rawValue)].startRead(op: op, blob: blob, order: order, context: context(now)),
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

    func newOperation() -> UInt64 {
        nextOp += 1
        return nextOp
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
        let size = UInt64(min(Double(config.maxBlobSize), max(1, spec.sizeBytes.sample(stream).rounded())))
        let epochs = stream.uniformInt(in: spec.lifetimeEpochs)
        let deletable = spec.deletablePermille > 0 && stream.bernoulli(spec.deletablePermille, over: 1_000)
        let c = ClientID(UInt32(Int(index) % clients.count))
        let toWrite: BlobToWrite
        if isRealEncoding(index) {
            let content = Self.blobContent(size: Int(size), stream: streams.stream("blob.content", index: UInt64(index)))
            let encoder = BlobEncoder(config: config, options: EncodingOptions(threads: options.encoderThreads))
            let encoded: EncodedBlob
            do { encoded = try encoder.encode(blob: content) } catch {
                preconditionFailure("encoding a \(size)-byte blob failed: \(error)")  // sizes are clamped to the maximum
            }
            catalog.add(blob, BlobCatalog.Entry(metadata: encoded.metadata, pairs: encoded.pairs, sizeBytes: size,
                                               contentDigest: Blake2b256.hash(content), honest: true))
            toWrite = BlobToWrite(encoded: encoded)
        } else {
            let metadata = modeledMetadata(size: size, index: index)
            catalog.add(blob, BlobCatalog.Entry(metadata: metadata, pairs: [], sizeBytes: size, contentDigest: .zero,
                                               honest: true, modeled: true))
            let sizes = catalog.sliverSizes(blob)
            toWrite = BlobToWrite(modeledMetadata: metadata, primaryBytes: sizes.primary, secondaryBytes: sizes.secondary)
        }
        let encodedBytes = (try? config.encodedBlobLength(blobLength: size)) ?? 0
        blobs.append(BlobInfo(blobID: toWrite.metadata.blobID, sizeBytes: size, encodedBytes: encodedBytes, epochs: epochs,
                              deletable: deletable, writer: c))
        let op = newOperation()
        execute(clients[Int(c.rawValue)].startWrite(op: op, blob: blob, encoded: toWrite, sizeBytes: size, epochs: epochs,
                                                   deletable: deletable, context: context(now)),
                for: .client(c), now: now, scheduler: &scheduler)
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

    /// Metadata of a notional encoding for a modeled blob: n pair hashes drawn from the blob's
    /// own stream, and the blob ID they imply, so that every metadata check still runs for real.
    func modeledMetadata(size: UInt64, index: UInt32) -> BlobMetadataWithID {
        let stream = streams.stream("blob.modeled", index: UInt64(index))
        func digest() -> MerkleNode {
            .digest(Digest32(w0: stream.nextUInt64(), w1: stream.nextUInt64(), w2: stream.nextUInt64(), w3: stream.nextUInt64()))
        }
        let hashes = (0..<config.nShards).map { _ in SliverPairMetadata(primaryHash: digest(), secondaryHash: digest()) }
        return BlobMetadataWithID(computingIDFor: BlobMetadata(unencodedLength: size, hashes: hashes))
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

    // MARK: Faults

    func startFault(_ i: Int, now: SimTime, scheduler: inout Scheduler) {
        let f = scenario.faults[i]
        activeFaults += 1
        var targets: [Int] = []
        var kind = FaultKind.crash
        var detail = ""
        switch f.kind {
        case .crash(let selection, let loseDisk):
            targets = select(selection)
            for t in targets where !crashed[t] {
                crashed[t] = true
                nodes[t].crash()
                network.setDown(EndpointID(UInt32(t)), true)
            }
            detail = loseDisk ? "disk lost" : "disk kept"
        case .partition(let regionNames):
            kind = .partition
            let regionIDs = Set(regionNames.compactMap { scenario.network.regions.region(named: $0) })
            let side = (0..<nodes.count).filter { regionIDs.contains(nodeRegion[$0]) }
            network.partition([side.map { EndpointID(UInt32($0)) }])
            targets = side
            detail = "regions " + regionNames.joined(separator: ",")
        case .loss(let ppm):
            kind = .packetLoss
            network.lossPartsPerMillion = ppm
            detail = "\(ppm) ppm"
        case .latencySpike(let selection, let extra):
            kind = .latencySpike
            targets = select(selection)
            for t in targets { network.setExtraLatency(EndpointID(UInt32(t)), extra) }
            detail = "+\(extra)"
        case .throttle(let selection, let permille):
            kind = .bandwidthThrottle
            targets = select(selection)
            for t in targets { network.setThrottle(EndpointID(UInt32(t)), permille: permille) }
            detail = "\(permille)/1000 of capacity"
        }
        faultTargets[i] = targets
        sink?.record(FaultRecord(startNs: now.nanoseconds, kind: kind, target: targets.isEmpty ? "network" : targets.map { "node\($0)" }.joined(separator: ","),
                                 details: detail, endNs: f.duration.map { (now + $0).nanoseconds }))
        if let d = f.duration { scheduler.schedule(after: d, target: UInt32(i), kind: Kind.faultEnd.rawValue) }
    }

    func endFault(_ i: Int, now: SimTime, scheduler: inout Scheduler) {
        let f = scenario.faults[i]
        activeFaults -= 1
        let targets = faultTargets[i]
        switch f.kind {
        case .crash(_, let loseDisk):
            for t in targets where crashed[t] {
                crashed[t] = false
                network.setDown(EndpointID(UInt32(t)), false)
                let actions = nodes[t].restart(loseDisk: loseDisk, context: context(now))
                execute(actions, for: .node(NodeID(UInt32(t))), now: now, scheduler: &scheduler)
            }
        case .partition: network.healPartition()
        case .loss: network.lossPartsPerMillion = scenario.network.lossPartsPerMillion
        case .latencySpike: for t in targets { network.setExtraLatency(EndpointID(UInt32(t)), .zero) }
        case .throttle: for t in targets { network.setThrottle(EndpointID(UInt32(t)), permille: 1_000) }
        }
    }

    /// Resolves a node selection against the current committee.
    func select(_ selection: NodeSelection) -> [Int] {
        switch selection {
        case .indices(let xs): return xs.filter { $0 >= 0 && $0 < nodes.count }.sorted()
        case .random(let count):
            return faultStream.sample(min(count, nodes.count), from: nodes.count)
        case .region(let name):
            guard let r = scenario.network.regions.region(named: name) else { return [] }
            return (0..<nodes.count).filter { nodeRegion[$0] == r }
        case .shardsUpTo(let limit):
            // Largest holders first, as long as the total stays within the limit.
            let members = view.committee.members.sorted { ($0.shards.count, $1.node) > ($1.shards.count, $0.node) }
            var total = 0
            var chosen: [Int] = []
            for m in members where total + m.shards.count <= limit {
                total += m.shards.count
                chosen.append(m.node.index)
            }
            return chosen.sorted()
        }
    }

    /// Shards of the current committee held by crashed nodes.
    public var faultyShards: Int {
        view.committee.members.reduce(0) { $0 + (crashed[$1.node.index] ? $1.shards.count : 0) }
    }

    // MARK: Checkers

    /// Durability: every live certified blob must keep at least R primary slivers among the
    /// nodes that are up (enough to decode it); a loss while at most f shards are faulty is a
    /// protocol violation, beyond f it is reported as an expected loss.
    public func checkDurability(now: SimTime) {
        guard scenario.checks.durability else { return }
        let need = config.sliversForDecoding(.primary)
        for blob in view.liveCertified {
            var held = Set<Int>()
            for i in nodes.indices where !crashed[i] {
                for p in nodes[i].heldPairs(blob) { held.insert(p) }
                if held.count >= need { break }
            }
            if held.count < need {
                violations.append(Violation(kind: .durability, time: now, blob: blob,
                                            detail: "only \(held.count) of the \(need) slivers needed are held by nodes that are up",
                                            seed: scenario.seed, withinAssumptions: faultyShards <= config.maxFaulty))
            }
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

    /// Runs the end-of-run checks and writes the per-blob results.
    public func finish(now: SimTime) {
        checkDurability(now: now)
        checkConservation(now: now)
        guard let sink else { return }
        if let current = openEpochRecord {
            sink.record(current)  // still running: no end time
            openEpochRecord = nil
        }
        for (i, b) in blobs.enumerated() {
            let status: ResultRecords.BlobStatus =
                b.deleted ? .deleted : (b.certifiedAt != nil ? (b.endEpoch <= view.epoch ? .expired : .certified) : .registered)
            sink.record(BlobRecord(blobIndex: UInt64(i), blobID: b.blobID.base64, sizeBytes: b.sizeBytes, encodedSizeBytes: b.encodedBytes,
                                   registeredNs: b.registeredAt?.nanoseconds, certifiedNs: b.certifiedAt?.nanoseconds,
                                   endEpoch: b.endEpoch, status: status, deletable: b.deletable))
        }
        sampleMetrics(now)
    }

    // MARK: Results

    func recordFlows(_ now: SimTime) {
        let flows = chain.drainFlows()
        guard let sink else { return }
        for f in flows {
            sink.record(FlowRecord(epoch: f.epoch, timeNs: now.nanoseconds, kind: ResultRecords.FlowKind(rawValue: snakeCase(f.kind.rawValue)),
                                   payer: "\(f.from)", payee: "\(f.to)", amountFrost: f.amountFrost.rawValue))
        }
    }

    /// `storagePayment` -> `storage_payment`: the results database names categories in snake case.
    func snakeCase(_ name: String) -> String {
        var out = ""
        for c in name {
            if c.isUppercase {
                out += "_" + c.lowercased()
            } else {
                out.append(c)
            }
        }
        return out
    }

    /// Closes the previous epoch's record (its end is `time`) and opens this one's, with the
    /// prices, capacity and stake in force as it starts.
    func recordEpochStart(_ epoch: Epoch, committee: Committee, at time: SimTime) {
        guard let sink else { return }
        if var previous = openEpochRecord {
            previous.endNs = time.nanoseconds
            sink.record(previous)
        }
        let e = chain.economy
        let stake = committee.members.reduce(UInt64(0)) { $0 &+ chain.stakeOfNode($1.node) }
        openEpochRecord = EpochRecord(epoch: epoch, startNs: time.nanoseconds,
                                storagePriceFrostPerMiB: e.storagePriceFrost.rawValue, writePriceFrostPerMiB: e.writePriceFrost.rawValue,
                                capacityBytes: e.totalCapacityBytes, usedCapacityBytes: e.ring.first?.usedCapacityBytes ?? 0,
                                totalStakeFrost: stake, rewardPoolFrost: e.ring.first?.rewardsFrost ?? 0,
                                burnedFrost: e.totalBurnedFrost)
        for m in committee.members {
            sink.record(CommitteeRecord(epoch: epoch, node: m.node, shardCount: UInt32(m.shards.count), stakeFrost: chain.stakeOfNode(m.node)))
        }
    }

    func sampleMetrics(_ now: SimTime) {
        guard let sink else { return }
        let t = now.nanoseconds
        sink.record(MetricSample(name: "nodes_up", timeNs: t, value: .int(Int64(crashed.filter { !$0 }.count))))
        sink.record(MetricSample(name: "faulty_shards", timeNs: t, value: .int(Int64(faultyShards))))
        sink.record(MetricSample(name: "live_certified_blobs", timeNs: t, value: .int(Int64(view.liveCertified.count))))
        sink.record(MetricSample(name: "messages_delivered", timeNs: t, value: .int(Int64(network.messagesDelivered))))
        sink.record(MetricSample(name: "messages_dropped", timeNs: t, value: .int(Int64(network.messagesDropped))))
        sink.record(MetricSample(name: "reads_ok", timeNs: t, value: .int(Int64(operations.readsOK))))
        sink.record(MetricSample(name: "reads_failed", timeNs: t, value: .int(Int64(operations.readsFailed))))
        sink.record(MetricSample(name: "writes_ok", timeNs: t, value: .int(Int64(operations.writesOK))))
        sink.record(MetricSample(name: "recovery_bytes", timeNs: t, value: .int(Int64(recoveryBytes))))
    }
}
