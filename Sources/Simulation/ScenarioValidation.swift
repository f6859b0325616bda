import RedStuff
import SimEngine
import SimSupport
import WalrusModel

/// The first reason a `Scenario` cannot run, named by the key path a scenario file uses for
/// it (`nodes.count`, `fault[2].nodes.shards_up_to`, `workload[0].lifetime_epochs`), so that
/// the loader can point at the line and a programmatic caller still knows which field is bad.
public struct ScenarioValidationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Key path in scenario-file spelling; arrays of tables are indexed from 0 (`fault[0]`).
    public var keyPath: String
    /// What was expected and what was found, e.g. `expected 4...49155 shards, got 3`.
    public var message: String

    /// An error at `keyPath` (scenario-file spelling) saying `message`.
    public init(keyPath: String, message: String) {
        self.keyPath = keyPath
        self.message = message
    }

    /// `keyPath: message`, e.g. `nodes.shards: expected a shard count in 4...49155 (Walrus needs n >= 4; its Reed-Solomon codec stops at 49155), got 3`.
    public var description: String { "\(keyPath): \(message)" }
}

/// Limits on scenario sizes. They are generous for a laptop run but bound every loop the world
/// will size from a scenario, so a typo (`count = 1000000000`) fails here, not after an hour.
public enum ScenarioLimits {
    /// Walrus encodes with n >= 4 shards (f >= 1); above 49,155 its Reed-Solomon codec
    /// (reed-solomon-simd) cannot build the primary code (`EncodingConfig.maxShards`).
    public static let shards = 4...EncodingConfig.maxShards
    /// Storage nodes per scenario (`nodes.count`).
    public static let nodes = 1...100_000
    /// Clients per scenario (`clients.count`).
    public static let clients = 1...100_000
    /// Operations one writes, reads or lifecycle workload may issue (its `count`).
    public static let operationsPerWorkload = 1...10_000_000
    /// Attempts per client operation (`clients.max_attempts`).
    public static let maxAttempts = 1...1_000
    /// Workloads per scenario.
    public static let workloads = 0...1_000
    /// Faults per scenario.
    public static let faults = 0...10_000
    /// Largest WAL amount whose FROST value fits in `UInt64` (about 1.8 * 10^10 WAL).
    public static let maxWAL: UInt64 = UInt64.max / Frost.perWAL
    /// The longest duration anywhere in a scenario: 2^62 ns (about 146 years), so that a time
    /// plus a duration always fits the 64-bit signed nanoseconds of the results database.
    public static let maxDuration = SimDuration(nanoseconds: 1 << 62)
    /// The largest size anywhere in a scenario: 2^62 bytes (4 EiB), so sums stay in 64 bits.
    public static let maxBytes: UInt64 = 1 << 62
    /// The shortest metrics interval, and the most samples a run may take.
    public static let minMetricsInterval = SimDuration.milliseconds(1)
    /// The most metric samples a run may take (`duration / metrics_interval`).
    public static let maxMetricSamples: UInt64 = 1_000_000
    /// Characters allowed in a scenario name, which names result files and folders.
    public static let nameCharacters = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
    /// The longest scenario name.
    public static let maxNameLength = 100
    /// `max_epochs_ahead` of both the mainnet and testnet presets (Walrus system parameters);
    /// Simulation does not import Economics, so the value is repeated here.
    public static let defaultMaxEpochsAhead = 53
}

extension Scenario {
    /// The largest number of shards that may fail, `f = floor((n - 1) / 3)` for `n` shards.
    public var faultTolerance: Int { (nodes.shards - 1) / 3 }

    /// Checks everything the world relies on and throws the first problem, by key path.
    ///
    /// Contract: a scenario that passes can be built into a world without traps: counts are in
    /// `ScenarioLimits`, distributions are valid (and sizes and delays cannot go below zero by
    /// construction of their lower bounds), names refer to things that exist, faults start
    /// before the run ends and select nodes and shards that exist. Checks are in the order of
    /// the file's sections, so the error is the first one a reader of the file would meet.
    public func validate() throws(ScenarioValidationError) {
        func fail(_ path: String, _ message: String) -> ScenarioValidationError {
            ScenarioValidationError(keyPath: path, message: message)
        }

        guard !name.isEmpty else { throw fail("name", "expected a non-empty name") }
        // The name names the results folder and file: a safe alphabet, and no hidden or
        // parent-directory names.
        guard name.count <= ScenarioLimits.maxNameLength, name.allSatisfy(ScenarioLimits.nameCharacters.contains),
              !name.hasPrefix("."), !name.hasPrefix("-") else {
            throw fail("name", "expected at most \(ScenarioLimits.maxNameLength) letters, digits, '.', '_' or '-', not starting with '.' or '-', got \"\(name)\"")
        }
        guard duration > .zero else { throw fail("duration", "expected a duration > 0, got 0") }
        try checkDuration(duration, at: "duration")
        guard metricsInterval >= ScenarioLimits.minMetricsInterval else {
            throw fail("metrics_interval", "expected at least \(ScenarioLimits.minMetricsInterval), got \(metricsInterval)")
        }
        guard duration.nanoseconds / metricsInterval.nanoseconds <= ScenarioLimits.maxMetricSamples else {
            throw fail("metrics_interval", "expected at most \(ScenarioLimits.maxMetricSamples) samples per run (duration \(spelled(duration)) / interval), got \(duration.nanoseconds / metricsInterval.nanoseconds); lengthen the interval")
        }

        // network
        try check(network.jitterMs, at: "network.jitter_ms", lowerBound: 0)
        guard network.lossPartsPerMillion <= 1_000_000 else {
            throw fail("network.loss_ppm", "expected parts per million in 0...1000000, got \(network.lossPartsPerMillion)")
        }
        for (key, link) in [("network.node_link_mbps", network.nodeLink), ("network.client_link_mbps", network.clientLink)] {
            guard link.uplinkBitsPerSecond > 0, link.downlinkBitsPerSecond > 0 else {
                throw fail(key, "expected link capacities > 0")
            }
        }
        let regionNames = network.regions.names
        func checkRegion(_ region: String, at path: String) throws(ScenarioValidationError) {
            guard regionNames.contains(region) else {
                throw fail(path, "no region named \"\(region)\"; regions are \(regionNames.joined(separator: ", "))")
            }
        }

        // nodes
        guard ScenarioLimits.nodes.contains(nodes.count) else {
            throw fail("nodes.count", "expected a node count in \(ScenarioLimits.nodes), got \(nodes.count)")
        }
        guard ScenarioLimits.shards.contains(nodes.shards) else {
            throw fail("nodes.shards", "expected a shard count in \(ScenarioLimits.shards) (Walrus needs n >= 4; its Reed-Solomon codec stops at 49155), got \(nodes.shards)")
        }
        var seenRegions: [String] = []
        for (region, weight) in nodes.regionWeights {
            let path = "nodes.regions.\(region)"
            try checkRegion(region, at: path)
            guard !seenRegions.contains(region) else { throw fail(path, "region listed twice") }
            seenRegions.append(region)
            guard weight.isFinite, weight >= 0 else { throw fail(path, "expected a weight >= 0, got \(weight)") }
        }
        if !nodes.regionWeights.isEmpty, !nodes.regionWeights.contains(where: { $0.weight > 0 }) {
            throw fail("nodes.regions", "expected at least one region weight > 0")
        }
        if !nodes.nodeRegions.isEmpty {
            guard nodes.nodeRegions.count == nodes.count else {
                throw fail("nodes.node_regions", "lists \(nodes.nodeRegions.count) regions but nodes.count is \(nodes.count): give one per node")
            }
            for region in nodes.nodeRegions { try checkRegion(region, at: "nodes.node_regions") }
        }
        if !nodes.providers.isEmpty, nodes.providers.count != nodes.count {
            throw fail("nodes.providers", "lists \(nodes.providers.count) providers but nodes.count is \(nodes.count): give one per node")
        }
        if !nodes.capacities.isEmpty {
            guard nodes.capacities.count == nodes.count else {
                throw fail("nodes.capacities", "lists \(nodes.capacities.count) capacities but nodes.count is \(nodes.count): give one per node")
            }
            for (i, c) in nodes.capacities.enumerated() where c == 0 || c > ScenarioLimits.maxBytes {
                throw fail("nodes.capacities", "node \(i): expected a size in 1 byte...2^62 bytes, got \(c)")
            }
        }
        guard nodes.capacityBytes > 0 else { throw fail("nodes.capacity", "expected a size > 0 bytes, got 0") }
        guard nodes.capacityBytes <= ScenarioLimits.maxBytes else {
            throw fail("nodes.capacity", "expected at most 2^62 bytes (4 EiB), got \(nodes.capacityBytes)")
        }
        guard nodes.commission <= .whole else {
            throw fail("nodes.commission_bp", "expected basis points in 0...10000, got \(nodes.commission.rawValue)")
        }
        try checkStake()
        try validateNodeEconomics()

        // chain
        try check(chain.finalitySeconds, at: "chain.finality_s", lowerBound: 0)
        try check(chain.eventLagSeconds, at: "chain.event_lag_s", lowerBound: 0)
        if let lag = chain.nodeEventLagSeconds { try check(lag, at: "chain.node_event_lag_s", lowerBound: 0) }

        // economics
        if let epoch = economics.epochDuration {
            guard epoch >= .milliseconds(1) else { throw fail("economics.epoch_duration", "expected at least 1ms (the contracts count milliseconds), got \(epoch)") }
            try checkDuration(epoch, at: "economics.epoch_duration")
        }
        if let ahead = economics.maxEpochsAhead, !(1...1_000).contains(ahead) {
            throw fail("economics.max_epochs_ahead", "expected 1...1000 epochs, got \(ahead)")
        }
        if let burn = economics.burnBasisPoints, burn > BasisPoints.denominator {
            throw fail("economics.burn_bp", "expected basis points in 0...10000, got \(burn)")
        }
        if let size = economics.activeSetSize, size < 1 {
            throw fail("economics.active_set_size", "expected an active set size >= 1, got \(size)")
        }
        guard economics.clientBalanceWAL <= ScenarioLimits.maxWAL else {
            throw fail("economics.client_balance_wal", "expected at most \(ScenarioLimits.maxWAL) WAL (the FROST amount must fit 64 bits), got \(economics.clientBalanceWAL)")
        }
        let maxEpochsAhead = economics.maxEpochsAhead ?? ScenarioLimits.defaultMaxEpochsAhead

        // clients
        guard ScenarioLimits.clients.contains(clients.count) else {
            throw fail("clients.count", "expected a client count in \(ScenarioLimits.clients), got \(clients.count)")
        }
        guard !clients.regions.isEmpty else { throw fail("clients.regions", "expected at least one region") }
        for (i, region) in clients.regions.enumerated() { try checkRegion(region, at: "clients.regions[\(i)]") }
        guard clients.attemptTimeout > .zero else { throw fail("clients.attempt_timeout", "expected a duration > 0, got 0") }
        try checkDuration(clients.attemptTimeout, at: "clients.attempt_timeout")
        guard ScenarioLimits.maxAttempts.contains(clients.maxAttempts) else {
            throw fail("clients.max_attempts", "expected attempts in \(ScenarioLimits.maxAttempts), got \(clients.maxAttempts)")
        }
        // After the client count is known to be in range (a negative count would not convert).
        try checkSupply()

        // workloads
        guard ScenarioLimits.workloads.contains(workloads.count) else {
            throw fail("workload", "expected at most \(ScenarioLimits.workloads.upperBound) workloads, got \(workloads.count)")
        }
        for (i, workload) in workloads.enumerated() {
            let path = "workload[\(i)]"
            guard !workload.name.isEmpty else { throw fail("\(path).name", "expected a non-empty name") }
            if let first = workloads.firstIndex(where: { $0.name == workload.name }), first < i {
                throw fail("\(path).name", "workload name \"\(workload.name)\" is already used by workload[\(first)]")
            }
            try checkWorkload(workload.kind, at: path, maxEpochsAhead: maxEpochsAhead)
        }

        // faults
        guard ScenarioLimits.faults.contains(faults.count) else {
            throw fail("fault", "expected at most \(ScenarioLimits.faults.upperBound) faults, got \(faults.count)")
        }
        for (i, fault) in faults.enumerated() {
            let path = "fault[\(i)]"
            guard fault.at <= ScenarioLimits.maxDuration, fault.at < duration else {
                throw fail("\(path).at", "expected a start before the end of the run (\(spelled(duration))), got \(spelled(fault.at))")
            }
            if let length = fault.duration {
                guard length > .zero else {
                    throw fail("\(path).duration", "expected a duration > 0 (omit it for a fault lasting to the end), got 0")
                }
                try checkDuration(length, at: "\(path).duration")
            }
            switch fault.kind {
            case .crash(let selection, _):
                try checkSelection(selection, at: "\(path).nodes")
            case .partition(.regions(let regions), _, _):
                guard !regions.isEmpty else { throw fail("\(path).regions", "expected at least one region to cut off") }
                for (j, region) in regions.enumerated() {
                    try checkRegion(region, at: "\(path).regions[\(j)]")
                    if regions[..<j].contains(region) { throw fail("\(path).regions[\(j)]", "region \"\(region)\" listed twice") }
                }
                guard regions.count < regionNames.count else {
                    throw fail("\(path).regions", "a partition must leave some region on the other side; all \(regionNames.count) regions are listed")
                }
            case .partition(.nodes(let selection), _, _):
                try checkSelection(selection, at: "\(path).nodes")
            case .loss(let ppm):
                guard (1...1_000_000).contains(ppm) else {
                    throw fail("\(path).loss_ppm", "expected parts per million in 1...1000000, got \(ppm)")
                }
            case .latencySpike(let selection, let extra):
                try checkSelection(selection, at: "\(path).nodes")
                guard extra > .zero else { throw fail("\(path).extra", "expected an extra latency > 0, got 0") }
                try checkDuration(extra, at: "\(path).extra")
            case .byzantine(let selection, let behaviour, let blobsPermille):
                try checkSelection(selection, at: "\(path).nodes")
                guard blobsPermille <= 1_000 else {
                    throw fail("\(path).blobs_permille", "expected 0...1000 permille of blobs, got \(blobsPermille)")
                }
                if case .selective(let p) = behaviour, p > 1_000 {
                    throw fail("\(path).serve_permille", "expected 0...1000 permille of clients, got \(p)")
                }
            case .throttle(let selection, let permille):
                try checkSelection(selection, at: "\(path).nodes")
                // 0 would stall every message on the link for good; use a crash or partition for that.
                guard (1...999).contains(permille) else {
                    throw fail("\(path).permille", "expected a remaining capacity in 1...999 permille, got \(permille)")
                }
            }
        }

        // fidelity
        if case .sampled(let permille) = fidelity.encoding, permille > 1_000 {
            throw fail("fidelity.sample_permille", "expected 0...1000 permille, got \(permille)")
        }
        guard fidelity.cpuEncodeBytesPerSecond > 0 else {
            throw fail("fidelity.cpu_encode_bytes_per_s", "expected a throughput > 0 bytes per second, got 0")
        }
        // protocol
        let timing = protocolSpec
        for (key, d) in [("shard_sync_request_timeout", timing.syncRequestTimeout), ("shard_sync_retry_min_backoff", timing.syncRetryMin),
                         ("shard_sync_retry_max_backoff", timing.syncRetryMax), ("shard_sync_switch_to_recovery", timing.syncSwitchToRecovery),
                         ("recovery_request_timeout", timing.recoveryRequestTimeout), ("recovery_retry_min_backoff", timing.recoveryRetryMin),
                         ("recovery_retry_max_backoff", timing.recoveryRetryMax), ("metadata_request_timeout", timing.metadataRequestTimeout)] {
            guard d >= .milliseconds(1) else { throw fail("protocol.\(key)", "expected at least 1ms, got \(d)") }
            try checkDuration(d, at: "protocol.\(key)")
        }
        try checkDuration(timing.blobSyncDelay, at: "protocol.blob_sync_delay")
        guard timing.syncRetryMin <= timing.syncRetryMax else {
            throw fail("protocol.shard_sync_retry_max_backoff", "expected at least shard_sync_retry_min_backoff (\(timing.syncRetryMin)), got \(timing.syncRetryMax)")
        }
        guard timing.recoveryRetryMin <= timing.recoveryRetryMax else {
            throw fail("protocol.recovery_retry_max_backoff", "expected at least recovery_retry_min_backoff (\(timing.recoveryRetryMin)), got \(timing.recoveryRetryMax)")
        }
        guard (1...1_000_000).contains(timing.syncBlobsPerRequest) else {
            throw fail("protocol.sliver_count_per_sync_request", "expected 1...1000000, got \(timing.syncBlobsPerRequest)")
        }
        guard (1...100_000).contains(timing.maxConcurrentRecoveries) else {
            throw fail("protocol.max_concurrent_recoveries", "expected 1...100000, got \(timing.maxConcurrentRecoveries)")
        }
        guard (0...10_000_000).contains(timing.recoveryProofCache) else {
            throw fail("protocol.recovery_proof_cache", "expected 0...10000000, got \(timing.recoveryProofCache)")
        }
        try checkDuration(fidelity.cpuSignatureCost, at: "fidelity.cpu_signature_cost")
        try checkDuration(fidelity.cpuHashCost, at: "fidelity.cpu_hash_cost")
        try validateEconomy()
    }

    private func checkDuration(_ d: SimDuration, at path: String) throws(ScenarioValidationError) {
        guard d <= ScenarioLimits.maxDuration else {
            throw ScenarioValidationError(keyPath: path, message: "expected at most 2^62 ns (about 146 years), got \(d.nanoseconds) ns")
        }
    }

    /// The total stake of the genesis, in WAL (validated by `checkStake`).
    var genesisStakeWAL: UInt64 {
        switch nodes.stake {
        case .equal(let t), .dirichlet(let t, _), .zipf(let t, _): t
        case .explicit(let stakes): stakes.reduce(0, &+)
        }
    }

    /// All WAL minted at genesis must fit the economics' 64-bit FROST supply: every client's
    /// balance, the nodes' stake, and the stake-churn account (funded with as much again).
    private func checkSupply() throws(ScenarioValidationError) {
        let clientsWAL = UInt128(max(0, clients.count)) * UInt128(economics.clientBalanceWAL)
        let minted = clientsWAL + 2 * UInt128(genesisStakeWAL)
        guard minted <= UInt128(ScenarioLimits.maxWAL) else {
            throw ScenarioValidationError(keyPath: "economics.client_balance_wal", message:
                "the WAL minted at genesis (clients.count \(clients.count) x client_balance_wal \(economics.clientBalanceWAL) + 2 x the stake \(genesisStakeWAL), for the nodes and the stake-churn account) must be at most \(ScenarioLimits.maxWAL) WAL, the 64-bit FROST supply; got \(minted)")
        }
    }

    private func checkStake() throws(ScenarioValidationError) {
        func fail(_ message: String) -> ScenarioValidationError {
            ScenarioValidationError(keyPath: "nodes.stake", message: message)
        }
        func checkTotal(_ total: UInt64) throws(ScenarioValidationError) {
            guard total > 0 else { throw fail("expected total_wal > 0, got 0") }
            guard total <= ScenarioLimits.maxWAL else {
                throw fail("expected total_wal <= \(ScenarioLimits.maxWAL) (the FROST amount must fit 64 bits), got \(total)")
            }
            // Every node needs at least one WAL to form a pool; fewer leaves some stake-less.
            guard total >= UInt64(nodes.count) else {
                throw fail("expected total_wal >= nodes.count (\(nodes.count)) so that every node has stake, got \(total)")
            }
        }
        switch nodes.stake {
        case .equal(let total):
            try checkTotal(total)
        case .dirichlet(let total, let alpha):
            try checkTotal(total)
            // Below 0.05 the gamma draws can all underflow to 0, leaving no weights to split by.
            guard alpha.isFinite, alpha >= 0.05 else { throw fail("expected alpha >= 0.05, got \(alpha)") }
        case .zipf(let total, let exponent):
            try checkTotal(total)
            guard exponent.isFinite, exponent >= 0 else { throw fail("expected exponent >= 0, got \(exponent)") }
        case .explicit(let stakes):
            guard stakes.count == nodes.count else {
                throw fail("expected one stake per node (\(nodes.count)), got \(stakes.count)")
            }
            var sum: UInt64 = 0
            for s in stakes {
                let (next, overflow) = sum.addingReportingOverflow(s)
                guard !overflow, next <= ScenarioLimits.maxWAL else {
                    throw fail("expected stakes summing to at most \(ScenarioLimits.maxWAL) WAL")
                }
                sum = next
            }
            guard sum > 0 else { throw fail("expected some stake > 0, all stakes are 0") }
        }
    }

    private func checkWorkload(_ kind: WorkloadSpec.Kind, at path: String, maxEpochsAhead: Int) throws(ScenarioValidationError) {
        func fail(_ key: String, _ message: String) -> ScenarioValidationError {
            ScenarioValidationError(keyPath: "\(path).\(key)", message: message)
        }
        func checkCount(_ count: Int) throws(ScenarioValidationError) {
            guard ScenarioLimits.operationsPerWorkload.contains(count) else {
                throw fail("count", "expected a count in \(ScenarioLimits.operationsPerWorkload), got \(count)")
            }
        }
        func checkStart(_ start: SimDuration) throws(ScenarioValidationError) {
            guard start <= ScenarioLimits.maxDuration, start < duration else {
                throw fail("start", "expected a start before the end of the run (\(spelled(duration))), got \(spelled(start))")
            }
        }
        switch kind {
        case .writes(let w):
            try check(w.interArrivalSeconds, at: "\(path).inter_arrival_s", lowerBound: 0)
            // A blob has at least one byte; the lower bound of the size distribution says so.
            try check(w.sizeBytes, at: "\(path).size", lowerBound: 1)
            // A size that is always above the largest encodable blob is a mistake, not a tail.
            if let config = try? EncodingConfig(nShards: nodes.shards), case let low = w.sizeBytes.smallestValue,
               low > Double(config.maxBlobSize) {
                throw fail("size", "every draw is above the largest blob \(nodes.shards) shards can encode (\(config.maxBlobSize) bytes): got \(w.sizeBytes.kindName) from \(low) bytes")
            }
            guard w.lifetimeEpochs.lowerBound >= 1 else {
                throw fail("lifetime_epochs", "expected lifetimes >= 1 epoch, got \(w.lifetimeEpochs.lowerBound)")
            }
            guard w.lifetimeEpochs.upperBound <= maxEpochsAhead else {
                throw fail("lifetime_epochs", "expected lifetimes <= max_epochs_ahead (\(maxEpochsAhead)), got \(w.lifetimeEpochs.upperBound)")
            }
            try checkCount(w.count)
            guard w.deletablePermille <= 1_000 else {
                throw fail("deletable_permille", "expected 0...1000 permille, got \(w.deletablePermille)")
            }
            guard w.inconsistentPermille <= 1_000 else {
                throw fail("inconsistent_permille", "expected 0...1000 permille, got \(w.inconsistentPermille)")
            }
            try checkStart(w.start)
            try checkArrival(w.arrival, at: path)
            // A closed loop starts each write when one ends: it has no arrival process of its own,
            // and a record waiting for its quilt never ends.
            if w.closedLoop > 0, w.quiltBatch > 1 {
                throw fail("closed_loop", "a closed-loop writer writes blobs one by one; it cannot gather records into quilts (quilt_batch = \(w.quiltBatch))")
            }
            if w.closedLoop > 0, w.arrival != .renewal {
                throw fail("closed_loop", "a closed-loop writer starts each write when one ends; arrival = \"\(w.arrival.name)\" does not apply")
            }
            // A quilt's index takes at least one of its C columns, each patch at least one more.
            if let config = try? EncodingConfig(nShards: nodes.shards), !(1...(config.columns - 1)).contains(w.quiltBatch) {
                throw fail("quilt_batch", "expected 1...\(config.columns - 1) records per quilt (a quilt of \(nodes.shards) shards has \(config.columns) columns, one at least for its index), got \(w.quiltBatch)")
            }
        case .reads(let r):
            try check(r.interArrivalSeconds, at: "\(path).inter_arrival_s", lowerBound: 0)
            try checkCount(r.count)
            try checkStart(r.start)
            try requireWrites(for: "reads", at: path)
            try checkArrival(r.arrival, at: path)
            if r.closedLoop > 0, r.arrival != .renewal {
                throw fail("closed_loop", "a closed-loop reader starts each read when one ends; arrival = \"\(r.arrival.name)\" does not apply")
            }
            guard r.rereadPermille <= 1_000 else {
                throw fail("reread_permille", "expected 0...1000 permille, got \(r.rereadPermille)")
            }
            if let source = r.source {
                let writes = workloads.filter { if case .writes = $0.kind { true } else { false } }.map(\.name)
                guard writes.contains(source) else {
                    throw fail("of", "expected the name of a writes workload (\(writes.map { "\"\($0)\"" }.joined(separator: ", "))), got \"\(source)\"")
                }
            }
            switch r.popularity {
            case .zipf(let exponent):
                guard exponent.isFinite, exponent > 0, exponent <= 2 else {
                    throw fail("zipf_exponent", "expected an exponent in (0, 2], got \(exponent)")
                }
            case .recency(let halfLife):
                guard halfLife > .zero, halfLife <= ScenarioLimits.maxDuration else {
                    throw fail("recency_half_life", "expected a half-life above 0 and at most \(spelled(ScenarioLimits.maxDuration)), got \(spelled(halfLife))")
                }
            case .uniform, .sequential:
                break
            }
        case .stakeChurn(let permille):
            guard permille <= 1_000 else {
                throw fail("fraction_permille", "expected 0...1000 permille of all stake, got \(permille)")
            }
        case .lifecycle(let l):
            try check(l.interArrivalSeconds, at: "\(path).inter_arrival_s", lowerBound: 0)
            guard l.extendPermille <= 1_000 else {
                throw fail("extend_permille", "expected 0...1000 permille, got \(l.extendPermille)")
            }
            guard (1...maxEpochsAhead).contains(l.extendEpochs) else {
                throw fail("extend_epochs", "expected 1...\(maxEpochsAhead) epochs (max_epochs_ahead), got \(l.extendEpochs)")
            }
            try checkCount(l.count)
            try requireWrites(for: "lifecycle", at: path)
        }
    }

    /// An arrival process's parameters: a diurnal amplitude in [0, 1) (the rate stays above
    /// zero), a period of at least a second with the peak inside it, burst sizes of at least one
    /// operation and idle gaps of at least zero.
    private func checkArrival(_ arrival: ArrivalProcess, at path: String) throws(ScenarioValidationError) {
        func fail(_ key: String, _ message: String) -> ScenarioValidationError {
            ScenarioValidationError(keyPath: "\(path).\(key)", message: message)
        }
        switch arrival {
        case .renewal:
            break
        case .diurnal(let amplitude, let peak, let period):
            guard amplitude.isFinite, amplitude >= 0, amplitude < 1 else {
                throw fail("diurnal_amplitude", "expected an amplitude in [0, 1) (the rate at the trough is 1 - amplitude times the mean), got \(amplitude)")
            }
            guard period >= .seconds(1), period <= ScenarioLimits.maxDuration else {
                throw fail("diurnal_period", "expected a period from 1s to \(spelled(ScenarioLimits.maxDuration)), got \(spelled(period))")
            }
            guard peak < period else {
                throw fail("diurnal_peak", "expected the peak within the period (\(spelled(period))), got \(spelled(peak))")
            }
        case .bursty(let operations, let idle):
            try check(operations, at: "\(path).burst_operations", lowerBound: 1)
            try check(idle, at: "\(path).burst_idle_s", lowerBound: 0)
        }
    }

    /// Reads and lifecycle operations act on written blobs; without a writes workload they can
    /// only fail, which is a contradiction in the file rather than an experiment.
    private func requireWrites(for kind: String, at path: String) throws(ScenarioValidationError) {
        let hasWrites = workloads.contains { if case .writes = $0.kind { true } else { false } }
        guard hasWrites else {
            throw ScenarioValidationError(keyPath: "\(path).kind", message: "a \(kind) workload needs a writes workload to act on")
        }
    }

    private func checkSelection(_ selection: NodeSelection, at path: String) throws(ScenarioValidationError) {
        func fail(_ key: String, _ message: String) -> ScenarioValidationError {
            ScenarioValidationError(keyPath: "\(path).\(key)", message: message)
        }
        switch selection {
        case .indices(let indices):
            guard !indices.isEmpty else { throw fail("indices", "expected at least one node index") }
            for (i, index) in indices.enumerated() {
                guard (0..<nodes.count).contains(index) else {
                    throw fail("indices[\(i)]", "expected a node index in 0...\(nodes.count - 1), got \(index)")
                }
                guard !indices[..<i].contains(index) else { throw fail("indices[\(i)]", "node \(index) listed twice") }
            }
        case .random(let count):
            guard (1...nodes.count).contains(count) else {
                throw fail("random", "expected 1...\(nodes.count) nodes (nodes.count), got \(count)")
            }
        case .shardsAtLeast(let shards):
            guard (1...nodes.shards).contains(shards) else {
                throw fail("shards_at_least", "expected 1...\(nodes.shards) shards (nodes.shards), got \(shards)")
            }
        case .shardsUpTo(let shards):
            guard (1...nodes.shards).contains(shards) else {
                throw fail("shards_up_to", "expected 1...\(nodes.shards) shards (nodes.shards), got \(shards)")
            }
        case .provider(let provider):
            guard nodes.providers.contains(provider) else {
                throw fail("provider", "no node has provider \"\(provider)\" (nodes.providers)")
            }
        case .region(let region):
            guard network.regions.names.contains(region) else {
                throw fail("region", "no region named \"\(region)\"; regions are \(network.regions.names.joined(separator: ", "))")
            }
        }
    }

    /// Runs `Distribution.validate()` and checks that draws cannot fall below `lowerBound`
    /// where the distribution has an explicit lower end (constant, uniform low, normal floor,
    /// Pareto scale); the other kinds are positive by construction.
    private func check(_ d: Distribution, at path: String, lowerBound: Double) throws(ScenarioValidationError) {
        do {
            try d.validate()
        } catch {
            throw ScenarioValidationError(keyPath: path, message: error.description)
        }
        let low: (name: String, value: Double)?
        switch d {
        case .constant(let v): low = ("value", v)
        case .uniform(let lo, _): low = ("low", lo)
        case .normal(_, _, let floor): low = ("floor", floor)
        case .pareto(_, let scale): low = ("scale", scale)
        case .exponential, .lognormal, .weibull, .gamma: low = nil
        }
        if let low, low.value < lowerBound {
            throw ScenarioValidationError(keyPath: "\(path).\(low.name)", message: "expected a \(d.kindName) \(low.name) >= \(lowerBound), got \(low.value)")
        }
    }
}

/// `d` as a scenario file would write it when it is a whole number of days, hours or minutes
/// (`"2h"`, not `7200s`), so that errors quote durations the way the file does.
func spelled(_ d: SimDuration) -> String {
    let ns = d.nanoseconds
    for (unit, size) in [("d", UInt64(86_400_000_000_000)), ("h", 3_600_000_000_000), ("m", 60_000_000_000)] where ns >= size && ns % size == 0 {
        return "\(ns / size)\(unit)"
    }
    return d.description
}
