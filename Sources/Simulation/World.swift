import Economics
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
/// The world is split by concern, one file each:
/// - `World.swift` (this file): its state, event dispatch and the execution of actions;
/// - `WorldBuilding.swift`: building the world of a scenario (network, economy, nodes, clients);
/// - `Workloads.swift`: writes, reads, lifecycle operations and stake churn;
/// - `FaultInjection.swift`: starting and ending faults, node selections;
/// - `Checkers.swift`: the invariants (durability, availability, consistency, conservation);
/// - `ResultsRecording.swift`: what goes to the results sink.
///
/// Everything that varies between runs comes from named random streams of the run seed, so a
/// scenario and a seed determine the event stream (and `scheduler.digest`) exactly.
public final class World: EventHandler {
    /// Host-side knobs that do not change results.
    public struct Options: Sendable {
        /// Threads the encoder may use on the host (the encoding is identical for any value).
        public var encoderThreads = 1
        /// Options with `encoderThreads` host threads for encoding.
        public init(encoderThreads: Int = 1) { self.encoderThreads = encoderThreads }
    }

    /// Event kinds; an event's `target` and `payload` are interpreted per kind.
    enum Kind: UInt32, CaseIterable {
        case arrival = 1, deliver, txFinal, chainNotify, timer, deferred, workload, faultStart, faultEnd, driver, metrics, churn
        /// The economy's own timers (`World+Economy.swift`).
        case economy
        /// A batch of chain events reaching one node under per-node chain lag (`World+ChainLag.swift`).
        case nodeChainNotify
        /// A message's one event under the one-event rule (`World+Delivery.swift`), at the
        /// earliest time it can be delivered; `target` is the receiver's endpoint index.
        case message
    }

    /// A message on the wire, parked in `inFlight` between its arrival and delivery events.
    struct InFlight {
        var transmission: Network.Transmission
        var from: Party
        var to: Party
        var message: Message
        /// Under the one-event rule, what its arrival gave once settled (`World+Delivery.swift`).
        var outcome: ArrivalOutcome = .pending

        /// What its delivery needs, the message moved rather than copied with the record
        /// (a 168-byte copy per message).
        consuming func delivery() -> (from: Party, to: Party, bytes: UInt64, arrivedAt: SimTime, message: Message) {
            (from, to, transmission.bytes, transmission.arrivesAt, message)
        }
    }

    // MARK: Configuration

    /// The scenario this world runs (every parameter and the seed).
    public let scenario: Scenario
    /// The encoding parameters of the system (n shards, f, symbol counts).
    public let config: EncodingConfig
    /// The pair indices `0 ..< n` in order: what a read's order is shuffled from, copied
    /// (one memory copy) rather than built element by element per read.
    let pairIndices: [Int]
    let options: Options
    let costs: CostModel
    /// The scenario's resource model, boxed once for every reaction's context.
    let resourceBox: ResourceBox?
    /// What every reaction's context shares (catalog, parameters, resource model), built once.
    let contextEnvironment: ProtocolContext.Environment
    /// Whether confirmations carry real signatures or modeled tags.
    let signatureMode: ConfirmationSigner.Mode
    let sink: ResultsSink?

    // MARK: Participants

    /// The chain as participants see it (events applied after the chain's lag).
    public let view: ChainView
    /// Ground truth about blobs: what honest encoders produced.
    public let catalog: BlobCatalog
    /// Links, latencies, partitions and the bytes in flight.
    public internal(set) var network: Network
    /// The chain: the sequencer over the economics state.
    public internal(set) var chain: Chain
    /// Storage nodes, indexed by `NodeID`.
    public internal(set) var nodes: [StorageNode] = []
    /// Clients, indexed by `ClientID`.
    public internal(set) var clients: [Client] = []
    /// Each node's region, indexed by `NodeID`.
    var nodeRegion: [RegionID] = []

    // MARK: Where the events go

    /// Events handled so far, by `Kind` raw value (index 0 unused). Plain memory, freed in
    /// `deinit`: counted on every event, where an array's uniqueness check was measurable.
    let eventCounts = World.counters(Int(Kind.allCases.map(\.rawValue).max()!) + 1)
    /// Messages handed to an up receiver so far, by `MessageKind` raw value.
    let deliveryCounts = World.counters(MessageKind.allCases.count)
    /// Their bytes on the wire, by `MessageKind` raw value.
    let deliveryBytes = World.counters(MessageKind.allCases.count)

    /// `count` counters at zero.
    private static func counters(_ count: Int) -> UnsafeMutableBufferPointer<UInt64> {
        let counts = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: count)
        counts.initialize(repeating: 0)
        return counts
    }

    deinit {
        eventCounts.deallocate()
        deliveryCounts.deallocate()
        deliveryBytes.deallocate()
    }

    /// Events handled so far by kind (`message`, `deferred`, `timer`, ...), most first; kinds
    /// with none left out. For `bench world`'s account of where a run's events go.
    public var eventsByKind: [(kind: String, count: UInt64)] {
        Self.mostFirst(Kind.allCases.map { (String(describing: $0), eventCounts[Int($0.rawValue)]) })
    }

    /// Messages handed to their (up) receivers so far by kind, most first; kinds with none left out.
    public var deliveriesByKind: [(kind: String, count: UInt64)] {
        Self.mostFirst(MessageKind.allCases.map { ($0.name, deliveryCounts[$0.rawValue]) })
    }

    /// Bytes of the messages in `deliveriesByKind`, by kind, most first: where the network's
    /// traffic goes (a copy of the metadata with every synced pair showed first here).
    public var deliveredBytesByKind: [(kind: String, count: UInt64)] {
        Self.mostFirst(MessageKind.allCases.map { ($0.name, deliveryBytes[$0.rawValue]) })
    }

    /// `counts` without the zeros, largest first.
    private static func mostFirst(_ counts: [(kind: String, count: UInt64)]) -> [(kind: String, count: UInt64)] {
        counts.filter { $0.count > 0 }.sorted { $0.count > $1.count }
    }

    // MARK: Pending work, addressed by event payloads

    let inFlight = Slab<InFlight>()
    /// Whether messages take one event instead of two (`World+Delivery.swift`): modeled
    /// encoding and no `[resources]`. Tests may turn it off before `start` to compare.
    var oneEventMessages: Bool
    /// When not `nil`, every message handed to its receiver is appended here (tests).
    var deliveryLog: [DeliveryRecord]?
    /// Under the one-event rule, each receiver's messages not yet settled at its downlink, by
    /// endpoint index, ordered by (arrival time, sequence of the message's event).
    var unsettledArrivals: [EventQueue] = []
    let pendingTx = Slab<(Party, Transaction)>()
    let pendingEvents = Slab<(executedAt: SimTime, events: [ChainEvent])>()
    let timers = Slab<(Party, UInt64)>()
    /// Actions parked behind CPU work (see `ParkedActions`).
    let deferredActions = Slab<(party: Party, actions: ParkedActions)>()
    /// Emptied action buffers kept for reuse: a buffer parked in `deferredActions` comes back
    /// here once carried out, and one of them replaces the reaction buffer when that is lent
    /// out, so that parking allocates nothing in the steady state (see `withActionBuffer`).
    var spareActionBuffers: [ActionBuffer] = []
    /// When each party's CPU is next free (nodes first, then clients).
    var cpuFreeAt: [SimTime]
    /// Under `[resources]`: when each of a party's other cores is next free (see `Resources+World.swift`).
    var otherCoresFreeAt: [[SimTime]] = []
    /// Under `[resources]`: when each node's disk is next free.
    var diskFreeAt: [SimTime] = []
    /// Under `[resources]`: each directed connection's congestion window and last use, by
    /// `from << 32 | to` endpoint indices.
    var connections: [UInt64: (cwnd: UInt64, lastUse: SimTime)] = [:]
    /// Under `[resources]`: for each blob being written, the nodes that lacked its metadata
    /// when its first store batch reached them (the SDK uploaded the metadata, so it stores the
    /// node's slivers without checking their status); dropped when the blob is certified.
    var metadataUploaded: [BlobRef: Set<Int>] = [:]
    /// The buffer state machines write their actions into, reused from event to event; `nil`
    /// while lent to a reaction (see `withActionBuffer`).
    var actionBuffer: ActionBuffer? = ActionBuffer()
    /// The results database's names of flow kinds and endpoints, made once each (`recordFlows`).
    var flowNames: (kinds: [Economics.FlowKind: String], endpoints: [FlowEndpoint: String]) = ([:], [:])

    // MARK: Random streams, one per concern (DESIGN §4)

    let streams: RandomStreams
    let chainStream: RandomStream
    let faultStream: RandomStream
    let churnStream: RandomStream
    /// Per-node votes and costs, the WAL price, income per epoch, policy state (`World+Economy.swift`).
    var econ: EconomyState
    var workloadStreams: [RandomStream] = []
    var clientStreams: [RandomStream] = []

    // MARK: Workloads, blobs and operations

    var workloadIssued: [Int]
    /// Each workload's bursty-arrival state: operations left in its current burst.
    var operationsLeftInBurst: [Int]
    /// Each reads workload's blob selector (`nil` for other kinds and for plain uniform readers).
    var readSelectors: [ReadSelector?] = []
    /// Each writes workload's records waiting for their quilt (`quilt_batch > 1`): their sizes
    /// and record numbers.
    var pendingRecords: [[(record: UInt64, size: UInt64)]]
    /// Transactions clients submitted that reached the chain (registrations, certifications,
    /// extensions, deletions; executed or failed): what users pay gas for.
    public internal(set) var clientTransactions = 0
    /// Bytes of the records in certified blobs so far (`BlobInfo.recordBytes`).
    public internal(set) var certifiedRecordBytes: UInt64 = 0
    /// Records written into quilts so far (all workloads), which also numbers them.
    public internal(set) var quiltRecords: UInt64 = 0
    /// Each quilt's patches: the first column after its index and each patch's end column, in
    /// the quilt's order (nothing for a plain blob).
    var quiltPatchEnds: [BlobRef: [UInt16]] = [:]
    /// The notional pair hashes every modeled blob's metadata shares (one array of n entries
    /// per run, drawn from the `blob.modeled.hashes` stream), so modeled metadata has its real
    /// size on the wire but costs no memory per blob.
    lazy var modeledPairHashes: [SliverPairMetadata] = {
        let stream = self.streams.stream("blob.modeled.hashes")
        func digest() -> MerkleNode {
            .digest(Digest32(w0: stream.nextUInt64(), w1: stream.nextUInt64(), w2: stream.nextUInt64(), w3: stream.nextUInt64()))
        }
        return (0..<self.config.nShards).map { _ in SliverPairMetadata(primaryHash: digest(), secondaryHash: digest()) }
    }()
    var nextOp: UInt64 = 0
    /// What the world knows of each blob, indexed by `BlobRef`.
    public internal(set) var blobs: [BlobInfo] = []
    /// Finished operations by kind and result.
    public internal(set) var operations = OperationTally()
    /// Latencies of successful writes (start to certification seen), in completion order.
    public internal(set) var writeLatencies: [SimDuration] = []
    /// Size draws above the largest encodable blob written at the maximum size (`oversize = "clip"`).
    public internal(set) var sizesClipped = 0
    /// Size draws above the largest encodable blob not written (`oversize = "skip"`).
    public internal(set) var writesSkippedOversize = 0
    /// Latencies of successful reads, in completion order.
    public internal(set) var readLatencies: [SimDuration] = []
    /// Closed-loop writes in flight: the workload each belongs to (see `Workloads.swift`).
    var closedLoopWrites: [BlobRef: Int] = [:]
    /// Closed-loop reads in flight, by operation: the workload each belongs to.
    var closedLoopReads: [UInt64: Int] = [:]
    /// Workloads whose closed-loop operations ended while carrying out actions, one entry per
    /// ended operation, to start the next from.
    var closedLoopEnded: [Int] = []
    /// The marks of operations in progress, by operation id (see `PhaseRecording.swift`).
    var phaseMarks: [UInt64: [OperationMark: SimTime]] = [:]

    // MARK: Faults and checkers

    /// The nodes each fault acted on, by fault index.
    var faultTargets: [[Int]] = []
    /// When each fault started and ended (`end == nil` while in force); `nil` before it starts.
    var faultWindows: [(start: SimTime, end: SimTime?)?] = []
    /// The cut each partition fault in force made, by fault index.
    var faultCuts: [Network.CutID?] = []
    /// How many `isolate_chain` partitions cut each endpoint off from the chain.
    var chainIsolation: [Int] = []
    /// The chain as each cut-off endpoint last saw it (`nil`: it sees the live chain).
    var isolatedView: [ChainView?] = []
    /// Chain events each cut-off endpoint missed, in order, delivered when it reconnects.
    var heldEvents: [[ChainEvent]] = []
    /// Under `chain.node_event_lag_s` (`World+ChainLag.swift`): the chain as each node's own
    /// event stream has reached it, by node index; empty when every party shares `view`.
    var nodeViews: [ChainView] = []
    /// Under per-node chain lag: when the last event scheduled for each node reaches it (a
    /// node takes the chain's events in order).
    var nodeChainAt: [SimTime] = []
    /// Under per-node chain lag: each node's lag stream (`chain.node_lag`, index = node).
    var nodeLagStreams: [RandomStream] = []
    /// Under per-node chain lag: one transaction's events on their way to one node.
    let pendingNodeEvents = Slab<[ChainEvent]>()
    /// Transactions submitted by cut-off parties, in order, sent when they reconnect.
    var heldTransactions: [(Party, Transaction)] = []
    /// The endpoints each partition fault cut off, by fault index.
    var faultSides: [Set<Int>] = []
    /// The Byzantine faults in force on each node, oldest first (the last one's behaviour applies).
    var byzantineHolds: [[Int]]
    /// The faults in force after each change, in time order (for the availability checker).
    var faultHistory: [FaultState] = []
    /// Slivers, metadata and recovery symbols that readers and recovering nodes rejected.
    public internal(set) var responsesRejected = 0
    /// The first outcome each blob's reads had (`true`: the written bytes, `false`: invalid),
    /// for the read-consistency checker.
    var firstReadOutcome: [BlobRef: Bool] = [:]
    /// Failed reads while more than f shards were faulty for the reader: expected, not violations.
    public internal(set) var readsFailedBeyondF = 0

    /// Which nodes were faulty (crashed or Byzantine) and which partitions were in force from
    /// `time` until the next entry.
    struct FaultState {
        var time: SimTime
        var faultyNodes: [Int]
        var partitions: [Int]
    }
    /// How many crash faults hold each node down; a node restarts when the last one ends.
    var crashHolds: [Int]
    /// Whether a crash fault holding the node loses its disk (applied when it restarts).
    var diskLost: [Bool]
    /// Whether each node is down (`crashHolds > 0`), indexed by `NodeID`.
    var crashed: [Bool]
    /// Broken invariants found so far, in the order found.
    public internal(set) var violations: [Violation] = []
    /// Sliver pairs recovered by nodes so far.
    public internal(set) var recoveries = 0
    /// Bytes moved by those recoveries (symbol and metadata responses).
    public internal(set) var recoveryBytes: UInt64 = 0
    /// What spec §6.5 says those recoveries should move: per pair, R symbols for the secondary
    /// sliver and C for the primary, each with its Merkle proof (`recoveryEstimate(_:)`).
    public internal(set) var recoveryBytesEstimate: UInt64 = 0
    /// Epoch changes started so far.
    public internal(set) var epochsStarted = 0
    /// When the latest epoch change started executing on chain.
    var lastEpochChangeStart: SimTime?
    /// The current epoch's record, written to the sink once the epoch ends (or the run does),
    /// so that its sync-done and end times are known.
    var openEpochRecord: EpochRecord?

    /// What the world knows of each blob, for results and checkers.
    public struct BlobInfo: Sendable {
        /// The Walrus blob ID (the commitment the client registered).
        public var blobID: BlobID
        /// Unencoded size.
        public var sizeBytes: UInt64
        /// Encoded size over all slivers (about 4.5x `sizeBytes`).
        public var encodedBytes: UInt64
        /// Storage epochs bought at registration.
        public var epochs: Int
        /// Whether the owner may delete it before it expires.
        public var deletable: Bool
        /// The client that wrote it.
        public var writer: ClientID
        /// When its registration executed on chain; `nil` until then.
        public var registeredAt: SimTime?
        /// When its certification executed on chain; `nil` until then.
        public var certifiedAt: SimTime?
        /// The epoch it was certified in.
        public var certifiedEpoch: Epoch?
        /// The first epoch it is no longer stored in.
        public var endEpoch = Epoch(0)
        /// Whether its owner deleted it.
        public var deleted = false
        /// Whether its write failed.
        public var failed = false
        /// Whether its writer encoded it inconsistently on purpose (a malicious client).
        public var inconsistent = false
        /// When the chain declared it invalid; `nil` if never.
        public var invalidAt: SimTime?
        /// The writes workload that wrote it (its index in the scenario).
        public var workload = 0
        /// Records it holds: 1 for a plain blob, the patch count of a quilt.
        public var records = 1
        /// The records' own bytes: `sizeBytes` for a plain blob, the patches' data for a quilt
        /// (without the quilt's index, headers and padding).
        public var recordBytes: UInt64 = 0
    }

    /// Counts of finished operations by kind and result.
    public struct OperationTally: Sendable {
        /// Writes that certified, and writes that gave up.
        public var writesOK = 0, writesFailed = 0
        /// Reads that returned the written bytes, failed, or returned something else.
        public var readsOK = 0, readsFailed = 0, readsInconsistent = 0
        /// Reads that ended `invalid` (the blob's encoding is inconsistent).
        public var readsInvalid = 0
        /// Extensions and deletions that executed, and those that failed.
        public var lifecycleOK = 0, lifecycleFailed = 0
    }

    // MARK: Set-up

    /// Builds the world of `scenario` at time zero: network endpoints, staked nodes, clients with
    /// funded accounts, the chain at epoch 0 (see `WorldBuilding.swift`). `start(_:)` then runs
    /// genesis and schedules the workloads and faults. Throws `WorldError` naming the scenario
    /// key of what cannot be built.
    public init(scenario: Scenario, sink: ResultsSink? = nil, options: Options = Options()) throws(WorldError) {
        self.scenario = scenario
        self.options = options
        self.sink = sink
        let n = scenario.nodes.shards
        do { config = try EncodingConfig(nShards: n) } catch { throw .invalid("nodes.shards", error.description) }
        pairIndices = Array(0..<n)
        guard scenario.nodes.count >= 1 else { throw .invalid("nodes.count", "at least one storage node is needed") }
        guard scenario.clients.count >= 1 else { throw .invalid("clients.count", "at least one client is needed") }
        streams = RandomStreams(runSeed: scenario.seed)
        chainStream = streams.stream("chain")
        faultStream = streams.stream("faults")
        churnStream = streams.stream("stake.churn")
        econ = EconomyState(scenario: scenario, streams: streams)
        costs = scenario.fidelity.costModel
        resourceBox = scenario.resources.map(ResourceBox.init)
        signatureMode = scenario.fidelity.signatures == .real ? .real : .modeled
        if case .modeled = scenario.fidelity.encoding, scenario.resources == nil { oneEventMessages = true } else { oneEventMessages = false }
        view = ChainView(nShards: n)
        catalog = BlobCatalog(config: config, mode: scenario.fidelity.verification, keepsPayload: scenario.fidelity.payload == .full)
        contextEnvironment = ProtocolContext.Environment(catalog: catalog, config: config, costs: costs, signatures: signatureMode,
                                                         resources: resourceBox)
        workloadIssued = Array(repeating: 0, count: scenario.workloads.count)
        operationsLeftInBurst = Array(repeating: 0, count: scenario.workloads.count)
        pendingRecords = Array(repeating: [], count: scenario.workloads.count)
        crashed = Array(repeating: false, count: scenario.nodes.count)
        crashHolds = Array(repeating: 0, count: scenario.nodes.count)
        byzantineHolds = Array(repeating: [], count: scenario.nodes.count)
        chainIsolation = Array(repeating: 0, count: scenario.nodes.count + scenario.clients.count)
        isolatedView = Array(repeating: nil, count: scenario.nodes.count + scenario.clients.count)
        heldEvents = Array(repeating: [], count: scenario.nodes.count + scenario.clients.count)
        diskLost = Array(repeating: false, count: scenario.nodes.count)
        cpuFreeAt = Array(repeating: .zero, count: scenario.nodes.count + scenario.clients.count)
        network = try Self.makeNetwork(scenario, streams: streams)
        chain = Chain(economy: try Self.makeEconomy(scenario), signatures: scenario.fidelity.signatures == .real ? .real : .modeled)
        reserveBlobRecords()
        try placeEndpoints()
        let genesisStake = try addNodes()
        // Nodes without genesis stake are operators standing by: a rejoining operator_exit
        // policy lets them join when operating would pay.
        for i in 0..<scenario.nodes.count where chain.activeStakeObjects(of: NodeID(UInt32(i))) == 0 { econ.left[i] = true }
        try addClients(churnBalance: genesisStake)
        try createGenesisSubsidies()
        workloadStreams = scenario.workloads.indices.map { streams.stream("workload", index: UInt64($0)) }
        readSelectors = scenario.workloads.map { w in
            guard case .reads(let spec) = w.kind else { return nil }
            let source = spec.source.flatMap { name in scenario.workloads.firstIndex { $0.name == name } }
            let selector = ReadSelector(spec, source: source)
            return selector.isTrivial ? nil : selector
        }
        installRegeneration()
        setUpResources()
        setUpNodeChainLag()
        if oneEventMessages { unsettledArrivals = Array(repeating: EventQueue(), count: network.endpoints.count) }
    }

    /// How much pending work the world parks, by table: what must stay proportional to the live
    /// work (operations, messages, timers) however long a run lasts.
    public struct PendingWork: Sendable, Equatable {
        /// Messages on the wire.
        public var inFlight: Int
        /// Transactions waiting for finality.
        public var transactions: Int
        /// Chain events waiting for the chain's lag.
        public var chainEvents: Int
        /// Timers set by nodes and clients.
        public var timers: Int
        /// Action lists parked behind CPU work.
        public var deferred: Int
        /// Slots allocated in all the tables above (their high-water marks, summed).
        public var slots: Int
    }

    /// The pending work parked now (see `PendingWork`).
    public var pendingWork: PendingWork {
        PendingWork(inFlight: inFlight.count, transactions: pendingTx.count, chainEvents: pendingEvents.count + pendingNodeEvents.count,
                    timers: timers.count, deferred: deferredActions.count,
                    slots: inFlight.slots + pendingTx.slots + pendingEvents.slots + pendingNodeEvents.slots + timers.slots + deferredActions.slots)
    }

    // MARK: Context

    /// The read-only context a state machine reacts in at `now`.
    func context(_ now: SimTime, for party: Party? = nil) -> ProtocolContext {
        let seen = party.flatMap { isolatedView[endpointIndex($0)] ?? ownView($0) } ?? view
        return ProtocolContext(now: now, view: seen, environment: contextEnvironment)
    }

    /// A party's endpoint index (nodes first, then clients).
    func endpointIndex(_ p: Party) -> Int {
        switch p {
        case .node(let n): n.index
        case .client(let c): nodes.count + Int(c.rawValue)
        }
    }

    /// Whether a party is cut off from the chain (an `isolate_chain` partition in force).
    func cutFromChain(_ p: Party) -> Bool { chainIsolation[endpointIndex(p)] > 0 }

    /// The network endpoint of a party: nodes first, then clients.
    func endpoint(_ p: Party) -> EndpointID {
        switch p {
        case .node(let n): EndpointID(n.rawValue)
        case .client(let c): EndpointID(UInt32(nodes.count) + c.rawValue)
        }
    }

    /// The index of a party's CPU in `cpuFreeAt`.
    func cpuIndex(_ p: Party) -> Int {
        switch p {
        case .node(let n): n.index
        case .client(let c): nodes.count + Int(c.rawValue)
        }
    }

    /// Whether a party reacts to events (crashed nodes do not).
    func isUp(_ p: Party) -> Bool {
        if case .node(let n) = p { return !crashed[n.index] }
        return true
    }

    // MARK: Event dispatch

    /// Handles one event of the world (see `Kind`).
    public func handle(_ event: Event, scheduler: inout Scheduler) {
        let now = event.time
        if Int(event.kind) < eventCounts.count { eventCounts[Int(event.kind)] &+= 1 }
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
            deliver(event.payload, now: now, scheduler: &scheduler)
        case .message:
            messageEvent(event, scheduler: &scheduler)
        case .txFinal:
            let (submitter, tx) = pendingTx.remove(event.payload)
            let epochBefore = chain.economy.epoch
            let events = chain.execute(tx, submitter: submitter, now: now)
            if case .client = submitter { clientTransactions += 1 }
            recordFlows(now)
            afterTransaction(tx, before: epochBefore, now: now, scheduler: &scheduler)
            if !events.isEmpty {
                let lag = SimDuration(seconds: max(0, scenario.chain.eventLagSeconds.sample(chainStream)))
                scheduler.schedule(after: lag, target: 0, kind: Kind.chainNotify.rawValue,
                                   payload: pendingEvents.insert((now, events)))
                // Under per-node lag, each node takes the events at its own time, from execution.
                if !nodeViews.isEmpty { scheduleNodeChainEvents(events, executedAt: now, scheduler: &scheduler) }
            }
        case .chainNotify:
            let (executedAt, events) = pendingEvents.remove(event.payload)
            for e in events { deliverChainEvent(e, executedAt: executedAt, now: now, scheduler: &scheduler, toNodes: nodeViews.isEmpty) }
        case .nodeChainNotify:
            for e in pendingNodeEvents.remove(event.payload) { deliverToNode(e, node: Int(event.target), now: now, scheduler: &scheduler) }
        case .timer:
            let (party, token) = timers.remove(event.payload)
            guard isUp(party) else { return }
            let ctx = context(now, for: party)
            withActionBuffer(for: party, now: now, scheduler: &scheduler) { actions in
                switch party {
                case .node(let n): nodes[n.index].timerFired(token: token, context: ctx, into: actions)
                case .client(let c): clients[Int(c.rawValue)].timerFired(token: token, context: ctx, into: actions)
                }
            }
        case .deferred:
            let (party, parked) = deferredActions.remove(event.payload)
            switch consume parked {
            case .one(let action):
                if isUp(party) { _ = perform(action, cpu: cpuIndex(party), for: party, now: now, scheduler: &scheduler) }
            case .list(let actions):
                if isUp(party), execute(actions, for: party, now: now, scheduler: &scheduler) { return }  // parked again
                giveBack(actions)
            }
        case .workload:
            runWorkload(Int(event.target), now: now, scheduler: &scheduler)
        case .faultStart:
            settleArrivals(before: event)  // faults change what an arrival finds
            startFault(Int(event.target), now: now, scheduler: &scheduler)
        case .faultEnd:
            settleArrivals(before: event)
            endFault(Int(event.target), now: now, scheduler: &scheduler)
        case .driver:
            submit(event.target == 0 ? .votingEnd : .initiateEpochChange, from: .node(NodeID(0)), now: now, scheduler: &scheduler)
        case .metrics:
            settleArrivals(before: event)  // the delivery counters count arrivals
            sampleMetrics(now)
            scheduler.schedule(after: scenario.metricsInterval, target: 0, kind: Kind.metrics.rawValue)
        case .churn:
            stakeChurn(now: now, scheduler: &scheduler)
        case .economy:
            settleArrivals(before: event)  // per-node received bytes count arrivals
            economyTimer(event.target, now: now, scheduler: &scheduler)
        case nil:
            preconditionFailure("unknown event kind \(event.kind)")
        }
    }

    // MARK: Actions

    /// The largest capacity (actions) the reaction buffer keeps its storage with (`giveBack`):
    /// one rare reaction can grow it large (a node starting thousands of recoveries at once
    /// made half a million actions; keeping that made every later parked buffer cost 90 MB).
    static let actionBufferKeptCapacity = 4_096
    /// The most emptied buffers `spareActionBuffers` keeps (a parked buffer per busy party is
    /// the steady state: hundreds at mainnet scale), and the largest capacity a kept one may
    /// have (a store's continuation is a few actions; a rare large buffer is freed, so the
    /// spares hold at most 256 x 256 actions, ~6 MB).
    static let spareActionBuffersKept = 256
    static let spareActionBufferKeptCapacity = 256

    /// Lets a state machine write its actions into the world's reusable buffer (`react`), then
    /// carries them out for `party`. The buffer is lent out while in use, so a nested reaction
    /// gets a spare; if the actions were parked behind CPU work, the parked buffer travels with
    /// them and comes back when they are carried out.
    func withActionBuffer(for party: Party, now: SimTime, scheduler: inout Scheduler, _ react: (ActionBuffer) -> Void) {
        let actions = actionBuffer.take() ?? spareActionBuffers.popLast() ?? ActionBuffer()
        react(actions)
        if actions.isEmpty || !execute(actions, for: party, now: now, scheduler: &scheduler) { giveBack(actions) }
    }

    /// Takes back a buffer whose actions are carried out (or dropped: its party went down),
    /// emptied: as the reaction buffer if that is lent out, else among the spares, unless it is
    /// large or the spares are full (then it is freed).
    func giveBack(_ actions: ActionBuffer) {
        actions.removeAll()
        if actionBuffer == nil {
            if actions.capacity <= Self.actionBufferKeptCapacity { actionBuffer = actions }
        } else if actions.capacity <= Self.spareActionBufferKeptCapacity, spareActionBuffers.count < Self.spareActionBuffersKept {
            spareActionBuffers.append(actions)
        }
    }

    /// What `execute` parks behind CPU work until the party's CPU is free.
    enum ParkedActions {
        /// The one action left (a store's confirmation after its verification, most often):
        /// parked alone, so that the buffer goes back to reactions at once instead of
        /// travelling through the slab.
        case one(Action)
        /// The buffer with the actions not yet carried out.
        case list(ActionBuffer)
    }

    /// Carries out a state machine's actions in order, taking each off the front of `actions`.
    /// CPU work delays the actions after it: they are parked (`ParkedActions`) and resumed when
    /// the party's CPU is free. Returns whether it parked the buffer itself (a single action
    /// left is parked alone, and the buffer, empty, is the caller's to reuse).
    @discardableResult
    func execute(_ actions: ActionBuffer, for party: Party, now: SimTime, scheduler: inout Scheduler) -> Bool {
        let cpu = cpuIndex(party)
        while let action = actions.takeFirst() {
            // `consume`: moved, not copied. With a copy (as the compiler chose once `Message`
            // shrank) each action's payload was retained here and the action destroyed after.
            guard let busyUntil = perform(consume action, cpu: cpu, for: party, now: now, scheduler: &scheduler),
                  busyUntil > now, !actions.isEmpty else { continue }
            let parksList = actions.count > 1
            let parked: ParkedActions = parksList ? .list(actions) : .one(actions.takeFirst()!)
            scheduler.schedule(at: busyUntil, target: 0, kind: Kind.deferred.rawValue, payload: deferredActions.insert((party, consume parked)))
            return parksList
        }
        return false
    }

    /// Carries out one action of `party` (whose CPU is `cpu`) at `now`. Returns when the CPU or
    /// disk work it reserved ends, `nil` for the other actions (they take no time).
    @inline(__always)
    func perform(_ action: consuming Action, cpu: Int, for party: Party, now: SimTime, scheduler: inout Scheduler) -> SimTime? {
        switch consume action {
        case .cpu(let d):
            return reserveCPU(cpu, d, now: now)
        case .disk(let d):
            return reserveDisk(cpu, d, now: now)
        case .send(let to, let message):
            send(consume message, from: party, to: to, now: now, scheduler: &scheduler)
        case .submit(let tx):
            submit(tx, from: party, now: now, scheduler: &scheduler)
        case .timer(let after, let token):
            scheduler.schedule(after: after, target: 0, kind: Kind.timer.rawValue, payload: timers.insert((party, token)))
        case .observe(let o):
            observe(o, now: now)
            while let w = closedLoopEnded.popLast() { continueClosedLoop(workload: w, scheduler: &scheduler) }
        }
        return nil
    }

    func send(_ message: consuming Message, from: Party, to: Party, now: SimTime, scheduler: inout Scheduler) {
        if oneEventMessages { return sendOneEvent(message, from: from, to: to, now: now, scheduler: &scheduler) }
        switch network.transmit(from: endpoint(from), to: endpoint(to), bytes: message.wireBytes, now: now) {
        case .success(var t):
            if resourceBox != nil { t.arrivesAt = t.arrivesAt + transferExtra(message, from: from, to: to, t) }
            scheduler.schedule(at: t.arrivesAt, target: 0, kind: Kind.arrival.rawValue,
                               payload: inFlight.insert(InFlight(transmission: t, from: from, to: to, message: message)))
        case .failure:
            break
        }
    }

    func submit(_ tx: Transaction, from: Party, now: SimTime, scheduler: inout Scheduler) {
        if cutFromChain(from) {
            heldTransactions.append((from, tx))  // sent when the party reaches the chain again
            return
        }
        let finality = SimDuration(seconds: max(0, scenario.chain.finalitySeconds.sample(chainStream)))
        scheduler.schedule(after: finality, target: 0, kind: Kind.txFinal.rawValue, payload: pendingTx.insert((from, tx)))
    }

    // MARK: Chain events

    /// Applies chain event `e` to the shared view, does the world's bookkeeping, and hands it to
    /// the clients and, with `toNodes`, to the nodes (under per-node chain lag the nodes take it
    /// later, each at its own time, except at genesis).
    func deliverChainEvent(_ e: ChainEvent, executedAt: SimTime, now: SimTime, scheduler: inout Scheduler, toNodes: Bool = true) {
        view.apply(e)
        noteChainEvent(e, executedAt: executedAt, now: now, scheduler: &scheduler)
        if case .transactionFailed(let submitter, _, _) = e {
            // Only the submitter learns of its failed transaction.
            if case .client(let c) = submitter {
                if cutFromChain(submitter) { heldEvents[endpointIndex(submitter)].append(e); return }
                let ctx = context(now)
                withActionBuffer(for: submitter, now: now, scheduler: &scheduler) { clients[Int(c.rawValue)].chainEvent(e, context: ctx, into: $0) }
            }
            return
        }
        let ctx = context(now)
        if toNodes && !nodeViews.isEmpty {
            for i in nodes.indices { deliverToNode(e, node: i, now: now, scheduler: &scheduler) }
        } else if toNodes {
            for i in nodes.indices where !crashed[i] {
                if chainIsolation[i] > 0 { heldEvents[i].append(e); continue }
                withActionBuffer(for: .node(NodeID(UInt32(i))), now: now, scheduler: &scheduler) { nodes[i].chainEvent(e, context: ctx, into: $0) }
            }
        }
        for c in clients.indices {
            if chainIsolation[nodes.count + c] > 0 { heldEvents[nodes.count + c].append(e); continue }
            withActionBuffer(for: .client(ClientID(UInt32(c))), now: now, scheduler: &scheduler) { clients[c].chainEvent(e, context: ctx, into: $0) }
        }
    }

    /// The world's own reactions: blob bookkeeping, the epoch-change driver, stake churn.
    func noteChainEvent(_ e: ChainEvent, executedAt: SimTime, now: SimTime, scheduler: inout Scheduler) {
        switch e {
        case .blobRegistered(let b, let end):
            blobs[Int(b.index)].registeredAt = executedAt
            blobs[Int(b.index)].endEpoch = end
        case .blobCertified(let b, let epoch, let end):
            if blobs[Int(b.index)].certifiedAt == nil {
                certifiedRecordBytes += blobs[Int(b.index)].recordBytes
                offerToReaders(b, certifiedAt: executedAt)
            }
            blobs[Int(b.index)].certifiedAt = executedAt
            metadataUploaded.removeValue(forKey: b)
            blobs[Int(b.index)].certifiedEpoch = epoch
            blobs[Int(b.index)].endEpoch = end
        case .blobExtended(let b, let end):
            blobs[Int(b.index)].endEpoch = end
        case .blobDeleted(let b):
            blobs[Int(b.index)].deleted = true
            catalog.release(b)
        case .blobInvalidated(let b, _):
            blobs[Int(b.index)].invalidAt = executedAt
            catalog.release(b)
        case .epochChangeStart(let epoch, let committee, _):
            epochsStarted += 1
            lastEpochChangeStart = executedAt
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

    /// Takes in a fact a state machine reported.
    func observe(_ o: Observation, now: SimTime) {
        switch o {
        case .operationFinished(var op):
            // The operation ends when the shell carries this out: after the CPU work listed
            // before it (a read's decode and consistency check).
            op.end = max(op.end, now)
            finishOperation(op, now: now)
        case .phaseMark(let op, let mark, let backdate):
            notePhaseMark(op: op, mark: mark, at: SimTime(nanoseconds: now.nanoseconds - min(backdate.nanoseconds, now.nanoseconds)))
        case .recovered(let node, let blob, _, let bytes):
            if node.index < econ.recoveryBytes.count { econ.recoveryBytes[node.index] &+= bytes }
            recoveries += 1
            recoveryBytes += bytes
            recoveryBytesEstimate += recoveryEstimate(blob)
        case .responseRejected:
            responsesRejected += 1
        case .recoveryFailed, .sliverRejected, .inconsistencyProof, .shardSynced:
            break
        }
    }

    /// Counts a finished client operation, checks it and records it.
    func finishOperation(_ op: FinishedOperation, now: SimTime) {
        if op.kind == .write, let w = closedLoopWrites.removeValue(forKey: op.blob) { closedLoopEnded.append(w) }
        if op.kind == .read, let w = closedLoopReads.removeValue(forKey: op.id) { closedLoopEnded.append(w) }
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
        case (.read, .invalid):
            operations.readsInvalid += 1
        case (.read, _):
            operations.readsFailed += 1
        case (_, .ok): operations.lifecycleOK += 1
        case (_, _): operations.lifecycleFailed += 1
        }
        checkOperation(op, now: now)
        recordOperation(op)
        recordPhases(op)
    }
}
