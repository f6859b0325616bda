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
    /// The category named `rawValue`; every string is accepted, predeclared or not.
    init(rawValue: String)
}

extension ResultCategory {
    /// The category named `name`, predeclared or not; same as `init(rawValue:)`.
    @inlinable public init(_ name: String) { self.init(rawValue: name) }
    /// The category named by a literal, so values can be declared as `static let x: Self = "x"`.
    @inlinable public init(stringLiteral value: String) { self.init(rawValue: value) }
    /// Orders by name (byte-wise string order), so sorted categories are deterministic.
    @inlinable public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
    /// The stored text, e.g. `storage_payment`.
    public var description: String { rawValue }
}

/// What a client operation did.
public struct OperationKind: ResultCategory {
    /// The `kind` text of the `ops` row, e.g. `write`.
    public var rawValue: String
    /// The kind named `rawValue`; any lowercase `snake_case` name is accepted.
    @inlinable public init(rawValue: String) { self.rawValue = rawValue }
    /// Store a blob: encode, register, send slivers, certify.
    public static let write: Self = "write"
    /// Read a blob back from the slivers of its shards.
    public static let read: Self = "read"
    /// Delete a deletable blob before its end epoch.
    public static let delete: Self = "delete"
    /// Extend a blob's storage to a later end epoch.
    public static let extend: Self = "extend"
    /// Recover a blob's lost slivers. Not recorded by the simulation, which reports recovery as metrics.
    public static let recover: Self = "recover"
}

/// How an operation ended.
public struct OperationOutcome: ResultCategory {
    /// The `outcome` text of the `ops` row, e.g. `success`.
    public var rawValue: String
    /// The outcome named `rawValue`; any lowercase `snake_case` name is accepted.
    @inlinable public init(rawValue: String) { self.rawValue = rawValue }
    /// The operation succeeded (a write was certified, a read returned the verified blob).
    public static let success: Self = "success"
    /// The operation gave up (not enough shards answered, retries exhausted).
    public static let failure: Self = "failure"
    /// The operation hit its deadline.
    public static let timeout: Self = "timeout"
    /// The operation detected an inconsistently encoded blob (reads return "invalid").
    public static let inconsistent: Self = "inconsistent"
    /// A read of a blob whose encoding is inconsistent (its consistency check failed, or the
    /// chain declared it invalid): what every honest reader of such a blob gets.
    public static let invalid: Self = "invalid"
    /// The run ended before the operation did.
    public static let unfinished: Self = "unfinished"
}

/// The state of a blob on chain at the end of the run (or when it was last recorded).
public struct BlobStatus: ResultCategory {
    /// The `status` text of the `blobs` row, e.g. `certified`.
    public var rawValue: String
    /// The status named `rawValue`; any lowercase `snake_case` name is accepted.
    @inlinable public init(rawValue: String) { self.rawValue = rawValue }
    /// Registered on chain and not (yet) certified.
    public static let registered: Self = "registered"
    /// Certified on chain: enough shards confirmed storing it, so it is available until its end epoch.
    public static let certified: Self = "certified"
    /// Marked invalid on chain after a proof of inconsistent encoding. Not recorded by the simulation yet.
    public static let invalid: Self = "invalid"
    /// Deleted by its owner (deletable blobs only).
    public static let deleted: Self = "deleted"
    /// Past its end epoch, so no longer stored.
    public static let expired: Self = "expired"
}

/// Why WAL moved.
public struct FlowKind: ResultCategory {
    /// The `kind` text of the `flows` row, e.g. `storage_payment`.
    public var rawValue: String
    /// The kind named `rawValue`. The simulation stores the economics library's
    /// kinds in snake case (`Economics.FlowKind`: `mint`, `withdraw`,
    /// `write_fee`, `commission_collected`, ...), not only those below.
    @inlinable public init(rawValue: String) { self.rawValue = rawValue }
    /// A storage purchase or extension paid into the storage fund.
    public static let storagePayment: Self = "storage_payment"
    /// `write_payment`. Not emitted by the simulation, which records registration write fees as `write_fee`.
    public static let writePayment: Self = "write_payment"
    /// The delegators' part of a node's epoch reward, into its pool.
    public static let reward: Self = "reward"
    /// The operator's part of a node's epoch reward, into its pool's commission.
    public static let commission: Self = "commission"
    /// A subsidy paid into storage-fund slots or a pool's commission.
    public static let subsidy: Self = "subsidy"
    /// WAL destroyed; the payee is the burn account (`burn`, or `burned` as the simulation writes it).
    public static let burn: Self = "burn"
    /// An account staking into a pool's principal.
    public static let stake: Self = "stake"
    /// `unstake`. Not emitted by the simulation, which records principal and rewards paid back as `withdraw`.
    public static let unstake: Self = "unstake"
    /// Burned commission or principal (the payee is the burn account).
    public static let slash: Self = "slash"
}

/// What a fault injector did.
public struct FaultKind: ResultCategory {
    /// The `kind` text of the `faults` row, e.g. `crash`.
    public var rawValue: String
    /// The kind named `rawValue`; any lowercase `snake_case` name is accepted.
    @inlinable public init(rawValue: String) { self.rawValue = rawValue }
    /// Nodes go down: no messages to or from them until the fault
    /// ends and they restart (`details`: whether the disk was lost).
    public static let crash: Self = "crash"
    /// A network partition: endpoints on different sides cannot exchange messages.
    public static let partition: Self = "partition"
    /// Extra one-way latency on messages to or from the targets (`details`: `+<duration>`).
    public static let latencySpike: Self = "latency_spike"
    /// A fraction of messages is dropped; the simulation applies it network-wide (`details`: the rate in ppm).
    public static let packetLoss: Self = "packet_loss"
    /// The targets' bandwidth cut to a fraction of capacity (`details`: `<permille>/1000 of capacity`).
    public static let bandwidthThrottle: Self = "bandwidth_throttle"
    /// A node keeps slivers it should serve to readers or recovering nodes. Not injected by the simulation yet.
    public static let withholdSlivers: Self = "withhold_slivers"
    /// A node serves slivers that fail verification. Not injected by the simulation yet.
    public static let corruptSlivers: Self = "corrupt_slivers"
    /// A client writes a blob whose slivers are not a consistent encoding. Not injected by the simulation yet.
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
    /// The scenario's `name`, as in the file.
    public var scenarioName: String
    /// Digest of the expanded scenario (hex), so runs of the same scenario group together.
    public var scenarioDigest: String
    /// The scenario file's text as loaded, so a run can be reproduced from its database alone.
    public var scenarioText: String
    /// This run's fixed parameters (after sweep expansion) as JSON with sorted keys.
    public var parametersJSON: String
    /// The run seed, from which every random stream is derived;
    /// all 64 bits are kept (stored as the same-bits `Int64`).
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

    /// A run registry entry; `wallStartedAt` defaults to `nil` so tests stay deterministic.
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

    /// A run's end; the wall-clock fields default to `nil` (tests, determinism checks).
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
    /// The node's dense id, from 0: the `node_id` column.
    public var node: NodeID
    /// Display name; the simulation names node `i` `node-<i>`.
    public var name: String
    /// Network region, e.g. `eu-west`.
    public var region: String
    /// Behaviour profile, e.g. `honest`, `crashed`, `withholding`.
    public var profile: String
    /// Storage capacity in bytes.
    public var capacityBytes: UInt64
    /// Commission rate of the node's staking pool.
    public var commission: BasisPoints
    /// Stake delegated to the node at genesis.
    public var initialStakeFrost: UInt64

    /// A node row; `profile` defaults to `honest`.
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
    /// The epoch number; 0 is genesis.
    public var epoch: Epoch
    /// Simulated ns since the start of the run at which the epoch began.
    public var startNs: UInt64
    /// When shard sync for this epoch's committee finished; nil if it never did.
    public var syncDoneNs: UInt64?
    /// Simulated ns at which the epoch ended; nil if it was still running when the run ended.
    public var endNs: UInt64?
    /// Price of storing one unit (1 MiB of encoded size) for one epoch.
    public var storagePriceFrostPerMiB: UInt64
    /// One-off price of writing one unit (1 MiB of encoded size).
    public var writePriceFrostPerMiB: UInt64
    /// Total capacity of the epoch's committee, in bytes.
    public var capacityBytes: UInt64
    /// Capacity sold for the epoch, in bytes.
    public var usedCapacityBytes: UInt64
    /// Total stake of the epoch's committee, in FROST.
    public var totalStakeFrost: UInt64
    /// Rewards distributed for this epoch.
    public var rewardPoolFrost: UInt64
    /// WAL burned during this epoch.
    public var burnedFrost: UInt64

    /// An epoch row; `syncDoneNs` and `endNs` default to nil ("not yet").
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
    /// The epoch of the committee.
    public var epoch: Epoch
    /// The member node.
    public var node: NodeID
    /// Shards the node holds in this epoch.
    public var shardCount: UInt32
    /// The node's stake for the epoch, in FROST.
    public var stakeFrost: UInt64

    /// One member of one epoch's committee.
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
    /// Unencoded size in bytes.
    public var sizeBytes: UInt64
    /// Total size of all slivers and metadata stored for the blob.
    public var encodedSizeBytes: UInt64
    /// Simulated ns at which registration became final on chain; nil if never.
    public var registeredNs: UInt64?
    /// Simulated ns at which certification became final on chain; nil if never.
    public var certifiedNs: UInt64?
    /// First epoch in which the blob is no longer stored.
    public var endEpoch: Epoch
    /// The blob's state at the end of the run.
    public var status: BlobStatus
    /// Whether the owner may delete the blob before its end epoch.
    public var deletable: Bool
    /// Simulated ns at which the chain declared the blob invalid (an inconsistent encoding);
    /// nil if never.
    public var invalidNs: UInt64?
    /// Records the blob holds: 1 for a plain blob, the patch count of a quilt (1...65534).
    public var records: Int
    /// The name of the writes workload that wrote it; nil when not written by a workload.
    public var workload: String?

    /// A blob row with its final state.
    public init(
        blobIndex: UInt64, blobID: String, sizeBytes: UInt64, encodedSizeBytes: UInt64,
        registeredNs: UInt64?, certifiedNs: UInt64?, endEpoch: Epoch, status: BlobStatus, deletable: Bool,
        invalidNs: UInt64? = nil, records: Int = 1, workload: String? = nil
    ) {
        self.invalidNs = invalidNs
        self.records = records
        self.workload = workload
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
    /// What the operation did.
    public var kind: OperationKind
    /// The blob operated on; nil for operations on no single blob.
    public var blobIndex: UInt64?
    /// The client process that issued the operation.
    public var client: NodeID
    /// Simulated ns at which the client started the operation.
    public var startNs: UInt64
    /// Nil when the run ended first (outcome `unfinished`).
    public var endNs: UInt64?
    /// How it ended; `unfinished` goes with a nil `endNs`.
    public var outcome: OperationOutcome
    /// Payload bytes written or read (the blob size for a successful read or write).
    public var bytes: UInt64
    /// Attempts made, counting the first.
    public var attempts: UInt32
    /// Free-form detail, e.g. the reason of a failure; nil when there is nothing to say.
    public var details: String?

    /// An operation row; `attempts` defaults to 1 (no retries) and `details` to nil.
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

/// One phase of a client operation (table `op_phases`): a named interval between two moments
/// of the operation, e.g. a write's `encode` or `store`, a read's `slivers`. Rows of kind
/// `phase` of one operation are disjoint and in time order, so their durations add up to at
/// most the operation's latency; rows of kind `span` are details that overlap them (e.g.
/// `store_upload`, from the first store request sent to the last).
public struct OperationPhaseRecord: Hashable, Sendable {
    /// The operation (`ops.op_id`).
    public var opID: UInt64
    /// Position of the phase among its operation's phases, from 0.
    public var seq: UInt32
    /// The phase's name (see `Results/README.md` for the list).
    public var phase: String
    /// `phase` (disjoint, adding up to the latency) or `span` (an overlapping detail).
    public var kind: String
    /// Simulated ns at which the phase started.
    public var startNs: UInt64
    /// Simulated ns at which it ended; not before `startNs`.
    public var endNs: UInt64

    /// A phase row.
    public init(opID: UInt64, seq: UInt32, phase: String, kind: String, startNs: UInt64, endNs: UInt64) {
        self.opID = opID
        self.seq = seq
        self.phase = phase
        self.kind = kind
        self.startNs = startNs
        self.endNs = endNs
    }
}

/// A movement of WAL between two accounts. Accounts are named `node:<id>`, `client:<id>`,
/// `pool:<node id>`, `storage_fund`, `subsidies`, `burn`, and so on; the writer numbers flows
/// in the order they are recorded.
public struct FlowRecord: Hashable, Sendable {
    /// The epoch in which the WAL moved.
    public var epoch: Epoch
    /// Simulated ns at which the movement was recorded: the finality
    /// of the chain transaction that made it (0 at genesis).
    public var timeNs: UInt64
    /// Why the WAL moved.
    public var kind: FlowKind
    /// The account debited, e.g. `client:3`, `pool:7`, `storage_fund`. The simulation writes the economics'
    /// endpoint as Swift prints it instead: `account(account3)`, `stakedPrincipal(node2)`, `storageFund(epoch4)`, `mint`.
    public var payer: String
    /// The account credited, same names; `burn` for burned WAL (`burned` as the simulation writes it).
    public var payee: String
    /// The amount moved, in FROST; payer loses and payee gains exactly this.
    public var amountFrost: UInt64

    /// A movement of `amountFrost` from `payer` to `payee`.
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
    /// An exact count, stored as SQL INTEGER.
    case int(Int64)
    /// A measurement such as a ratio, stored as SQL REAL.
    case double(Double)
}

/// One point of a time series. Names carry units (`reads_available_ratio`,
/// `recovery_bytes`); the writer numbers samples in the order they are recorded.
public struct MetricSample: Hashable, Sendable {
    /// The series name, carrying its unit (e.g. `nodes_up`, `messages_dropped`).
    public var name: String
    /// Simulated ns of the sample.
    public var timeNs: UInt64
    /// The sample's value; its case decides the SQL type.
    public var value: MetricValue

    /// One sample of series `name` at `timeNs`.
    public init(name: String, timeNs: UInt64, value: MetricValue) {
        self.name = name
        self.timeNs = timeNs
        self.value = value
    }
}

/// An injected fault, recorded when it is injected (with `endNs` if already known) or when it
/// is lifted. The writer numbers faults in the order they are recorded.
public struct FaultRecord: Hashable, Sendable {
    /// Simulated ns at which the fault was injected.
    public var startNs: UInt64
    /// What the injector did.
    public var kind: FaultKind
    /// What the fault hit, e.g. `node:17`, `region:eu-west`, `link:3-9`.
    /// The simulation writes a comma-separated node list such as
    /// `node3,node5`, or `network` for a fault without node targets.
    public var target: String
    /// Parameters of the fault, e.g. `loss=0.2`; may be empty.
    public var details: String
    /// Nil for faults never lifted.
    public var endNs: UInt64?

    /// A fault row; `details` defaults to empty and `endNs` to nil (never lifted).
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
    /// Records a storage node's row; at most one per node in a run.
    func record(_ node: NodeRecord)
    /// Records an epoch's row; at most one per epoch in a run.
    func record(_ epoch: EpochRecord)
    /// Records a committee member's row; at most one per (epoch, node) in a run.
    func record(_ member: CommitteeRecord)
    /// Records a blob's row; at most one per blob index in a run.
    func record(_ blob: BlobRecord)
    /// Records a finished operation's row; at most one per operation id in a run.
    func record(_ operation: OperationRecord)
    /// Records a WAL movement; the sink numbers flows (`seq`) in record order.
    func record(_ flow: FlowRecord)
    /// Records a metric sample; the sink numbers samples (`seq`) in record order.
    func record(_ sample: MetricSample)
    /// Records an injected fault; the sink numbers faults (`seq`) in record order.
    func record(_ fault: FaultRecord)
    /// Records a node's finished epoch; at most one per (epoch, node) in a run.
    func record(_ nodeEpoch: NodeEpochRecord)
    /// Records one phase of a finished operation; at most one per (operation id, seq) in a run.
    func record(_ phase: OperationPhaseRecord)
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
    /// Finished: `finish(_:)` stored its summary with the last records.
    /// Only complete runs are results (`merge` copies no other).
    case complete
    /// Stopped on an error: `fail(reason:)` stored why; the records before it are kept.
    case failed
}

/// A sink that keeps every record in memory, for tests and small tools.
///
/// It enforces the same contract as the database writer, keys excepted: nothing is accepted
/// after `finish` or `fail` (a programming error, which traps).
public final class CollectingResultsSink: ResultsSink {
    /// The run the sink was opened for, if any; the sink itself never reads it.
    public let run: RunInfo?
    /// Every node record, in record order.
    public private(set) var nodes: [NodeRecord] = []
    /// Every epoch record, in record order.
    public private(set) var epochs: [EpochRecord] = []
    /// Every committee record, in record order.
    public private(set) var committee: [CommitteeRecord] = []
    /// Every blob record, in record order.
    public private(set) var blobs: [BlobRecord] = []
    /// Every operation record, in record order.
    public private(set) var operations: [OperationRecord] = []
    /// Every flow record, in record order.
    public private(set) var flows: [FlowRecord] = []
    /// Every metric sample, in record order.
    public private(set) var metrics: [MetricSample] = []
    /// Every fault record, in record order.
    public private(set) var faults: [FaultRecord] = []
    /// Every node-epoch record, in record order.
    public private(set) var nodeEpochs: [NodeEpochRecord] = []
    /// Every operation phase record, in record order.
    public private(set) var phases: [OperationPhaseRecord] = []
    /// `incomplete` until `finish(_:)` (then `complete`) or `fail(reason:)` (then `failed`).
    public private(set) var status: RunStatus = .incomplete
    /// The summary given to `finish(_:)`; nil unless `status` is `complete`.
    public private(set) var summary: RunSummary?
    /// The reason given to `fail(reason:)`; nil unless `status` is `failed`.
    public private(set) var failureReason: String?

    /// An empty sink for `run`, accepting records.
    public init(run: RunInfo? = nil) { self.run = run }

    private func accepting() {
        precondition(status == .incomplete, "CollectingResultsSink: record after the run ended (\(status))")
    }

    /// Appends to `nodes`; traps after the run ended.
    public func record(_ node: NodeRecord) { accepting(); nodes.append(node) }
    /// Appends to `epochs`; traps after the run ended.
    public func record(_ epoch: EpochRecord) { accepting(); epochs.append(epoch) }
    /// Appends to `committee`; traps after the run ended.
    public func record(_ member: CommitteeRecord) { accepting(); committee.append(member) }
    /// Appends to `blobs`; traps after the run ended.
    public func record(_ blob: BlobRecord) { accepting(); blobs.append(blob) }
    /// Appends to `operations`; traps after the run ended.
    public func record(_ operation: OperationRecord) { accepting(); operations.append(operation) }
    /// Appends to `flows`; traps after the run ended.
    public func record(_ flow: FlowRecord) { accepting(); flows.append(flow) }
    /// Appends to `metrics`; traps after the run ended.
    public func record(_ sample: MetricSample) { accepting(); metrics.append(sample) }
    /// Appends to `faults`; traps after the run ended.
    public func record(_ fault: FaultRecord) { accepting(); faults.append(fault) }
    /// Appends to `nodeEpochs`; traps after the run ended.
    public func record(_ nodeEpoch: NodeEpochRecord) { accepting(); nodeEpochs.append(nodeEpoch) }
    /// Appends to `phases`; traps after the run ended.
    public func record(_ phase: OperationPhaseRecord) { accepting(); phases.append(phase) }
    /// Does nothing and never throws: records in memory are as durable as they get.
    public func flush() throws {}

    /// Stores `summary` and marks the run `complete`; traps if it already ended. Never throws.
    public func finish(_ summary: RunSummary) throws {
        accepting()
        self.summary = summary
        status = .complete
    }

    /// Stores `reason` and marks the run `failed`; traps if it already ended. Never throws.
    public func fail(reason: String) throws {
        accepting()
        failureReason = reason
        status = .failed
    }

    /// Replays everything recorded into another sink, kind by kind in record order (nodes,
    /// epochs, committee, blobs, operations, flows, metrics, faults, node epochs, operation phases), then ends it the same
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
        for r in nodeEpochs { sink.record(r) }
        for r in phases { sink.record(r) }
        switch status {
        case .incomplete: try sink.flush()
        case .complete: try sink.finish(summary!)
        case .failed: try sink.fail(reason: failureReason ?? "")
        }
    }
}
