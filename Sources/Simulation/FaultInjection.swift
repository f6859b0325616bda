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

    // Faults compose: each kind's effect is recomputed from every fault of that kind in force,
    // so overlapping faults never undo each other. A node is down while any crash fault holds
    // it; a message crosses only if no partition blocks it; loss rates combine as independent
    // losses; latency spikes add up; throttles multiply.

    /// Puts fault `i` in force on its targets and schedules its end.
    func startFault(_ i: Int, now: SimTime, scheduler: inout Scheduler) {
        let f = scenario.faults[i]
        faultWindows[i] = (now, nil)
        var targets: [Int] = []
        var kind = FaultKind.crash
        var detail = ""
        var target: String?
        switch f.kind {
        case .crash(let selection, let loseDisk):
            targets = select(selection)
            for t in targets {
                crashHolds[t] += 1
                if loseDisk { diskLost[t] = true }
                if !crashed[t] {
                    crashed[t] = true
                    nodes[t].crash()
                    network.setDown(EndpointID(UInt32(t)), true)
                }
            }
            detail = loseDisk ? "disk lost" : "disk kept"
        case .partition(let side, let direction, let isolateChain):
            kind = .partition
            let endpoints = partitionSide(side)
            faultCuts[i] = network.cut(endpoints, direction: direction)
            if isolateChain {
                for e in endpoints where chainIsolation[e.index] == 0 {
                    // A node under per-node chain lag stays where its own event stream was.
                    let party: Party = e.index < nodes.count ? .node(NodeID(UInt32(e.index))) : .client(ClientID(UInt32(e.index - nodes.count)))
                    isolatedView[e.index] = (ownView(party) ?? view).snapshot()
                }
                for e in endpoints { chainIsolation[e.index] += 1 }
            }
            faultSides[i] = Set(endpoints.map(\.index))
            targets = endpoints.map { $0.index }.filter { $0 < nodes.count }
            let clientsCut = endpoints.count - targets.count
            switch side {
            case .regions(let names): detail = "regions " + names.joined(separator: ",")
            case .nodes: detail = "nodes"
            }
            detail += " (\(targets.count) nodes, \(clientsCut) clients), \(direction.rawValue)" + (isolateChain ? ", chain cut off too" : "")
            if targets.isEmpty { target = "clients" }
        case .loss(let ppm):
            kind = .packetLoss
            network.lossPartsPerMillion = composedLoss()
            detail = "\(ppm) ppm"
        case .latencySpike(let selection, let extra):
            kind = .latencySpike
            targets = select(selection)
            faultTargets[i] = targets
            for t in targets { network.setExtraLatency(EndpointID(UInt32(t)), composedSpike(t)) }
            detail = "+\(extra)"
        case .throttle(let selection, let permille):
            kind = .bandwidthThrottle
            targets = select(selection)
            faultTargets[i] = targets
            for t in targets { network.setThrottle(EndpointID(UInt32(t)), permille: composedThrottle(t)) }
            detail = "\(permille)/1000 of capacity"
        case .byzantine(let selection, let behaviour, let blobsPermille):
            kind = FaultKind(rawValue: behaviour == .withhold ? "withhold_slivers" : behaviour.name)
            targets = select(selection)
            for t in targets {
                byzantineHolds[t].append(i)
                applyBehaviour(t)
            }
            detail = blobsPermille < 1_000 ? "\(blobsPermille)/1000 of blobs" : "all blobs"
            if case .selective(let p) = behaviour { detail += ", serves \(p)/1000 of clients" }
        }
        faultTargets[i] = targets
        recordFaultState(now)
        sink?.record(FaultRecord(startNs: now.nanoseconds, kind: kind,
                                 target: target ?? (targets.isEmpty ? "network" : targets.map { "node\($0)" }.joined(separator: ",")),
                                 details: detail, endNs: f.duration.map { (now + $0).nanoseconds }))
        if let d = f.duration { scheduler.schedule(after: d, target: UInt32(i), kind: Kind.faultEnd.rawValue) }
    }

    /// Ends fault `i`: what it alone held (a node down, a cut, a rate) is released; what other
    /// faults in force still hold stays.
    func endFault(_ i: Int, now: SimTime, scheduler: inout Scheduler) {
        let f = scenario.faults[i]
        faultWindows[i]?.end = now
        let targets = faultTargets[i]
        switch f.kind {
        case .crash:
            for t in targets {
                crashHolds[t] -= 1
                guard crashHolds[t] == 0, crashed[t] else { continue }
                crashed[t] = false
                network.setDown(EndpointID(UInt32(t)), false)
                let loseDisk = diskLost[t]
                diskLost[t] = false
                let ctx = context(now, for: .node(NodeID(UInt32(t))))
                withActionBuffer(for: .node(NodeID(UInt32(t))), now: now, scheduler: &scheduler) {
                    nodes[t].restart(loseDisk: loseDisk, context: ctx, into: $0)
                }
            }
        case .partition(_, _, let isolateChain):
            if let cut = faultCuts[i] { network.heal(cut) }
            faultCuts[i] = nil
            if isolateChain {
                for e in faultSides[i].sorted() {
                    chainIsolation[e] -= 1
                    if chainIsolation[e] == 0 { reconnectToChain(e, now: now, scheduler: &scheduler) }
                }
            }
        case .loss:
            network.lossPartsPerMillion = composedLoss()
        case .latencySpike:
            for t in targets { network.setExtraLatency(EndpointID(UInt32(t)), composedSpike(t)) }
        case .throttle:
            for t in targets { network.setThrottle(EndpointID(UInt32(t)), permille: composedThrottle(t)) }
        case .byzantine:
            for t in targets {
                byzantineHolds[t].removeAll { $0 == i }
                applyBehaviour(t)
            }
        }
        recordFaultState(now)
    }

    /// Node `t` follows the behaviour of the latest Byzantine fault in force on it, honest when
    /// none is. The nodes of one fault share a seed, so they target the same blobs.
    func applyBehaviour(_ t: Int) {
        guard let j = byzantineHolds[t].last, case .byzantine(_, let behaviour, let permille) = scenario.faults[j].kind else {
            nodes[t].behaviour = .honest
            return
        }
        nodes[t].behaviour = behaviour
        nodes[t].behaviourBlobsPermille = permille
        nodes[t].behaviourSeed = SeedDerivation.splitMix64(scenario.seed ^ UInt64(j) &* 0x9E37_79B9_7F4A_7C15)
    }

    /// Appends the faults in force now to `faultHistory`, for the availability checker.
    func recordFaultState(_ now: SimTime) {
        let faulty = nodes.indices.filter { crashed[$0] || !byzantineHolds[$0].isEmpty }
        let cuts = faultCuts.indices.filter { faultCuts[$0] != nil }
        faultHistory.append(FaultState(time: now, faultyNodes: faulty, partitions: cuts))
    }

    /// A party whose cut from the chain healed: it sees the live chain again, takes the events
    /// it missed in order, and its held transactions go out.
    func reconnectToChain(_ endpoint: Int, now: SimTime, scheduler: inout Scheduler) {
        isolatedView[endpoint] = nil
        let party: Party = endpoint < nodes.count ? .node(NodeID(UInt32(endpoint))) : .client(ClientID(UInt32(endpoint - nodes.count)))
        let missed = heldEvents[endpoint]
        heldEvents[endpoint] = []
        for e in missed where isUp(party) {
            let ctx = context(now, for: party)
            withActionBuffer(for: party, now: now, scheduler: &scheduler) { actions in
                switch party {
                case .node(let n): nodes[n.index].chainEvent(e, context: ctx, into: actions)
                case .client(let c): clients[Int(c.rawValue)].chainEvent(e, context: ctx, into: actions)
                }
            }
        }
        let held = heldTransactions.filter { $0.0 == party }
        heldTransactions.removeAll { $0.0 == party }
        for (from, tx) in held { submit(tx, from: from, now: now, scheduler: &scheduler) }
    }

    /// Whether fault `j` is in force now.
    func inForce(_ j: Int) -> Bool { faultWindows[j].map { $0.end == nil } ?? false }

    /// The loss rate of `network.loss_ppm` and every loss fault in force, as independent losses:
    /// a message gets through only if it escapes each of them.
    func composedLoss() -> UInt64 {
        var pass = 1_000_000 - min(scenario.network.lossPartsPerMillion, 1_000_000)
        for (j, f) in scenario.faults.enumerated() where inForce(j) {
            if case .loss(let ppm) = f.kind { pass = pass * (1_000_000 - min(ppm, 1_000_000)) / 1_000_000 }
        }
        return 1_000_000 - pass
    }

    /// The extra latency of node `t`: the sum of the spikes in force on it.
    func composedSpike(_ t: Int) -> SimDuration {
        var extra = SimDuration.zero
        for (j, f) in scenario.faults.enumerated() where inForce(j) {
            if case .latencySpike(_, let d) = f.kind, faultTargets[j].contains(t) { extra = extra + d }
        }
        return extra
    }

    /// The capacity left to node `t`'s links, in permille: the product of the throttles in force.
    func composedThrottle(_ t: Int) -> UInt64 {
        var permille: UInt64 = 1_000
        for (j, f) in scenario.faults.enumerated() where inForce(j) {
            if case .throttle(_, let p) = f.kind, faultTargets[j].contains(t) { permille = max(1, permille * p / 1_000) }
        }
        return permille
    }

    /// The endpoints a partition cuts off: the nodes and clients of the listed regions, or the
    /// selected nodes.
    func partitionSide(_ side: PartitionSide) -> [EndpointID] {
        switch side {
        case .regions(let names):
            let ids = Set(names.compactMap { scenario.network.regions.region(named: $0) })
            return (0..<nodes.count + clients.count).filter { ids.contains(network.endpoint(EndpointID(UInt32($0))).region) }
                .map { EndpointID(UInt32($0)) }
        case .nodes(let selection):
            return select(selection).map { EndpointID(UInt32($0)) }
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
        case .provider(let name):
            return (0..<min(nodes.count, scenario.nodes.providers.count)).filter { scenario.nodes.providers[$0] == name }
        case .shardsUpTo(let limit):
            // Largest holders first, as long as the total stays within the limit.
            return largestHolders { total, next in total + next <= limit }
        case .shardsAtLeast(let limit):
            // Largest holders first, until the total reaches the limit.
            return largestHolders { total, _ in total < limit }
        }
    }

    /// Committee members, largest shard count first (ties: lower node ID), taken while
    /// `take(shards so far, this member's shards)` holds; their indices, ascending.
    func largestHolders(while take: (Int, Int) -> Bool) -> [Int] {
        let members = view.committee.members.sorted { ($0.shards.count, $1.node) > ($1.shards.count, $0.node) }
        var total = 0
        var chosen: [Int] = []
        for m in members where take(total, m.shards.count) {
            total += m.shards.count
            chosen.append(m.node.index)
        }
        return chosen.sorted()
    }

    /// Shards of the current committee held by crashed nodes.
    public var faultyShards: Int {
        view.committee.members.reduce(0) { $0 + (crashed[$1.node.index] ? $1.shards.count : 0) }
    }
}
