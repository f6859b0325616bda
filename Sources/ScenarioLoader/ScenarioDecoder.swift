import SimEngine
import SimSupport
import Simulation
import WalrusModel

/// Decodes one scenario document (a parsed TOML table, sweep overrides already applied) into a
/// `Scenario`. The schema is documented key by key in `Scenarios/README.md`; this file is its
/// executable form. Omitted keys keep the defaults of the Swift types; `duration`,
/// `nodes.count` and `nodes.shards` have none and are required. `seeds` and `[sweep]` are the
/// loader's (`ScenarioFile`), not part of one run, and are skipped here.
struct ScenarioDecoder {
    let context: ErrorContext

    static let topLevelKeys = [
        "name", "description", "seed", "seeds", "duration", "metrics_interval", "network", "nodes", "chain",
        "economics", "clients", "workload", "fault", "fidelity", "protocol", "checks", "sweep", "policy", "tune", "resources",
    ]

    /// The scenario of `document`, run with `seed`; `defaultName` is used when `name` is absent.
    func decode(_ document: [String: TOMLNode], seed: UInt64, defaultName: String) throws(ScenarioError) -> Scenario {
        let top = TableReader(path: "", entries: document, context: context)
        try top.expectKeys(Self.topLevelKeys)

        let name = try top.string("name") ?? defaultName
        guard !name.isEmpty, name.unicodeScalars.allSatisfy({ KeyPath.isBareKeyScalar($0) || $0 == "." }) else {
            // Names become result folder and run names, so they stay path-safe.
            throw top.fail("name", "expected a name of letters, digits, '.', '_' and '-', got \(TOMLNode.string(name).tomlText)")
        }
        _ = try top.required("duration", "how long the run lasts, e.g. \"2h\"")
        let duration = try top.duration("duration")!
        let nodesTable = try top.table("nodes") ?? TableReader(path: "nodes", entries: [:], context: context)
        var scenario = Scenario(name: name, duration: duration, nodes: try decodeNodes(nodesTable))
        scenario.seed = seed
        scenario.description = try top.string("description") ?? ""
        if let interval = try top.duration("metrics_interval") { scenario.metricsInterval = interval }
        if let t = try top.table("network") { scenario.network = try decodeNetwork(t) }
        if let t = try top.table("chain") { scenario.chain = try decodeChain(t) }
        if let t = try top.table("economics") { scenario.economics = try decodeEconomics(t) }
        if let t = try top.table("clients") { scenario.clients = try decodeClients(t) }
        scenario.workloads = try top.tables("workload").map { (t) throws(ScenarioError) in try decodeWorkload(t) }
        scenario.faults = try top.tables("fault").map { (t) throws(ScenarioError) in try decodeFault(t, shards: scenario.nodes.shards) }
        if let t = try top.table("fidelity") { scenario.fidelity = try decodeFidelity(t) }
        if let t = try top.table("protocol") { scenario.protocolSpec = try decodeProtocol(t) }
        if let t = try top.table("checks") { scenario.checks = try decodeChecks(t) }
        scenario.policies = try top.tables("policy").map { (t) throws(ScenarioError) in try decodePolicy(t) }
        if let t = try top.table("resources") { scenario.resources = try decodeResources(t, nodeCount: scenario.nodes.count) }
        return scenario
    }

    /// `[protocol]`: the nodes' shard-sync and recovery timing (Walrus's defaults when omitted).
    func decodeProtocol(_ t: TableReader) throws(ScenarioError) -> ProtocolSpec {
        try t.expectKeys(["shard_sync_request_timeout", "shard_sync_retry_min_backoff", "shard_sync_retry_max_backoff",
                          "shard_sync_switch_to_recovery", "sliver_count_per_sync_request", "recovery_request_timeout",
                          "recovery_retry_min_backoff", "recovery_retry_max_backoff", "metadata_request_timeout",
                          "blob_sync_delay", "max_concurrent_recoveries", "recovery_proof_cache"])
        var p = ProtocolSpec()
        if let d = try t.duration("shard_sync_request_timeout") { p.syncRequestTimeout = d }
        if let d = try t.duration("shard_sync_retry_min_backoff") { p.syncRetryMin = d }
        if let d = try t.duration("shard_sync_retry_max_backoff") { p.syncRetryMax = d }
        if let d = try t.duration("shard_sync_switch_to_recovery") { p.syncSwitchToRecovery = d }
        if let n = try t.int("sliver_count_per_sync_request") { p.syncBlobsPerRequest = n }
        if let d = try t.duration("recovery_request_timeout") { p.recoveryRequestTimeout = d }
        if let d = try t.duration("recovery_retry_min_backoff") { p.recoveryRetryMin = d }
        if let d = try t.duration("recovery_retry_max_backoff") { p.recoveryRetryMax = d }
        if let d = try t.duration("metadata_request_timeout") { p.metadataRequestTimeout = d }
        if let d = try t.duration("blob_sync_delay") { p.blobSyncDelay = d }
        if let n = try t.int("max_concurrent_recoveries") { p.maxConcurrentRecoveries = n }
        if let n = try t.int("recovery_proof_cache") { p.recoveryProofCache = n }
        return p
    }

    // MARK: sections

    func decodeNetwork(_ t: TableReader) throws(ScenarioError) -> NetworkSpec {
        try t.expectKeys(["regions", "jitter_ms", "loss_ppm", "node_link_mbps", "client_link_mbps"])
        var spec = NetworkSpec()
        if let node = t.entries["regions"] { spec.regions = try decodeRegions(node, at: t.keyPath("regions")) }
        if let node = t.entries["jitter_ms"] { spec.jitterMs = try distribution(node, at: t.keyPath("jitter_ms"), unit: .milliseconds) }
        if let ppm = try t.uint("loss_ppm") { spec.lossPartsPerMillion = ppm }
        if let node = t.entries["node_link_mbps"] { spec.nodeLink = try link(node, at: t.keyPath("node_link_mbps")) }
        if let node = t.entries["client_link_mbps"] { spec.clientLink = try link(node, at: t.keyPath("client_link_mbps")) }
        return spec
    }

    /// `"paper"`, or an array of `{ name, rtt_ms = [...] }` tables giving the RTT matrix row by row.
    func decodeRegions(_ node: TOMLNode, at path: String) throws(ScenarioError) -> RegionCatalog {
        if case .string(let preset) = node {
            guard preset == "paper" else {
                throw context.error(.invalidValue, path, "expected the preset \"paper\" or [[network.regions]] tables, got \(node.tomlText)")
            }
            return .paperTestbed
        }
        guard case .array(let items) = node else {
            throw context.error(.invalidValue, path, "expected the preset \"paper\" or [[network.regions]] tables, got \(node.found)")
        }
        var names: [String] = [], rows: [[Double]] = []
        for (i, item) in items.enumerated() {
            let t = try TableReader.table(item, at: KeyPath.element(path, i), context)
            try t.expectKeys(["name", "rtt_ms"])
            guard case .string(let name) = try t.required("name", "the region's name") else {
                throw t.fail("name", "expected a string, got \(t.entries["name"]!.found)")
            }
            guard let rtts = try t.array("rtt_ms") else { throw t.fail("rtt_ms", "missing required key (RTTs in ms to every region, in order)", kind: .missingKey) }
            var row: [Double] = []
            for (j, rtt) in rtts.enumerated() { row.append(try TableReader.double(rtt, at: KeyPath.element(t.keyPath("rtt_ms"), j), context)) }
            names.append(name)
            rows.append(row)
        }
        do {
            return try RegionCatalog(names: names, rttMilliseconds: rows)
        } catch {
            throw context.error(.invalidValue, path, error.description)
        }
    }

    /// Megabits per second, symmetric (`1000`) or `{ up = 1000, down = 100 }`.
    func link(_ node: TOMLNode, at path: String) throws(ScenarioError) -> LinkCapacity {
        func bits(_ node: TOMLNode, at path: String) throws(ScenarioError) -> UInt64 {
            let mbps = try TableReader.double(node, at: path, context)
            guard mbps >= 0, mbps <= 1e12 else { throw context.error(.invalidValue, path, "expected megabits per second in 0...1e12, got \(node.found)") }
            return UInt64((mbps * 1e6).rounded())
        }
        if case .table = node {
            let t = try TableReader.table(node, at: path, context)
            try t.expectKeys(["up", "down"])
            return LinkCapacity(
                uplinkBitsPerSecond: try bits(try t.required("up", "uplink megabits per second"), at: t.keyPath("up")),
                downlinkBitsPerSecond: try bits(try t.required("down", "downlink megabits per second"), at: t.keyPath("down"))
            )
        }
        let b = try bits(node, at: path)
        return LinkCapacity(uplinkBitsPerSecond: b, downlinkBitsPerSecond: b)
    }

    func decodeNodes(_ t: TableReader) throws(ScenarioError) -> NodesSpec {
        try t.expectKeys(["count", "shards", "regions", "capacity", "commission_bp", "storage_price_frost", "write_price_frost", "stake",
                          "fixed_cost_usd", "storage_cost_usd_per_tb_month", "egress_cost_usd_per_tb", "deny_list_bytes",
                          "node_regions", "providers", "capacities"])
        guard let count = try t.int("count") else { throw t.fail("count", "missing required key (number of storage nodes)", kind: .missingKey) }
        guard let shards = try t.int("shards") else { throw t.fail("shards", "missing required key (number of shards, e.g. 1000)", kind: .missingKey) }
        var spec = NodesSpec(count: count, shards: shards)
        if let regions = try t.table("regions") {
            // Sorted by name: TOML tables have no order, and placement must not depend on parsing.
            var weights: [(region: String, weight: Double)] = []
            for region in regions.entries.keys.sorted() {
                weights.append((region, try TableReader.double(regions.entries[region]!, at: regions.keyPath(region), context)))
            }
            spec.regionWeights = weights
        }
        // A scalar applies to every node; an array or a distribution is per node (`PerNode.swift`).
        func scalar(_ key: String) -> Bool {
            switch t.entries[key] {
            case .array?, .table?: false
            default: true
            }
        }
        if scalar("capacity"), let capacity = try t.size("capacity") { spec.capacityBytes = capacity }
        if scalar("commission_bp"), let bp = try t.uint("commission_bp") { spec.commission = BasisPoints(bp) }
        if scalar("storage_price_frost"), let price = try t.uint("storage_price_frost") { spec.storagePriceFrost = price }
        if scalar("write_price_frost"), let price = try t.uint("write_price_frost") { spec.writePriceFrost = price }
        try decodeNodeEconomics(t, into: &spec)
        if let stake = try t.table("stake") { spec.stake = try decodeStake(stake) }
        // An explicit testbed: one entry per node each.
        if let list = try t.strings("node_regions") {
            guard list.count == count else { throw t.fail("node_regions", "lists \(list.count) regions but count is \(count): give one per node") }
            spec.nodeRegions = list
        }
        if let list = try t.strings("providers") {
            guard list.count == count else { throw t.fail("providers", "lists \(list.count) providers but count is \(count): give one per node") }
            spec.providers = list
        }
        if let items = try t.array("capacities") {
            // Two spellings of one per-node list would be two answers to one question.
            guard scalar("capacity") else {
                throw t.fail("capacities", "capacity already gives each node its capacity (a list or a distribution); use one of capacity and capacities")
            }
            guard items.count == count else { throw t.fail("capacities", "lists \(items.count) capacities but count is \(count): give one per node") }
            var sizes: [UInt64] = []
            for (i, item) in items.enumerated() {
                let size = try TableReader.size(item, at: KeyPath.element(t.keyPath("capacities"), i), context)
                guard size > 0 else { throw context.error(.invalidValue, KeyPath.element(t.keyPath("capacities"), i), "expected a size > 0 bytes, got 0") }
                sizes.append(size)
            }
            spec.capacities = sizes
        }
        return spec
    }

    static let stakeKinds = ["equal", "dirichlet", "zipf", "explicit"]

    func decodeStake(_ t: TableReader) throws(ScenarioError) -> StakeDistribution {
        try t.expectKeys(["kind", "total_wal", "alpha", "exponent", "wal"])
        _ = try t.required("kind", "one of \(Self.stakeKinds.joined(separator: ", "))")
        let kind = try t.choice("kind", Self.stakeKinds)!
        let keys: [String] = switch kind {
        case "dirichlet": ["kind", "total_wal", "alpha"]
        case "zipf": ["kind", "total_wal", "exponent"]
        case "explicit": ["kind", "wal"]
        default: ["kind", "total_wal"]
        }
        try t.expectKeys(keys, context: "stake kind \"\(kind)\"")
        let total = try t.uint("total_wal") ?? 1_000_000_000
        switch kind {
        case "dirichlet":
            return .dirichlet(totalWAL: total, alpha: try TableReader.double(try t.required("alpha", "Dirichlet concentration > 0"), at: t.keyPath("alpha"), context))
        case "zipf":
            return .zipf(totalWAL: total, exponent: try TableReader.double(try t.required("exponent", "Zipf exponent >= 0"), at: t.keyPath("exponent"), context))
        case "explicit":
            guard let items = try t.array("wal") else { throw t.fail("wal", "missing required key (one stake in WAL per node)", kind: .missingKey) }
            var stakes: [UInt64] = []
            for (i, item) in items.enumerated() { stakes.append(try TableReader.uint(item, at: KeyPath.element(t.keyPath("wal"), i), context)) }
            return .explicit(stakes)
        default:
            return .equal(totalWAL: total)
        }
    }

    func decodeChain(_ t: TableReader) throws(ScenarioError) -> ChainSpec {
        try t.expectKeys(["finality_s", "event_lag_s", "node_event_lag_s"])
        var spec = ChainSpec()
        if let node = t.entries["finality_s"] { spec.finalitySeconds = try distribution(node, at: t.keyPath("finality_s"), unit: .seconds) }
        if let node = t.entries["event_lag_s"] { spec.eventLagSeconds = try distribution(node, at: t.keyPath("event_lag_s"), unit: .seconds) }
        if let node = t.entries["node_event_lag_s"] { spec.nodeEventLagSeconds = try distribution(node, at: t.keyPath("node_event_lag_s"), unit: .seconds) }
        return spec
    }

    func decodeEconomics(_ t: TableReader) throws(ScenarioError) -> EconomicsSpec {
        try t.expectKeys([
            "profile", "preset", "epoch_duration", "max_epochs_ahead", "burn_bp", "active_set_size", "client_balance_wal",
            "storage_challenges", "principal_slashing", "challenge_forfeit_bp", "challenge_penalty_per_shard_bp",
            "wal_price", "subsidies", "buyer_subsidies",
        ])
        var spec = EconomicsSpec()
        if let p = try t.choice("profile", ["launch", "current"]) { spec.profile = EconomicsSpec.ProfileName(rawValue: p)! }
        if let p = try t.choice("preset", ["mainnet", "testnet"]) { spec.preset = EconomicsSpec.Preset(rawValue: p)! }
        spec.epochDuration = try t.duration("epoch_duration")
        spec.maxEpochsAhead = try t.int("max_epochs_ahead")
        spec.burnBasisPoints = try t.uint("burn_bp")
        spec.activeSetSize = try t.int("active_set_size")
        if let wal = try t.uint("client_balance_wal") { spec.clientBalanceWAL = wal }
        if let b = try t.bool("storage_challenges") { spec.storageChallenges = b }
        if let b = try t.bool("principal_slashing") { spec.principalSlashing = b }
        if let v = try t.uint("challenge_forfeit_bp") { spec.challengeForfeitBP = v }
        if let v = try t.uint("challenge_penalty_per_shard_bp") { spec.challengePenaltyPerShardBP = v }
        if let p = try t.table("wal_price") { spec.walPrice = try decodeWalPrice(p) }
        if let s = try t.table("subsidies") { spec.subsidies = try decodeSubsidies(s) }
        if let b = try t.table("buyer_subsidies") { spec.buyerSubsidies = try decodeBuyerSubsidies(b) }
        return spec
    }

    func decodeClients(_ t: TableReader) throws(ScenarioError) -> ClientsSpec {
        try t.expectKeys(["count", "regions", "attempt_timeout", "max_attempts"])
        var spec = ClientsSpec()
        if let count = try t.int("count") { spec.count = count }
        if let regions = try t.strings("regions") { spec.regions = regions }
        if let timeout = try t.duration("attempt_timeout") { spec.attemptTimeout = timeout }
        if let attempts = try t.int("max_attempts") { spec.maxAttempts = attempts }
        return spec
    }

    static let workloadKinds = ["writes", "reads", "stake_churn", "lifecycle"]

    /// Keys that shape when operations arrive, shared by writes and reads.
    static let arrivalKeys = ["arrival", "diurnal_amplitude", "diurnal_peak", "diurnal_period", "burst_operations", "burst_idle_s"]

    func decodeWorkload(_ t: TableReader) throws(ScenarioError) -> WorkloadSpec {
        let keysByKind: [String: [String]] = [
            "writes": ["preset", "inter_arrival_s", "size", "lifetime_epochs", "count", "deletable_permille", "start", "oversize",
                       "inconsistent_permille", "quilt_batch", "closed_loop"] + Self.arrivalKeys,
            "reads": ["preset", "inter_arrival_s", "count", "start", "popularity", "zipf_exponent", "recency_half_life",
                      "reread_permille", "of", "closed_loop"] + Self.arrivalKeys,
            "stake_churn": ["fraction_permille"],
            "lifecycle": ["inter_arrival_s", "extend_permille", "extend_epochs", "count"],
        ]
        // Typos first (against every workload key), then keys that exist but not for this kind.
        try t.expectKeys(["name", "kind"] + Self.workloadKinds.flatMap { keysByKind[$0]! }.uniqued())
        _ = try t.required("kind", "one of \(Self.workloadKinds.joined(separator: ", "))")
        let kind = try t.choice("kind", Self.workloadKinds)!
        let keys = keysByKind[kind]!
        try t.expectKeys(["name", "kind"] + keys, context: "a \(kind) workload")
        _ = try t.required("name", "every workload is named")
        let name = try t.string("name")!
        let presets = WorkloadPreset.allCases.map(\.rawValue)
        let preset = try t.choice("preset", presets).map { WorkloadPreset(rawValue: $0)! }
        func arrivals() throws(ScenarioError) -> Distribution? {
            guard let node = t.entries["inter_arrival_s"] else { return nil }
            return try distribution(node, at: t.keyPath("inter_arrival_s"), unit: .seconds)
        }
        func requiredArrivals() throws(ScenarioError) -> Distribution {
            _ = try t.required("inter_arrival_s", "seconds between operations, a distribution")
            return try arrivals()!
        }
        func count() throws(ScenarioError) -> Int {
            _ = try t.required("count", "how many operations")
            return try t.int("count")!
        }
        switch kind {
        case "writes":
            var w: WriteWorkload
            if let preset {
                w = preset.writes(count: try count())
                if let gaps = try arrivals() { w.interArrivalSeconds = gaps }
                if let node = t.entries["size"] { w.sizeBytes = try distribution(node, at: t.keyPath("size"), unit: .bytes) }
            } else {
                let size = try distribution(try t.required("size", "blob sizes in bytes, a distribution (or set a preset)"), at: t.keyPath("size"), unit: .bytes)
                w = WriteWorkload(interArrivalSeconds: try requiredArrivals(), sizeBytes: size, count: try count())
            }
            if let node = t.entries["lifetime_epochs"] { w.lifetimeEpochs = try range(node, at: t.keyPath("lifetime_epochs")) }
            if let p = try t.uint("deletable_permille") { w.deletablePermille = p }
            if let start = try t.duration("start") { w.start = start }
            if let o = try t.choice("oversize", OversizePolicy.allCases.map(\.rawValue)) { w.oversize = OversizePolicy(rawValue: o)! }
            if let p = try t.uint("inconsistent_permille") { w.inconsistentPermille = p }
            if let q = try t.int("quilt_batch") { w.quiltBatch = q }
            w.arrival = try arrivalProcess(t, default: w.arrival)
            if let n = try t.uint("closed_loop", max: 100_000) { w.closedLoop = Int(n) }
            return WorkloadSpec(name: name, kind: .writes(w))
        case "reads":
            var r: ReadWorkload
            if let preset {
                r = preset.reads(count: try count())
                if let gaps = try arrivals() { r.interArrivalSeconds = gaps }
            } else {
                r = ReadWorkload(interArrivalSeconds: try requiredArrivals(), count: try count())
            }
            if let start = try t.duration("start") { r.start = start }
            if let p = try t.uint("reread_permille") { r.rereadPermille = p }
            if let source = try t.string("of") { r.source = source }
            r.popularity = try readPopularity(t, default: r.popularity)
            r.arrival = try arrivalProcess(t, default: r.arrival)
            if let n = try t.uint("closed_loop", max: 100_000) { r.closedLoop = Int(n) }
            return WorkloadSpec(name: name, kind: .reads(r))
        case "stake_churn":
            _ = try t.required("fraction_permille", "permille of all stake moved each epoch")
            return WorkloadSpec(name: name, kind: .stakeChurn(fractionPermille: try t.uint("fraction_permille")!))
        default:
            var l = LifecycleWorkload(interArrivalSeconds: try requiredArrivals(), count: try count())
            if let p = try t.uint("extend_permille") { l.extendPermille = p }
            if let e = try t.int("extend_epochs") { l.extendEpochs = e }
            return WorkloadSpec(name: name, kind: .lifecycle(l))
        }
    }

    /// The workload's arrival process: `arrival` (or the preset's), with its parameters. A
    /// parameter of another process than the one in force is an error, not silently ignored.
    func arrivalProcess(_ t: TableReader, default preset: ArrivalProcess) throws(ScenarioError) -> ArrivalProcess {
        let name = try t.choice("arrival", ArrivalProcess.names) ?? preset.name
        let parameters = ["diurnal": ["diurnal_amplitude", "diurnal_peak", "diurnal_period"], "bursty": ["burst_operations", "burst_idle_s"]]
        for (process, keys) in parameters where process != name {
            for key in keys where t.has(key) {
                throw t.fail(key, "\(key) applies to arrival = \"\(process)\", but this workload's arrival is \"\(name)\"", kind: .unknownKey)
            }
        }
        switch name {
        case "diurnal":
            var (amplitude, peak, period) = (0.5, SimDuration.seconds(20 * 3_600), SimDuration.seconds(86_400))
            if case .diurnal(let a, let p, let q) = preset { (amplitude, peak, period) = (a, p, q) }
            if let a = try t.double("diurnal_amplitude") { amplitude = a }
            if let p = try t.duration("diurnal_peak") { peak = p }
            if let q = try t.duration("diurnal_period") { period = q }
            return .diurnal(amplitude: amplitude, peak: peak, period: period)
        case "bursty":
            var (operations, idle) = (Distribution.constant(100), Distribution.exponential(mean: 86_400))
            if case .bursty(let o, let i) = preset { (operations, idle) = (o, i) }
            if let node = t.entries["burst_operations"] { operations = try distribution(node, at: t.keyPath("burst_operations"), unit: .count) }
            if let node = t.entries["burst_idle_s"] { idle = try distribution(node, at: t.keyPath("burst_idle_s"), unit: .seconds) }
            return .bursty(burstOperations: operations, idleSeconds: idle)
        default:
            return .renewal
        }
    }

    /// The reads' popularity: `popularity` (or the preset's), with its parameter.
    func readPopularity(_ t: TableReader, default preset: ReadPopularity) throws(ScenarioError) -> ReadPopularity {
        let name = try t.choice("popularity", ReadPopularity.names) ?? preset.name
        for (process, key) in [("zipf", "zipf_exponent"), ("recency", "recency_half_life")] where process != name && t.has(key) {
            throw t.fail(key, "\(key) applies to popularity = \"\(process)\", but this workload's popularity is \"\(name)\"", kind: .unknownKey)
        }
        switch name {
        case "zipf":
            var exponent = 1.0
            if case .zipf(let e) = preset { exponent = e }
            if let e = try t.double("zipf_exponent") { exponent = e }
            return .zipf(exponent: exponent)
        case "recency":
            var halfLife = SimDuration.seconds(3_600)
            if case .recency(let h) = preset { halfLife = h }
            if let h = try t.duration("recency_half_life") { halfLife = h }
            return .recency(halfLife: halfLife)
        case "sequential": return .sequential
        default: return .uniform
        }
    }

    /// `[low, high]` (inclusive) or one integer for a fixed value.
    func range(_ node: TOMLNode, at path: String) throws(ScenarioError) -> ClosedRange<Int> {
        switch node {
        case .int(let i):
            return i...i
        case .array(let items) where items.count == 2:
            let low = try TableReader.int(items[0], at: KeyPath.element(path, 0), context)
            let high = try TableReader.int(items[1], at: KeyPath.element(path, 1), context)
            guard low <= high else { throw context.error(.invalidValue, path, "expected [low, high] with low <= high, got \(node.tomlText)") }
            return low...high
        default:
            throw context.error(.invalidValue, path, "expected an integer or [low, high], got \(node.tomlText)")
        }
    }

    static let faultKinds = ["crash", "partition", "loss", "latency_spike", "throttle", "byzantine"]
    static let behaviours = ["withhold", "corrupt_slivers", "wrong_metadata", "lazy_signer", "refuse_sync", "silent", "selective"]

    func decodeFault(_ t: TableReader, shards: Int) throws(ScenarioError) -> FaultSpec {
        let keysByKind: [String: [String]] = [
            "crash": ["nodes", "lose_disk"], "partition": ["regions", "nodes", "direction", "isolate_chain"], "loss": ["loss_ppm"],
            "latency_spike": ["nodes", "extra"], "throttle": ["nodes", "permille"],
            "byzantine": ["nodes", "behaviour", "blobs_permille", "serve_permille"],
        ]
        try t.expectKeys(["name", "kind", "at", "duration"] + Self.faultKinds.flatMap { keysByKind[$0]! }.uniqued())
        _ = try t.required("kind", "one of \(Self.faultKinds.joined(separator: ", "))")
        let kind = try t.choice("kind", Self.faultKinds)!
        let keys = keysByKind[kind]!
        try t.expectKeys(["name", "kind", "at", "duration"] + keys, context: "a \(kind) fault")
        _ = try t.string("name")
        _ = try t.required("at", "when the fault starts, e.g. \"30m\"")
        let at = try t.duration("at")!
        let length = try t.duration("duration")
        func nodes() throws(ScenarioError) -> NodeSelection {
            try selection(try t.required("nodes", "which nodes"), at: t.keyPath("nodes"), shards: shards)
        }
        let faultKind: FaultSpec.Kind
        switch kind {
        case "crash":
            faultKind = .crash(nodes: try nodes(), loseDisk: try t.bool("lose_disk") ?? false)
        case "partition":
            let direction = try t.choice("direction", Network.CutDirection.allCases.map(\.rawValue)).flatMap(Network.CutDirection.init) ?? .both
            let isolateChain = try t.bool("isolate_chain") ?? false
            switch (t.has("regions"), t.has("nodes")) {
            case (true, false): faultKind = .partition(side: .regions(try t.strings("regions")!), direction: direction, isolateChain: isolateChain)
            case (false, true): faultKind = .partition(side: .nodes(try nodes()), direction: direction, isolateChain: isolateChain)
            case (true, true): throw t.fail("nodes", "give either regions or nodes for the side cut off, not both")
            case (false, false): throw t.fail("regions", "expected regions = [...] or nodes = ..., the side cut off from the rest", kind: .missingKey)
            }
        case "loss":
            _ = try t.required("loss_ppm", "message loss in parts per million")
            faultKind = .loss(partsPerMillion: try t.uint("loss_ppm")!)
        case "latency_spike":
            _ = try t.required("extra", "latency added to each message, e.g. \"200ms\"")
            faultKind = .latencySpike(nodes: try nodes(), extra: try t.duration("extra")!)
        case "byzantine":
            _ = try t.required("behaviour", "one of \(Self.behaviours.joined(separator: ", "))")
            let name = try t.choice("behaviour", Self.behaviours)!
            let behaviour: StorageNode.Behaviour
            switch name {
            case "withhold": behaviour = .withhold
            case "corrupt_slivers": behaviour = .corruptSlivers
            case "wrong_metadata": behaviour = .wrongMetadata
            case "lazy_signer": behaviour = .lazySigner
            case "refuse_sync": behaviour = .refuseSync
            case "silent": behaviour = .silent
            default:
                _ = try t.required("serve_permille", "the share of clients a selective node serves, 0...1000")
                behaviour = .selective(servePermille: try t.uint("serve_permille")!)
            }
            if name != "selective", t.has("serve_permille") {
                throw t.fail("serve_permille", "only a selective node has serve_permille")
            }
            faultKind = .byzantine(nodes: try nodes(), behaviour: behaviour, blobsPermille: try t.uint("blobs_permille") ?? 1_000)
        default:
            _ = try t.required("permille", "remaining link capacity in permille")
            faultKind = .throttle(nodes: try nodes(), permille: try t.uint("permille")!)
        }
        return FaultSpec(at: at, duration: length, kind: faultKind)
    }

    /// `[0, 3, 7]`, or a table with one of `indices`, `random`, `shards_up_to`, `shards_at_least`, `region`.
    func selection(_ node: TOMLNode, at path: String, shards: Int) throws(ScenarioError) -> NodeSelection {
        if case .array(let items) = node {
            var indices: [Int] = []
            for (i, item) in items.enumerated() { indices.append(try TableReader.int(item, at: KeyPath.element(path, i), context)) }
            return .indices(indices)
        }
        let options = ["indices", "random", "shards_up_to", "shards_at_least", "region", "provider"]
        guard case .table = node else {
            throw context.error(.invalidValue, path, "expected node indices [..] or a table with one of \(options.joined(separator: ", ")), got \(node.found)")
        }
        let t = try TableReader.table(node, at: path, context)
        try t.expectKeys(options)
        guard t.entries.count == 1, let key = t.entries.keys.first else {
            throw context.error(.invalidValue, path, "expected exactly one of \(options.joined(separator: ", ")), got \(t.entries.count)")
        }
        let value = t.entries[key]!
        switch key {
        case "indices":
            guard case .array = value else { throw t.fail(key, "expected an array of node indices, got \(value.found)") }
            return try selection(value, at: t.keyPath(key), shards: shards)
        case "random":
            return .random(count: try t.int(key)!)
        case "region":
            return .region(try t.string(key)!)
        case "provider":
            return .provider(try t.string(key)!)
        default:
            let n: Int
            if case .string(let expression) = value {
                guard let value = Self.shardExpression(expression, shards: shards) else {
                    throw t.fail(key, "expected a shard count or an expression in f such as \"f\", \"f+1\", \"2f+1\" (f = (shards-1)/3), got \(value.tomlText)")
                }
                n = value
            } else {
                n = try t.int(key)!
            }
            return key == "shards_at_least" ? .shardsAtLeast(n) : .shardsUpTo(n)
        }
    }

    /// Evaluates `[k]f[(+|-)c]`, e.g. `"f"`, `"2f+1"`, with `f = floor((shards - 1) / 3)`.
    static func shardExpression(_ text: String, shards: Int) -> Int? {
        let s = text.filter { $0 != " " }
        guard let fIndex = s.firstIndex(of: "f") else { return nil }
        let multiplierText = s[..<fIndex]
        guard let multiplier = multiplierText.isEmpty ? 1 : Int(multiplierText), multiplier >= 0, multiplier <= 3 else { return nil }
        let rest = s[s.index(after: fIndex)...]
        var offset = 0
        if let sign = rest.first {
            guard sign == "+" || sign == "-", let c = Int(rest.dropFirst()), c >= 0, c <= 65_535 else { return nil }
            offset = sign == "+" ? c : -c
        }
        return multiplier * ((shards - 1) / 3) + offset
    }

    func decodeFidelity(_ t: TableReader) throws(ScenarioError) -> Fidelity {
        try t.expectKeys(["encoding", "sample_permille", "payload", "signatures", "verification", "cpu_encode_bytes_per_s", "cpu_signature_cost", "cpu_hash_cost"])
        var spec = Fidelity()
        switch try t.choice("encoding", ["real", "sampled", "modeled"]) {
        case "sampled":
            guard let permille = try t.uint("sample_permille") else {
                throw t.fail("sample_permille", "missing required key (share of blobs encoded for real, in permille, with encoding = \"sampled\")", kind: .missingKey)
            }
            spec.encoding = .sampled(permille: permille)
        case let other:
            if t.has("sample_permille") {
                throw t.fail("sample_permille", "only allowed with encoding = \"sampled\", but encoding is \"\(other ?? "real")\"")
            }
            spec.encoding = other == "modeled" ? .modeled : .real
        }
        if let p = try t.choice("payload", ["full", "digest"]) { spec.payload = Fidelity.Payload(rawValue: p)! }
        if let s = try t.choice("signatures", ["real", "modeled"]) { spec.signatures = Fidelity.Signatures(rawValue: s)! }
        if let v = try t.choice("verification", ["memoized", "full"]) { spec.verification = v == "full" ? .full : .memoized }
        if let rate = try t.size("cpu_encode_bytes_per_s") { spec.cpuEncodeBytesPerSecond = rate }
        if let cost = try t.duration("cpu_signature_cost") { spec.cpuSignatureCost = cost }
        if let cost = try t.duration("cpu_hash_cost") { spec.cpuHashCost = cost }
        return spec
    }

    func decodeChecks(_ t: TableReader) throws(ScenarioError) -> CheckSpec {
        try t.expectKeys(["durability", "availability", "consistency", "conservation", "write_completeness", "liveness", "quiet_tail"])
        var spec = CheckSpec()
        if let b = try t.bool("write_completeness") { spec.writeCompleteness = b }
        if let b = try t.bool("liveness") { spec.liveness = b }
        if let d = try t.duration("quiet_tail") { spec.quietTail = d }
        if let b = try t.bool("durability") { spec.durability = b }
        if let b = try t.bool("availability") { spec.availability = b }
        if let b = try t.bool("consistency") { spec.consistency = b }
        if let b = try t.bool("conservation") { spec.conservation = b }
        return spec
    }

    // MARK: distributions

    /// What a distribution's location and scale parameters measure, and so which unit strings
    /// they accept: sizes for bytes, durations for times.
    enum Quantity {
        case bytes, seconds, milliseconds, count

        var name: String {
            switch self {
            case .bytes: "bytes"
            case .seconds: "seconds"
            case .milliseconds: "milliseconds"
            case .count: "count"
            }
        }
    }

    static let distributionParameters: [(kind: String, parameters: [String])] = [
        ("constant", ["value"]), ("uniform", ["low", "high"]), ("exponential", ["mean"]),
        ("normal", ["mean", "standard_deviation", "floor"]), ("lognormal", ["mu", "sigma"]),
        ("pareto", ["shape", "scale"]), ("weibull", ["scale", "shape"]), ("gamma", ["shape", "scale"]),
    ]

    /// Parameters in the distribution's own unit (the others, `mu`, `sigma`, `shape`, are pure
    /// numbers: `mu` is the mean of the log of the quantity).
    static let dimensionedParameters: Set<String> = ["value", "low", "high", "mean", "standard_deviation", "floor", "scale"]

    /// A distribution: an inline table `{ kind = "...", ... }`, or a single value meaning
    /// `constant` (a number, or a size or duration string where the quantity has units).
    /// Checked with `Distribution.validate()` so that a bad parameter names its key path.
    func distribution(_ node: TOMLNode, at path: String, unit: Quantity) throws(ScenarioError) -> Distribution {
        let d: Distribution
        if case .table(let entries) = node {
            let t = TableReader(path: path, entries: entries, context: context)
            let kinds = Self.distributionParameters.map(\.kind)
            try t.expectKeys(["kind"] + Self.distributionParameters.flatMap(\.parameters).uniqued())
            _ = try t.required("kind", "one of \(kinds.joined(separator: ", "))")
            let kind = try t.choice("kind", kinds)!
            let names = Self.distributionParameters.first { $0.kind == kind }!.parameters
            try t.expectKeys(["kind"] + names, context: "a \(kind) distribution")
            var p: [String: Double] = [:]
            for name in names {
                if name == "floor", !t.has(name) { p[name] = 0; continue }  // sizes and delays stay >= 0
                let value = try t.required(name, "\(kind) parameter")
                p[name] = Self.dimensionedParameters.contains(name)
                    ? try quantity(value, at: t.keyPath(name), unit: unit)
                    : try TableReader.double(value, at: t.keyPath(name), context)
            }
            d = switch kind {
            case "constant": .constant(p["value"]!)
            case "uniform": .uniform(low: p["low"]!, high: p["high"]!)
            case "exponential": .exponential(mean: p["mean"]!)
            case "normal": .normal(mean: p["mean"]!, standardDeviation: p["standard_deviation"]!, floor: p["floor"]!)
            case "lognormal": .lognormal(mu: p["mu"]!, sigma: p["sigma"]!)
            case "pareto": .pareto(shape: p["shape"]!, scale: p["scale"]!)
            case "weibull": .weibull(scale: p["scale"]!, shape: p["shape"]!)
            default: .gamma(shape: p["shape"]!, scale: p["scale"]!)
            }
        } else {
            switch node {
            case .int, .double, .string: d = .constant(try quantity(node, at: path, unit: unit))
            default:
                throw context.error(.invalidValue, path, "expected a distribution { kind = \"...\", ... } or a constant, got \(node.found)")
            }
        }
        do {
            try d.validate()
        } catch {
            throw context.error(.invalidValue, path, error.description)
        }
        return d
    }

    /// A number in `unit`, or a size / duration string converted to it.
    func quantity(_ node: TOMLNode, at path: String, unit: Quantity) throws(ScenarioError) -> Double {
        guard case .string(let text) = node else { return try TableReader.double(node, at: path, context) }
        switch unit {
        case .bytes:
            guard let bytes = Units.size(text) else { throw context.error(.invalidValue, path, "expected \(Units.sizeHint), got \(node.found)") }
            return Double(bytes)
        case .seconds, .milliseconds:
            guard let d = Units.duration(text) else { throw context.error(.invalidValue, path, "expected \(Units.durationHint), got \(node.found)") }
            return Double(d.nanoseconds) / (unit == .seconds ? 1e9 : 1e6)
        case .count:
            throw context.error(.invalidValue, path, "expected a number, got \(node.found)")
        }
    }
}

extension Array where Element: Equatable {
    /// The elements in order, without repeats.
    func uniqued() -> [Element] {
        var out: [Element] = []
        for e in self where !out.contains(e) { out.append(e) }
        return out
    }
}
