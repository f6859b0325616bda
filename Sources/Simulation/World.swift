import Economics
#if canImport(Glibc)
import Glibc
#endif
import RedStuff
import ResultRecords
import SimEngine
import SimSupport
import WalrusCrypto
import WalrusModel

/// The simulated Walrus network: storage nodes, clients and the chain, driven by the event
/// engine. This is the shell of DESIGN §3: the state machines of `WalrusModel` decide, the
/// world carries their actions out — sends messages through the network model, submits
/// transactions to the chain with finality latency, runs timers, charges CPU time — and feeds
/// workloads, faults, checkers and the results sink.
///
/// Everything that varies between runs comes from named random streams of the run seed, so a
/// scenario and a seed determine the event stream (and `scheduler.digest`) exactly.
public final class World: EventHandler {
    /// Host-side knobs that do not change results.
    public struct Options: Sendable {
        /// Threads the encoder may use on the host (the encoding is identical for any value).
        public var encoderThreads = 1
        public init(encoderThreads: Int = 1) { self.encoderThreads = encoderThreads }
    }

    enum Kind: UInt32 {
        case arrival = 1, deliver, txFinal, chainNotify, timer, deferred, workload, faultStart, faultEnd, driver, metrics, churn
    }

    struct InFlight {
        var transmission: Network.Transmission
        var from: Party
        var to: Party
        var message: Message
    }

    public let scenario: Scenario
    public let config: EncodingConfig
    let options: Options
    let costs: CostModel
    public let view: ChainView
    public let catalog: BlobCatalog
    public internal(set) var network: Network
    public internal(set) var chain: Chain
    public internal(set) var nodes: [StorageNode] = []
    public internal(set) var clients: [Client] = []
    let sink: ResultsSink?

    var inFlight = Slab<InFlight>()
    var pendingTx = Slab<(Party, Transaction)>()
    var pendingEvents = Slab<(executedAt: SimTime, events: [ChainEvent])>()
    var timers = Slab<(Party, UInt64)>()
    var deferredActions = Slab<(Party, [Action])>()
    var cpuFreeAt: [SimTime]

    // Random streams, one per concern (DESIGN §4).
    let chainStream: RandomStream
    let faultStream: RandomStream
    let churnStream: RandomStream
    var workloadStreams: [RandomStream] = []
    var clientStreams: [RandomStream] = []
    let streams: RandomStreams

    // Workloads, blobs and operations.
    var workloadIssued: [Int]
    var nextOp: UInt64 = 0
    public internal(set) var blobs: [BlobInfo] = []
    public internal(set) var operations = OperationTally()
    /// Latencies of successful writes (start to certification seen) and reads, in order.
    public internal(set) var writeLatencies: [SimDuration] = []
    public internal(set) var readLatencies: [SimDuration] = []
    var nodeRegion: [RegionID] = []

    // Faults and checkers.
    var activeFaults = 0
    var faultTargets: [[Int]] = []
    var crashed: [Bool]
    public internal(set) var violations: [Violation] = []
    public internal(set) var recoveries = 0
    public internal(set) var recoveryBytes: UInt64 = 0
    public internal(set) var epochsStarted = 0
    /// The current epoch's record, written to the sink once the epoch ends (or the run does),
    /// so that its sync-done and end times are known.
    var openEpochRecord: EpochRecord?

    /// What the world knows of each blob, for results and checkers.
    public struct BlobInfo: Sendable {
        public var blobID: BlobID
        public var sizeBytes: UInt64
        public var encodedBytes: UInt64
        public var epochs: Int
        public var deletable: Bool
        public var writer: ClientID
        public var registeredAt: SimTime?
        public var certifiedAt: SimTime?
        public var certifiedEpoch: Epoch?
        public var endEpoch = Epoch(0)
        public var deleted = false
        public var failed = false
    }

    /// Counts of finished operations by kind and result.
    public struct OperationTally: Sendable {
        public var writesOK = 0, writesFailed = 0, readsOK = 0, readsFailed = 0, readsInconsistent = 0
        public var lifecycleOK = 0, lifecycleFailed = 0
    }


    // MARK: Set-up

    /// Builds the world of `scenario` at time zero: network endpoints, staked nodes, clients with
    /// funded accounts, the chain at epoch 0. `start(_:)` then runs genesis and schedules the
    /// workloads and faults. Throws `WorldError` naming what cannot be built.
    public init(scenario: Scenario, sink: ResultsSink? = nil, options: Options = Options()) throws(WorldError) {
        self.scenario = scenario
        self.options = options
        self.sink = sink
        let n = scenario.nodes.shards
        do { config = try EncodingConfig(nShards: n) } catch { throw .invalid("nodes.shards", error.description) }
        guard scenario.nodes.count >= 1 else { throw .invalid("nodes.count", "at least one storage node is needed") }
        guard scenario.clients.count >= 1 else { throw .invalid("clients.count", "at least one client is needed") }
        streams = RandomStreams(runSeed: scenario.seed)
        chainStream = streams.stream("chain")
        faultStream = streams.stream("faults")
        churnStream = streams.stream("stake.churn")
        costs = scenario.fidelity.costModel
        view = ChainView(nShards: n)
        catalog = BlobCatalog(config: config, mode: scenario.fidelity.verification, keepsPayload: scenario.fidelity.payload == .full)
        workloadIssued = Array(repeating: 0, count: scenario.workloads.count)
        crashed = Array(repeating: false, count: scenario.nodes.count)
        cpuFreeAt = Array(repeating: .zero, count: scenario.nodes.count + scenario.clients.count)

        // Network: nodes placed by region weights, clients round-robin over their regions.
        do {
            network = try Network(regions: scenario.network.regions, jitterMilliseconds: scenario.network.jitterMs, streams: streams)
        } catch { throw .invalid("network", error.description) }
        network.lossPartsPerMillion = scenario.network.lossPartsPerMillion
        let regions = scenario.network.regions
        var weights = [Double](repeating: 0, count: regions.names.count)
        if scenario.nodes.regionWeights.isEmpty {
            weights = weights.map { _ in 1 }
        } else {
            for (name, w) in scenario.nodes.regionWeights {
                guard let r = regions.region(named: name) else { throw .invalid("nodes.regions", "unknown region \"\(name)\"") }
                weights[r.index] += w
            }
        }
        let placement: AliasTable
        do { placement = try AliasTable(weights: weights) } catch { throw .invalid("nodes.regions", error.description) }
        let placementStream = streams.stream("placement")
        for _ in 0..<scenario.nodes.count {
            let r = RegionID(UInt16(placement.sample(placementStream)))
            nodeRegion.append(r)
            do { try network.addEndpoint(region: r, link: scenario.network.nodeLink) } catch { throw .invalid("network.node_link", error.description) }
        }
        for c in 0..<scenario.clients.count {
            let name = scenario.clients.regions.isEmpty ? regions.names[0] : scenario.clients.regions[c % scenario.clients.regions.count]
            guard let r = regions.region(named: name) else { throw .invalid("clients.regions", "unknown region \"\(name)\"") }
            do { try network.addEndpoint(region: r, link: scenario.network.clientLink) } catch { throw .invalid("network.client_link", error.description) }
        }

        // Economics and chain.
        var parameters: EconomicsParameters = switch scenario.economics.preset {
        case .mainnet: .mainnet(scenario.economics.profile == .launch ? .launch : .current)
        case .testnet: .testnet(scenario.economics.profile == .launch ? .launch : .current)
        }
        parameters.nShards = n
        if let d = scenario.economics.epochDuration { parameters.epochDurationMs = max(1, d.nanoseconds / 1_000_000) }
        if let m = scenario.economics.maxEpochsAhead { parameters.maxEpochsAhead = m }
        if let b = scenario.economics.burnBasisPoints { parameters.rules.burnBasisPoints = b }
        if let a = scenario.economics.activeSetSize { parameters.activeSetCap = a }
        parameters.extensions.storageChallenges = scenario.economics.storageChallenges
        parameters.extensions.principalSlashing = scenario.economics.principalSlashing
        if let e = parameters.validationError() { throw .invalid("economics", "\(e)") }
        let economy: WalrusEconomy
        do { economy = try WalrusEconomy(parameters: parameters, creationTimeMs: 0) } catch { throw .invalid("economics", "\(error)") }
        let signatureMode: ConfirmationSigner.Mode = scenario.fidelity.signatures == .real ? .real : .modeled
        chain = Chain(economy: economy, signatures: signatureMode)

        let stakes = try Self.genesisStakes(scenario.nodes, streams: streams)
        let keyStream = streams.stream("node.keys")
        for i in 0..<scenario.nodes.count {
            let id = NodeID(UInt32(i))
            let seed = (0..<4).flatMap { _ in withUnsafeBytes(of: keyStream.nextUInt64().littleEndian, Array.init) }
            let signer = ConfirmationSigner(node: id, mode: signatureMode, seed: seed)
            var node = StorageNode(id: id, signer: signer)
            node.syncTimeout = scenario.clients.attemptTimeout
            nodes.append(node)
            let votes = Votes(storagePriceFrost: Frost(scenario.nodes.storagePriceFrost), writePriceFrost: Frost(scenario.nodes.writePriceFrost),
                              capacityBytes: scenario.nodes.capacityBytes)
            do {
                try chain.addNode(id, publicKey: signer.publicKey, commission: scenario.nodes.commission, votes: votes, stake: stakes[i])
            } catch { throw .invalid("nodes.stake", "node \(i): \(error)") }
            sink?.record(NodeRecord(node: id, name: "node-\(i)", region: regions.names[nodeRegion[i].index],
                                    capacityBytes: scenario.nodes.capacityBytes, commission: scenario.nodes.commission,
                                    initialStakeFrost: stakes[i].rawValue))
        }
        do {
            guard let balance = Frost.wal(scenario.economics.clientBalanceWAL) else { throw WorldError.invalid("economics.client_balance_wal", "too large") }
            for c in 0..<scenario.clients.count {
                _ = try chain.addClient(balance: balance)
                clients.append(Client(id: ClientID(UInt32(c)), attemptTimeout: scenario.clients.attemptTimeout, maxAttempts: scenario.clients.maxAttempts))
                clientStreams.append(streams.stream("client", index: UInt64(c)))
            }
            let total = stakes.reduce(UInt64(0)) { $0 &+ $1.rawValue }
            try chain.addChurnAccount(balance: Frost(total))
        } catch let e as WorldError { throw e } catch { throw .invalid("economics", "\(error)") }
        workloadStreams = scenario.workloads.indices.map { streams.stream("workload", index: UInt64($0)) }
        // Digest payloads: a blob's bytes come back from its seeded content when a node must
        // serve them (the same bytes the client encoded, so they match the stored hashes).
        catalog.regenerate = { [unowned self] blob in
            guard let e = self.catalog.entry(blob), !e.modeled else { return nil }
            let content = Self.blobContent(size: Int(e.sizeBytes), stream: self.streams.stream("blob.content", index: UInt64(blob.index)))
            let encoder = BlobEncoder(config: self.config, options: EncodingOptions(threads: self.options.encoderThreads))
            return try? encoder.encode(blob: content).pairs
        }
    }

    /// Genesis stake of each node, in FROST (at least 1 WAL each, the contracts' minimum).
    static func genesisStakes(_ spec: NodesSpec, streams: RandomStreams) throws(WorldError) -> [Frost] {
        let k = spec.count
        func shares(_ weights: [Double], total: UInt64) throws(WorldError) -> [Frost] {
            let sum = weights.reduce(0, +)
            guard sum > 0, sum.isFinite else { throw .invalid("nodes.stake", "weights must be positive") }
            guard let totalFrost = Frost.wal(total) else { throw .invalid("nodes.stake.total_wal", "too large") }
            return weights.map { w in Frost(max(Frost.perWAL, UInt64(Double(totalFrost.rawValue) * (w / sum)))) }
        }
        switch spec.stake {
        case .equal(let total):
            return try shares(Array(repeating: 1, count: k), total: total)
        case .dirichlet(let total, let alpha):
            guard alpha > 0, alpha.isFinite else { throw .invalid("nodes.stake.alpha", "must be > 0") }
            return try shares(streams.stream("stake.genesis").dirichlet(alpha: Array(repeating: alpha, count: k)), total: total)
        case .zipf(let total, let exponent):
            return try shares((0..<k).map { 1 / pow(Double($0 + 1), exponent) }, total: total)
        case .explicit(let wal):
            guard wal.count == k else { throw .invalid("nodes.stake", "\(wal.count) stakes listed for \(k) nodes") }
            return try wal.map { (w: UInt64) throws(WorldError) -> Frost in
                guard let f = Frost.wal(max(1, w)) else { throw .invalid("nodes.stake", "stake too large") }
                return f
            }
        }
    }

    // MARK: Context

    func context(_ now: SimTime) -> ProtocolContext {
        ProtocolContext(now: now, view: view, catalog: catalog, config: config, costs: costs,
                        signatures: scenario.fidelity.signatures == .real ? .real : .modeled)
    }

    func endpoint(_ p: Party) -> EndpointID {
        switch p {
        case .node(let n): EndpointID(n.rawValue)
        case .client(let c): EndpointID(UInt32(nodes.count) + c.rawValue)
        }
    }

    func cpuIndex(_ p: Party) -> Int {
        switch p {
        case .node(let n): n.index
        case .client(let c): nodes.count + Int(c.rawValue)
        }
    }

    func isUp(_ p: Party) -> Bool {
        if case .node(let n) = p { return !crashed[n.index] }
        return true
    }

    // MARK: Event dispatch

    public func handle(_ event: Event, scheduler: inout Scheduler) {
        let now = event.time
        switch Kind(rawValue: event.kind) {
        case .arrival:
            let f = inFlight.remove(event.payload)
            switch network.deliver(f.transmission) {
            case .success(let at):
                scheduler.schedule(at: max(at, now), target: 0, kind: Kind.deliver.rawValue, payload: inFlight.insert(f))
            case .failure:
                break
            }
        case .deliver:
            let f = inFlight.remove(event.payload)
            guard isUp(f.to) else { return }
            let actions: [Action]
            switch f.to {
            case .node(let n): actions = nodes[n.index].receive(f.message, from: f.from, context: context(now))
            case .client(let c): actions = clients[Int(c.rawValue)].receive(f.message, from: f.from, context: context(now))
            }
            execute(actions, for: f.to, now: now, scheduler: &scheduler)
        case .txFinal:
            let (submitter, tx) = pendingTx.remove(event.payload)
            let events = chain.execute(tx, submitter: submitter, now: now)
            recordFlows(now)
            if !events.isEmpty {
                let lag = SimDuration(seconds: max(0, scenario.chain.eventLagSeconds.sample(chainStream)))
                scheduler.schedule(after: lag, target: 0, kind: Kind.chainNotify.rawValue,
                                   payload: pendingEvents.insert((now, events)))
            }
        case .chainNotify:
            let (executedAt, events) = pendingEvents.remove(event.payload)
            for e in events { deliverChainEvent(e, executedAt: executedAt, now: now, scheduler: &scheduler) }
        case .timer:
            let (party, token) = timers.remove(event.payload)
            guard isUp(party) else { return }
            let actions: [Action]
            switch party {
            case .node(let n): actions = nodes[n.index].timerFired(token: token, context: context(now))
            case .client(let c): actions = clients[Int(c.rawValue)].timerFired(token: token, context: context(now))
            }
            execute(actions, for: party, now: now, scheduler: &scheduler)
        case .deferred:
            let (party, actions) = deferredActions.remove(event.payload)
            guard isUp(party) else { return }
            execute(actions, for: party, now: now, scheduler: &scheduler)
        case .workload:
            runWorkload(Int(event.target), now: now, scheduler: &scheduler)
        case .faultStart:
            startFault(Int(event.target), now: now, scheduler: &scheduler)
        case .faultEnd:
            endFault(Int(event.target), now: now, scheduler: &scheduler)
        case .driver:
            submit(event.target == 0 ? .votingEnd : .initiateEpochChange, from: .node(NodeID(0)), now: now, scheduler: &scheduler)
        case .metrics:
            sampleMetrics(now)
            scheduler.schedule(after: scenario.metricsInterval, target: 0, kind: Kind.metrics.rawValue)
        case .churn:
            stakeChurn(now: now, scheduler: &scheduler)
        case nil:
            preconditionFailure("unknown event kind \(event.kind)")
        }
    }

    // MARK: Actions

    /// Carries out a state machine's actions in order. CPU work delays the actions after it:
    /// they are parked and resumed when the party's CPU is free.
    func execute(_ actions: [Action], for party: Party, now: SimTime, scheduler: inout Scheduler) {
        let cpu = cpuIndex(party)
        for (i, action) in actions.enumerated() {
            switch action {
            case .cpu(let d):
                let done = max(now, cpuFreeAt[cpu]) + d
                cpuFreeAt[cpu] = done
                if done > now, i + 1 < actions.count {
                    let rest = Array(actions[(i + 1)...])
                    scheduler.schedule(at: done, target: 0, kind: Kind.deferred.rawValue, payload: deferredActions.insert((party, rest)))
                    return
                }
            case .send(let to, let message):
                send(message, from: party, to: to, now: now, scheduler: &scheduler)
            case .submit(let tx):
                submit(tx, from: party, now: now, scheduler: &scheduler)
            case .timer(let after, let token):
                scheduler.schedule(after: after, target: 0, kind: Kind.timer.rawValue, payload: timers.insert((party, token)))
            case .observe(let o):
                observe(o, now: now)
            }
        }
    }

    func send(_ message: Message, from: Party, to: Party, now: SimTime, scheduler: inout Scheduler) {
        switch network.transmit(from: endpoint(from), to: endpoint(to), bytes: message.wireBytes, now: now) {
        case .success(let t):
            scheduler.schedule(at: t.arrivesAt, target: 0, kind: Kind.arrival.rawValue,
                               payload: inFlight.insert(InFlight(transmission: t, from: from, to: to, message: message)))
        case .failure:
            break
        }
    }

    func submit(_ tx: Transaction, from: Party, now: SimTime, scheduler: inout Scheduler) {
        let finality = SimDuration(seconds: max(0, scenario.chain.finalitySeconds.sample(chainStream)))
        scheduler.schedule(after: finality, target: 0, kind: Kind.txFinal.rawValue, payload: pendingTx.insert((from, tx)))
    }

    // MARK: Chain events

    func deliverChainEvent(_ e: ChainEvent, executedAt: SimTime, now: SimTime, scheduler: inout Scheduler) {
        view.apply(e)
        noteChainEvent(e, executedAt: executedAt, now: now, scheduler: &scheduler)
        if case .transactionFailed(let submitter, _, _) = e {
            // Only the submitter learns of its failed transaction.
            if case .client(let c) = submitter {
                execute(clients[Int(c.rawValue)].chainEvent(e, context: context(now)), for: submitter, now: now, scheduler: &scheduler)
            }
            return
        }
        let ctx = context(now)
        for i in nodes.indices where !crashed[i] {
            let actions = nodes[i].chainEvent(e, context: ctx)
            if !actions.isEmpty { execute(actions, for: .node(NodeID(UInt32(i))), now: now, scheduler: &scheduler) }
        }
        for c in clients.indices {
            let actions = clients[c].chainEvent(e, context: ctx)
            if !actions.isEmpty { execute(actions, for: .client(ClientID(UInt32(c))), now: now, scheduler: &scheduler) }
        }
    }

    /// The world's own reactions: blob bookkeeping, the epoch-change driver, stake churn.
    func noteChainEvent(_ e: ChainEvent, executedAt: SimTime, now: SimTime, scheduler: inout Scheduler) {
        switch e {
        case .blobRegistered(let b, let end):
            blobs[Int(b.index)].registeredAt = executedAt
            blobs[Int(b.index)].endEpoch = end
        case .blobCertified(let b, let epoch, let end):
            blobs[Int(b.index)].certifiedAt = executedAt
            blobs[Int(b.index)].certifiedEpoch = epoch
            blobs[Int(b.index)].endEpoch = end
        case .blobExtended(let b, let end):
            blobs[Int(b.index)].endEpoch = end
        case .blobDeleted(let b):
            blobs[Int(b.index)].deleted = true
            catalog.release(b)
        case .epochChangeStart(let epoch, let committee, _):
            epochsStarted += 1
            for (i, b) in blobs.enumerated() where b.registeredAt != nil && b.endEpoch <= epoch { catalog.release(BlobRef(UInt32(i))) }
            recordEpochStart(epoch, committee: committee, at: executedAt)
            checkDurability(now: now)
            checkConservation(now: now)
            if scenario.workloads.contains(where: { if case .stakeChurn = $0.kind { return true } else { return false } }) {
                scheduler.schedule(after: .seconds(60), target: 0, kind: Kind.churn.rawValue)
            }
        case .epochChangeDone(let epoch):
            if openEpochRecord?.epoch == epoch { openEpochRecord?.syncDoneNs = executedAt.nanoseconds }
            // Every node's driver calls voting_end at t_done + D/2 and the epoch change at
            // t_done + D (plus jitter); the first successful transaction wins (spec §1.5.1).
            let d = chain.economy.parameters.epochDurationMs * 1_000_000
            let jitter = SimDuration(nanoseconds: chainStream.uniformInt(below: min(180_000_000_000, max(1, d / 10))))
            let votingAt = executedAt + SimDuration(nanoseconds: d / 2) + jitter
            let changeAt = executedAt + SimDuration(nanoseconds: d) + jitter
            scheduler.schedule(at: max(now, votingAt), target: 0, kind: Kind.driver.rawValue)
            scheduler.schedule(at: max(now, changeAt), target: 1, kind: Kind.driver.rawValue)
        case .transactionFailed(let submitter, _, let reason):
            // Driver calls that came too early are retried, as the nodes' drivers do.
            if case .node = submitter, reason.hasPrefix("voting_end") || reason.hasPrefix("initiate_epoch_change") {
                scheduler.schedule(after: .seconds(5), target: reason.hasPrefix("voting_end") ? 0 : 1, kind: Kind.driver.rawValue)
            }
        case .votingEnded:
            break
        }
    }

    // MARK: Observations

    func observe(_ o: Observation, now: SimTime) {
        switch o {
        case .operationFinished(let op):
            finishOperation(op, now: now)
        case .recovered(_, _, _, let bytes):
            recoveries += 1
            recoveryBytes += bytes
        case .recoveryFailed, .sliverRejected, .inconsistencyProof, .shardSynced:
            break
        }
    }

    func finishOperation(_ op: FinishedOperation, now: SimTime) {
        switch (op.kind, op.result) {
        case (.write, .ok):
            operations.writesOK += 1
            writeLatencies.append(op.end - op.start)
        case (.write, _):
            operations.writesFailed += 1
            blobs[Int(op.blob.index)].failed = true
        case (.read, .ok):
            operations.readsOK += 1
            readLatencies.append(op.end - op.start)
        case (.read, .inconsistent):
            operations.readsInconsistent += 1
            violations.append(Violation(kind: .consistency, time: now, blob: op.blob, detail: op.detail,
                                        seed: scenario.seed, withinAssumptions: activeFaults == 0))
        case (.read, _):
            operations.readsFailed += 1
            // A blob that expired or was deleted while being read is not an availability failure.
            let stillLive = view.status(op.blob).map { !$0.deleted && $0.endEpoch > view.epoch } ?? false
            if activeFaults == 0, stillLive, scenario.checks.availability {
                violations.append(Violation(kind: .availability, time: now, blob: op.blob,
                                            detail: "read failed outside any fault window: \(op.detail)",
                                            seed: scenario.seed, withinAssumptions: true))
            }
        case (_, .ok): operations.lifecycleOK += 1
        case (_, _): operations.lifecycleFailed += 1
        }
        let outcome: ResultRecords.OperationOutcome = switch op.result {
        case .ok: .success
        case .inconsistent: .inconsistent
        case .failed, .notFound: .failure
        }
        sink?.record(OperationRecord(
            opID: op.id, kind: OperationKind(rawValue: op.kind.rawValue), blobIndex: UInt64(op.blob.index),
            client: NodeID(op.client.rawValue), startNs: op.start.nanoseconds, endNs: op.end.nanoseconds, outcome: outcome,
            bytes: op.bytes, attempts: UInt32(op.attempts), details: op.detail.isEmpty ? nil : op.detail))
    }
}
