import Testing
@testable import Economics
import SimSupport

/// Whitepaper mechanisms that are NOT in the deployed contracts (spec §3.9): off by default,
/// refused unless switched on, and conserving WAL when on.
@Suite("Whitepaper extensions (spec §3.9, not deployed)")
struct ExtensionTests {
    private func network(_ ext: WhitepaperExtensions) throws -> Network {
        var p = testParameters(.current)
        p.extensions = ext
        var net = try Network(p, stakesWal: [100, 100, 100])
        try net.advanceEpoch()
        return net
    }

    @Test("§3.9 both extensions are off by default and refused")
    func offByDefault() throws {
        #expect(EconomicsParameters.mainnet().extensions == .none)
        var net = try network(.none)
        let before = net.econ
        #expect(throws: EconomicsError.featureNotInProfile("principal slashing (whitepaper extension, off)")) {
            try net.econ.slashPrincipal(node: NodeID(0), basisPoints: BasisPoints(100))
        }
        #expect(throws: EconomicsError.featureNotInProfile("storage challenges (whitepaper extension, off)")) {
            try net.econ.recordFailedChallenge(node: NodeID(0), failedShards: 1)
        }
        #expect(net.econ == before)
    }

    @Test("principal slashing burns active principal; withdrawals pay the reduced amount")
    func principalSlashing() throws {
        var net = try network(WhitepaperExtensions(principalSlashing: true))
        let pending = try net.econ.stake(owner: net.user, node: NodeID(0), amount: wal(50))  // not active: spared
        let burned = try net.econ.slashPrincipal(node: NodeID(0), basisPoints: BasisPoints(2_500))
        #expect(burned == wal(25))
        #expect(net.econ.stake(net.selfStakes[0])?.principalFrost == wal(75))
        #expect(net.econ.stake(pending)?.principalFrost == wal(50))
        #expect(net.econ.pool(NodeID(0))!.walBalance == 75 * walFrost)
        #expect(net.econ.activeSet.stake(of: NodeID(0)) == 125 * walFrost)
        #expect(throws: EconomicsError.invalidParameter("basisPoints must be <= 10000")) { try net.econ.slashPrincipal(node: NodeID(0), basisPoints: BasisPoints(10_001)) }
        try net.econ.requestWithdraw(net.selfStakes[0])
        try net.advanceEpoch()
        #expect(try net.econ.withdraw(net.selfStakes[0]) == wal(75))
        #expect(balanced(net.econ))
    }

    @Test("storage challenges: failed shards forfeit reward (burned) and slash principal per shard")
    func challenges() throws {
        var net = try network(WhitepaperExtensions(storageChallenges: true, rewardForfeitBasisPoints: 5_000,
                                                   penaltyPerFailedShardBasisPoints: 100, principalSlashing: true))
        _ = try net.econ.reserveSpace(payer: net.user, sizeBytes: 10 << 20, epochs: 1)
        try net.econ.recordFailedChallenge(node: NodeID(1), failedShards: 2)
        #expect(throws: EconomicsError.invalidParameter("failedShards must be in 1...node's shards")) { try net.econ.recordFailedChallenge(node: NodeID(1), failedShards: 4) }
        let report = try net.advanceEpoch()
        // Node 1's share 2,910 (after the 3% burn) is halved.
        #expect(report.payouts[1].rewardFrost == Frost(1_455))
        #expect(report.forfeitedFrost == Frost(1_455))
        // 2 failed shards × 1% of principal.
        #expect(net.econ.stake(net.selfStakes[1])?.principalFrost == wal(98))
        #expect(net.econ.totalBurnedFrost == 300 + 1_455 + 2 * walFrost)
        #expect(balanced(net.econ))
    }
}
