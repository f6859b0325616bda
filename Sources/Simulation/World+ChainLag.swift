import SimEngine
import SimSupport
import WalrusModel

/// Per-node chain lag (`[chain] node_event_lag_s`). A Walrus storage node learns of chain events
/// by tailing Sui checkpoints through its own full node (the checkpoint downloader polls for the
/// next checkpoint and, while it is not out yet, retries after 150 ms x 2^i plus up to 1 s of
/// jitter, at most 2 s: `checkpoint-downloader` `ParallelDownloaderConfig`), so each node sees a
/// `BlobRegistered` at its own time, some well after the writer. Under this key each node keeps
/// its own `ChainView`, applied when the events reach it; clients and the world's bookkeeping
/// keep the shared `view` and `event_lag_s`. Without the key nothing here runs and every party
/// shares `view`, as before.
extension World {
    /// Gives every node its own view and lag stream when the scenario sets a per-node lag.
    func setUpNodeChainLag() {
        guard scenario.chain.nodeEventLagSeconds != nil else { return }
        nodeViews = nodes.indices.map { _ in ChainView(nShards: config.nShards) }
        nodeChainAt = Array(repeating: .zero, count: nodes.count)
        nodeLagStreams = nodes.indices.map { streams.stream("chain.node_lag", index: UInt64($0)) }
    }

    /// The view party `p` acts on when it is not cut off from the chain: a node's own view under
    /// per-node lag; `nil` for the shared `view`.
    func ownView(_ p: Party) -> ChainView? {
        guard !nodeViews.isEmpty, case .node(let n) = p else { return nil }
        return nodeViews[n.index]
    }

    /// Schedules one transaction's events (executed at `executedAt`) to reach each node after its
    /// own lag, drawn per node and per transaction; a node never takes them before the events of
    /// an earlier transaction (the checkpoint stream is in order). Failed transactions concern
    /// only their submitter and never reach the nodes this way.
    func scheduleNodeChainEvents(_ events: [ChainEvent], executedAt: SimTime, scheduler: inout Scheduler) {
        guard let lag = scenario.chain.nodeEventLagSeconds else { return }
        let forNodes = events.filter { if case .transactionFailed = $0 { return false } else { return true } }
        guard !forNodes.isEmpty else { return }
        for i in nodes.indices {
            let at = max(executedAt + SimDuration(seconds: max(0, lag.sample(nodeLagStreams[i]))), nodeChainAt[i], scheduler.now)
            nodeChainAt[i] = at
            scheduler.schedule(at: at, target: UInt32(i), kind: Kind.nodeChainNotify.rawValue,
                               payload: pendingNodeEvents.insert(forNodes))
        }
    }

    /// Event `e` reaches node `i`'s own view; the node reacts unless it is down (a crashed node
    /// misses it, as without the lag) or cut off from the chain (it gets it on reconnecting).
    func deliverToNode(_ e: ChainEvent, node i: Int, now: SimTime, scheduler: inout Scheduler) {
        nodeViews[i].apply(e)
        guard !crashed[i] else { return }
        if chainIsolation[i] > 0 { heldEvents[i].append(e); return }
        let party = Party.node(NodeID(UInt32(i)))
        let ctx = context(now, for: party)
        withActionBuffer(for: party, now: now, scheduler: &scheduler) { nodes[i].chainEvent(e, context: ctx, into: $0) }
    }
}
