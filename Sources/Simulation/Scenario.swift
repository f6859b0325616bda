import SimEngine
import SimSupport
import WalrusModel

/// One fully specified simulation: every parameter fixed, plus the seed. A scenario file with a
/// sweep expands into many of these (one per parameter combination and seed); a run is one
/// `Scenario` and nothing else, so the same value always produces the same results.
///
/// All sizes are bytes, all times are `SimDuration`, all money is FROST. `validate()` names the
/// first thing that cannot run, by the key path a scenario file uses (e.g. `nodes.count`).
public struct Scenario: Sendable, Equatable {
    public var name: String
    public var description: String = ""
    public var seed: UInt64 = 1
    /// Simulated time after which the run stops, whatever is pending.
    public var duration: SimDuration
    public var network = NetworkSpec()
    public var nodes: NodesSpec
    public var chain = ChainSpec()
    public var economics = EconomicsSpec()
    public var clients = ClientsSpec()
    /// Named workloads, run side by side.
    public var workloads: [WorkloadSpec] = []
    /// Faults injected at fixed simulated times.
    public var faults: [FaultSpec] = []
    public var fidelity = Fidelity()
    public var checks = CheckSpec()
    /// Interval between samples of the metrics time series.
    public var metricsInterval: SimDuration = .seconds(10)

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
    public init() {}
}

/// The storage nodes and their stake.
public struct NodesSpec: Sendable, Equatable {
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
    public var writePriceFrost: UInt64 = 20_000
    /// How the total stake is split over nodes.
    public var stake: StakeDistribution = .equal(totalWAL: 1_000_000_000)

    public init(count: Int, shards: Int) {
        self.count = count
        self.shards = shards
    }

    public static func == (a: NodesSpec, b: NodesSpec) -> Bool {
        a.count == b.count && a.shards == b.shards && a.capacityBytes == b.capacityBytes
            && a.commission == b.commission && a.storagePriceFrost == b.storagePriceFrost
            && a.writePriceFrost == b.writePriceFrost && a.stake == b.stake
            && a.regionWeights.map(\.region) == b.regionWeights.map(\.region)
            && a.regionWeights.map(\.weight) == b.regionWeights.map(\.weight)
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
    public init() {}
}

/// Which economics rules and parameters run.
public struct EconomicsSpec: Sendable, Equatable {
    public enum ProfileName: String, Sendable, Equatable { case launch, current }
    public enum Preset: String, Sendable, Equatable { case mainnet, testnet }
    public var profile: ProfileName = .current
    public var preset: Preset = .mainnet
    /// Overrides of the preset; `nil` keeps the preset's value.
    public var epochDuration: SimDuration?
    public var maxEpochsAhead: Int?
    public var burnBasisPoints: UInt64?
    public var activeSetSize: Int?
    /// WAL each client account starts with.
    public var clientBalanceWAL: UInt64 = 1_000_000
    /// Whitepaper extensions, NOT in the deployed contracts; off by default.
    public var storageChallenges = false
    public var principalSlashing = false
    public init() {}
}

/// The clients that run workloads.
public struct ClientsSpec: Sendable, Equatable {
    public var count: Int = 1
    /// Region names of clients, round-robin; the paper's two clients by default.
    public var regions: [String] = ["us-east", "ca-central"]
    /// Give up on one attempt of an operation after this long.
    public var attemptTimeout: SimDuration = .seconds(60)
    /// Attempts per operation before it is recorded as failed.
    public var maxAttempts: Int = 3
    public init() {}
}

/// A named workload: what clients do, and when.
public struct WorkloadSpec: Sendable, Equatable {
    public var name: String
    public var kind: Kind
    public init(name: String, kind: Kind) {
        self.name = name
        self.kind = kind
    }

    public enum Kind: Sendable, Equatable {
        /// Write blobs: inter-arrival times (seconds) drawn from `interArrivalSeconds`, sizes
        /// (bytes) from `sizeBytes`, storage lifetimes (epochs) from `lifetimeEpochs`, at most
        /// `count` blobs; a `deletableFraction` of them deletable.
        case writes(WriteWorkload)
        /// Read certified, unexpired blobs chosen uniformly.
        case reads(ReadWorkload)
        /// Move a fraction of all stake between nodes once per epoch, just after the epoch
        /// starts (so that it counts for the next committee selection).
        case stakeChurn(fractionPermille: UInt64)
        /// Extend or delete written blobs.
        case lifecycle(LifecycleWorkload)
    }
}

public struct WriteWorkload: Sendable, Equatable {
    public var interArrivalSeconds: Distribution
    public var sizeBytes: Distribution
    public var lifetimeEpochs: ClosedRange<Int> = 1...5
    public var count: Int
    public var deletablePermille: UInt64 = 0
    public var start: SimDuration = .zero
    public init(interArrivalSeconds: Distribution, sizeBytes: Distribution, count: Int) {
        self.interArrivalSeconds = interArrivalSeconds
        self.sizeBytes = sizeBytes
        self.count = count
    }
}

public struct ReadWorkload: Sendable, Equatable {
    public var interArrivalSeconds: Distribution
    public var count: Int
    public var start: SimDuration = .zero
    public init(interArrivalSeconds: Distribution, count: Int) {
        self.interArrivalSeconds = interArrivalSeconds
        self.count = count
    }
}

public struct LifecycleWorkload: Sendable, Equatable {
    public var interArrivalSeconds: Distribution
    /// Share of lifecycle operations that are extensions (the rest delete deletable blobs).
    public var extendPermille: UInt64 = 500
    public var extendEpochs: Int = 1
    public var count: Int
    public init(interArrivalSeconds: Distribution, count: Int) {
        self.interArrivalSeconds = interArrivalSeconds
        self.count = count
    }
}

/// A fault injected at a fixed simulated time.
public struct FaultSpec: Sendable, Equatable {
    public var at: SimDuration
    /// How long the fault lasts; `nil`: until the end of the run.
    public var duration: SimDuration?
    public var kind: Kind
    public init(at: SimDuration, duration: SimDuration?, kind: Kind) {
        self.at = at
        self.duration = duration
        self.kind = kind
    }

    public enum Kind: Sendable, Equatable {
        /// Crash nodes (by index); they restart when the fault ends, with or without their disk.
        case crash(nodes: NodeSelection, loseDisk: Bool)
        /// Cut the listed regions off from the rest.
        case partition(regions: [String])
        /// Lose messages with this probability (parts per million).
        case loss(partsPerMillion: UInt64)
        /// Add latency to every message of the selected nodes.
        case latencySpike(nodes: NodeSelection, extra: SimDuration)
        /// Reduce the selected nodes' link capacity to `permille` / 1000.
        case throttle(nodes: NodeSelection, permille: UInt64)
    }
}

/// Which nodes a fault hits.
public enum NodeSelection: Sendable, Equatable {
    case indices([Int])
    /// `count` nodes drawn at random (from the `faults` stream) when the fault starts.
    case random(count: Int)
    /// Nodes holding, together, as many shards as possible without exceeding `shards`,
    /// largest first (e.g. f shards: the most the protocol tolerates).
    case shardsUpTo(Int)
    /// Every node in a region.
    case region(String)
}

/// How much of the real protocol code runs (DESIGN §5). Recorded with every run.
public struct Fidelity: Sendable, Equatable {
    public enum Encoding: Sendable, Equatable {
        /// Every blob is encoded and every sliver verified for real.
        case real
        /// A deterministic sample of blobs (this share, in permille) is real; the rest carry
        /// sizes and commitments only.
        case sampled(permille: UInt64)
        /// Sizes and costs only.
        case modeled
    }
    public enum Payload: String, Sendable, Equatable { case full, digest }
    public enum Signatures: String, Sendable, Equatable { case real, modeled }
    public var encoding: Encoding = .real
    public var payload: Payload = .full
    public var signatures: Signatures = .real
    /// How slivers are checked against metadata (see `VerificationMode`): `memoized` skips
    /// recomputing a check whose outcome is already known for byte-identical honest slivers.
    public var verification: VerificationMode = .memoized
    /// CPU throughput used to charge encoding and verification to simulated time, in bytes
    /// of encoded output per second, and the cost per signature.
    public var cpuEncodeBytesPerSecond: UInt64 = 400 << 20
    public var cpuSignatureCost: SimDuration = .microseconds(60)
    /// The cost of one BLAKE2b call on a small input (Merkle nodes, symbol leaves).
    public var cpuHashCost: SimDuration = .nanoseconds(200)
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

/// Which invariant checkers run (all by default).
public struct CheckSpec: Sendable, Equatable {
    public var durability = true
    public var availability = true
    public var consistency = true
    public var conservation = true
    public init() {}
}
