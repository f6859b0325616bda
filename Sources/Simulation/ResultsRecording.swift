import Economics
import RedStuff
import ResultRecords
import SimEngine
import SimSupport
import WalrusCrypto
import WalrusModel

/// Recording results: every record the world sends to its sink.
extension World {
    /// Runs the end-of-run checks and writes the per-blob results.
    public func finish(now: SimTime) {
        settleArrivals(through: now)  // messages that reached their receiver by the end count as delivered
        checkQuietTail(now: now)
        checkDurability(now: now)
        checkConservation(now: now)
        guard let sink else { return }
        if let current = openEpochRecord {
            sink.record(current)  // still running: no end time
            openEpochRecord = nil
        }
        for (i, b) in blobs.enumerated() {
            let status: ResultRecords.BlobStatus =
                b.invalidAt != nil ? .invalid
                : b.deleted ? .deleted : (b.certifiedAt != nil ? (b.endEpoch <= view.epoch ? .expired : .certified) : .registered)
            sink.record(BlobRecord(blobIndex: UInt64(i), blobID: b.blobID.base64, sizeBytes: b.sizeBytes, encodedSizeBytes: b.encodedBytes,
                                   registeredNs: b.registeredAt?.nanoseconds, certifiedNs: b.certifiedAt?.nanoseconds,
                                   endEpoch: b.endEpoch, status: status, deletable: b.deletable, invalidNs: b.invalidAt?.nanoseconds,
                                   records: b.records, workload: scenario.workloads[b.workload].name))
        }
        sampleMetrics(now)
    }

    // MARK: Results

    /// Writes the WAL movements the chain made since the last call.
    func recordFlows(_ now: SimTime) {
        let flows = chain.drainFlows()
        accountFlows(flows)
        guard let sink else { return }
        for f in flows {
            sink.record(FlowRecord(epoch: f.epoch, timeNs: now.nanoseconds, kind: ResultRecords.FlowKind(rawValue: flowName(f.kind)),
                                   payer: flowName(f.from), payee: flowName(f.to), amountFrost: f.amountFrost.rawValue))
        }
    }

    /// `snakeCase` of a flow kind, made once per kind: a flow is recorded per transaction.
    func flowName(_ kind: Economics.FlowKind) -> String {
        if let name = flowNames.kinds[kind] { return name }
        let name = snakeCase(kind.rawValue)
        flowNames.kinds[kind] = name
        return name
    }

    /// `"\(endpoint)"`, made once per endpoint: the default description goes through
    /// reflection, which was a tenth of a long modeled run.
    func flowName(_ endpoint: FlowEndpoint) -> String {
        if let name = flowNames.endpoints[endpoint] { return name }
        let name = "\(endpoint)"
        flowNames.endpoints[endpoint] = name
        return name
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

    /// One sample of every metric time series at `now`.
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
        sink.record(MetricSample(name: "recovery_bytes_estimate", timeNs: t, value: .int(Int64(recoveryBytesEstimate))))
        sink.record(MetricSample(name: "responses_rejected", timeNs: t, value: .int(Int64(responsesRejected))))
        sink.record(MetricSample(name: "reads_failed_beyond_f", timeNs: t, value: .int(Int64(readsFailedBeyondF))))
        sink.record(MetricSample(name: "sizes_clipped", timeNs: t, value: .int(Int64(sizesClipped))))
        sink.record(MetricSample(name: "writes_skipped_oversize", timeNs: t, value: .int(Int64(writesSkippedOversize))))
        sink.record(MetricSample(name: "client_transactions", timeNs: t, value: .int(Int64(clientTransactions))))
        sink.record(MetricSample(name: "quilt_records", timeNs: t, value: .int(Int64(quiltRecords))))
        sink.record(MetricSample(name: "certified_record_bytes", timeNs: t, value: .int(Int64(certifiedRecordBytes))))
    }

    /// Writes a finished operation's row.
    func recordOperation(_ op: FinishedOperation) {
        let outcome: ResultRecords.OperationOutcome = switch op.result {
        case .ok: .success
        case .inconsistent: .inconsistent
        case .invalid: .invalid
        case .failed, .notFound: .failure
        }
        sink?.record(OperationRecord(
            opID: op.id, kind: OperationKind(rawValue: op.kind.rawValue), blobIndex: UInt64(op.blob.index),
            client: NodeID(op.client.rawValue), startNs: op.start.nanoseconds, endNs: op.end.nanoseconds, outcome: outcome,
            bytes: op.bytes, attempts: UInt32(op.attempts), details: op.detail.isEmpty ? nil : op.detail))
    }
}
