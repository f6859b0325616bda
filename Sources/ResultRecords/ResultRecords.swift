import SimSupport

/// The vocabulary of run results and the sink that receives them (DESIGN §3, §7).
///
/// The simulation emits these records through `ResultsSink` and never imports the SQLite
/// writer, so tests that do not need a database collect records in memory instead
/// (`CollectingResultsSink`). The records mirror the tables of `Results/README.md` one to one.
///
/// Conventions, which the database keeps:
/// - Quantities are integers whose names carry their units: simulated times in nanoseconds
///   since the start of the run (`startNs`), money in FROST (`amountFrost`), sizes in bytes
///   (`sizeBytes`). Values must fit in `Int64` (SQLite's integer); the writer rejects larger
///   ones rather than store them wrapped. Seeds are the exception: they are stored as the
///   `Int64` with the same 64 bits.
/// - "Not yet" or "never" is `nil` (SQL `NULL`), not a sentinel such as `SimTime.distantFuture`.
/// - Categories (operation kinds, outcomes, statuses, flow and fault kinds) are short
///   lowercase strings wrapped in types with the usual values predeclared; the simulation may
///   coin others (`OperationKind("extend")`) without touching this file.
/// - Nothing here reads the wall clock. Wall-clock values are passed in by the command line
///   and live only in fields and columns named `wall…`, which determinism checks ignore.

// MARK: - Categories

/// A category stored as short text. Each conforming type predeclares its common values.
public protocol ResultCategory: RawRepresentable, Hashable, Sendable, Comparable,
    ExpressibleByStringLiteral, CustomStringConvertible where RawValue == String
{
    init(rawValue: String)
}

extension ResultCategory {
    @inlinable public init(_ name: String) { self.init(rawValue: name) }
    @inlinable public init(stringLiteral value: String) { self.init(rawValue: value) }
    @inlinable public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
    public var description: String { rawValue }
}

/// What a client operation did.
public struct OperationKind: ResultCategory {
    public var rawValue: String
    @inlinable public init(rawValue: String) { self.rawValue = rawValue }
    public static let write: Self = "write"
    public static let read: Self = "read"
    public static let delete: Self = "delete"
    public static let extend: Self = "extend"
    public static let recover: Self = "recover"
}

/// How an operation ended.
public struct OperationOutcome: ResultCategory {
    public var rawValue: String
    @inlinable public init(rawValue: String) { self.rawValue = rawValue }
    /// The operation succeeded (a write was certified, a read returned the verified blob).
    public static let success: Self = "success"
    /// The operation gave up (not enough shards answered, retries exhausted).
    public static let failure: Self = "failure"
    /// The operation hit its deadline.
    public static let timeout: Self = "timeout"
    /// The operation detected an inconsistently encoded blob (reads return "invalid").
    public static let inconsistent: Self = "inconsistent"
    /// The run ended before the operation did.
    public static let unfinished: Self = "unfinished"
}

/// The state of a blob on chain at the end of the run (or when it was last recorded).
public struct BlobStatus: ResultCategory {
    public var rawValue: String
    @inlinable public init(rawValue: String) { self.rawValue = rawValue }
    public static let registered: Self = "registered"
    public static let certified: Self = "certified"
    public static let invalid: Self = "invalid"
    public static let deleted: Self = "deleted"
    public static let expired: Self = "expired"
}

/// Why WAL moved.
public struct FlowKind: ResultCategory {
    public var rawValue: String
    @inlinable public init(rawValue: String) { self.rawValue = rawValue }
    public static let storagePayment: Self = "storage_payment"
    public static let writePayment: Self = "write_payment"
    public static let reward: Self = "reward"
    public static let commission: Self = "commission"
    public static let subsidy: Self = "subsidy"
    public static let burn: Self = "burn"
    public static let stake: Self = "stake"
    public static let unstake: Self = "unstake"
    public static let slash: Self = "slash"
}

/// What a fault injector did.
public struct FaultKind: ResultCategory {
    public var rawValue: String
    @inlinable public init(rawValue: String) { self.rawValue = rawValue }
    public static let crash: Self = "crash"
    public static let partition: Self = "partition"
    public static let latencySpike: Self = "latency_spike"
    public static let packetLoss: Self = "packet_loss"
    public static let bandwidthThrottle: Self = "bandwidth_throttle"
    public static let withholdSlivers: Self = "withhold_slivers"
    public static let corruptSlivers: Self = "corrupt_slivers"
    public static let inconsistentEncoding: Self = "inconsistent_encoding"
}

// MARK: - Run registry

/// What identifies a run and makes it reproducible: one row of `runs`, written (with status
/// `incomplete`) before the first event.
public struct RunInfo: Hashable, Sendable {
    /// Unique across all result files that may ever be merged. It should be derived from the
    /// run's inputs (e.g. scenario digest, sweep index and seed), not from the clock, so that
    /// re-running a sweep entry produces the same id and `merge` recognises it.
    public var runID: String
    public var scenarioName: String
    /// Digest of the expanded scenario (hex), so runs of the same scenario group together.
    public var scenarioDigest: String
    /// The scenario file's text as loaded, so a run can be reproduced from its database alone.
    public var scenarioText: String
    /// This run's fixed parameters (after sweep expansion) as JSON with sorted keys.
    public var parametersJSON: String
    public var seed: UInt64
    /// e.g. the git commit of walrus-sim, with `-dirty` when the tree had changes.
    public var codeVersion: String
    /// e.g. `swift-6.3.1 linux x86_64 release`.
    public var toolchain: String
    /// Fidelity settings (DESIGN §5) as space-separated `key=value` pairs in a fixed key order,
    /// e.g. `encoding=real payload=full signatures=modeled`.
    public var fidelity: String
    /// Wall-clock start in ISO 8601 UTC, supplied by the command line; `nil` in tests.
    public var wallStartedAt: String?

    public init(
        runID: String, scenarioName: String, scenarioDigest: String, scenarioText: String,
        parametersJSON: String, seed: UInt64, codeVersion: String, toolchain: String,
        fidelity: String, wallStartedAt: String? = nil
    ) {
        self.runID = runID
        self.scenarioName = scenarioName
        self.scenarioDigest = scenarioDigest
        self.scenarioText = scenarioText
        self.parametersJSON = parametersJSON
        self.seed = seed
        self.codeVersion = codeVersion
        self.toolchain = toolchain
        self.fidelity = fidelity
        self.wallStartedAt = wallStartedAt
    }
}

/// How a run ended; completes its `runs` row in the same transaction as its last records.
public struct RunSummary: Hashable, Sendable {
    /// Digest of the event stream (DESIGN §4); its `count` is the number of events.
    public var eventDigest: TraceDigest
    /// Simulated time at which the run stopped.
    public var endNs: UInt64
    /// Wall-clock end in ISO 8601 UTC, supplied by the command line.
    public var wallFinishedAt: String?
    /// Wall-clock duration of the run in nanoseconds, supplied by the command line.
    public var wallElapsedNs: UInt64?

    public init(eventDigest: TraceDigest, endNs: UInt64, wallFinishedAt: String? = nil, wallElapsedNs: UInt64? = nil) {
        self.eventDigest = eventDigest
        self.endNs = endNs
        self.wallFinishedAt = wallFinishedAt
        self.wallElapsedNs = wallElapsedNs
    }
}

// MARK: - Records

/// A storage node as configured at the start of the run. One per node.
public struct NodeRecord: Hashable, Sendable {
    public var node: NodeID
    public var name: String
    /// Network region, e.g. `eu-west`.
    public var region: String
    /// Behaviour profile, e.g. `honest`, `crashed`, `withholding`.
    public var profile: String
    public var capacityBytes: UInt64
    /// Commission rate of the node's staking pool.
    public var commission: BasisPoints
    /// Stake delegated to the node at genesis.
    public var initialStakeFrost: UInt64

    public init(
        node: NodeID, name: String, region: String, profile: String = "honest", capacityBytes: UInt64,
        commission: BasisPoints, initialStakeFrost: UInt64
    ) {
        self.node = node
        self.name = name
        self.region = region
        self.profile = profile
        self.capacityBytes = capacityBytes
        self.commission = commission
        self.initialStakeFrost = initialStakeFrost
    }
}

/// One epoch's state, recorded when the epoch ends (or when the run ends, with `endNs` nil).
public struct EpochRecord: Hashable, Sendable {
    public var epoch: Epoch
    public var startNs: UInt64
    /// When shard sync for this epoch's committee finished; nil if it never did.
    public var syncDoneNs: UInt64?
    public var endNs: UInt64?
    /// Price of storing one unit (1 MiB of encoded size) for one epoch.
    public var storagePriceFrostPerMiB: UInt64
    /// One-off price of writing one unit (1 MiB of encoded size).
    public var writePriceFrostPerMiB: UInt64
    public var capacityBytes: UInt64
    public var usedCapacityBytes: UInt64
    public var totalStakeFrost: UInt64
    /// Rewards distributed for this epoch.
    public var rewardPoolFrost: UInt64
    /// WAL burned during this epoch.
    public var burnedFrost: UInt64

    public init(
        epoch: Epoch, startNs: UInt64, syncDoneNs: UInt64? = nil, endNs: UInt64? = nil,
        storagePriceFrostPerMiB: UInt64, writePriceFrostPerMiB: UInt64, capacityBytes: UInt64,
        usedCapacityBytes: UInt64, totalStakeFrost: UInt64, rewardPoolFrost: UInt64, burnedFrost: UInt64
    ) {
        self.epoch = epoch
        self.startNs = startNs
        self.syncDoneNs = syncDoneNs
        self.endNs = endNs
        self.storagePriceFrostPerMiB = storagePriceFrostPerMiB
        self.writePriceFrostPerMiB = writePriceFrostPerMiB
        self.capacityBytes = capacityBytes
        self.usedCapacityBytes = usedCapacityBytes
        self.totalStakeFrost = totalStakeFrost
        self.rewardPoolFrost = rewardPoolFrost
        self.burnedFrost = burnedFrost
    }
}

/// A committee member in one epoch. One per (epoch, node).
public struct CommitteeRecord: Hashable, Sendable {
    public var epoch: Epoch
    public var node: NodeID
    public var shardCount: UInt32
    public var stakeFrost: UInt64

    public init(epoch: Epoch, node: NodeID, shardCount: UInt32, stakeFrost: UInt64) {
        self.epoch = epoch
        self.node = node
        self.shardCount = shardCount
        self.stakeFrost = stakeFrost
    }
}

/// A blob, recorded once with its final state. One per blob index.
public struct BlobRecord: Hashable, Sendable {
    /// Dense index of the blob in this run, from 0.
    public var blobIndex: UInt64
    /// The Walrus blob ID in its URL-safe base64 form (empty when encoding is modeled).
    public var blobID: String
    public var sizeBytes: UInt64
    /// Total size of all slivers and metadata stored for the blob.
    public var encodedSizeBytes: UInt64
    public var registeredNs: UInt64?
    public var certifiedNs: UInt64?
    /// First epoch in which the blob is no longer stored.
    public var endEpoch: Epoch
    public var status: BlobStatus
    public var deletable: Bool

    public init(
        blobIndex: UInt64, blobID: String, sizeBytes: UInt64, encodedSizeBytes: UInt64,
        registeredNs: UInt64?, certifiedNs: UInt64?, endEpoch: Epoch, status: BlobStatus, deletable: Bool
    ) {
        self.blobIndex = blobIndex
        self.blobID = blobID
        self.sizeBytes = sizeBytes
        self.encodedSizeBytes = encodedSizeBytes
        self.registeredNs = registeredNs
        self.certifiedNs = certifiedNs
        self.endEpoch = endEpoch
        self.status = status
        self.deletable = deletable
    }
}

/// One client operation, recorded when it ends. One per operation id.
public struct OperationRecord: Hashable, Sendable {
    /// Unique within the run (e.g. a counter in start order).
    public var opID: UInt64
    public var kind: OperationKind
    /// The blob operated on; nil for operations on no single blob.
    public var blobIndex: UInt64?
    /// The client process that issued the operation.
    public var client: NodeID
    public var startNs: UInt64
    /// Nil when the run ended first (outcome `unfinished`).
    public var endNs: UInt64?
    public var outcome: OperationOutcome
    /// Payload bytes written or read (the blob size for a successful read or write).
    public var bytes: UInt64
    /// Attempts made, counting the first.
    public var attempts: UInt32
    /// Free-form detail, e.g. the reason of a failure; nil when there is nothing to say.
    public var details: String?

    public init(
        opID: UInt64, kind: OperationKind, blobIndex: UInt64?, client: NodeID, startNs: UInt64, endNs: UInt64?,
        outcome: OperationOutcome, bytes: UInt64, attempts: UInt32 = 1, details: String? = nil
    ) {
        self.opID = opID
        self.kind = kind
        self.blobIndex = blobIndex
        self.client = client
        self.startNs = startNs
        self.endNs = endNs
        self.outcome = outcome
        self.bytes = bytes
        self.attempts = attempts
        self.details = details
    }
}

/// A movement of WAL between two accounts. Accounts are named `node:<id>`, `client:<id>`,
/// `pool:<node id>`, `storage_fund`, `subsidies`, `burn`, and so on; the writer numbers flows
/// in the order they are recorded.
public struct FlowRecord: Hashable, Sendable {
    public var epoch: Epoch
    public var timeNs: UInt64
    public var kind: FlowKind
    public var payer: String
    public var payee: String
    public var amountFrost: UInt64

    public init(epoch: Epoch, timeNs: UInt64, kind: FlowKind, payer: String, payee: String, amountFrost: UInt64) {
        self.epoch = epoch
        self.timeNs = timeNs
        self.kind = kind
        self.payer = payer
        self.payee = payee
        self.amountFrost = amountFrost
    }
}

/// The value of a metric sample: an exact count or a derived measurement.
public enum MetricValue: Hashable, Sendable {
    case int(Int64)
    case double(Double)
}

/// One point of a time series. Names carry units (`reads_available_ratio`,
/// `recovery_bytes`); the writer numbers samples in the order they are recorded.
public struct MetricSample: Hashable, Sendable {
    public var name: String
    public var timeNs: UInt64
    public var value: MetricValue

    public init(name: String, timeNs: UInt64, value: MetricValue) {
        self.name = name
        self.timeNs = timeNs
        self.value = value
    }
}

/// An injected fault, recorded when it is injected (with `endNs` if already known) or when it
/// is lifted. The writer numbers faults in the order they are recorded.
public struct FaultRecord: Hashable, Sendable {
    public var startNs: UInt64
    public var kind: FaultKind
    /// What the fault hit, e.g. `node:17`, `region:eu-west`, `link:3-9`.
    public var target: String
    /// Parameters of the fault, e.g. `loss=0.2`.
    public var details: String
    /// Nil for faults never lifted.
    public var endNs: UInt64?

    public init(startNs: UInt64, kind: FaultKind, target: String, details: String = "", endNs: UInt64? = nil) {
        self.startNs = startNs
        self.kind = kind
        self.target = target
        self.details = details
        self.endNs = endNs
    }
}

// MARK: - Sink

/// Where a run's records go. One sink serves one run, on one thread.
///
/// Contract:
/// - The sink was opened for a `RunInfo` by whoever created it (the command line or a test);
///   the simulation only records.
/// - `record` never throws, so model code stays free of `try`: a sink that fails to store a
///   record keeps the first error and drops what follows. `flush()` surfaces that error
///   (and makes everything so far durable), so a long run can stop early; `finish` and `fail`
///   surface it too. Calling `flush()` at each epoch boundary is a good habit: it bounds how
///   much an interruption loses and lets a reader follow the run.
/// - `finish(_:)` ends the run as complete, `fail(reason:)` as failed. After either, the sink
///   accepts nothing more. A sink dropped without either leaves the run marked incomplete.
/// - Records of one kind are kept in the order they were recorded; keys that must be unique
///   (node, epoch, (epoch, node), blob index, operation id) are checked by the sink.
public protocol ResultsSink: AnyObject {
    func record(_ node: NodeRecord)
    func record(_ epoch: EpochRecord)
    func record(_ member: CommitteeRecord)
    func record(_ blob: BlobRecord)
    func record(_ operation: OperationRecord)
    func record(_ flow: FlowRecord)
    func record(_ sample: MetricSample)
    func record(_ fault: FaultRecord)
    /// Makes every record so far durable; throws the first error the sink met, if any.
    func flush() throws
    /// Marks the run complete with its summary. Throws (leaving the run not complete) if any
    /// record failed or the summary cannot be stored.
    func finish(_ summary: RunSummary) throws
    /// Marks the run failed, keeping what was recorded; `reason` says why.
    func fail(reason: String) throws
}

/// How a run ended, as the registry records it.
public enum RunStatus: String, Hashable, Sendable {
    /// Started and not (yet) finished: still running, or interrupted.
    case incomplete
    case complete
    case failed
}

/// A sink that keeps every record in memory, for tests and small tools.
///
/// It enforces the same contract as the database writer, keys excepted: nothing is accepted
/// after `finish` or `fail` (a programming error, which traps).
public final class CollectingResultsSink: ResultsSink {
    public let run: RunInfo?
    public private(set) var nodes: [NodeRecord] = []
    public private(set) var epochs: [EpochRecord] = []
    public private(set) var committee: [CommitteeRecord] = []
    public private(set) var blobs: [BlobRecord] = []
    public private(set) var operations: [OperationRecord] = []
    public private(set) var flows: [FlowRecord] = []
    public private(set) var metrics: [MetricSample] = []
    public private(set) var faults: [FaultRecord] = []
    public private(set) var status: RunStatus = .incomplete
    public private(set) var summary: RunSummary?
    public private(set) var failureReason: String?

    public init(run: RunInfo? = nil) { self.run = run }

    private func accepting() {
        precondition(status == .incomplete, "CollectingResultsSink: record after the run ended (\(status))")
    }

    public func record(_ node: NodeRecord) { accepting(); nodes.append(node) }
    public func record(_ epoch: EpochRecord) { accepting(); epochs.append(epoch) }
    public func record(_ member: CommitteeRecord) { accepting(); committee.append(member) }
    public func record(_ blob: BlobRecord) { accepting(); blobs.append(blob) }
    public func record(_ operation: OperationRecord) { accepting(); operations.append(operation) }
    public func record(_ flow: FlowRecord) { accepting(); flows.append(flow) }
    public func record(_ sample: MetricSample) { accepting(); metrics.append(sample) }
    public func record(_ fault: FaultRecord) { accepting(); faults.append(fault) }
    public func flush() throws {}

    public func finish(_ summary: RunSummary) throws {
        accepting()
        self.summary = summary
        status = .complete
    }

    public func fail(reason: String) throws {
        accepting()
        failureReason = reason
        status = .failed
    }

    /// Replays everything recorded into another sink, kind by kind in record order (nodes,
    /// epochs, committee, blobs, operations, flows, metrics, faults), then ends it the same
    /// way this sink ended, if it did.
    public func replay(into sink: some ResultsSink) throws {
        for r in nodes { sink.record(r) }
        for r in epochs { sink.record(r) }
        for r in committee { sink.record(r) }
        for r in blobs { sink.record(r) }
        for r in operations { sink.record(r) }
        for r in flows { sink.record(r) }
        for r in metrics { sink.record(r) }
        for r in faults { sink.record(r) }
        switch status {
        case .incomplete: try sink.flush()
        case .complete: try sink.finish(summary!)
        case .failed: try sink.fail(reason: failureReason ?? "")
        }
    }
}
