import Testing
@testable import Economics
import SimSupport

@Suite("Epoch state machine (spec §1.1, §1.2, §2.2)")
struct EpochTests {
    @Test("§1.2 network presets")
    func presets() {
        let m = EconomicsParameters.mainnet(), t = EconomicsParameters.testnet(.launch)
        #expect(m.epochDurationMs == 1_209_600_000 && t.epochDurationMs == 86_400_000)
        #expect(m.nShards == 1000 && t.nShards == 1000)
        #expect(m.maxEpochsAhead == 53 && m.activeSetCap == 111)
        #expect(m.minStakeFrost == Frost(1_000_000_000) && m.defaultCommission == BasisPoints(6_000))
        #expect(m.validationError() == nil)
        var bad = m
        bad.maxEpochsAhead = 1_001
        #expect(throws: EconomicsError.self) { try WalrusEconomy(parameters: bad) }
    }

    @Test("§1.1 epoch 0: voting end and epoch change allowed from first_epoch_start")
    func genesis() throws {
        var net = try Network(testParameters(.current), stakesWal: [100, 100, 100])
        #expect(net.econ.state == .epochChangeDone(doneAtMs: 0))
        #expect(net.econ.votingEndAllowedAtMs == 100)
        let before = net.econ
        #expect(throws: EconomicsError.tooEarly(nowMs: 99, allowedAtMs: 100)) { try net.econ.votingEnd(atMs: 99) }
        #expect(net.econ == before)
        #expect(throws: EconomicsError.wrongEpochState(expected: .nextParamsSelected, actual: .epochChangeDone(doneAtMs: 0))) {
            try net.econ.initiateEpochChange(atMs: 100)
        }
        try net.econ.votingEnd(atMs: 100)
        #expect(net.econ.state == .nextParamsSelected(doneAtMs: 0))
        #expect(net.econ.epochChangeAllowedAtMs == 100)
        #expect(net.econ.nextCommittee?.totalShards == 10)
        // First committee: contiguous ranges in node-id order (§1.4).
        #expect(net.econ.nextCommittee!.members.map { $0.shards.first!.rawValue } == [0, 4, 7])
        let report = try net.econ.initiateEpochChange(atMs: 100)
        #expect(report.newEpoch == Epoch(1) && report.joined.count == 3)
        #expect(net.econ.state == .epochChangeSync(syncedShards: 0))
        #expect(balanced(net.econ))
    }

    @Test("§1.1 sync quorum 3w >= 2N+1 sets t_done; voting end at t_done + D/2, change at t_done + D")
    func timing() throws {
        var net = try Network(testParameters(.current, shards: 10, epochMs: 1_000), stakesWal: [100, 100, 100])
        try net.econ.votingEnd(atMs: 100)
        try net.econ.initiateEpochChange(atMs: 100)
        let c = net.econ.committee  // weights 4, 3, 3
        #expect(c.members.map { $0.shards.count } == [4, 3, 3])
        #expect(net.econ.votingEndAllowedAtMs == nil)
        #expect(try !net.econ.epochSyncDone(node: NodeID(0), epoch: Epoch(1), atMs: 200))
        #expect(net.econ.state == .epochChangeSync(syncedShards: 4))
        let before = net.econ
        #expect(throws: EconomicsError.duplicateSyncDone(NodeID(0))) { try net.econ.epochSyncDone(node: NodeID(0), epoch: Epoch(1), atMs: 250) }
        #expect(throws: EconomicsError.wrongEpoch(expected: Epoch(1), actual: Epoch(2))) { try net.econ.epochSyncDone(node: NodeID(1), epoch: Epoch(2), atMs: 250) }
        #expect(throws: EconomicsError.wrongEpochState(expected: .epochChangeDone, actual: .epochChangeSync(syncedShards: 4))) { try net.econ.votingEnd(atMs: 10_000) }
        #expect(net.econ == before)
        // 4 + 3 = 7 shards: 21 >= 21, quorum.
        #expect(try net.econ.epochSyncDone(node: NodeID(2), epoch: Epoch(1), atMs: 300))
        #expect(net.econ.state == .epochChangeDone(doneAtMs: 300))
        #expect(net.econ.votingEndAllowedAtMs == 800)
        // A late report is accepted but changes nothing.
        #expect(try !net.econ.epochSyncDone(node: NodeID(1), epoch: Epoch(1), atMs: 900))
        #expect(net.econ.state == .epochChangeDone(doneAtMs: 300))
        #expect(throws: EconomicsError.tooEarly(nowMs: 799, allowedAtMs: 800)) { try net.econ.votingEnd(atMs: 799) }
        try net.econ.votingEnd(atMs: 800)
        #expect(net.econ.epochChangeAllowedAtMs == 1_300)
        #expect(throws: EconomicsError.tooEarly(nowMs: 1_299, allowedAtMs: 1_300)) { try net.econ.initiateEpochChange(atMs: 1_299) }
        try net.econ.initiateEpochChange(at: SimTime(nanoseconds: 1_300_000_000))
        #expect(net.econ.epoch == Epoch(2))
    }

    @Test("§1.1 fewer than 2f+1 synced shards: the epoch never completes")
    func liveness() throws {
        var net = try Network(testParameters(.current), stakesWal: [100, 100, 100])
        try net.econ.votingEnd(atMs: 100)
        try net.econ.initiateEpochChange(atMs: 100)
        try net.econ.epochSyncDone(node: NodeID(1), epoch: Epoch(1), atMs: 200)
        try net.econ.epochSyncDone(node: NodeID(2), epoch: Epoch(1), atMs: 200)  // 6 of 10: 18 < 21
        #expect(net.econ.votingEndAllowedAtMs == nil)
        #expect(throws: EconomicsError.self) { try net.econ.votingEnd(atMs: .max) }
    }

    @Test("§1.1 sync reports from non-members and unknown nodes are refused")
    func syncErrors() throws {
        var net = try Network(testParameters(.current), stakesWal: [100, 100, 0])
        try net.advanceEpoch()
        #expect(throws: EconomicsError.notInCommittee(NodeID(2))) { try net.econ.epochSyncDone(node: NodeID(2), epoch: net.econ.epoch, atMs: 1) }
        #expect(throws: EconomicsError.unknownNode(NodeID(9))) { try net.econ.epochSyncDone(node: NodeID(9), epoch: net.econ.epoch, atMs: 1) }
    }

    @Test("§2.2 stake before voting end counts for E+1, after it for E+2")
    func activationTiming() throws {
        var net = try Network(testParameters(.current), stakesWal: [100, 100, 100])
        try net.advanceEpoch()  // epoch 1, sync done
        let node3 = NodeID(3)
        try net.econ.registerCandidate(node: node3, commissionReceiver: net.user, votes: defaultVotes())
        let early = try net.econ.stake(owner: net.user, node: node3, amount: wal(300))
        #expect(net.econ.stake(early)?.activationEpoch == Epoch(2))
        #expect(net.econ.activeSet.stake(of: node3) == 300 * walFrost)
        try net.econ.votingEnd(atMs: net.econ.votingEndAllowedAtMs!)
        #expect(net.econ.nextCommittee!.contains(node3))
        let late = try net.econ.stake(owner: net.user, node: NodeID(0), amount: wal(1000))
        #expect(net.econ.stake(late)?.activationEpoch == Epoch(3))
        // The active set now tracks the balance projected for epoch 3.
        #expect(net.econ.activeSet.stake(of: NodeID(0)) == 1100 * walFrost)
        #expect(net.econ.nextCommittee!.weight(of: NodeID(0)) < 4)
        try net.econ.initiateEpochChange(atMs: net.econ.epochChangeAllowedAtMs!)
        #expect(net.econ.pool(node3)!.walBalance == 300 * walFrost)
        #expect(net.econ.pool(NodeID(0))!.walBalance < 1100 * walFrost)  // late stake still pending
        try net.syncAll()
        try net.advanceEpoch()
        #expect(net.econ.pool(NodeID(0))!.walBalance >= 1100 * walFrost)
        #expect(balanced(net.econ))
    }

    @Test("§2.3 withdrawal paths: direct, two-step E+1 and E+2, inactive node")
    func withdrawals() throws {
        var net = try Network(testParameters(.current), stakesWal: [100, 100, 100])
        try net.advanceEpoch()  // epoch 1
        // A node whose 1 WAL is too little for a shard: active set yes, committee no.
        try net.econ.registerCandidate(node: NodeID(3), commissionReceiver: net.user, votes: defaultVotes())
        let small = try net.econ.stake(owner: net.user, node: NodeID(3), amount: wal(1))
        // (a) direct: activation E+1, next committee not selected yet.
        let d = try net.econ.stake(owner: net.user, node: NodeID(0), amount: wal(5))
        #expect(net.econ.canWithdrawEarly(d))
        #expect(throws: EconomicsError.mustWithdrawDirectly(d)) { try net.econ.requestWithdraw(d) }
        #expect(try net.econ.withdraw(d) == wal(5))
        // (b) active stake, node in the current committee only (before voting end): E+1.
        #expect(try net.econ.requestWithdraw(net.selfStakes[0]) == Epoch(2))
        let before = net.econ
        #expect(throws: EconomicsError.withdrawEpochNotReached(net.selfStakes[0], withdrawEpoch: Epoch(2))) { try net.econ.withdraw(net.selfStakes[0]) }
        #expect(net.econ == before)
        try net.econ.votingEnd(atMs: net.econ.votingEndAllowedAtMs!)
        // (b) after voting end, node in the next committee: E+2.
        #expect(try net.econ.requestWithdraw(net.selfStakes[1]) == Epoch(3))
        // Node 0's stake was withdrawn from the selection: it is not in the next committee.
        #expect(!net.econ.nextCommittee!.contains(NodeID(0)))
        try net.econ.initiateEpochChange(atMs: net.econ.epochChangeAllowedAtMs!)
        try net.syncAll()
        let paid0 = try net.econ.withdraw(net.selfStakes[0])
        #expect(paid0 >= wal(100))
        #expect(throws: EconomicsError.withdrawEpochNotReached(net.selfStakes[1], withdrawEpoch: Epoch(3))) { try net.econ.withdraw(net.selfStakes[1]) }
        #expect(throws: EconomicsError.unknownStake(net.selfStakes[0])) { try net.econ.withdraw(net.selfStakes[0]) }
        // (c) node 3 is in neither committee and its stake is active: one step, no request.
        #expect(!net.econ.committee.contains(NodeID(3)) && net.econ.stake(small)!.activationEpoch <= net.econ.epoch)
        #expect(throws: EconomicsError.mustWithdrawDirectly(small)) { try net.econ.requestWithdraw(small) }
        #expect(try net.econ.withdraw(small) == wal(1))
        try net.advanceEpoch()
        #expect(try net.econ.withdraw(net.selfStakes[1]) >= wal(100))
        #expect(balanced(net.econ))
    }

    @Test("§2.1 stake minimum and split rules")
    func stakeRules() throws {
        var net = try Network(testParameters(.current), stakesWal: [100])
        let before = net.econ
        #expect(throws: EconomicsError.stakeBelowMinimum(minimumFrost: wal(1))) { try net.econ.stake(owner: net.user, node: NodeID(0), amount: Frost(999_999_999)) }
        #expect(throws: EconomicsError.zeroAmount) { try net.econ.stake(owner: net.user, node: NodeID(0), amount: .zero) }
        #expect(throws: EconomicsError.unknownNode(NodeID(7))) { try net.econ.stake(owner: net.user, node: NodeID(7), amount: wal(1)) }
        #expect(throws: EconomicsError.unknownAccount(AccountID(99))) { try net.econ.stake(owner: AccountID(99), node: NodeID(0), amount: wal(1)) }
        #expect(throws: EconomicsError.insufficientStake(stake: net.selfStakes[0], requestedFrost: wal(101), principalFrost: wal(100))) {
            try net.econ.splitStake(net.selfStakes[0], amount: wal(101))
        }
        #expect(throws: EconomicsError.stakeBelowMinimum(minimumFrost: wal(1))) { try net.econ.splitStake(net.selfStakes[0], amount: Frost(99_500_000_000)) }
        #expect(net.econ == before)
        let half = try net.econ.splitStake(net.selfStakes[0], amount: wal(40))
        #expect(net.econ.stake(half)?.principalFrost == wal(40))
        #expect(net.econ.stake(net.selfStakes[0])?.principalFrost == wal(60))
        #expect(balanced(net.econ))
    }
}
