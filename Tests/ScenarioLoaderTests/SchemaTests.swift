@testable import ScenarioLoader
import SimEngine
import SimSupport
import Simulation
import Testing
import WalrusModel

/// Loads `source` as a file named `test.toml` and returns its only run.
func scenario(_ source: String) throws -> Scenario {
    let file = try ScenarioLoader.load(source: source, file: "test.toml")
    #expect(file.runCount == 1)
    return try #require(file.entry(0)).scenario
}

let minimal = """
    duration = "1h"
    [nodes]
    count = 10
    shards = 40

    """

@Suite struct Schema {
    /// Omitted keys take the Swift types' defaults; the name defaults to the file's stem.
    @Test func defaults() throws {
        let s = try scenario(minimal)
        #expect(s == Scenario(name: "test", duration: .hours(1), nodes: NodesSpec(count: 10, shards: 40)))
    }

    /// `[protocol]`'s recovery keys reach the scenario; omitted, they are Walrus's defaults.
    @Test func recoveryTiming() throws {
        #expect(try scenario(minimal).protocolSpec.recoveryProofCache == 7_500)
        let s = try scenario(minimal + "[protocol]\nrecovery_request_timeout = \"30s\"\nrecovery_proof_cache = 0\n")
        #expect(s.protocolSpec.recoveryRequestTimeout == .seconds(30) && s.protocolSpec.recoveryProofCache == 0)
    }

    @Test func verificationMode() throws {
        #expect(try scenario(minimal).fidelity.verification == .memoized)
        let full = try scenario(minimal + "[fidelity]\nverification = \"full\"\n")
        #expect(full.fidelity.verification == .full)
        #expect(throws: ScenarioError.self) { try scenario(minimal + "[fidelity]\nverification = \"sometimes\"\n") }
    }

    @Test func topLevel() throws {
        let s = try scenario("""
            name = "top"
            description = "all top-level keys"
            seed = 9_223_372_036_854_775_807
            metrics_interval = 2.5
            """ + "\n" + minimal)
        #expect(s.name == "top")
        #expect(s.description == "all top-level keys")
        #expect(s.seed == UInt64(Int64.max))
        #expect(s.metricsInterval == .milliseconds(2_500))
    }

    @Test func network() throws {
        let s = try scenario(minimal + """
            [network]
            jitter_ms = { kind = "normal", mean = 3, standard_deviation = 1 }
            loss_ppm = 250
            node_link_mbps = 500
            client_link_mbps = { up = 100, down = 2.5 }

            # Custom regions replace the paper's, so the clients' default regions must go too.
            [clients]
            regions = ["there"]

            [[network.regions]]
            name = "here"
            rtt_ms = [1, 50]

            [[network.regions]]
            name = "there"
            rtt_ms = [50, 1.5]
            """)
        var expected = NetworkSpec()
        expected.regions = try RegionCatalog(names: ["here", "there"], rttMilliseconds: [[1, 50], [50, 1.5]])
        expected.jitterMs = .normal(mean: 3, standardDeviation: 1, floor: 0)
        expected.lossPartsPerMillion = 250
        expected.nodeLink = .symmetric(megabitsPerSecond: 500)
        expected.clientLink = LinkCapacity(uplinkBitsPerSecond: 100_000_000, downlinkBitsPerSecond: 2_500_000)
        #expect(s.network == expected)
    }

    @Test func nodes() throws {
        let s = try scenario("""
            duration = "1h"
            [nodes]
            count = 4
            shards = 7
            regions = { us-east = 2, eu-west = 1.5 }
            capacity = "1.5TiB"
            commission_bp = 500
            storage_price_frost = 11
            write_price_frost = 12
            stake = { kind = "explicit", wal = [1, 2, 3, 4] }
            """)
        var expected = NodesSpec(count: 4, shards: 7)
        expected.regionWeights = [("eu-west", 1.5), ("us-east", 2)]
        expected.capacityBytes = 3 << 39
        expected.commission = BasisPoints(500)
        expected.storagePriceFrost = 11
        expected.writePriceFrost = 12
        expected.stake = .explicit([1, 2, 3, 4])
        #expect(s.nodes == expected)
    }

    @Test(arguments: [
        ("{ kind = \"equal\" }", StakeDistribution.equal(totalWAL: 1_000_000_000)),
        ("{ kind = \"equal\", total_wal = 5000 }", .equal(totalWAL: 5_000)),
        ("{ kind = \"dirichlet\", total_wal = 100, alpha = 0.5 }", .dirichlet(totalWAL: 100, alpha: 0.5)),
        ("{ kind = \"zipf\", exponent = 1 }", .zipf(totalWAL: 1_000_000_000, exponent: 1)),
    ])
    func stake(_ toml: String, _ expected: StakeDistribution) throws {
        #expect(try scenario(minimal + "stake = \(toml)\n").nodes.stake == expected)
    }

    /// Per-node chain lag is off unless set; set, it is a distribution in seconds.
    @Test func nodeEventLag() throws {
        #expect(try scenario(minimal).chain.nodeEventLagSeconds == nil)
        let s = try scenario(minimal + """
            [chain]
            node_event_lag_s = { kind = "uniform", low = "300ms", high = 2.3 }
            """)
        #expect(s.chain.nodeEventLagSeconds == .uniform(low: 0.3, high: 2.3))
        #expect(s.chain.eventLagSeconds == ChainSpec().eventLagSeconds)
    }

    /// The SDK's store backoff is overridable under `[resources]`; unset, its defaults.
    @Test func resourcesStoreBackoff() throws {
        let plain = try #require(try scenario(minimal + "[resources]\n").resources)
        #expect(plain.storeRetryMinBackoff == .seconds(1) && plain.storeRetryMaxBackoff == .seconds(30) && plain.storeRetries == 5)
        #expect(plain.windowBytes == 16 << 20 && plain.storeRequestTimeout == .seconds(30))
        let r = try #require(try scenario(minimal + """
            [resources]
            store_backoff_min = "250ms"
            store_backoff_max = "4s"
            store_retries = 0
            store_request_timeout = "90s"
            """).resources)
        #expect(r.storeRetryMinBackoff == .milliseconds(250) && r.storeRetryMaxBackoff == .seconds(4) && r.storeRetries == 0)
        #expect(r.storeRequestTimeout == .seconds(90))
    }

    /// The SDK's read retry (committee-change backoff) is overridable under `[resources]`; unset, 1 s, 5 s, 5 retries.
    @Test func resourcesReadBackoff() throws {
        let plain = try #require(try scenario(minimal + "[resources]\n").resources)
        #expect(plain.readRetryMinBackoff == .seconds(1) && plain.readRetryMaxBackoff == .seconds(5) && plain.readRetries == 5)
        let r = try #require(try scenario(minimal + """
            [resources]
            read_backoff_min = "100ms"
            read_backoff_max = "2s"
            read_retries = 0
            """).resources)
        #expect(r.readRetryMinBackoff == .milliseconds(100) && r.readRetryMaxBackoff == .seconds(2) && r.readRetries == 0)
    }

    @Test func chainEconomicsClientsFidelityChecks() throws {
        let s = try scenario(minimal + """
            [chain]
            finality_s = { kind = "uniform", low = "500ms", high = 2 }
            event_lag_s = 0.25

            [economics]
            profile = "launch"
            preset = "testnet"
            epoch_duration = "1d"
            max_epochs_ahead = 10
            burn_bp = 300
            active_set_size = 8
            client_balance_wal = 77

            [clients]
            count = 3
            regions = ["eu-west"]
            attempt_timeout = "90s"
            max_attempts = 5

            [fidelity]
            encoding = "sampled"
            sample_permille = 50
            payload = "digest"
            signatures = "modeled"
            cpu_encode_bytes_per_s = "1GiB"
            cpu_signature_cost = "100us"

            [checks]
            durability = false
            availability = false
            consistency = false
            conservation = false
            """)
        var chain = ChainSpec()
        chain.finalitySeconds = .uniform(low: 0.5, high: 2)
        chain.eventLagSeconds = .constant(0.25)
        #expect(s.chain == chain)
        var economics = EconomicsSpec()
        economics.profile = .launch
        economics.preset = .testnet
        economics.epochDuration = .days(1)
        economics.maxEpochsAhead = 10
        economics.burnBasisPoints = 300
        economics.activeSetSize = 8
        economics.clientBalanceWAL = 77
        #expect(s.economics == economics)
        var clients = ClientsSpec()
        clients.count = 3
        clients.regions = ["eu-west"]
        clients.attemptTimeout = .seconds(90)
        clients.maxAttempts = 5
        #expect(s.clients == clients)
        var fidelity = Fidelity()
        fidelity.encoding = .sampled(permille: 50)
        fidelity.payload = .digest
        fidelity.signatures = .modeled
        fidelity.cpuEncodeBytesPerSecond = 1 << 30
        fidelity.cpuSignatureCost = .microseconds(100)
        #expect(s.fidelity == fidelity)
        var checks = CheckSpec()
        checks.durability = false
        checks.availability = false
        checks.consistency = false
        checks.conservation = false
        #expect(s.checks == checks)
    }

    @Test func workloads() throws {
        let s = try scenario(minimal + """
            [[workload]]
            name = "w"
            kind = "writes"
            count = 100
            inter_arrival_s = { kind = "exponential", mean = "2s" }
            size = { kind = "uniform", low = "1KiB", high = "1MiB" }
            lifetime_epochs = [2, 4]
            deletable_permille = 250
            start = "1m"

            [[workload]]
            name = "r"
            kind = "reads"
            count = 50
            inter_arrival_s = { kind = "gamma", shape = 2, scale = 1.5 }
            start = 30

            [[workload]]
            name = "churn"
            kind = "stake_churn"
            fraction_permille = 50

            [[workload]]
            name = "life"
            kind = "lifecycle"
            count = 7
            inter_arrival_s = { kind = "weibull", scale = 10, shape = 1.5 }
            extend_permille = 800
            extend_epochs = 3
            """)
        var w = WriteWorkload(interArrivalSeconds: .exponential(mean: 2), sizeBytes: .uniform(low: 1024, high: 1_048_576), count: 100)
        w.lifetimeEpochs = 2...4
        w.deletablePermille = 250
        w.start = .minutes(1)
        var r = ReadWorkload(interArrivalSeconds: .gamma(shape: 2, scale: 1.5), count: 50)
        r.start = .seconds(30)
        var l = LifecycleWorkload(interArrivalSeconds: .weibull(scale: 10, shape: 1.5), count: 7)
        l.extendPermille = 800
        l.extendEpochs = 3
        #expect(s.workloads == [
            WorkloadSpec(name: "w", kind: .writes(w)), WorkloadSpec(name: "r", kind: .reads(r)),
            WorkloadSpec(name: "churn", kind: .stakeChurn(fractionPermille: 50)), WorkloadSpec(name: "life", kind: .lifecycle(l)),
        ])
    }

    @Test func distributionsAndConstants() throws {
        func size(_ toml: String) throws -> Distribution {
            let s = try scenario(minimal + """
                [[workload]]
                name = "w"
                kind = "writes"
                count = 1
                inter_arrival_s = 1
                size = \(toml)
                """)
            guard case .writes(let w) = s.workloads[0].kind else { throw CancellationError() }
            return w.sizeBytes
        }
        #expect(try size("\"16MiB\"") == .constant(16 * 1_048_576))
        #expect(try size("4096") == .constant(4096))
        #expect(try size("{ kind = \"lognormal\", mu = 10, sigma = 1 }") == .lognormal(mu: 10, sigma: 1))
        #expect(try size("{ kind = \"pareto\", shape = 1.5, scale = \"1KiB\" }") == .pareto(shape: 1.5, scale: 1024))
        #expect(try size("{ kind = \"normal\", mean = \"1MiB\", standard_deviation = \"64KiB\", floor = \"1KiB\" }")
            == .normal(mean: 1_048_576, standardDeviation: 65_536, floor: 1024))
        #expect(try size("{ kind = \"constant\", value = 3 }") == .constant(3))
    }

    @Test func faults() throws {
        let s = try scenario(minimal + """
            [[fault]]
            name = "crash-f"
            kind = "crash"
            at = "10m"
            duration = "5m"
            nodes = { shards_up_to = "f" }
            lose_disk = true

            [[fault]]
            kind = "partition"
            at = 60
            regions = ["us-east", "us-west"]

            [[fault]]
            kind = "loss"
            at = "1m"
            loss_ppm = 10000

            [[fault]]
            kind = "latency_spike"
            at = "2m"
            nodes = { region = "eu-west" }
            extra = "200ms"

            [[fault]]
            kind = "throttle"
            at = "3m"
            nodes = { random = 3 }
            permille = 100

            [[fault]]
            kind = "crash"
            at = "4m"
            nodes = [1, 2]

            [[fault]]
            kind = "crash"
            at = "5m"
            nodes = { shards_up_to = "2f+1" }
            """)
        #expect(s.faults == [
            FaultSpec(at: .minutes(10), duration: .minutes(5), kind: .crash(nodes: .shardsUpTo(13), loseDisk: true)),
            FaultSpec(at: .minutes(1), duration: nil, kind: .partition(side: .regions(["us-east", "us-west"]), direction: .both)),
            FaultSpec(at: .minutes(1), duration: nil, kind: .loss(partsPerMillion: 10_000)),
            FaultSpec(at: .minutes(2), duration: nil, kind: .latencySpike(nodes: .region("eu-west"), extra: .milliseconds(200))),
            FaultSpec(at: .minutes(3), duration: nil, kind: .throttle(nodes: .random(count: 3), permille: 100)),
            FaultSpec(at: .minutes(4), duration: nil, kind: .crash(nodes: .indices([1, 2]), loseDisk: false)),
            FaultSpec(at: .minutes(5), duration: nil, kind: .crash(nodes: .shardsUpTo(27), loseDisk: false)),
        ])
    }

    @Test func errorsCarryKindPathAndLine() {
        #expect {
            _ = try ScenarioLoader.load(source: minimal + "bogus = 1\n", file: "x.toml")
        } throws: { error in
            let e = error as! ScenarioError
            return e.kind == .unknownKey && e.keyPath == "nodes.bogus" && e.line == 5 && e.file == "x.toml"
        }
        #expect {
            _ = try ScenarioLoader.load(path: "/nonexistent/scenario.toml")
        } throws: { error in
            (error as! ScenarioError).kind == .unreadable
        }
    }

    /// Programmatic scenarios get the same checks as files, by key path.
    @Test func validationNamesTheKeyPath() {
        var s = Scenario(name: "v", duration: .hours(1), nodes: NodesSpec(count: 4, shards: 10))
        s.faults = [FaultSpec(at: .zero, duration: nil, kind: .crash(nodes: .shardsUpTo(11), loseDisk: false))]
        #expect(throws: ScenarioValidationError(keyPath: "fault[0].nodes.shards_up_to", message: "expected 1...10 shards (nodes.shards), got 11")) {
            try s.validate()
        }
        s.faults = []
        #expect(throws: Never.self) { try s.validate() }
        #expect(s.faultTolerance == 3)
    }
}

@Suite struct Lines {
    /// Multi-line arrays and strings must not be mistaken for headers or keys.
    @Test func locatorSkipsMultiLineValues() {
        let source = """
            a = [
              [1, 2],
              [3, 4],
            ]
            s = \"\"\"
            [not.a.header]
            x = 1
            \"\"\"
            [t]  # comment
            "quoted.key" = 1
            [[arr]]
            k = 1
            [[arr]]
            k = { inline = [1,
              2] }
            [arr.sub]
            z = 'lit # not a comment'
            """
        let locator = LineLocator(source: source)
        #expect(locator.exactLine(of: "a") == 1)
        #expect(locator.exactLine(of: "s") == 5)
        #expect(locator.exactLine(of: "not.a.header") == nil)
        #expect(locator.exactLine(of: "x") == nil)
        #expect(locator.exactLine(of: "t") == 9)
        #expect(locator.exactLine(of: "t.\"quoted.key\"") == 10)
        #expect(locator.exactLine(of: "arr[0].k") == 12)
        #expect(locator.exactLine(of: "arr[1]") == 13)
        #expect(locator.line(of: "arr[1].k.inline[1]") == 14)
        #expect(locator.exactLine(of: "arr[1].sub.z") == 17)
    }

    @Test func perNodeValuesEconomyTablesAndPolicies() throws {
        let s = try scenario("""
            duration = "1h"
            [nodes]
            count = 3
            shards = 40
            commission_bp = [100, 200, 300]
            storage_price_frost = { kind = "normal", mean = 100000, standard_deviation = 1000, floor = 1 }
            write_price_frost = 5000
            capacity = ["1TiB", "2TiB", "3TiB"]
            fixed_cost_usd = 2.5
            storage_cost_usd_per_tb_month = [1, 2, 3]
            deny_list_bytes = [0, 1024, 0]

            [economics]
            wal_price = { kind = "gbm", usd = 0.4, drift = 0.1, volatility = 0.9 }
            [economics.subsidies]
            usage_rate_bp = 5000
            base_frost = 7
            per_shard_frost = 3
            pool_wal = 100
            start_epoch = 2
            [economics.buyer_subsidies]
            buyer_rate_bp = 1000
            system_rate_bp = 500
            pool_wal = 10

            [[policy]]
            kind = "operator_exit"
            unprofitable_epochs = 3
            [[policy]]
            kind = "demand"
            elasticity = 0.7
            """)
        #expect(s.nodes.economics.commissionBP == .list([100, 200, 300]))
        #expect(s.nodes.economics.storagePriceFrost == .distribution(.normal(mean: 100_000, standardDeviation: 1_000, floor: 1)))
        #expect(s.nodes.economics.writePriceFrost == nil && s.nodes.writePriceFrost == 5_000)
        #expect(s.nodes.economics.capacityBytes == .list([Double(1 << 40), Double(2 << 40), Double(3 << 40)]))
        #expect(s.nodes.economics.fixedCostUSD == .constant(2.5))
        #expect(s.nodes.economics.storageCostUSDPerTBMonth == .list([1, 2, 3]))
        #expect(s.nodes.economics.denyListBytes == .list([0, 1024, 0]))
        #expect(s.economics.walPrice == .gbm(initialUSD: 0.4, driftPerYear: 0.1, volatilityPerYear: 0.9))
        var sub = WalrusSubsidySpec()
        sub.usageRateBP = 5_000; sub.basePerNodeFrost = 7; sub.perShardFrost = 3; sub.poolWAL = 100; sub.startEpoch = 2
        #expect(s.economics.subsidies == sub)
        var buyer = BuyerSubsidySpec()
        buyer.buyerRateBP = 1_000; buyer.systemRateBP = 500; buyer.poolWAL = 10
        #expect(s.economics.buyerSubsidies == buyer)
        #expect(s.policies == [PolicySpec(kind: .operatorExit(unprofitableEpochs: 3, rejoin: false, rejoinStakeWAL: 1_000_000)),
                               PolicySpec(kind: .demand(elasticity: 0.7, referencePriceFrost: 0))])
    }
}
