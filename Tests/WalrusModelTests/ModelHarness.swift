import Economics
import RedStuff
import SimSupport
import WalrusCrypto
@testable import WalrusModel

/// The protocol state machines on their own: a chain, four storage nodes and a client, with no
/// engine and no network. A test hands a participant a message, chain event or timer and reads
/// the actions it returns; `deliver` plays the shell's part where a test wants a round trip.
///
/// 10 shards (f = 3): 4 equally staked nodes hold 2-3 shards each.
struct ModelHarness {
    let config: EncodingConfig
    let view: ChainView
    let catalog: BlobCatalog
    var chain: Chain
    var nodes: [StorageNode]
    var client: Client
    var now = SimTime.zero

    init(nodeCount: Int = 4, shards: Int = 10, verification: VerificationMode = .full) throws {
        config = try EncodingConfig(nShards: shards)
        view = ChainView(nShards: shards)
        catalog = BlobCatalog(config: config, mode: verification)
        var parameters = EconomicsParameters.testnet(.current)
        parameters.nShards = shards
        chain = Chain(economy: try WalrusEconomy(parameters: parameters, creationTimeMs: 0), signatures: .real)
        nodes = []
        for i in 0..<nodeCount {
            let id = NodeID(UInt32(i))
            let signer = ConfirmationSigner(node: id, mode: .real, seed: [UInt8](repeating: UInt8(i + 1), count: 32))
            nodes.append(StorageNode(id: id, signer: signer))
            try chain.addNode(id, publicKey: signer.publicKey, commission: BasisPoints(1_000),
                              votes: Votes(storagePriceFrost: Frost(1_000), writePriceFrost: Frost(100), capacityBytes: 1 << 40),
                              stake: Frost(1_000_000 * Frost.perWAL))
        }
        _ = try chain.addClient(balance: Frost(1_000_000 * Frost.perWAL))
        client = Client(id: ClientID(0), attemptTimeout: .seconds(30), maxAttempts: 3)
        // Genesis: the first committee from the stakes, applied to everyone's view.
        for tx in [Transaction.votingEnd, .initiateEpochChange] {
            for e in chain.execute(tx, submitter: .node(NodeID(0)), now: .zero) { view.apply(e) }
        }
    }

    var context: ProtocolContext {
        ProtocolContext(now: now, view: view, catalog: catalog, config: config,
                        costs: CostModel(encodeBytesPerSecond: 400 << 20, signatureCost: .microseconds(470)), signatures: .real)
    }

    /// Encodes `size` seeded bytes as blob `index` and registers it with the catalog.
    mutating func encodeBlob(_ index: UInt32, size: Int, seed: UInt64 = 1) throws -> (BlobRef, EncodedBlob, [UInt8]) {
        var state = seed
        let content = (0..<size).map { _ -> UInt8 in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(truncatingIfNeeded: state >> 33)
        }
        let encoded = try BlobEncoder(config: config).encode(blob: content)
        let blob = BlobRef(index)
        catalog.add(blob, BlobCatalog.Entry(metadata: encoded.metadata, pairs: encoded.pairs, sizeBytes: UInt64(size),
                                            contentDigest: Blake2b256.hash(content), honest: true))
        return (blob, encoded, content)
    }

    /// Executes `tx` on the chain now and applies its events to the view; returns them.
    @discardableResult
    mutating func executeOnChain(_ tx: Transaction, from: Party) -> [ChainEvent] {
        let events = chain.execute(tx, submitter: from, now: now)
        for e in events { view.apply(e) }
        return events
    }

    /// The pairs node `i` must hold of a blob, ascending.
    func pairs(ofNode i: Int, blobID: BlobID) -> [Int] {
        let mapping = ShardMapping(blobID: blobID, nShards: config.nShards)
        return view.committee.shards(of: NodeID(UInt32(i))).map { mapping.pair(ofShard: $0.index) }.sorted()
    }

    /// Registers and certifies `blob` on chain with every node's confirmation, storing each
    /// node's pairs first (the honest write, done by hand).
    mutating func storeEverywhereAndCertify(_ blob: BlobRef, _ encoded: EncodedBlob, skippingNode skip: Int? = nil) throws {
        let size = catalog.entry(blob)?.sizeBytes ?? 0
        executeOnChain(.registerBlob(client: ClientID(0), blob: blob, blobID: encoded.metadata.blobID,
                                     unencodedBytes: size, epochs: 3, deletable: false),
                       from: .client(ClientID(0)))
        var signatures: [ConfirmationSignature] = []
        for i in nodes.indices where i != skip {
            let pairs = self.pairs(ofNode: i, blobID: encoded.metadata.blobID).map { PairPayload.real(encoded.pairs[$0]) }
            let actions = nodes[i].receive(.store(blob: blob, metadata: SharedMetadata(encoded.metadata), pairs: StorePairs(pairs)), from: .client(ClientID(0)), context: context)
            for case .send(_, .stored(_, _, let sig?)) in actions { signatures.append(sig) }
        }
        guard let certificate = AggregateCertificate.aggregate(signatures, .blobCertification, epoch: view.epoch,
                                                               blobID: encoded.metadata.blobID, mode: .real)
        else { throw HarnessError.notCertified("no signatures to aggregate") }
        let events = executeOnChain(.certifyBlob(client: ClientID(0), blob: blob, epoch: view.epoch, certificate: certificate),
                                    from: .client(ClientID(0)))
        guard case .blobCertified? = events.first else { throw HarnessError.notCertified("\(events)") }
    }

    /// A modeled blob (`index`, `size` bytes) in the catalog and registered on chain: its
    /// metadata, shard mapping and sliver sizes.
    mutating func addModeledBlob(_ index: UInt32, size: Int, deletable: Bool = false) throws
        -> (blob: BlobRef, metadata: BlobMetadataWithID, mapping: ShardMapping, sizes: (primary: Int, secondary: Int)) {
        let (blob, encoded, _) = try encodeBlob(index, size: size)
        catalog.add(blob, BlobCatalog.Entry(metadata: encoded.metadata, pairs: [], sizeBytes: UInt64(size), contentDigest: .zero,
                                            honest: true, modeled: true))
        executeOnChain(.registerBlob(client: ClientID(0), blob: blob, blobID: encoded.metadata.blobID, unencodedBytes: UInt64(size),
                                     epochs: 3, deletable: deletable), from: .client(ClientID(0)))
        return (blob, encoded.metadata, ShardMapping(blobID: encoded.metadata.blobID, nShards: config.nShards), catalog.sliverSizes(blob))
    }

    /// Node `i` receives an honest modeled store of `blob`'s pairs on `shards` (its whole
    /// committee list when `nil`).
    mutating func storeModeled(_ m: (blob: BlobRef, metadata: BlobMetadataWithID, mapping: ShardMapping, sizes: (primary: Int, secondary: Int)),
                               node i: Int, shards: [ShardIndex]? = nil) {
        let list = shards ?? view.committee.shards(of: NodeID(UInt32(i)))
        _ = nodes[i].receive(.store(blob: m.blob, metadata: SharedMetadata(m.metadata),
                                    pairs: StorePairs(modeledOfShards: list, mapping: m.mapping, primaryBytes: m.sizes.primary,
                                                      secondaryBytes: m.sizes.secondary)),
                             from: .client(ClientID(0)), context: context)
    }

    enum HarnessError: Error { case notCertified(String) }

    /// Timers each node set, in order, by node index (`pump` records them).
    var timers: [Int: [UInt64]] = [:]

    /// The timers node `i` set so far (and forgets them: firing is the caller's business).
    mutating func pendingTimers(of i: Int) -> [UInt64] {
        defer { timers[i] = [] }
        return timers[i] ?? []
    }

    /// Plays the network for node `me`'s `actions` until nothing is left to deliver: each message
    /// goes to its node (answers come straight back), optionally delivered twice. Returns the
    /// pairs `me` reported recovered.
    mutating func pump(_ actions: [Action], at me: Int, duplicate: Bool = false) -> [Int] {
        var recovered: [Int] = []
        var queue = actions
        while !queue.isEmpty {
            let action = queue.removeFirst()
            switch action {
            case .send(.node(let n), let message):
                let replies = nodes[n.index].receive(message, from: .node(NodeID(UInt32(me))), context: context)
                for case .send(.node(let back), let answer) in replies where back.index == me {
                    for _ in 0..<(duplicate ? 2 : 1) {
                        queue += nodes[me].receive(answer, from: .node(n), context: context)
                    }
                }
            case .timer(_, let token):
                timers[me, default: []].append(token)
            case .observe(.recovered(_, _, let pair, _)):
                recovered.append(pair)
            default:
                break
            }
        }
        return recovered
    }

    /// Gives node `i` its pairs of `blob` again (as if it had stored them).
    mutating func restoreStore(node i: Int, _ blob: BlobRef, _ encoded: EncodedBlob) throws {
        let pairs = self.pairs(ofNode: i, blobID: encoded.metadata.blobID).map { PairPayload.real(encoded.pairs[$0]) }
        _ = nodes[i].receive(.store(blob: blob, metadata: SharedMetadata(encoded.metadata), pairs: StorePairs(pairs)), from: .client(ClientID(0)), context: context)
    }
}

extension Array where Element == Action {
    /// Messages sent, with their destinations, in order.
    var sent: [(to: Party, message: Message)] {
        compactMap { if case .send(let to, let m) = $0 { (to, m) } else { nil } }
    }
    /// Transactions submitted, in order.
    var submitted: [Transaction] { compactMap { if case .submit(let t) = $0 { t } else { nil } } }
    /// Observations reported, in order.
    var observed: [Observation] { compactMap { if case .observe(let o) = $0 { o } else { nil } } }
    /// Timer tokens set, in order.
    var timerTokens: [UInt64] { compactMap { if case .timer(_, let t) = $0 { t } else { nil } } }
}
