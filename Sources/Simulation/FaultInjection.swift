import Economics
import RedStuff
import ResultRecords
import SimEngine
import SimSupport
import WalrusCrypto
import WalrusModel

/// Fault injection: the scenario's faults, started and ended at their times.
extension World {
    // MARK: Faults

    /// Puts fault `i` in force on its targets and schedules its end.
    func startFault(_ i: Int, now: SimTime, scheduler: inout Scheduler) {
        let f = scenario.faults[i]
        activeFaults += 1
        var targets: [Int] = []
        var kind = FaultKind.crash
        var detail = ""
        switch f.kind {
        case .crash(let selection, let loseDisk):
            targets = select(selection)
            for t in targets where !crashed[t] {
                crashed[t] = true
                nodes[t].crash()
                network.setDown(EndpointID(UInt32(t)), true)
            }
            detail = loseDisk ? "disk lost" : "disk kept"
        case .partition(let regionNames):
            kind = .partition
            let regionIDs = Set(regionNames.compactMap { scenario.network.regions.region(named: $0) })
            let side = (0..<nodes.count).filter { regionIDs.contains(nodeRegion[$0]) }
            network.partition([side.map { EndpointID(UInt32($0)) }])
            targets = side
            detail = "regions " + regionNames.joined(separator: ",")
        case .loss(let ppm):
            kind = .packetLoss
            network.lossPartsPerMillion = ppm
            detail = "\(ppm) ppm"
        case .latencySpike(let selection, let extra):
            kind = .latencySpike
            targets = select(selection)
            for t in targets { network.setExtraLatency(EndpointID(UInt32(t)), extra) }
            detail = "+\(extra)"
        case .throttle(let selection, let permille):
            kind = .bandwidthThrottle
            targets = select(selection)
            for t in targets { network.setThrottle(EndpointID(UInt32(t)), permille: permille) }
            detail = "\(permille)/1000 of capacity"
        }
        faultTargets[i] = targets
        sink?.record(FaultRecord(startNs: now.nanoseconds, kind: kind, target: targets.isEmpty ? "network" : targets.map { "node\($0)" }.joined(separator: ","),
                                 details: detail, endNs: f.duration.map { (now + $0).nanoseconds }))
        if let d = f.duration { scheduler.schedule(after: d, target: UInt32(i), kind: Kind.faultEnd.rawValue) }
    }

    /// Ends fault `i`: restarts crashed nodes, heals, restores links.
    func endFault(_ i: Int, now: SimTime, scheduler: inout Scheduler) {
        let f = scenario.faults[i]
        activeFaults -= 1
        let targets = faultTargets[i]
        switch f.kind {
        case .crash(_, let loseDisk):
            for t in targets where crashed[t] {
                crashed[t] = false
                network.setDown(EndpointID(UInt32(t)), false)
                let actions = nodes[t].restart(loseDisk: loseDisk, context: context(now))
                execute(actions, for: .node(NodeID(UInt32(t))), now: now, scheduler: &scheduler)
            }
        case .partition: network.healPartition()
        case .loss: network.lossPartsPerMillion = scenario.network.lossPartsPerMillion
        case .latencySpike: for t in targets { network.setExtraLatency(EndpointID(UInt32(t)), .zero) }
        case .throttle: for t in targets { network.setThrottle(EndpointID(UInt32(t)), permille: 1_000) }
        }
    }

    /// Resolves a node selection against the current committee.
    func select(_ selection: NodeSelection) -> [Int] {
        switch selection {
        case .indices(let xs): return xs.filter { $0 >= 0 && $0 < nodes.count }.sorted()
        case .random(let count):
            return faultStream.sample(min(count, nodes.count), from: nodes.count)
        case .region(let name):
            guard let r = scenario.network.regions.region(named: name) else { return [] }
            return (0..<nodes.count).filter { nodeRegion[$0] == r }
        case .shardsUpTo(let limit):
            // Largest holders first, as long as the total stays within the limit.
            let members = view.committee.members.sorted { ($0.shards.count, $1.node) > ($1.shards.count, $0.node) }
            var total = 0
            var chosen: [Int] = []
            for m in members where total + m.shards.count <= limit {
                total += m.shards.count
                chosen.append(m.node.index)
            }
            return chosen.sorted()
        }
    }

    /// Shards of the current committee held by crashed nodes.
    public var faultyShards: Int {
        view.committee.members.reduce(0) { $0 + (crashed[$1.node.index] ? $1.shards.count : 0) }
    }
}
