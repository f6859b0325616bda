import ArgumentParser
import Economics
import SimSupport

/// `walrus-sim bench economics`: times committee selection (D'Hondt over the active set),
/// the minimal-move shard transition, and one epoch's payouts, on deterministic synthetic
/// stake distributions. Prints one `key=value` line; each figure is the best of `--repeat`
/// runs in milliseconds.
struct BenchEconomics: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "economics",
        abstract: "Committee selection, shard transition and epoch payouts at scale."
    )

    @Option(help: "Candidate nodes in the active set for selection and transition.")
    var nodes = 5_000
    @Option(help: "Shards to apportion.")
    var shards = 10_000
    @Option(name: .customLong("payout-nodes"), help: "Committee size for the payout benchmark.")
    var payoutNodes = 1_000
    @Option(help: "Runs per figure; the best is reported.")
    var `repeat` = 3
    @Option(help: "Seed of the synthetic stake distribution.")
    var seed: UInt64 = 1

    func validate() throws {
        guard nodes >= 1, shards >= 1, shards <= Int(UInt16.max) + 1, payoutNodes >= 1, `repeat` >= 1 else {
            throw ValidationError("need nodes, payout-nodes, repeat >= 1 and 1 <= shards <= 65536")
        }
    }

    func run() throws {
        var selectionMs = Double.infinity, dhondtMs = Double.infinity, transitionMs = Double.infinity, payoutMs = Double.infinity
        var moved = 0, paidNodes = 0
        for r in 0 ..< `repeat` {
            let sel = try benchSelection(round: UInt64(r))
            selectionMs = min(selectionMs, sel.selectionMs)
            dhondtMs = min(dhondtMs, sel.dhondtMs)
            transitionMs = min(transitionMs, sel.transitionMs)
            moved = sel.moved
            let pay = try benchPayout()
            payoutMs = min(payoutMs, pay.ms)
            paidNodes = pay.committee
        }
        print("bench=economics nodes=\(nodes) shards=\(shards) payout_nodes=\(payoutNodes) repeat=\(`repeat`) "
              + "dhondt_ms=\(fmt(dhondtMs)) transition_ms=\(fmt(transitionMs)) voting_end_ms=\(fmt(selectionMs)) "
              + "moved_shards=\(moved) paid_nodes=\(paidNodes) payout_epoch_change_ms=\(fmt(payoutMs))")
    }

    private func fmt(_ x: Double) -> String { String(Double(Int(x * 1000)) / 1000) }
    private func ms(_ d: Duration) -> Double { Double(d.components.seconds) * 1e3 + Double(d.components.attoseconds) / 1e15 }

    /// Stakes drawn from a heavy-tailed deterministic distribution (1..10^6 WAL).
    private func stakes(_ count: Int, salt: UInt64) -> [UInt64] {
        var x = seed ^ salt
        return (0 ..< count).map { _ in
            x = SeedDerivation.splitMix64(x)
            let wal = 1 + (x % 1_000) * (x >> 40 % 1_000) + x % 1_000
            return wal * Frost.perWAL
        }
    }

    private func economy(nodes n: Int, shards: Int, stakesWal: [UInt64]) throws -> (WalrusEconomy, [AccountID]) {
        var p = EconomicsParameters(profile: .current, nShards: shards, epochDurationMs: 1_000, maxEpochsAhead: 53, activeSetCap: n)
        p.initialStoragePriceFrost = Frost(100_000)
        var e = try WalrusEconomy(parameters: p)
        let whale = try e.openAccount(initialBalance: Frost(4_000_000_000 * Frost.perWAL))
        var owners: [AccountID] = []
        for i in 0 ..< n {
            let node = NodeID(UInt32(i))
            try e.registerCandidate(node: node, commissionReceiver: whale, commission: BasisPoints(1_000),
                                    votes: Votes(storagePriceFrost: Frost(100_000), writePriceFrost: Frost(20_000), capacityBytes: 1 << 50))
            _ = try e.stake(owner: whale, node: node, amount: Frost(stakesWal[i]))
        }
        owners.append(whale)
        return (e, owners)
    }

    private func benchSelection(round: UInt64) throws -> (selectionMs: Double, dhondtMs: Double, transitionMs: Double, moved: Int) {
        let clock = ContinuousClock()
        var (e, owners) = try economy(nodes: nodes, shards: shards, stakesWal: stakes(nodes, salt: round))
        try e.votingEnd(atMs: 0)
        try e.initiateEpochChange(atMs: 0)
        for m in e.committee.members { _ = try e.epochSyncDone(node: m.node, epoch: e.epoch, atMs: 1) }
        // Shift stake: every third node gains, so the next committee differs.
        let extra = stakes(nodes, salt: round &+ 99)
        for i in stride(from: 0, to: nodes, by: 3) { _ = try e.stake(owner: owners[0], node: NodeID(UInt32(i)), amount: Frost(extra[i])) }

        let entries = e.activeSet.entries
        var counts: [Int] = []
        let dh = clock.measure { counts = Apportionment.dhondt(stakes: entries.map(\.stakeFrost), shards: shards)! }
        let distribution = zip(entries, counts).filter { $0.1 > 0 }.map { (node: $0.0.node, shards: $0.1) }
        let old = e.committee
        var next = old
        let tr = clock.measure { next = old.transition(to: distribution) }
        var selected = e
        // Force the copy-on-write copy outside the timed region.
        try selected.setDenyListSize(node: NodeID(0), bytes: 0)
        let ve = try clock.measure { try selected.votingEnd(atMs: e.votingEndAllowedAtMs!) }
        precondition(selected.nextCommittee == next)
        return (ms(ve), ms(dh), ms(tr), old.movedShardCount(to: next))
    }

    /// One epoch change paying a committee of `payoutNodes` (one or more shards each), with
    /// every epoch slot funded by a storage purchase.
    private func benchPayout() throws -> (ms: Double, committee: Int) {
        let clock = ContinuousClock()
        let n = max(payoutNodes, 1)
        let nShards = max(n, min(shards, Int(UInt16.max)))
        // Near-uniform stakes so that every node gets shards and is paid.
        let uniform = stakes(n, salt: 7).map { Frost.perWAL * (1_000 + $0 / Frost.perWAL % 1_000) }
        var (e, _) = try economy(nodes: n, shards: nShards, stakesWal: uniform)
        try e.votingEnd(atMs: 0)
        try e.initiateEpochChange(atMs: 0)
        let buyer = try e.openAccount(initialBalance: Frost(100_000_000 * Frost.perWAL))
        _ = try e.reserveSpace(payer: buyer, sizeBytes: 1 << 40, epochs: 10)
        for m in e.committee.members { _ = try e.epochSyncDone(node: m.node, epoch: e.epoch, atMs: 1) }
        try e.votingEnd(atMs: e.votingEndAllowedAtMs!)
        let at = e.epochChangeAllowedAtMs!
        var report: EpochChangeReport? = nil
        let d = try clock.measure { report = try e.initiateEpochChange(atMs: at) }
        precondition(report!.payouts.count == e.previousCommittee.count && e.conservationReport().isBalanced)
        return (ms(d), report!.payouts.count)
    }
}
