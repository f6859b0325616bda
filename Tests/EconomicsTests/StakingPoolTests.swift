import Testing
@testable import Economics
import SimSupport

/// A pool driven directly, as `staking_pool_tests.move` does with its `context_runner`:
/// the test sets the epoch and whether the next committee is selected, and passes the
/// committee facts (`in_current`, `in_next`) to each call.
private struct PoolRunner {
    var epoch: UInt32 = 0
    var selected = false
    var pool: StakingPool
    var nextStake: UInt32 = 0

    init(commission: UInt64 = 0) {
        pool = StakingPool(node: NodeID(0), votes: defaultVotes(), commissionRate: BasisPoints(commission),
                           receiver: AccountID(0), currentEpoch: 0, committeeSelected: false)
    }
    mutating func stake(_ walAmount: UInt64) -> StakedWal {
        let a = pool.addStake(walAmount * walFrost, epoch: epoch, committeeSelected: selected)
        defer { nextStake += 1 }
        return StakedWal(id: StakeID(nextStake), node: NodeID(0), owner: AccountID(0), principalFrost: wal(walAmount),
                         activationEpoch: Epoch(a), state: .staked)
    }
    mutating func nextEpoch(rewardWal: UInt64) {
        epoch += 1
        selected = false
        _ = pool.advance(to: epoch, rewardFrost: rewardWal * walFrost, blockCommission: false)
    }
    mutating func request(_ sw: inout StakedWal, inCurrent: Bool = true, inNext: Bool = false) throws {
        try pool.requestWithdraw(&sw, inCurrent: inCurrent, inNext: inNext, epoch: epoch)
    }
    mutating func withdraw(_ sw: StakedWal, inCurrent: Bool = true, inNext: Bool = false) throws -> UInt64 {
        sw.principalFrost.rawValue + (try pool.withdraw(sw, inCurrent: inCurrent, inNext: inNext, epoch: epoch))
    }
}

@Suite("Staking pools (spec §2.2-2.5)")
struct StakingPoolTests {
    @Test("§2.4 stake_and_receive_rewards: rewards compound into the balance and are paid out")
    func stakeAndReceiveRewards() throws {
        var r = PoolRunner()
        var a = r.stake(1000)
        #expect(r.pool.walBalance == 0)
        r.nextEpoch(rewardWal: 0)
        #expect(r.pool.walBalance == 1000 * walFrost)
        r.nextEpoch(rewardWal: 1000)
        try r.request(&a)
        #expect(r.pool.walBalance == 2000 * walFrost)
        r.nextEpoch(rewardWal: 0)
        #expect(try r.withdraw(a) == 2000 * walFrost)
        #expect(r.pool.walBalance == 0)
        #expect(r.pool.rewardsPoolFrost == 0)
    }

    @Test("§2.4 stake_no_rewards_different_epochs")
    func noRewardsDifferentEpochs() throws {
        var r = PoolRunner()
        var a = r.stake(1000)
        r.nextEpoch(rewardWal: 0)
        var b = r.stake(1000)
        #expect(r.pool.walBalance == 1000 * walFrost)
        r.nextEpoch(rewardWal: 0)
        try r.request(&a)
        #expect(r.pool.walBalance == 2000 * walFrost)
        r.nextEpoch(rewardWal: 0)
        try r.request(&b)
        #expect(try r.withdraw(a) == 1000 * walFrost)
        #expect(r.pool.walBalance == 1000 * walFrost)
        r.nextEpoch(rewardWal: 0)
        #expect(try r.withdraw(b) == 1000 * walFrost)
    }

    @Test("§2.4 stake_and_receive_partial_rewards: two equal stakers share a reward")
    func partialRewards() throws {
        var r = PoolRunner()
        var a = r.stake(1000), b = r.stake(1000)
        r.nextEpoch(rewardWal: 0)
        r.nextEpoch(rewardWal: 1000)
        try r.request(&a)
        try r.request(&b)
        r.nextEpoch(rewardWal: 0)
        let pa = try r.withdraw(a)
        #expect(max(pa, 1500 * walFrost) - min(pa, 1500 * walFrost) < 10)
        r.nextEpoch(rewardWal: 0)
        r.nextEpoch(rewardWal: 0)
        let pb = try r.withdraw(b)
        #expect(max(pb, 1500 * walFrost) - min(pb, 1500 * walFrost) < 10)
    }

    @Test("§2.4 stake_maintain_ratio: later stake buys shares at the later rate")
    func maintainRatio() throws {
        var r = PoolRunner()
        var a = r.stake(1000)
        r.nextEpoch(rewardWal: 0)
        var b = r.stake(2000)
        r.nextEpoch(rewardWal: 1000)
        try r.request(&a)
        r.nextEpoch(rewardWal: 1000)
        try r.request(&b)
        #expect(try r.withdraw(a) == 2500 * walFrost)
        r.nextEpoch(rewardWal: 0)
        #expect(try r.withdraw(b) == 2500 * walFrost)
    }

    @Test("§2.4 wal_balance_at_epoch projections (staking_pool_tests.move)")
    func balanceAtEpoch() throws {
        var r = PoolRunner()
        var a = r.stake(1000)
        #expect(r.pool.walBalance(atEpoch: 1) == 1000 * walFrost)
        r.selected = true
        var b = r.stake(1000)
        #expect(r.pool.walBalance(atEpoch: 0) == 0)
        #expect(r.pool.walBalance(atEpoch: 1) == 1000 * walFrost)
        #expect(r.pool.walBalance(atEpoch: 2) == 2000 * walFrost)
        r.nextEpoch(rewardWal: 0)
        var c = r.stake(2000)
        #expect(r.pool.walBalance(atEpoch: 2) == 4000 * walFrost)
        r.selected = true
        var d = r.stake(2000)
        #expect(r.pool.walBalance(atEpoch: 3) == 6000 * walFrost)
        r.nextEpoch(rewardWal: 1000)
        #expect(r.pool.walBalance(atEpoch: 2) == 5000 * walFrost)
        #expect(r.pool.walBalance(atEpoch: 3) == 7000 * walFrost)
        try r.request(&a)
        #expect(r.pool.walBalance(atEpoch: 3) == 5000 * walFrost)
        r.selected = true
        try r.request(&b, inNext: true)
        #expect(r.pool.walBalance(atEpoch: 3) == 5000 * walFrost)
        #expect(r.pool.walBalance(atEpoch: 4) == 4000 * walFrost)
        r.nextEpoch(rewardWal: 5000)
        #expect(r.pool.walBalance(atEpoch: 3) == 8000 * walFrost)
        #expect(r.pool.walBalance(atEpoch: 4) == 6000 * walFrost)
        try r.request(&c)
        #expect(r.pool.walBalance(atEpoch: 4) == 2000 * walFrost)
        r.selected = true
        try r.request(&d, inNext: true)
        #expect(r.pool.walBalance(atEpoch: 5) == 0)
        r.nextEpoch(rewardWal: 4000)
        #expect(r.pool.walBalance(atEpoch: 4) == 3000 * walFrost)
        #expect(r.pool.walBalance(atEpoch: 5) == 0)
        r.nextEpoch(rewardWal: 0)
        #expect(try r.withdraw(a) == 4000 * walFrost)
        #expect(try r.withdraw(b) == 3000 * walFrost)
        #expect(try r.withdraw(c) == 6000 * walFrost)
        #expect(try r.withdraw(d) == 3000 * walFrost)
        #expect(r.pool.walBalance == 0)
    }

    @Test("§2.5 collect_commission_with_rewards: 10% commission of 10,000 WAL")
    func commission() throws {
        var r = PoolRunner(commission: 1_000)
        var a = r.stake(1000)
        r.nextEpoch(rewardWal: 0)
        try r.request(&a)
        r.nextEpoch(rewardWal: 10_000)
        #expect(try r.withdraw(a) == 10_000 * walFrost)
        #expect(r.pool.commissionFrost == 1_000 * walFrost)
    }

    @Test("§2.5 commission changes apply at E+2 (exact epoch key on Mainnet)")
    func commissionDelay() {
        var r = PoolRunner(commission: 0)
        r.pool.pendingCommissionRate.insertOrReplace(r.epoch + 2, 1_000)
        r.nextEpoch(rewardWal: 0)
        #expect(r.pool.commissionRate == .zero)
        r.nextEpoch(rewardWal: 0)
        #expect(r.pool.commissionRate == BasisPoints(1_000))
        // An entry for an epoch in which the pool was not advanced never applies.
        r.pool.pendingCommissionRate.insertOrReplace(r.epoch + 1, 500)
        r.epoch += 1  // pool skipped (not in any committee)
        r.nextEpoch(rewardWal: 0)
        #expect(r.pool.commissionRate == BasisPoints(1_000))
    }

    @Test("§2.3 a pre-active withdrawal earns exactly epoch E+1")
    func preActiveWithdrawal() throws {
        var r = PoolRunner()
        var a = r.stake(1000)
        r.nextEpoch(rewardWal: 0)
        var b = r.stake(1000)  // activation 2, counted for the committee of epoch 2
        r.selected = true
        #expect(!b.canWithdrawEarly(inNext: true, epoch: r.epoch))
        try r.request(&b, inNext: true)  // withdraw epoch 3
        #expect(b.state == .withdrawing(withdrawEpoch: Epoch(3)))
        r.nextEpoch(rewardWal: 0)  // epoch 2: b active
        r.nextEpoch(rewardWal: 2000)  // epoch 3: reward of epoch 2 shared 1:1
        #expect(try r.withdraw(b) == 2000 * walFrost)
        try r.request(&a)
        r.nextEpoch(rewardWal: 0)
        #expect(try r.withdraw(a) == 2000 * walFrost)
    }

    @Test("§2.4 exchange rates: 0/0 is flat, conversions floor")
    func exchangeRates() {
        let flat = ExchangeRate(walFrost: 0, shares: 0)
        #expect(flat.toShares(7) == 7 && flat.toWal(7) == 7)
        let r = ExchangeRate(walFrost: 3, shares: 2)
        #expect(r.toShares(10) == 6)  // floor(10 * 2 / 3)
        #expect(r.toWal(5) == 7)  // floor(5 * 3 / 2)
    }
}
