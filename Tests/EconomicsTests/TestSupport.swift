@testable import Economics
import SimSupport


let walFrost: UInt64 = 1_000_000_000
func wal(_ n: UInt64) -> Frost { Frost(n * walFrost) }

/// Mainnet-like parameters with a small shard count for fast tests.
func testParameters(_ profile: Profile, shards: Int = 10, epochMs: UInt64 = 1_000, maxAhead: Int = 5) -> EconomicsParameters {
    var p = EconomicsParameters(profile: profile, nShards: shards, epochDurationMs: epochMs, epochZeroDurationMs: 100, maxEpochsAhead: maxAhead)
    p.initialStoragePriceFrost = Frost(1_000)
    p.initialWritePriceFrost = Frost(100)
    return p
}

func defaultVotes(capacity: UInt64 = 1 << 40) -> Votes {
    Votes(storagePriceFrost: Frost(1_000), writePriceFrost: Frost(100), capacityBytes: capacity)
}

/// Asserts conservation; returns it for `#expect`.
func balanced(_ e: WalrusEconomy) -> Bool { e.conservationReport().isBalanced }

/// A small network: `n` nodes, each with an operator account that self-stakes `stakes[i]` WAL,
/// plus a rich user account (index n).
struct Network {
    var econ: WalrusEconomy
    var operators: [AccountID] = []
    var user: AccountID
    var nodes: [NodeID] = []
    var selfStakes: [StakeID] = []
    /// Simulated clock in ms.
    var nowMs: UInt64 = 0

    init(_ params: EconomicsParameters, stakesWal: [UInt64], commission: BasisPoints = BasisPoints(1_000), userWal: UInt64 = 1_000_000) throws {
        econ = try WalrusEconomy(parameters: params, creationTimeMs: 0)
        for (i, s) in stakesWal.enumerated() {
            let acct = try econ.openAccount(initialBalance: wal(s + 10))
            operators.append(acct)
            let node = NodeID(UInt32(i))
            try econ.registerCandidate(node: node, commissionReceiver: acct, commission: commission, votes: defaultVotes())
            nodes.append(node)
            if s > 0 { selfStakes.append(try econ.stake(owner: acct, node: node, amount: wal(s))) }
        }
        user = try econ.openAccount(initialBalance: wal(userWal))
    }

    /// Runs `voting_end` and the epoch change at the earliest allowed instants, then reports
    /// every committee member synced.
    @discardableResult
    mutating func advanceEpoch(beforeChange: (inout WalrusEconomy) throws -> Void = { _ in }) throws -> EpochChangeReport {
        if econ.votingEndAllowedAtMs == nil { try syncAll() }
        nowMs = max(nowMs, econ.votingEndAllowedAtMs!)
        try econ.votingEnd(atMs: nowMs)
        try beforeChange(&econ)
        nowMs = max(nowMs, econ.epochChangeAllowedAtMs!)
        let report = try econ.initiateEpochChange(atMs: nowMs)
        try syncAll()
        return report
    }

    mutating func syncAll() throws {
        nowMs += 10
        for m in econ.committee.members {
            if case .epochChangeSync = econ.state { try econ.epochSyncDone(node: m.node, epoch: econ.epoch, atMs: nowMs) }
        }
    }
}
