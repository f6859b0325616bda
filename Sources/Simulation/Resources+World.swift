import SimEngine
import SimSupport
import WalrusModel

/// The shell's side of the resource model (`[resources]`, `ResourceModel`): cores, disks and
/// window-bounded transfers. Without `[resources]` a party has one core and no disk queue, and
/// transfers take what the network charges.
extension World {
    /// The pair indices a read of `blob` asks for, in order. Without `[resources]`, a uniform
    /// shuffle. Under it, as the SDK the paper ran does (`request_slivers_and_decode` over
    /// `node_read_communications`, at `f7135f5b`): the read committee's members in a random
    /// order, each member's shards one after another, so a read asks one node for several
    /// slivers at once. The read committee is the one the client reads from now: the previous
    /// committee during a hand-over for blobs certified before the epoch (`ActiveCommittees::
    /// read_committee`). A retried read (`ResourceModel.readRetries`) draws a new one
    /// (`Client.retryRead`).
    func readOrder(_ blob: BlobRef, stream: RandomStream) -> [Int] {
        guard scenario.resources != nil, let mapping = catalog.shardMapping(blob) else {
            return stream.shuffled(pairIndices)
        }
        return Client.sdkReadOrder(members: stream.shuffled(view.readCommittee(for: blob).members), mapping: mapping, nShards: config.nShards)
    }

    /// Sets up the extra cores of every party and the nodes' disks.
    func setUpResources() {
        guard let r = scenario.resources else { return }
        otherCoresFreeAt = (0..<(scenario.nodes.count + scenario.clients.count)).map { i in
            Array(repeating: .zero, count: max(0, (i < scenario.nodes.count ? r.nodeCores : r.clientCores) - 1))
        }
        diskFreeAt = Array(repeating: .zero, count: scenario.nodes.count)
    }

    /// Runs `d` of CPU work on party `cpu`'s earliest free core from `now`; returns when it is done.
    func reserveCPU(_ cpu: Int, _ d: SimDuration, now: SimTime) -> SimTime {
        guard cpu < otherCoresFreeAt.count, !otherCoresFreeAt[cpu].isEmpty else {
            let done = max(now, cpuFreeAt[cpu]) + d
            cpuFreeAt[cpu] = done
            return done
        }
        // The first free core; ties go to the lowest index, core 0 being `cpuFreeAt`.
        var best = -1
        var bestAt = max(now, cpuFreeAt[cpu])
        for (k, at) in otherCoresFreeAt[cpu].enumerated() where max(now, at) < bestAt {
            best = k
            bestAt = max(now, at)
        }
        let done = bestAt + d
        if best < 0 { cpuFreeAt[cpu] = done } else { otherCoresFreeAt[cpu][best] = done }
        return done
    }

    /// Runs `d` of disk work on node `index`'s disk (one operation at a time); returns when it is
    /// done. Parties without a disk (clients, or no `[resources]`) do it at once.
    func reserveDisk(_ index: Int, _ d: SimDuration, now: SimTime) -> SimTime {
        guard index < diskFreeAt.count else { return now + d }
        let done = max(now, diskFreeAt[index]) + d
        diskFreeAt[index] = done
        return done
    }

    /// The time a message takes beyond what the network charged (one one-way latency and the
    /// line-rate serialization): its bytes flow at most one window per round trip, and a
    /// client's store to a node is `2 x pairs` HTTP requests, sent `maxNodeConnections` at a
    /// time. As the SDK the paper ran does it (`NodeWriteCommunication::store_metadata_and_pairs`):
    /// a node's metadata request (a store without pairs, sent before its batches) is a status
    /// request and the metadata upload (one round trip more than the upload) when the node lacks
    /// the metadata, and then no sliver is status-checked (their metadata was missing, so are
    /// they); when the node had the metadata before the write reached it (a re-store), each
    /// sliver above the threshold is status-checked first (one more round trip). A batch sent
    /// without a metadata request first (a client outside this order) pays both round trips. A signed confirmation comes back on its own request, after the
    /// slivers (one more round trip).
    func transferExtra(_ message: Message, from: Party, to: Party, _ t: Network.Transmission) -> SimDuration {
        guard let r = resourceBox?.model else { return .zero }
        let a = network.endpoints[t.from.index], b = network.endpoints[t.to.index]
        let rtt = network.regions.baseRTT[a.region.index][b.region.index]
        let rate = max(1, min(a.link.uplinkBitsPerSecond, b.link.downlinkBitsPerSecond))
        let lineTime = SimDuration(nanoseconds: UInt64(UInt128(t.bytes) * 8 * 1_000_000_000 / UInt128(rate)))
        var requests = 1
        var statusChecked = false
        var metadataRoundTrips = 0
        if case .store(let blob, _, let pairs) = message, case .client = from, case .node(let node) = to {
            requests = max(1, 2 * pairs.count)
            if pairs.isEmpty {
                // The metadata request: the status check's round trip, then the upload (this message).
                if !nodes[node.index].hasMetadata(blob, context: context(t.sentAt, for: to)) { metadataRoundTrips = 1 }
                metadataUploaded[blob, default: []].insert(node.index)
            } else if metadataUploaded[blob]?.contains(node.index) == true {
                // Just uploaded: the SDK stores the slivers without status checks.
            } else if !nodes[node.index].hasMetadata(blob, context: context(t.sentAt, for: to)) {
                metadataRoundTrips = 2
                metadataUploaded[blob, default: []].insert(node.index)
            } else {
                statusChecked = UInt64(pairs.first.map { $0.byteCount / 2 } ?? 0) > r.sliverStatusCheckThreshold
            }
        }
        if case .stored(_, _, _?) = message, case .client = to { metadataRoundTrips = 1 }  // the confirmation's own request
        // The connection's congestion window: restarted after an idle spell, grown by this transfer.
        let key = UInt64(t.from.rawValue) << 32 | UInt64(t.to.rawValue)
        var cwnd = r.initialWindowBytes
        if let c = connections[key], t.sentAt.nanoseconds <= c.lastUse.nanoseconds + r.idleRestart.nanoseconds + rtt.nanoseconds {
            cwnd = c.cwnd
        }
        // The receiver's flow-control window: a client's (hyper client default) or a node's.
        var window = r.windowBytes
        if case .client = to { window = r.clientWindowBytes }
        let previous = connections[key]
        let transfer = r.transferExtra(bytes: t.bytes, requests: requests, statusChecked: statusChecked, rtt: rtt, lineTime: lineTime,
                                       window: window, congestionWindow: &cwnd)
        var end = t.arrivesAt + transfer + SimDuration(nanoseconds: rtt.nanoseconds * UInt64(metadataRoundTrips))
        if let c = previous, c.lastUse > t.sentAt {
            // HTTP/2 carries all of a party's requests to one peer over one TCP connection: a
            // transfer that starts while an earlier one is still flowing shares its windows, so
            // its bytes follow the earlier one's, at one window per round trip or the line rate.
            let windowed = UInt64(min(UInt128(t.bytes) * UInt128(rtt.nanoseconds) / UInt128(max(1, min(cwnd, window))), UInt128(UInt64.max / 4)))
            end = max(end, c.lastUse + SimDuration(nanoseconds: max(windowed, lineTime.nanoseconds)))
        }
        connections[key] = (cwnd, end)
        return end - t.arrivesAt
    }
}
