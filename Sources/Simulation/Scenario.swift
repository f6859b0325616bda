import SimEngine
import SimSupport
import WalrusModel

/// One fully specified simulation: every parameter fixed, plus the seed. A scenario file with a
/// sweep expands into many of these (one per parameter combination and seed); a run is one
/// `Scenario` and nothing else, so the same value always produces the same results.
///
/// All sizes are bytes, all times are `SimDuration` (distributions name their unit: `…Seconds`,
/// `…Ms`), all money is FROST except in fields named `…WAL` (whole WAL). `validate()` names the
/// first thing that cannot run, by the key path a scenario file uses (e.g. `nodes.count`).
public struct Scenario: Sendable, Equatable {
    /// The scenario's name; must be non-empty. Stored as `runs.scenario_name`.
    public var name: String
    /// Free text for readers of the scenario file; no effect on the run.
    public var description: String = ""
    /// The run seed: every random stream of the run is derived from it (`SeedDerivation`).
    public var seed: UInt64 = 1
    /// Simulated time after which the run stops, whatever is pending.
    public var duration: SimDuration
    /// Regions, latencies, loss and link capacities.
    public var network = NetworkSpec()
    /// The storage nodes: count, shards, placement, capacity, prices and stake.
    public var nodes: NodesSpec
    /// Finality and event-lag delays of the chain.
    public var chain = ChainSpec()
    /// The economics preset, profile and overrides.
    public var economics = EconomicsSpec()
    /// The clients: count, regions, timeouts and retries.
    public var clients = ClientsSpec()
    /// Named workloads, run side by side.
    public var workloads: [WorkloadSpec] = []
    /// Faults injected at fixed simulated times.
    public var faults: [FaultSpec] = []
    /// The storage nodes' protocol timing (`[protocol]`; Walrus's node configuration defaults).
    public var protocolSpec = ProtocolSpec()
    /// How much of the real protocol code runs; recorded as `runs.fidelity`.
    public var fidelity = Fidelity()
    /// The resource model of nodes and clients (`[resources]`); `nil`: none (CPU costs only,
    /// one core per party, line-rate transfers, no SDK limits), as before it existed.
    public var resources: ResourceModel?
    /// `runs.fidelity`: the fidelity's summary, and the resource model's when there is one.
    public var fidelitySummary: String {
        resources.map { fidelity.summary + " " + $0.summary } ?? fidelity.summary
    }
    /// Which invariant checkers run.
    public var checks = CheckSpec()
    /// Interval between samples of the metrics time series.
    public var metricsInterval: SimDuration = .seconds(10)
    /// Behaviours of the economic actors (`[[policy]]`), in file order.
    public var policies: [PolicySpec] = []

    /// A scenario with the given name, duration and nodes and every
    /// other setting at its default (seed 1, no workloads, no faults).
    public init(name: String, duration: SimDuration, nodes: NodesSpec) {
        self.name = name
        self.duration = duration
        self.nodes = nodes
    }
}

/// Regions, latencies and links.
public struct NetworkSpec: Sendable, Equatable {
    /// Region names and RTTs; the paper's eight-region testbed by default.
    public var regions: RegionCatalog = .paperTestbed
    /// Jitter added to each one-way latency, in milliseconds.
    public var jitterMs: Distribution = .exponential(mean: 2)
    /// Probability of losing a message, in parts per million.
    public var lossPartsPerMillion: UInt64 = 0
    /// Access links of storage nodes (the paper's testbed nodes had 1 Gbit/s).
    public var nodeLink: LinkCapacity = .symmetric(megabitsPerSecond: 1_000)
    /// Access links of clients (the paper's clients were 10 Gbit/s AWS instances).
    public var clientLink: LinkCapacity = .symmetric(megabitsPerSecond: 10_000)
    /// The defaults: paper testbed regions, 2 ms mean exponential jitter, no loss, 1 Gbit/s nodes, 10 Gbit/s clients.
    public init() {}
}

/// The storage nodes and their stake.
public struct NodesSpec: Sendable, Equatable {
    /// Number of storage nodes, `ScenarioLimits.nodes`; node `i` is `NodeID(i)`.
    public var count: Int
    /// Shards of the system (`n_shards`); Walrus Mainnet has 1000.
    public var shards: Int
    /// How nodes are spread over regions: weights by region name (all regions equally when
    /// empty). Node i's region is drawn from the `placement` stream.
    public var regionWeights: [(region: String, weight: Double)] = []
    /// Storage capacity each node votes for, in bytes.
    public var capacityBytes: UInt64 = 64 << 40
    /// Commission rate of every node's pool (default 6000 bp, the `walrus-node setup` default).
    public var commission = BasisPoints(6_000)
    /// Storage and write price votes, FROST per MiB unit (Mainnet launch values by default).
    public var storagePriceFrost: UInt64 = 100_000
    /// Write price vote: FROST per MiB unit of encoded size, paid once at registration.
    public var writePriceFrost: UInt64 = 20_000
    /// How the total stake is split over nodes.
    public var stake: StakeDistribution = .equal(totalWAL: 1_000_000_000)
    /// Per-node votes, commission and operating costs (none by default: every node votes the scalars above).
    public var economics = NodeEconomicsSpec()
    /// Explicit region of each node, by node index (`count` entries); empty: drawn from
    /// `regionWeights`. A testbed such as the paper's lists them.
    public var nodeRegions: [String] = []
    /// Hosting provider of each node, by node index (`count` entries, or empty for none):
    /// what the `provider` node selection of faults matches (correlated provider outages).
    public var providers: [String] = []
    /// Capacity each node votes for, by node index (`count` entries); empty: `capacityBytes` for all.
    public var capacities: [UInt64] = []

    /// The capacity node `i` votes for.
    public func capacity(ofNode i: Int) -> UInt64 { i < capacities.count ? capacities[i] : capacityBytes }

    /// `count` nodes over `shards` shards, everything else at its default (equal split of 10^9 WAL).
    public init(count: Int, shards: Int) {
        self.count = count
        self.shards = shards
    }

    /// Equal when every field is, comparing region weights in order by name and by weight (tuples have no `==`).
    public static func == (a: NodesSpec, b: NodesSpec) -> Bool {
        a.count == b.count && a.shards == b.shards && a.capacityBytes == b.capacityBytes
            && a.commission == b.commission && a.storagePriceFrost == b.storagePriceFrost
            && a.writePriceFrost == b.writePriceFrost && a.stake == b.stake && a.economics == b.economics
            && a.regionWeights.map(\.region) == b.regionWeights.map(\.region)
            && a.regionWeights.map(\.weight) == b.regionWeights.map(\.weight)
            && a.nodeRegions == b.nodeRegions && a.providers == b.providers && a.capacities == b.capacities
    }
}

/// How stake is spread over the nodes at genesis.
public enum StakeDistribution: Sendable, Equatable {
    /// Every node gets `totalWAL / count`.
    case equal(totalWAL: UInt64)
    /// Shares drawn from a symmetric Dirichlet with concentration `alpha` (small alpha: skewed).
    case dirichlet(totalWAL: UInt64, alpha: Double)
    /// Zipf-like: node i gets a share proportional to `1 / (i + 1)^exponent`.
    case zipf(totalWAL: UInt64, exponent: Double)
    /// Explicit stakes in WAL, one per node.
    case explicit([UInt64])
}

/// The chain (Sui) as one sequencer.
public struct ChainSpec: Sendable, Equatable {
    /// Time from submission to finality of a transaction, in seconds (default 1 to 3 s).
    public var finalitySeconds: Distribution = .uniform(low: 1, high: 3)
    /// Delay between a chain event and a node or client acting on it, in seconds.
    public var eventLagSeconds: Distribution = .uniform(low: 0.1, high: 0.5)
    /// Per-node chain lag (`node_event_lag_s`): when set, each storage node follows the chain
    /// through its own full node and checkpoint stream, so it sees each event at its own time,
    /// the event's execution plus a lag drawn per node and per event (from the stream
    /// `chain.node_lag`, index = node), never before an earlier event. Clients keep
    /// `eventLagSeconds`. `nil` (the default): every party sees an event at once, after
    /// `eventLagSeconds`, and the event stream is what it was before this key existed.
    public var nodeEventLagSeconds: Distribution?
    /// The defaults: finality uniform in 1...3 s, event lag uniform in 0.1...0.5 s, no per-node lag.
    public init() {}
}

/// Which economics rules and parameters run.
public struct EconomicsSpec: Sendable, Equatable {
    /// Which rule set of the economics runs: `launch` (Mainnet as launched in March 2025) or
    /// `current` (after the 2026-05-11 upgrade); it picks the defaults of the economics' feature switches.
    public enum ProfileName: String, Sendable, Equatable { case launch, current }
    /// Which network's system parameters run: `mainnet` or `testnet`.
    public enum Preset: String, Sendable, Equatable { case mainnet, testnet }
    /// The rule set; `current` by default.
    public var profile: ProfileName = .current
    /// The system parameters; Mainnet by default.
    public var preset: Preset = .mainnet
    /// Overrides of the preset; `nil` keeps the preset's value.
    public var epochDuration: SimDuration?
    /// How many epochs ahead storage can be bought; `nil` keeps the preset's 53. Validated in 1...1000.
    public var maxEpochsAhead: Int?
    /// Share of each finished epoch's reward slot burned, in basis points; `nil` keeps the profile's. At most 10,000.
    public var burnBasisPoints: UInt64?
    /// Cap on the committee (active set) size; `nil` keeps the preset's. At least 1.
    public var activeSetSize: Int?
    /// WAL each client account starts with.
    public var clientBalanceWAL: UInt64 = 1_000_000
    /// Whitepaper extensions, NOT in the deployed contracts; off by default.
    public var storageChallenges = false
    /// Slashing of staked principal (NOT DEPLOYED: the contracts only burn commission); it acts
    /// through failed storage challenges, so it needs `storageChallenges`.
    public var principalSlashing = false
    /// NOT DEPLOYED: share of a failing node's epoch reward burned, bp (`challenge_forfeit_bp`).
    public var challengeForfeitBP: UInt64 = 10_000
    /// NOT DEPLOYED: principal slashed per failed shard, bp (`challenge_penalty_per_shard_bp`).
    public var challengePenaltyPerShardBP: UInt64 = 0
    /// The WAL/USD price over epochs, for operator costs and USD-pegged votes.
    public var walPrice: WalPricePath = .constant(usd: 0.5)
    /// The `walrus_subsidies` contract; `nil`: not created.
    public var subsidies: WalrusSubsidySpec?
    /// The old `subsidies` contract; `nil`: not created.
    public var buyerSubsidies: BuyerSubsidySpec?
    /// The defaults: Mainnet, `current` rules, no overrides, 10^6 WAL per client, no whitepaper extensions.
    public init() {}
}

/// The clients that run workloads.
public struct ClientsSpec: Sendable, Equatable {
    /// Number of clients, `ScenarioLimits.clients`; writes go to them round-robin by blob index.
    public var count: Int = 1
    /// Region names of clients, round-robin; the paper's two clients by default.
    public var regions: [String] = ["us-east", "ca-central"]
    /// Give up on one attempt of an operation after this long.
    public var attemptTimeout: SimDuration = .seconds(60)
    /// Attempts per operation before it is recorded as failed.
    public var maxAttempts: Int = 3
    /// The defaults: one client (regions `us-east`, `ca-central`, round-robin), 60 s attempt timeout, 3 attempts.
    public init() {}
}

/// A named workload: what clients do, and when.
public struct WorkloadSpec: Sendable, Equatable {
    /// The workload's name; non-empty and unique among the scenario's workloads.
    public var name: String
    /// What the workload does.
    public var kind: Kind
    /// A workload named `name` doing `kind`.
    public init(name: String, kind: Kind) {
        self.name = name
        self.kind = kind
    }

    /// The kinds of workload, each with its own random stream (`workload`, its index).
    public enum Kind: Sendable, Equatable {
        /// Write blobs: inter-arrival times (seconds) drawn from `interArrivalSeconds`, sizes
        /// (bytes) from `sizeBytes`, storage lifetimes (epochs) from `lifetimeEpochs`, at most
        /// `count` blobs; a `deletablePermille` share of them deletable.
        case writes(WriteWorkload)
        /// Read certified, unexpired blobs, chosen by the workload's popularity (uniformly by default).
        case reads(ReadWorkload)
        /// Move a fraction of all stake between nodes once per epoch, just after the epoch
        /// starts (so that it counts for the next committee selection).
        case stakeChurn(fractionPermille: UInt64)
        /// Extend or delete written blobs.
        case lifecycle(LifecycleWorkload)
    }
}

/// Blob writes: each tick writes one blob, by client `blob index % clients.count`, until `count` blobs.
public struct WriteWorkload: Sendable, Equatable {
    /// Seconds between writes; draws below 0 count as 0.
    public var interArrivalSeconds: Distribution
    /// Blob sizes in bytes, rounded; draws below 1 byte count as 1, draws above the encoding's
    /// maximum blob size are handled by `oversize`.
    public var sizeBytes: Distribution
    /// What a size draw above the largest blob `nodes.shards` allows becomes: the maximum
    /// (`clip`) or no write at all (`skip`); either way it is counted (`sizes_clipped` or
    /// `writes_skipped_oversize` in the metrics), never silent.
    public var oversize: OversizePolicy = .clip
    /// Share of the blobs (permille) a malicious writer encodes inconsistently: one systematic
    /// pair's primary hash in the metadata does not match its sliver (the writer sends the honest
    /// slivers), so the node holding it refuses it, recovers it after certification, finds an
    /// inconsistency proof and drives the blob's invalidation. Such blobs are always encoded for
    /// real, whatever the fidelity.
    public var inconsistentPermille: UInt64 = 0
    /// Storage epochs bought per blob, drawn uniformly from this range; within 1 ... `max_epochs_ahead`.
    public var lifetimeEpochs: ClosedRange<Int> = 1...5
    /// Number of blobs to write, `ScenarioLimits.operationsPerWorkload`.
    public var count: Int
    /// Share of the blobs registered as deletable, in permille (0...1000).
    public var deletablePermille: UInt64 = 0
    /// When the first write starts, from the start of the run; before the run ends.
    public var start: SimDuration = .zero
    /// How the gaps are laid on the clock (renewal, diurnal, bursty).
    public var arrival: ArrivalProcess = .renewal
    /// Records per quilt (Walrus QuiltV1): 1 writes every record as a blob of its own; N > 1
    /// gathers N records (fewer for the workload's last) into one quilt blob, written, paid for,
    /// extended and deleted as a whole, each record a patch readable on its own. At most the
    /// quilt's columns minus one (the index takes at least one).
    public var quiltBatch: Int = 1
    /// The preset the workload's defaults came from (`preset = "..."`), for the record.
    public var preset: String?
    /// Closed loop: 0 (open loop, a write every `interArrivalSeconds`) or the number of writes
    /// kept in flight, each next one starting `interArrivalSeconds` (think time) after one ends.
    /// With one client, N is one machine keeping N writes busy (walrus-stress, the paper's figure 11: 10).
    public var closedLoop = 0
    /// Writes with the given gaps, sizes and count; lifetimes 1...5 epochs, none deletable, starting at 0.
    public init(interArrivalSeconds: Distribution, sizeBytes: Distribution, count: Int) {
        self.interArrivalSeconds = interArrivalSeconds
        self.sizeBytes = sizeBytes
        self.count = count
    }
}

/// What a write whose drawn size exceeds the largest encodable blob does.
public enum OversizePolicy: String, Sendable, Equatable, CaseIterable {
    /// Write a blob of the largest encodable size instead.
    case clip
    /// Write nothing for this draw (the workload's count still advances).
    case skip
}

/// Reads of certified, unexpired blobs, chosen by `popularity`, each by a random client, until
/// `count` reads. A tick with no such blob issues nothing and does not count.
public struct ReadWorkload: Sendable, Equatable {
    /// Seconds between reads; draws below 0 count as 0.
    public var interArrivalSeconds: Distribution
    /// Number of reads to issue, `ScenarioLimits.operationsPerWorkload`.
    public var count: Int
    /// When the first read is tried, from the start of the run; before the run ends.
    public var start: SimDuration = .zero
    /// How the gaps are laid on the clock (renewal, diurnal, bursty).
    public var arrival: ArrivalProcess = .renewal
    /// Which readable blob a read picks.
    public var popularity: ReadPopularity = .uniform
    /// Share of reads (permille) that read again one of the last blobs this workload read
    /// (chosen uniformly among the last `ReadWorkload.rereadWindow`), while it is still readable.
    public var rereadPermille: UInt64 = 0
    /// The writes workload whose blobs these reads pick from (`of = "name"`); `nil`: any blob.
    public var source: String?
    /// The preset the workload's defaults came from (`preset = "..."`), for the record.
    public var preset: String?
    /// Closed loop: 0 (open loop, a read every `interArrivalSeconds`) or the number of reads
    /// kept in flight, each next one starting `interArrivalSeconds` (think time) after one
    /// ends, as a pool of read clients kept busy does (walrus-stress: `n_clients` readers).
    public var closedLoop = 0
    /// How many of its latest reads a workload remembers for re-reads.
    public static let rereadWindow = 16
    /// Reads with the given gaps and count, starting at 0.
    public init(interArrivalSeconds: Distribution, count: Int) {
        self.interArrivalSeconds = interArrivalSeconds
        self.count = count
    }
}

/// Extensions and deletions of live certified blobs, chosen uniformly, by the blob's writer,
/// until `count`. Starts at time 0; a tick with no such blob issues nothing and does not count.
public struct LifecycleWorkload: Sendable, Equatable {
    /// Seconds between lifecycle operations; draws below 0 count as 0.
    public var interArrivalSeconds: Distribution
    /// Share of lifecycle operations that are extensions (the rest delete deletable blobs).
    public var extendPermille: UInt64 = 500
    /// Epochs added per extension, 1 ... `max_epochs_ahead`.
    public var extendEpochs: Int = 1
    /// Number of lifecycle operations to issue, `ScenarioLimits.operationsPerWorkload`.
    public var count: Int
    /// Lifecycle operations with the given gaps and count; half extensions, one epoch each.
    public init(interArrivalSeconds: Distribution, count: Int) {
        self.interArrivalSeconds = interArrivalSeconds
        self.count = count
    }
}

/// A fault injected at a fixed simulated time.
public struct FaultSpec: Sendable, Equatable {
    /// When the fault starts, from the start of the run; must be before the run ends.
    public var at: SimDuration
    /// How long the fault lasts; `nil`: until the end of the run.
    public var duration: SimDuration?
    /// What the fault does.
    public var kind: Kind
    /// A fault of `kind` at `at` for `duration` (`nil`: to the end of the run).
    public init(at: SimDuration, duration: SimDuration?, kind: Kind) {
        self.at = at
        self.duration = duration
        self.kind = kind
    }

    /// The kinds of fault. Overlapping faults compose: a node is down while any crash holds it
    /// (and loses its disk if any of them does), partitions all apply, loss rates combine as
    /// independent losses, spikes add up and throttles multiply.
    public enum Kind: Sendable, Equatable {
        /// Crash nodes (by index); they restart when the fault ends, with or without their disk.
        case crash(nodes: NodeSelection, loseDisk: Bool)
        /// Cut a side (regions with their nodes and clients, or selected nodes) off from every
        /// other endpoint, in both directions or one.
        /// With `isolateChain`, the side cannot reach the chain either: its parties see the chain
        /// as it was when the cut began, their transactions wait, and both catch up when it heals.
        case partition(side: PartitionSide, direction: Network.CutDirection, isolateChain: Bool = false)
        /// Lose messages with this probability (parts per million).
        case loss(partsPerMillion: UInt64)
        /// Add latency to every message of the selected nodes.
        case latencySpike(nodes: NodeSelection, extra: SimDuration)
        /// Reduce the selected nodes' link capacity to `permille` / 1000.
        case throttle(nodes: NodeSelection, permille: UInt64)
        /// The selected nodes misbehave (a colluding group: they target the same blobs, the
        /// given permille of them); the honest participants' checks must catch them.
        case byzantine(nodes: NodeSelection, behaviour: StorageNode.Behaviour, blobsPermille: UInt64)
    }
}

/// What a partition cuts off.
public enum PartitionSide: Sendable, Equatable {
    /// Every node and client in these regions.
    case regions([String])
    /// These nodes (clients stay on the other side).
    case nodes(NodeSelection)
}

/// Which nodes a fault hits.
public enum NodeSelection: Sendable, Equatable {
    /// These node indices, each in `0 ..< nodes.count` and listed once.
    case indices([Int])
    /// `count` nodes drawn at random (from the `faults` stream) when the fault starts.
    case random(count: Int)
    /// Nodes holding, together, as many shards as possible without exceeding `shards`,
    /// largest first (e.g. f shards: the most the protocol tolerates).
    case shardsUpTo(Int)
    /// The fewest nodes, largest first, holding together at least `shards` shards (e.g. f+1:
    /// just beyond what the protocol tolerates).
    case shardsAtLeast(Int)
    /// Every node in a region.
    case region(String)
    /// Every node of a hosting provider (`nodes.providers`): a correlated provider outage.
    case provider(String)
}

/// How much of the real protocol code runs (DESIGN §5). Recorded with every run.
public struct Fidelity: Sendable, Equatable {
    /// How blobs are encoded.
    public enum Encoding: Sendable, Equatable {
        /// Every blob is encoded and every sliver verified for real.
        case real
        /// A deterministic sample of blobs (this share, in permille) is real; the rest carry
        /// sizes and commitments only.
        case sampled(permille: UInt64)
        /// Sizes and costs only.
        case modeled
    }
    /// What nodes keep of a sliver: `full` keeps its bytes; `digest` keeps only hashes and
    /// regenerates the bytes from the blob's seeded content when it must serve them (less memory).
    public enum Payload: String, Sendable, Equatable { case full, digest }
    /// Confirmation signatures: `real` Ed25519, or `modeled` tags
    /// of the same size. Both are charged the same CPU time.
    public enum Signatures: String, Sendable, Equatable { case real, modeled }
    /// Real encoding for every blob by default.
    public var encoding: Encoding = .real
    /// Full payloads by default.
    public var payload: Payload = .full
    /// Real signatures by default.
    public var signatures: Signatures = .real
    /// How slivers are checked against metadata (see `VerificationMode`): `memoized` skips
    /// recomputing a check whose outcome is already known for byte-identical honest slivers.
    public var verification: VerificationMode = .memoized
    /// CPU throughput used to charge encoding and verification to simulated time, in bytes
    /// of encoded output per second, and the cost per signature.
    public var cpuEncodeBytesPerSecond: UInt64 = 400 << 20
    /// CPU time charged per signature made or checked: blst's BLS12-381 sign time measured on
    /// this machine (BENCHMARKS.md, "BLS12-381"), what a Walrus node pays.
    public var cpuSignatureCost: SimDuration = .microseconds(470)
    /// The cost of one BLAKE2b call on a small input (Merkle nodes, symbol leaves).
    public var cpuHashCost: SimDuration = .nanoseconds(200)
    /// The defaults: real encoding, full payloads, real signatures, memoized
    /// verification, 400 MiB/s encoding, 60 us per signature, 200 ns per hash.
    public init() {}

    /// The CPU cost model these settings charge (DESIGN §5).
    public var costModel: CostModel {
        CostModel(encodeBytesPerSecond: cpuEncodeBytesPerSecond, hashCost: cpuHashCost, signatureCost: cpuSignatureCost)
    }

    /// The fidelity as recorded in `runs.fidelity`: every setting that changes results.
    public var summary: String {
        let e: String
        switch encoding {
        case .real: e = "real"
        case .sampled(let p): e = "sampled(\(p)/1000)"
        case .modeled: e = "modeled"
        }
        // The cost model's constants shape every latency, so they are part of the fidelity.
        let costs = costModel
        return "encoding=\(e) payload=\(payload.rawValue) signatures=\(signatures.rawValue) verification=\(verification.rawValue)"
            + " cpu_encode_bytes_per_s=\(costs.encodeBytesPerSecond) cpu_hash_ns=\(costs.hashCost.nanoseconds)"
            + " cpu_signature_ns=\(costs.signatureCost.nanoseconds)"
    }
}

/// Timing of the storage nodes' shard sync and recovery, scenario table `[protocol]`. The
/// defaults are those of Walrus's node configuration (`ShardSyncConfig`, `BlobRecoveryConfig`,
/// the live-upload deferral); short runs shorten them to see recovery within their window.
public struct ProtocolSpec: Sendable, Equatable {
    /// How long a shard's previous owner may take to answer a sync request.
    public var syncRequestTimeout: SimDuration = .seconds(60)
    /// Back-off after an unanswered sync request, doubling per attempt (Walrus: 1 min).
    public var syncRetryMin: SimDuration = .minutes(1)
    /// The longest sync back-off (Walrus: 10 min).
    public var syncRetryMax: SimDuration = .minutes(10)
    /// Without progress for this long, a gained shard is recovered instead of pulled (Walrus: 12 h).
    public var syncSwitchToRecovery: SimDuration = .hours(12)
    /// Blobs per sync request (Walrus: 1000).
    public var syncBlobsPerRequest = 1_000
    /// How long one recovery-symbol request may go unanswered (Walrus's `sliver_request_timeout`: 45 s).
    public var recoveryRequestTimeout: SimDuration = .seconds(45)
    /// First back-off between recovery rounds, doubling (Walrus: 1 s).
    public var recoveryRetryMin: SimDuration = .seconds(1)
    /// The longest recovery back-off (Walrus: 1 h).
    public var recoveryRetryMax: SimDuration = .hours(1)
    /// How long a recovering node waits for one node's metadata (Walrus: 5 s).
    public var metadataRequestTimeout: SimDuration = .seconds(5)
    /// Wait after certification before recovering missed pairs of a blob up to 100 MiB, twice
    /// this above (Walrus's live-upload deferral: 15 s and 30 s).
    public var blobSyncDelay: SimDuration = .seconds(15)
    /// Recoveries a node runs at once (Walrus: 100 blob syncs).
    public var maxConcurrentRecoveries = 100
    /// Source-sliver Merkle trees a node keeps to serve recovery symbols (Walrus:
    /// `max_proof_cache_elements`, 7,500); 0 keeps none, so every symbol pays its tree.
    public var recoveryProofCache = 7_500
    /// Walrus's defaults.
    public init() {}
}

/// Which invariant checkers run (all by default).
public struct CheckSpec: Sendable, Equatable {
    /// Whether, at each epoch start, live certified blobs are checked to keep enough primary slivers on
    /// nodes that are up.
    public var durability = true
    /// Whether a failed read of a live blob while at most f shards were faulty is reported.
    public var availability = true
    /// Whether readers that disagree (bytes against `invalid`), reads returning other bytes and
    /// honest blobs read as invalid are reported.
    public var consistency = true
    /// Whether WAL conservation (minted = held, to the FROST) is checked at each epoch start.
    public var conservation = true
    /// Whether, at the end of a run whose last `quietTail` had no fault in force, every honest
    /// node that is up holds its pairs of every valid blob certified before that tail.
    public var writeCompleteness = true
    /// Whether a failed honest write while at most f shards were faulty, and an epoch change
    /// still unfinished `quietTail` after it started with faults within f, are reported.
    public var liveness = true
    /// How long before the end of a run the world must be quiet for the completeness and
    /// liveness checks to apply (recoveries, syncs and uploads need time to finish).
    public var quietTail: SimDuration = .minutes(10)
    /// Every checker on.
    public init() {}
}
