import Foundation
import ResultRecords
import ResultsStore
import SimSupport

/// A fresh directory under the system temporary directory, removed by `cleanup()`.
struct TempDir {
    let url: URL

    init() {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("results-tests-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
    func cleanup() { try? FileManager.default.removeItem(at: url) }
}

func runInfo(_ id: String = "run-1", seed: UInt64 = 42, wallStartedAt: String? = nil) -> RunInfo {
    RunInfo(
        runID: id, scenarioName: "quickstart", scenarioDigest: "abc123", scenarioText: "[network]\nnodes = 4\n",
        parametersJSON: #"{"nodes":4}"#, seed: seed, codeVersion: "test", toolchain: "swift-6.3.1",
        fidelity: "encoding=real payload=full signatures=modeled", wallStartedAt: wallStartedAt)
}

/// A small run touching every record kind, with optional values both present and absent.
/// `tweak` changes one operation's byte count, for digest tests.
func recordSampleRun(into sink: some ResultsSink, tweak: Bool = false) {
    sink.record(NodeRecord(node: NodeID(0), name: "n0", region: "eu-west", capacityBytes: 1 << 40,
                           commission: BasisPoints(500), initialStakeFrost: 1_000 * Frost.perWAL))
    sink.record(NodeRecord(node: NodeID(1), name: "n1", region: "us-east", profile: "crashed", capacityBytes: 1 << 39,
                           commission: BasisPoints(1000), initialStakeFrost: 2_000 * Frost.perWAL))
    sink.record(EpochRecord(epoch: Epoch(0), startNs: 0, syncDoneNs: 5_000_000_000, endNs: 3_600_000_000_000,
                            storagePriceFrostPerMiB: 11_000, writePriceFrostPerMiB: 20_000, capacityBytes: 3 << 39,
                            usedCapacityBytes: 1 << 30, totalStakeFrost: 3_000 * Frost.perWAL,
                            rewardPoolFrost: 7 * Frost.perWAL, burnedFrost: 123))
    sink.record(EpochRecord(epoch: Epoch(1), startNs: 3_600_000_000_000, storagePriceFrostPerMiB: 11_000,
                            writePriceFrostPerMiB: 20_000, capacityBytes: 3 << 39, usedCapacityBytes: 2 << 30,
                            totalStakeFrost: 3_000 * Frost.perWAL, rewardPoolFrost: 0, burnedFrost: 0))
    sink.record(CommitteeRecord(epoch: Epoch(0), node: NodeID(0), shardCount: 334, stakeFrost: 1_000 * Frost.perWAL))
    sink.record(CommitteeRecord(epoch: Epoch(0), node: NodeID(1), shardCount: 666, stakeFrost: 2_000 * Frost.perWAL))
    sink.record(BlobRecord(blobIndex: 0, blobID: "M5EzQ0qqdwT6cYVvUJn3gFiD8yHJ4xq5T4ztGwkNe0U", sizeBytes: 1 << 20,
                           encodedSizeBytes: 5 << 20, registeredNs: 1_000, certifiedNs: 2_500_000_000,
                           endEpoch: Epoch(5), status: .certified, deletable: true))
    sink.record(BlobRecord(blobIndex: 1, blobID: "", sizeBytes: 0, encodedSizeBytes: 64 << 20, registeredNs: 9,
                           certifiedNs: nil, endEpoch: Epoch(2), status: .registered, deletable: false))
    sink.record(OperationRecord(opID: 0, kind: .write, blobIndex: 0, client: NodeID(7), startNs: 0,
                                endNs: 2_500_000_000, outcome: .success, bytes: tweak ? 1 : 1 << 20))
    sink.record(OperationRecord(opID: 1, kind: .read, blobIndex: nil, client: NodeID(7), startNs: 10, endNs: nil,
                                outcome: .unfinished, bytes: 0, attempts: 2, details: "run ended"))
    sink.record(FlowRecord(epoch: Epoch(0), timeNs: 1_000, kind: .storagePayment, payer: "client:7",
                           payee: "storage_fund", amountFrost: 55_000))
    sink.record(FlowRecord(epoch: Epoch(0), timeNs: 3_600_000_000_000, kind: .burn, payer: "storage_fund",
                           payee: "burn", amountFrost: 123))
    sink.record(MetricSample(name: "reads_available_ratio", timeNs: 1_000_000_000, value: .double(0.75)))
    sink.record(MetricSample(name: "recovery_bytes", timeNs: 1_000_000_000, value: .int(4096)))
    sink.record(FaultRecord(startNs: 100, kind: .crash, target: "node:1"))
    sink.record(OperationPhaseRecord(opID: 0, seq: 0, phase: "encode", kind: "phase", startNs: 0, endNs: 40_000_000))
    sink.record(OperationPhaseRecord(opID: 0, seq: 1, phase: "store_upload", kind: "span", startNs: 900_000_000,
                                     endNs: 1_000_000_000))
    sink.record(FaultRecord(startNs: 200, kind: .packetLoss, target: "region:eu-west", details: "loss=0.2",
                            endNs: 900))
}

func summary(wallFinishedAt: String? = nil, wallElapsedNs: UInt64? = nil) -> RunSummary {
    var digest = TraceDigest()
    for w: UInt64 in [1, 2, 3] { digest.absorb(w) }
    return RunSummary(eventDigest: digest, endNs: 7_200_000_000_000, wallFinishedAt: wallFinishedAt,
                      wallElapsedNs: wallElapsedNs)
}

/// Writes the sample run into a new file and finishes it.
@discardableResult
func writeSampleRun(_ path: String, id: String = "run-1", tweak: Bool = false, wall: Bool = false) throws -> SQLiteResultsStore {
    let store = try SQLiteResultsStore(path: path, run: runInfo(id, wallStartedAt: wall ? "2026-11-28T13:00:00Z" : nil))
    recordSampleRun(into: store, tweak: tweak)
    try store.finish(wall ? summary(wallFinishedAt: "2026-11-28T13:05:00Z", wallElapsedNs: 300_000_000_000) : summary())
    return store
}
