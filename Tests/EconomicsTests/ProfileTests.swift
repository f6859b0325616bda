import TestSupport
import Testing
@testable import Economics
import SimSupport

@Suite("Profiles and the active set in the economy (spec §0.1, §1.3, §3.8, §5)")
struct ProfileTests {
    @Test("§0.1 launch and current differ exactly in the tagged behaviours")
    func profileTable() {
        let l = ProtocolRules.forProfile(.launch), c = ProtocolRules.forProfile(.current)
        #expect(l.pricesFromNextCommitteeAtVotingEnd && !c.pricesFromNextCommitteeAtVotingEnd)
        #expect(l.burnBasisPoints == 0 && c.burnBasisPoints == 300)
        #expect(!l.commissionLockedUntilVotingEnd && c.commissionLockedUntilVotingEnd)
        #expect(!l.commissionSlashing && c.commissionSlashing)
        #expect(!l.futureStartReservations && c.futureStartReservations)
        #expect(!l.walrusSubsidiesContract && c.walrusSubsidiesContract)
        // Everything else is shared: same network parameters for both profiles.
        var m = EconomicsParameters.mainnet(.launch)
        m.rules = c
        m.profile = .current
        #expect(m == EconomicsParameters.mainnet(.current))
    }

    @Test("§3.7 burn is floor(3% of the slot), as `value * 3 / 100`", arguments: [UInt64(0), 1, 33, 34, 100, 999_999_999_999])
    func burnRounding(_ slot: UInt64) {
        #expect(slot * 300 / 10_000 == slot * 3 / 100)
    }

    @Test("§1.3 active set in the economy: a bigger newcomer evicts the smallest; a passive grower re-enters only when touched")
    func activeSetEviction() throws {
        var p = testParameters(.current)
        p.activeSetCap = 3
        var net = try Network(p, stakesWal: [100, 200, 300])
        try net.econ.registerCandidate(node: NodeID(3), commissionReceiver: net.user, votes: defaultVotes())
        _ = try net.econ.stake(owner: net.user, node: NodeID(3), amount: wal(150))
        #expect(net.econ.activeSet.entries.map(\.node) == [NodeID(3), NodeID(1), NodeID(2)])
        // Node 0 is out; staking 1 WAL more (101 < 150) does not get it back in.
        _ = try net.econ.stake(owner: net.user, node: NodeID(0), amount: wal(1))
        #expect(!net.econ.activeSet.contains(NodeID(0)))
        _ = try net.econ.stake(owner: net.user, node: NodeID(0), amount: wal(100))  // 201 > 150
        #expect(net.econ.activeSet.entries.map(\.node) == [NodeID(0), NodeID(1), NodeID(2)])
        try net.advanceEpoch()
        #expect(!net.econ.committee.contains(NodeID(3)))
        // try_join_active_set re-evaluates without staking.
        try net.econ.tryJoinActiveSet(node: NodeID(3))
        #expect(!net.econ.activeSet.contains(NodeID(3)))
        #expect(throws: EconomicsError.unknownNode(NodeID(8))) { try net.econ.tryJoinActiveSet(node: NodeID(8)) }
    }

    @Test("§3.8 §5 subsidy rate caps: 10,000 bp (old contract), 1,000,000 bp (walrus_subsidies)")
    func subsidyCaps() throws {
        var net = try Network(testParameters(.current), stakesWal: [100])
        let before = net.econ
        #expect(throws: EconomicsError.invalidParameter("subsidy rates must be <= 10000 bp")) {
            try net.econ.setBuyerSubsidyRates(buyer: BasisPoints(10_001), system: .zero)
        }
        #expect(throws: EconomicsError.invalidParameter("usage subsidy rate must be <= 1000000 bp")) {
            try net.econ.setWalrusSubsidies(usageRate: BasisPoints(1_000_001), basePerNodeFrost: .zero, perShardFrost: .zero)
        }
        #expect(throws: EconomicsError.amountOverflow) {
            try net.econ.setWalrusSubsidies(usageRate: .zero, basePerNodeFrost: Frost(.max), perShardFrost: Frost(1))
        }
        #expect(net.econ == before)
        try net.econ.setWalrusSubsidies(usageRate: BasisPoints(1_000_000), basePerNodeFrost: .zero, perShardFrost: .zero)
    }

    @Test("flows: every movement is logged once and drained by the caller")
    func flows() throws {
        var net = try Network(testParameters(.current), stakesWal: [100, 100, 100])
        let genesis = net.econ.drainFlows()
        #expect(genesis.filter { $0.kind == .mint }.count == 4 && genesis.filter { $0.kind == .stake }.count == 3)
        try net.advanceEpoch()
        _ = try net.econ.reserveSpace(payer: net.user, sizeBytes: 1 << 20, epochs: 2)
        try net.advanceEpoch()
        let f = net.econ.drainFlows()
        #expect(f.filter { $0.kind == .storagePayment }.map(\.amountFrost) == [Frost(1_000), Frost(1_000)])
        #expect(f.contains(Flow(epoch: Epoch(1), kind: .burn, from: .storageFund(Epoch(1)), to: .burned, amountFrost: Frost(30))))
        let paid = f.filter { $0.kind == .reward || $0.kind == .commission }.reduce(0) { $0 + $1.amountFrost.rawValue }
        let rolled = f.filter { $0.kind == .rolloverToNextEpoch }.reduce(0) { $0 + $1.amountFrost.rawValue }
        #expect(paid + rolled == 970)
        #expect(net.econ.drainFlows().isEmpty)
    }
}

@Suite("Mainnet-shaped smoke run (spec §1.2, §5)")
struct MainnetSmokeTests {
    @Test("§1.2 120 candidates, 1000 shards, 14-day epochs: 111-node committees, payouts and conservation over 6 epochs", arguments: Profile.allCases)
    func mainnetShape(_ profile: Profile) throws {
        var rng = SplitMix64(seed: 0xBEEF)
        let stakes = (0 ..< 120).map { _ in UInt64.random(in: 1_000 ... 2_000_000, using: &rng) }
        var net = try Network(.mainnet(profile), stakesWal: stakes, userWal: 100_000_000)
        var lastDone: UInt64 = 0
        let user = net.user
        for epoch in 1 ... 6 {
            let report = try net.advanceEpoch { econ in
                // Storage bought during the epoch (epoch 0 has no capacity yet: §3.3).
                if econ.epoch.rawValue > 0 { _ = try econ.reserveSpace(payer: user, sizeBytes: 5 << 40, epochs: 1 + epoch % 53) }
            }
            #expect(net.econ.committee.count == 111)  // TEMP_ACTIVE_SET_SIZE_LIMIT
            #expect(net.econ.committee.members.allSatisfy { $0.shards.count <= 100 })
            if case .epochChangeDone(let t) = net.econ.state {
                if epoch > 1 { #expect(t - lastDone >= 1_209_600_000) }  // epochs last at least D
                lastDone = t
            }
            if epoch > 1 { #expect(report.distributedFrost.rawValue > 0) }
            #expect(balanced(net.econ))
        }
        #expect((profile == .current) == (net.econ.totalBurnedFrost > 0))
    }
}
