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

/// Why a world could not be built: the scenario key and what is wrong.
public enum WorldError: Error, Equatable, CustomStringConvertible {
    /// The scenario key path, and what is wrong with its value.
    case invalid(String, String)
    /// "`key`: what is wrong".
    public var description: String {
        switch self { case .invalid(let key, let why): "\(key): \(why)" }
    }
}

/// Building the world of a scenario: the pieces `World.init` assembles, in the order it does.
extension World {
    /// The network of the scenario's regions, with no endpoints yet.
    static func makeNetwork(_ scenario: Scenario, streams: RandomStreams) throws(WorldError) -> Network {
        do {
            var network = try Network(regions: scenario.network.regions, jitterMilliseconds: scenario.network.jitterMs, streams: streams)
            network.lossPartsPerMillion = scenario.network.lossPartsPerMillion
            return network
        } catch { throw .invalid("network", error.description) }
    }

    /// The economics of the scenario's preset and profile, with its overrides, at time zero.
    static func makeEconomy(_ scenario: Scenario) throws(WorldError) -> WalrusEconomy {
        var parameters: EconomicsParameters = switch scenario.economics.preset {
        case .mainnet: .mainnet(scenario.economics.profile == .launch ? .launch : .current)
        case .testnet: .testnet(scenario.economics.profile == .launch ? .launch : .current)
        }
        parameters.nShards = scenario.nodes.shards
        if let d = scenario.economics.epochDuration { parameters.epochDurationMs = max(1, d.nanoseconds / 1_000_000) }
        if let m = scenario.economics.maxEpochsAhead { parameters.maxEpochsAhead = m }
        if let b = scenario.economics.burnBasisPoints { parameters.rules.burnBasisPoints = b }
        if let a = scenario.economics.activeSetSize { parameters.activeSetCap = a }
        parameters.extensions.storageChallenges = scenario.economics.storageChallenges
        parameters.extensions.principalSlashing = scenario.economics.principalSlashing
        parameters.extensions.rewardForfeitBasisPoints = scenario.economics.challengeForfeitBP
        parameters.extensions.penaltyPerFailedShardBasisPoints = scenario.economics.challengePenaltyPerShardBP
        if let e = parameters.validationError() { throw .invalid("economics", "\(e)") }
        do { return try WalrusEconomy(parameters: parameters, creationTimeMs: 0) } catch { throw .invalid("economics", "\(error)") }
    }

    /// The most blob records reserved up front (about 1 GB of address space at ~500 bytes of
    /// tables per blob, not resident until written): beyond it, tables grow by doubling as they
    /// would without a reservation.
    static let reservedBlobRecordsCap = 1 << 21

    /// Reserves the per-blob tables (the world's `blobs`, the catalog's, the chain's objects and
    /// the economy's blob and storage records) for the blobs the scenario's write workloads will
    /// write: `count` writes each, `quiltBatch` records to a blob. Grown by doubling instead, each
    /// table's last step leaves up to half its capacity unused, a third of the memory per live
    /// blob at the wrong count. Capped at `reservedBlobRecordsCap`; reserving changes no state.
    func reserveBlobRecords() {
        var expected = 0
        for w in scenario.workloads {
            guard case .writes(let spec) = w.kind else { continue }
            let batch = max(1, spec.quiltBatch)
            expected += (spec.count + batch - 1) / batch
        }
        let count = min(expected, Self.reservedBlobRecordsCap)
        guard count > 0 else { return }
        blobs.reserveCapacity(count)
        catalog.reserveCapacity(count)
        chain.reserveCapacity(blobs: count)
    }

    /// Network endpoints: nodes placed by region weights (drawn from the `placement` stream),
    /// then clients round-robin over their regions.
    func placeEndpoints() throws(WorldError) {
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
        for i in 0..<scenario.nodes.count {
            var r = RegionID(UInt16(placement.sample(placementStream)))
            if i < scenario.nodes.nodeRegions.count {
                // An explicit testbed: the listed region (the draw above keeps the stream's use the same).
                guard let listed = regions.region(named: scenario.nodes.nodeRegions[i]) else {
                    throw .invalid("nodes.node_regions", "unknown region \"\(scenario.nodes.nodeRegions[i])\"")
                }
                r = listed
            }
            nodeRegion.append(r)
            do { try network.addEndpoint(region: r, link: scenario.network.nodeLink) } catch { throw .invalid("network.node_link", error.description) }
        }
        for c in 0..<scenario.clients.count {
            let name = scenario.clients.regions.isEmpty ? regions.names[0] : scenario.clients.regions[c % scenario.clients.regions.count]
            guard let r = regions.region(named: name) else { throw .invalid("clients.regions", "unknown region \"\(name)\"") }
            do { try network.addEndpoint(region: r, link: scenario.network.clientLink) } catch { throw .invalid("network.client_link", error.description) }
        }
    }

    /// Storage nodes with keys from the `node.keys` stream, registered and staked on chain.
    /// Returns the genesis stake of all nodes, in FROST.
    func addNodes() throws(WorldError) -> UInt64 {
        let stakes = try Self.genesisStakes(scenario.nodes, streams: streams)
        let signatureMode: ConfirmationSigner.Mode = scenario.fidelity.signatures == .real ? .real : .modeled
        let keyStream = streams.stream("node.keys")
        for i in 0..<scenario.nodes.count {
            let id = NodeID(UInt32(i))
            let seed = (0..<4).flatMap { _ in withUnsafeBytes(of: keyStream.nextUInt64().littleEndian, Array.init) }
            let signer = ConfirmationSigner(node: id, mode: signatureMode, seed: seed)
            var node = StorageNode(id: id, signer: signer)
            let timing = scenario.protocolSpec
            node.syncRequestTimeout = timing.syncRequestTimeout
            node.syncRetryMin = timing.syncRetryMin
            node.syncRetryMax = timing.syncRetryMax
            node.syncSwitchToRecovery = timing.syncSwitchToRecovery
            node.syncBlobsPerRequest = timing.syncBlobsPerRequest
            node.recoveryRequestTimeout = timing.recoveryRequestTimeout
            node.recoveryRetryMin = timing.recoveryRetryMin
            node.recoveryRetryMax = timing.recoveryRetryMax
            node.metadataRequestTimeout = timing.metadataRequestTimeout
            node.blobSyncDelay = timing.blobSyncDelay
            node.maxConcurrentRecoveries = timing.maxConcurrentRecoveries
            node.proofCacheCapacity = timing.recoveryProofCache
            nodes.append(node)
            // Per-node votes and commission (`[nodes]` lists or distributions; the scalars by default).
            let votes = Votes(storagePriceFrost: Frost(econ.storageVote[i]), writePriceFrost: Frost(econ.writeVote[i]),
                              capacityBytes: econ.capacityVote[i])
            let commission = BasisPoints(econ.commissionBP[i])
            do {
                try chain.addNode(id, publicKey: signer.publicKey, commission: commission, votes: votes, stake: stakes[i])
            } catch { throw .invalid("nodes.stake", "node \(i): \(error)") }
            sink?.record(NodeRecord(node: id, name: "node-\(i)", region: scenario.network.regions.names[nodeRegion[i].index],
                                    capacityBytes: econ.capacityVote[i], commission: commission,
                                    initialStakeFrost: stakes[i].rawValue))
        }
        return stakes.reduce(UInt64(0)) { $0 &+ $1.rawValue }
    }

    /// Clients with funded accounts and their own streams, and the account stake churn moves
    /// stake through (funded with `churnBalance` FROST, the genesis stake).
    func addClients(churnBalance: UInt64) throws(WorldError) {
        do {
            guard let balance = Frost.wal(scenario.economics.clientBalanceWAL) else { throw WorldError.invalid("economics.client_balance_wal", "too large") }
            for c in 0..<scenario.clients.count {
                _ = try chain.addClient(balance: balance)
                clients.append(Client(id: ClientID(UInt32(c)), attemptTimeout: scenario.clients.attemptTimeout, maxAttempts: scenario.clients.maxAttempts))
                clientStreams.append(streams.stream("client", index: UInt64(c)))
            }
            try chain.addChurnAccount(balance: Frost(churnBalance))
        } catch let e as WorldError { throw e } catch { throw .invalid("economics", "\(error)") }
    }

    /// Digest payloads: a blob's bytes come back from its seeded content when a node must serve
    /// them (the same bytes the client encoded, so they match the stored hashes).
    func installRegeneration() {
        catalog.regenerate = { [unowned self] blob in
            guard let e = self.catalog.entry(blob), !e.modeled else { return nil }
            let content = Self.blobContent(size: Int(e.sizeBytes), stream: self.streams.stream("blob.content", index: UInt64(blob.index)))
            let encoder = BlobEncoder(config: self.config, options: EncodingOptions(threads: self.options.encoderThreads))
            return try? encoder.encode(blob: content).pairs
        }
    }

    /// Genesis stake of each node, in FROST: shares of `total_wal` by the distribution's
    /// weights that add up to it exactly, each at least 1 WAL (the contracts' minimum; validation
    /// guarantees `total_wal >= nodes.count`). Shares are floored, then the FROST left over goes
    /// to the largest share, and a share raised to 1 WAL is paid for by the largest ones.
    static func genesisStakes(_ spec: NodesSpec, streams: RandomStreams) throws(WorldError) -> [Frost] {
        let k = spec.count
        func shares(_ weights: [Double], total: UInt64) throws(WorldError) -> [Frost] {
            let sum = weights.reduce(0, +)
            guard sum > 0, sum.isFinite else { throw .invalid("nodes.stake", "weights must be positive") }
            guard let totalFrost = Frost.wal(total) else { throw .invalid("nodes.stake.total_wal", "too large") }
            guard total >= UInt64(weights.count) else { throw .invalid("nodes.stake.total_wal", "less than 1 WAL per node") }
            var frost = weights.map { w in
                let x = Double(totalFrost.rawValue) * (w / sum)
                return max(Frost.perWAL, x.isFinite && x < Double(totalFrost.rawValue) ? UInt64(x) : totalFrost.rawValue)
            }
            // Largest first (ties: lowest index), the order in which shares give or take.
            let byShare = frost.indices.sorted { (frost[$0], $1) > (frost[$1], $0) }
            var assigned = frost.reduce(UInt128(0)) { $0 + UInt128($1) }
            var i = 0
            while assigned > UInt128(totalFrost.rawValue) {
                let j = byShare[i % byShare.count]
                let give = min(UInt128(frost[j] - Frost.perWAL), assigned - UInt128(totalFrost.rawValue))
                frost[j] -= UInt64(give)
                assigned -= give
                i += 1
            }
            if assigned < UInt128(totalFrost.rawValue) { frost[byShare[0]] += UInt64(UInt128(totalFrost.rawValue) - assigned) }
            return frost.map(Frost.init)
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
                guard let f = Frost.wal(w) else { throw .invalid("nodes.stake", "stake too large") }
                return f
            }
        }
    }
}
