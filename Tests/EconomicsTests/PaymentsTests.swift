import Testing
@testable import Economics
import SimSupport

private let mib: UInt64 = 1_048_576

/// Three nodes with 100 WAL each, so the first committee is weights 4, 3, 3 of 10 shards,
/// advanced to epoch 1 with the shard sync done.
private func epochOneNetwork(_ profile: Profile, capacities: [UInt64]? = nil) throws -> Network {
    var net = try Network(testParameters(profile), stakesWal: [100, 100, 100])
    if let capacities { for (i, c) in capacities.enumerated() { try net.econ.setCapacityVote(node: NodeID(UInt32(i)), capacityBytes: c) } }
    try net.advanceEpoch()
    #expect(net.econ.committee.members.map { $0.shards.count } == [4, 3, 3])
    return net
}

@Suite("Prices, capacity, payments and distribution (spec §3)")
struct PaymentsTests {
    @Test("§3.1 encoded sizes and storage units for N = 1000", arguments: [
        (UInt64(1), UInt64(66_034_000), UInt64(63)), (445_556, 66_034_000, 63), (1_048_576, 70_038_000, 67),
        (10_485_760, 112_080_000, 107), (104_857_600, 536_504_000, 512), (1_073_741_824, 4_888_852_000, 4_663),
        (14_599_533_452, 65_663_566_000, 62_622),
    ])
    func encodedSize(_ size: UInt64, _ encoded: UInt64, _ units: UInt64) {
        #expect(StorageUnits.encodedBlobBytes(unencodedBytes: size, nShards: 1000) == encoded)
        #expect(StorageUnits.units(encodedBytes: encoded) == units)
    }

    @Test("§3.1 blobs above the maximum size cannot be encoded")
    func tooLarge() {
        #expect(StorageUnits.encodedBlobBytes(unencodedBytes: 14_599_533_453, nShards: 1000) == nil)
    }

    @Test("§3.4 reserve_space pays units × price into each epoch's slot; §3.6 [CURRENT] 3% burn, rest by shards")
    func reserveAndDistributeCurrent() throws {
        var net = try epochOneNetwork(.current)
        let s = try net.econ.reserveSpace(payer: net.user, sizeBytes: 10 * mib, epochs: 2)
        #expect(net.econ.storage(s)?.endEpoch == Epoch(3))
        #expect(net.econ.ring[0].rewardsFrost == 10_000 && net.econ.ring[1].rewardsFrost == 10_000)
        #expect(net.econ.ring[0].usedCapacityBytes == 10 * mib && net.econ.ring[2].usedCapacityBytes == 0)
        let report = try net.advanceEpoch()
        #expect(report.burnedFrost == Frost(300))
        #expect(report.payouts.map(\.rewardFrost) == [Frost(3_880), Frost(2_910), Frost(2_910)])
        #expect(report.payouts.map(\.commissionFrost) == [Frost(388), Frost(291), Frost(291)])
        #expect(report.rolledOverFrost == .zero)
        #expect(net.econ.totalBurnedFrost == 300)
        #expect(net.econ.pool(NodeID(0))!.rewardsPoolFrost == 3_492)
        #expect(net.econ.pool(NodeID(0))!.walBalance == 100 * walFrost + 3_492)  // compounds (§2.4)
        #expect(balanced(net.econ))
    }

    @Test("§3.7 [LAUNCH] no burn: the whole slot is distributed")
    func launchNoBurn() throws {
        var net = try epochOneNetwork(.launch)
        _ = try net.econ.reserveSpace(payer: net.user, sizeBytes: 10 * mib, epochs: 1)
        let report = try net.advanceEpoch()
        #expect(report.burnedFrost == .zero)
        #expect(report.payouts.map(\.rewardFrost) == [Frost(4_000), Frost(3_000), Frost(3_000)])
    }

    @Test("§3.6 rounding leftovers roll into the next epoch's slot")
    func leftovers() throws {
        var net = try epochOneNetwork(.launch)
        _ = try net.econ.reserveSpace(payer: net.user, sizeBytes: 1, epochs: 1)  // 1 unit: 1,000 FROST
        let b = try net.econ.registerBlob(payer: net.user, storage: try net.econ.reserveSpace(payer: net.user, sizeBytes: 7 * 1_024, epochs: 1),
                                          unencodedBytes: 1, deletable: false)
        #expect(net.econ.blob(b)?.encodedBytes == 6_940)  // N = 10: 10 × (11 × 2 + 640 + 32)
        #expect(net.econ.ring[0].rewardsFrost == 2_100)  // two reservations + write fee 1 unit × 100
        let report = try net.advanceEpoch()
        #expect(report.payouts.map(\.rewardFrost) == [Frost(840), Frost(630), Frost(630)])
        #expect(report.rolledOverFrost == .zero)
        _ = try net.econ.reserveSpace(payer: net.user, sizeBytes: 1, epochs: 1)
        try net.econ.setWritePriceVote(node: NodeID(0), price: Frost(1))
        // 1,000 + write fee 100 + 1 = 1,101 FROST: shares 440.4, 330.3, 330.3.
        try net.econ.transfer(from: net.user, to: net.operators[0], amount: Frost(1))
        _ = try net.econ.registerBlob(payer: net.user, storage: try net.econ.reserveSpace(payer: net.user, sizeBytes: 7 * 1_024, epochs: 1), unencodedBytes: 1, deletable: true)
        let r2 = try net.advanceEpoch()
        let total = r2.payouts.reduce(0) { $0 + $1.rewardFrost.rawValue } + r2.rolledOverFrost.rawValue
        #expect(total == 2_100)
        #expect(net.econ.ring[0].rewardsFrost == r2.rolledOverFrost.rawValue)
        #expect(balanced(net.econ))
    }

    @Test("§3.6 when every weight is zero (nothing stored, or all deny-listed) the whole slot rolls over (contract: total_stored = max(0, 1))")
    func zeroWeightsRollOver() throws {
        var net = try epochOneNetwork(.launch)
        _ = try net.econ.reserveSpace(payer: net.user, sizeBytes: 10 * mib, epochs: 1)
        for i in 0 ..< 3 { try net.econ.setDenyListSize(node: NodeID(UInt32(i)), bytes: 10 * mib) }
        let report = try net.advanceEpoch()
        #expect(report.distributedFrost == .zero)
        #expect(report.rolledOverFrost == Frost(10_000))
        #expect(net.econ.ring[0].rewardsFrost == 10_000)
        // Epoch 2 stores nothing at all, so it pays nobody either: the money keeps rolling.
        for i in 0 ..< 3 { try net.econ.setDenyListSize(node: NodeID(UInt32(i)), bytes: 0) }
        #expect(net.econ.usedCapacityBytes == 0)
        let r2 = try net.advanceEpoch()
        #expect(r2.rolledOverFrost == Frost(10_000))
        #expect(balanced(net.econ))
    }

    @Test("§3.6 deny lists reduce a node's share: weight = shards × (used − deny)")
    func denyList() throws {
        var net = try epochOneNetwork(.launch)
        _ = try net.econ.reserveSpace(payer: net.user, sizeBytes: 10 * mib, epochs: 1)
        try net.econ.setDenyListSize(node: NodeID(0), bytes: 5 * mib)
        try net.econ.setDenyListSize(node: NodeID(1), bytes: 1 << 50)  // capped at the used capacity
        let report = try net.advanceEpoch()
        // weights 4 × 5 MiB, 0, 3 × 10 MiB: 20 : 0 : 30 of 10,000.
        #expect(report.payouts.map(\.rewardFrost) == [Frost(4_000), .zero, Frost(6_000)])
    }

    @Test("§3.2 [LAUNCH] prices: next committee's votes at voting end, applied at the epoch change")
    func launchPrices() throws {
        var net = try epochOneNetwork(.launch)
        for i in 0 ..< 3 { try net.econ.setStoragePriceVote(node: NodeID(UInt32(i)), price: Frost(5_000)) }
        #expect(net.econ.storagePriceFrost == Frost(1_000))
        #expect(throws: EconomicsError.featureNotInProfile("update_prices (current profile)")) { try net.econ.updatePrices() }
        try net.econ.votingEnd(atMs: net.econ.votingEndAllowedAtMs!)
        #expect(net.econ.nextPrices?.storage == Frost(5_000))
        // Votes cast after voting end wait for the next selection.
        for i in 0 ..< 3 { try net.econ.setStoragePriceVote(node: NodeID(UInt32(i)), price: Frost(9_000)) }
        #expect(net.econ.storagePriceFrost == Frost(1_000))
        try net.econ.initiateEpochChange(atMs: net.econ.epochChangeAllowedAtMs!)
        #expect(net.econ.storagePriceFrost == Frost(5_000))
        try net.syncAll()
        try net.advanceEpoch()
        #expect(net.econ.storagePriceFrost == Frost(9_000))
    }

    @Test("§3.2 [CURRENT] prices: quorum_below of the current committee on update_prices and at every epoch change")
    func currentPrices() throws {
        var net = try epochOneNetwork(.current)
        try net.econ.setStoragePriceVote(node: NodeID(0), price: Frost(5_000))  // 4 shards
        try net.econ.setWritePriceVote(node: NodeID(2), price: Frost(7))
        #expect(net.econ.storagePriceFrost == Frost(1_000))
        try net.econ.updatePrices()
        // Storage: votes <= 1,000 hold only 6 of 10 shards (< 7), so the price is 5,000.
        #expect(net.econ.storagePriceFrost == Frost(5_000))
        // Write: votes <= 7 hold 3 shards; <= 100 hold 10: 100.
        #expect(net.econ.writePriceFrost == Frost(100))
        try net.econ.setStoragePriceVote(node: NodeID(0), price: Frost(1_000))
        try net.advanceEpoch()  // recomputed at the end of the epoch change
        #expect(net.econ.storagePriceFrost == Frost(1_000))
    }

    @Test("§3.3 capacity: quorum_above of capacity × N / shards; every reserved epoch checked against it")
    func capacity() throws {
        // Implied capacities 4,000 × 10 / 4 = 10,000; 3,000 × 10 / 3 = 10,000; 300 × 10 / 3 = 1,000.
        var net = try epochOneNetwork(.current, capacities: [4_000, 3_000, 300])
        #expect(net.econ.totalCapacityBytes == 10_000)
        _ = try net.econ.reserveSpace(payer: net.user, sizeBytes: 6_940, epochs: 5)
        let before = net.econ
        #expect(throws: EconomicsError.capacityExceeded(epoch: Epoch(1), usedBytes: 6_940, requestedBytes: 6_940, capacityBytes: 10_000)) {
            try net.econ.reserveSpace(payer: net.user, sizeBytes: 6_940, epochs: 1)
        }
        #expect(net.econ == before)
        // Capacity never frees: deleting nothing, reserved bytes stay counted.
        _ = try net.econ.reserveSpace(payer: net.user, sizeBytes: 3_060, epochs: 1)
        #expect(net.econ.usedCapacityBytes == 10_000)
        // At the epoch change: total = max(vote, reserved in the new epoch).
        try net.econ.setCapacityVote(node: NodeID(0), capacityBytes: 1)
        try net.econ.setCapacityVote(node: NodeID(1), capacityBytes: 1)
        try net.advanceEpoch()
        #expect(net.econ.totalCapacityBytes == 6_940)
    }

    @Test("§3.4 horizon: at most maxEpochsAhead epochs; [CURRENT] future starts; §4.2 extend_blob")
    func horizonAndExtension() throws {
        var net = try epochOneNetwork(.current)
        let before = net.econ
        #expect(throws: EconomicsError.horizonExceeded(endEpoch: Epoch(7), maxEndEpoch: Epoch(6))) {
            try net.econ.reserveSpace(payer: net.user, sizeBytes: 1, epochs: 6)
        }
        #expect(throws: EconomicsError.emptyPeriod) { try net.econ.reserveSpace(payer: net.user, sizeBytes: 1, epochs: 0) }
        #expect(throws: EconomicsError.invalidSize) { try net.econ.reserveSpace(payer: net.user, sizeBytes: 0, epochs: 1) }
        #expect(throws: EconomicsError.horizonExceeded(endEpoch: Epoch(7), maxEndEpoch: Epoch(6))) {
            try net.econ.reserveSpace(payer: net.user, sizeBytes: 1, startEpoch: Epoch(3), endEpoch: Epoch(7))
        }
        #expect(net.econ == before)
        let future = try net.econ.reserveSpace(payer: net.user, sizeBytes: mib, startEpoch: Epoch(3), endEpoch: Epoch(6))
        #expect(net.econ.ring.map(\.rewardsFrost) == [0, 0, 1_000, 1_000, 1_000])
        #expect(net.econ.storage(future)?.startEpoch == Epoch(3))
        // A start in the past is clamped to now.
        let clamped = try net.econ.reserveSpace(payer: net.user, sizeBytes: mib, startEpoch: Epoch(0), endEpoch: Epoch(2))
        #expect(net.econ.storage(clamped)?.startEpoch == Epoch(1))
        let b = try net.econ.registerBlob(payer: net.user, storage: clamped, unencodedBytes: 1, deletable: true)
        #expect(throws: EconomicsError.blobNotCertified(b)) { try net.econ.extendBlob(payer: net.user, blob: b, epochs: 1) }
        try net.econ.certifyBlob(b)
        #expect(throws: EconomicsError.horizonExceeded(endEpoch: Epoch(7), maxEndEpoch: Epoch(6))) {
            try net.econ.extendBlob(payer: net.user, blob: b, epochs: 5)  // (2 − 1) + 5 > 5
        }
        try net.econ.extendBlob(payer: net.user, blob: b, epochs: 4)
        #expect(net.econ.blob(b)?.endEpoch == Epoch(6))
        #expect(net.econ.ring.map(\.rewardsFrost) == [1_000 + 100, 1_000, 2_000, 2_000, 2_000])
        let freed = try net.econ.deleteBlob(b)
        #expect(freed == clamped && net.econ.ring[4].usedCapacityBytes == 2 * mib)  // capacity stays counted
        var launch = try epochOneNetwork(.launch)
        #expect(throws: EconomicsError.featureNotInProfile("reserve_space_for_epochs (current profile)")) {
            try launch.econ.reserveSpace(payer: launch.user, sizeBytes: 1, startEpoch: Epoch(2), endEpoch: Epoch(3))
        }
        #expect(balanced(net.econ))
    }

    @Test("§3.5 the write fee goes to the current epoch; registration needs current, large enough storage")
    func writeFee() throws {
        var net = try epochOneNetwork(.current)
        let small = try net.econ.reserveSpace(payer: net.user, sizeBytes: 6_939, epochs: 1)
        #expect(throws: EconomicsError.storageTooSmall(neededBytes: 6_940, availableBytes: 6_939)) {
            try net.econ.registerBlob(payer: net.user, storage: small, unencodedBytes: 1, deletable: false)
        }
        let poor = try net.econ.openAccount(initialBalance: Frost(99))
        let st = try net.econ.reserveSpace(payer: net.user, sizeBytes: 6_940, epochs: 1)
        #expect(throws: EconomicsError.insufficientBalance(account: poor, neededFrost: Frost(100), availableFrost: Frost(99))) {
            try net.econ.registerBlob(payer: poor, storage: st, unencodedBytes: 1, deletable: false)
        }
        let slot = net.econ.ring[0].rewardsFrost
        _ = try net.econ.registerBlob(payer: net.user, storage: st, unencodedBytes: 1, deletable: false)
        #expect(net.econ.ring[0].rewardsFrost == slot + 100)
        #expect(throws: EconomicsError.unknownStorage(st)) { try net.econ.registerBlob(payer: net.user, storage: st, unencodedBytes: 1, deletable: false) }
    }

    @Test("§2.5 [CURRENT] commission is blocked until the next voting end; [LAUNCH] collectable at once")
    func commissionLock() throws {
        var cur = try epochOneNetwork(.current)
        _ = try cur.econ.reserveSpace(payer: cur.user, sizeBytes: 10 * mib, epochs: 1)
        try cur.advanceEpoch()
        #expect(cur.econ.pool(NodeID(0))!.commissionFrost == 388)
        #expect(try cur.econ.collectCommission(node: NodeID(0)) == .zero)
        try cur.econ.votingEnd(atMs: cur.econ.votingEndAllowedAtMs!)
        #expect(try cur.econ.collectCommission(node: NodeID(0)) == Frost(388))
        #expect(cur.econ.balance(of: cur.operators[0]) == Frost(10 * walFrost + 388))

        var launch = try epochOneNetwork(.launch)
        _ = try launch.econ.reserveSpace(payer: launch.user, sizeBytes: 10 * mib, epochs: 1)
        try launch.advanceEpoch()
        #expect(try launch.econ.collectCommission(node: NodeID(0)) == Frost(400))
        #expect(balanced(cur.econ) && balanced(launch.econ))
    }

    @Test("§2.5 set_next_commission takes effect two epochs later")
    func commissionChange() throws {
        var net = try epochOneNetwork(.launch)
        try net.econ.setCommission(node: NodeID(0), rate: BasisPoints(5_000))  // in epoch 1: from epoch 3
        #expect(throws: EconomicsError.commissionRateTooHigh(BasisPoints(10_001))) { try net.econ.setCommission(node: NodeID(0), rate: BasisPoints(10_001)) }
        _ = try net.econ.reserveSpace(payer: net.user, sizeBytes: 10 * mib, epochs: 3)
        let r2 = try net.advanceEpoch()  // rewards of epoch 1 at the old 10%
        #expect(r2.payouts[0].commissionFrost == Frost(400))
        let r3 = try net.advanceEpoch()  // epoch 2's rewards, still 10%: the rate switched when entering 3
        #expect(r3.payouts[0].commissionFrost == Frost(400))
        let r4 = try net.advanceEpoch()
        #expect(r4.payouts[0].commissionFrost == Frost(2_000))
    }

    @Test("§3.9 [CURRENT] commission slashing by a 2/3 shard vote within one epoch")
    func slashing() throws {
        var net = try epochOneNetwork(.current)
        _ = try net.econ.reserveSpace(payer: net.user, sizeBytes: 10 * mib, epochs: 2)
        try net.advanceEpoch()
        let commission = net.econ.pool(NodeID(2))!.commissionFrost
        #expect(commission == 291)
        try net.econ.voteForSlashing(voter: NodeID(0), candidate: NodeID(2))  // 4 shards
        #expect(throws: EconomicsError.duplicateVote(voter: NodeID(0), candidate: NodeID(2))) { try net.econ.voteForSlashing(voter: NodeID(0), candidate: NodeID(2)) }
        #expect(throws: EconomicsError.notEnoughVotes(candidate: NodeID(2), votedShards: 4, neededShards: 7)) { try net.econ.executeSlashing(candidate: NodeID(2)) }
        try net.econ.voteForSlashing(voter: NodeID(1), candidate: NodeID(2))  // 7 shards: quorum
        let burnedBefore = net.econ.totalBurnedFrost
        #expect(try net.econ.executeSlashing(candidate: NodeID(2)) == Frost(291))
        #expect(net.econ.pool(NodeID(2))!.commissionFrost == 0)
        #expect(net.econ.totalBurnedFrost == burnedBefore + 291)
        #expect(net.econ.committee.contains(NodeID(2)))  // the node stays
        #expect(throws: EconomicsError.noSlashingProposal(NodeID(2))) { try net.econ.executeSlashing(candidate: NodeID(2)) }
        // Votes do not carry over epochs.
        try net.econ.voteForSlashing(voter: NodeID(0), candidate: NodeID(1))
        try net.advanceEpoch()
        try net.econ.voteForSlashing(voter: NodeID(2), candidate: NodeID(1))
        #expect(throws: EconomicsError.notEnoughVotes(candidate: NodeID(1), votedShards: 3, neededShards: 7)) { try net.econ.executeSlashing(candidate: NodeID(1)) }
        var launch = try epochOneNetwork(.launch)
        #expect(throws: EconomicsError.featureNotInProfile("slashing (current profile)")) { try launch.econ.voteForSlashing(voter: NodeID(0), candidate: NodeID(1)) }
        #expect(balanced(net.econ))
    }

    @Test("§3.8 old subsidies contract: buyer refund and system subsidy, scaled down when the pool is short")
    func buyerSubsidies() throws {
        var net = try epochOneNetwork(.launch)
        let funder = try net.econ.openAccount(initialBalance: Frost(1_000_000))
        try net.econ.fundBuyerSubsidyPool(from: funder, amount: Frost(1_000_000))
        try net.econ.setBuyerSubsidyRates(buyer: BasisPoints(2_000), system: BasisPoints(1_000))
        let before = net.econ.balance(of: net.user)!.rawValue
        _ = try net.econ.reserveSpaceSubsidised(payer: net.user, sizeBytes: 10 * mib, epochs: 2)  // cost 20,000
        #expect(before - net.econ.balance(of: net.user)!.rawValue == 16_000)
        #expect(net.econ.buyerSubsidyPoolFrost == 1_000_000 - 6_000)
        #expect(net.econ.ring[0].rewardsFrost == 11_000 && net.econ.ring[1].rewardsFrost == 11_000)
        // Short pool: 3,000 left → split 2:1 between buyer and system.
        var short = try epochOneNetwork(.launch)
        let f2 = try short.econ.openAccount(initialBalance: Frost(3_000))
        try short.econ.fundBuyerSubsidyPool(from: f2, amount: Frost(3_000))
        try short.econ.setBuyerSubsidyRates(buyer: BasisPoints(2_000), system: BasisPoints(1_000))
        let b2 = short.econ.balance(of: short.user)!.rawValue
        _ = try short.econ.reserveSpaceSubsidised(payer: short.user, sizeBytes: 10 * mib, epochs: 2)
        #expect(b2 - short.econ.balance(of: short.user)!.rawValue == 18_000)
        #expect(short.econ.buyerSubsidyPoolFrost == 0)
        #expect(short.econ.ring[0].rewardsFrost == 10_500 && short.econ.ring[1].rewardsFrost == 10_500)
        #expect(balanced(net.econ) && balanced(short.econ))
    }

    @Test("§3.8 [CURRENT] walrus_subsidies: per-node and per-shard commission once per epoch, usage subsidies on new payments")
    func walrusSubsidies() throws {
        var net = try epochOneNetwork(.current)
        let funder = try net.econ.openAccount(initialBalance: Frost(1_000_000))
        try net.econ.fundWalrusSubsidyPool(from: funder, amount: Frost(100_000))
        try net.econ.setWalrusSubsidies(usageRate: BasisPoints(5_000), basePerNodeFrost: Frost(100), perShardFrost: Frost(10))
        _ = try net.econ.reserveSpace(payer: net.user, sizeBytes: 10 * mib, epochs: 2)
        try net.econ.processSubsidies()
        // Epoch 1: the previous committee (epoch 0) is empty; usage: 50% of 10,000 per slot.
        #expect(net.econ.ring[0].rewardsFrost == 15_000 && net.econ.ring[1].rewardsFrost == 15_000)
        try net.econ.processSubsidies()  // nothing new
        #expect(net.econ.walrusSubsidyPoolFrost == 90_000)
        try net.advanceEpoch()
        let c0 = net.econ.pool(NodeID(0))!.commissionFrost
        try net.econ.processSubsidies()
        #expect(net.econ.pool(NodeID(0))!.commissionFrost == c0 + 140)
        #expect(net.econ.pool(NodeID(1))!.blockedCommissionFrost >= 130)  // before voting end: blocked
        try net.econ.processSubsidies()  // fixed part once per epoch
        #expect(net.econ.pool(NodeID(0))!.commissionFrost == c0 + 140)
        let before = net.econ
        try net.econ.setWalrusSubsidies(usageRate: BasisPoints(1_000_000), basePerNodeFrost: .zero, perShardFrost: .zero)
        _ = try net.econ.reserveSpace(payer: net.user, sizeBytes: 100 * mib, epochs: 1)  // 100,000 new: needs 10,000,000
        let mid = net.econ
        #expect(throws: EconomicsError.self) { try net.econ.processSubsidies() }
        #expect(net.econ == mid)
        _ = before
        var launch = try epochOneNetwork(.launch)
        #expect(throws: EconomicsError.featureNotInProfile("walrus_subsidies (current profile)")) { try launch.econ.processSubsidies() }
        #expect(balanced(net.econ))
    }
}

/// `walrus_subsidies_inner::new`: the contract created mid-life takes a snapshot of the ring,
/// so payments made before it existed earn no usage subsidy; only later ones do.
@Suite("walrus_subsidies creation snapshot (spec §3.8)")
struct WalrusSubsidiesSnapshot {
    @Test func paymentsBeforeCreationAreNotSubsidized() throws {
        var net = try epochOneNetwork(.current)
        _ = try net.econ.reserveSpace(payer: net.user, sizeBytes: 10 * mib, epochs: 2)  // 10,000 per slot, before
        try net.econ.createWalrusSubsidies(usageRate: BasisPoints(5_000), basePerNodeFrost: Frost(100), perShardFrost: Frost(10))
        let funder = try net.econ.openAccount(initialBalance: Frost(1_000_000))
        try net.econ.fundWalrusSubsidyPool(from: funder, amount: Frost(100_000))
        try net.econ.processSubsidies()
        #expect(net.econ.ring[0].rewardsFrost == 10_000 && net.econ.ring[1].rewardsFrost == 10_000)
        #expect(net.econ.walrusSubsidyPoolFrost == 100_000)
        _ = try net.econ.reserveSpace(payer: net.user, sizeBytes: 10 * mib, epochs: 1)  // 10,000 more, after
        try net.econ.processSubsidies()
        #expect(net.econ.ring[0].rewardsFrost == 25_000 && net.econ.ring[1].rewardsFrost == 10_000)
        // Created in epoch 1, the contract pays the fixed subsidies from epoch 1's committee on
        // (latest_epoch = 0): at epoch 2, each member gets base + shards x per-shard once.
        try net.advanceEpoch()
        let c0 = net.econ.pool(NodeID(0))!.commissionFrost
        try net.econ.processSubsidies()
        #expect(net.econ.pool(NodeID(0))!.commissionFrost == c0 + 140)
        #expect(balanced(net.econ))
        // Creation validates before it changes anything.
        let before = net.econ
        #expect(throws: EconomicsError.self) { try net.econ.createWalrusSubsidies(usageRate: BasisPoints(1_000_001), basePerNodeFrost: .zero, perShardFrost: .zero) }
        #expect(net.econ == before)
    }
}

/// `subsidies_tests.move` (old `subsidies` contract): 5,000,000 encoded bytes = 5 units at
/// 5 FROST per unit and epoch, for 3 epochs: cost 75 FROST, paid from a 1,000 FROST coin.
@Suite("Old subsidies contract vectors (spec §3.8)")
struct BuyerSubsidyVectors {
    struct Case: Sendable, CustomTestStringConvertible {
        let pool: UInt64, buyerBp: UInt64, systemBp: UInt64
        let payerLeft: UInt64, poolLeft: UInt64, slots: [UInt64]
        var testDescription: String { "pool \(pool), rates \(buyerBp)/\(systemBp) bp" }
    }

    @Test("§3.8 subsidies::reserve_space", arguments: [
        // test_reserve_space_funds_with_subsidies
        Case(pool: 1_000_000, buyerBp: 1_000, systemBp: 1_000, payerLeft: 932, poolLeft: 999_986, slots: [28, 27, 27]),
        // test_reserve_space_funds_with_subsidies_full_pool_consumption
        Case(pool: 100, buyerBp: 1_000, systemBp: 1_000, payerLeft: 932, poolLeft: 86, slots: [28, 27, 27]),
        // test_reserve_space_insufficient_funds_with_subsidies
        Case(pool: 10, buyerBp: 2_000, systemBp: 1_000, payerLeft: 931, poolLeft: 1, slots: [26, 26, 26]),
        // no funds: plain reserve_space
        Case(pool: 0, buyerBp: 2_000, systemBp: 1_000, payerLeft: 925, poolLeft: 0, slots: [25, 25, 25]),
    ])
    func reserve(_ c: Case) throws {
        var net = try Network(testParameters(.current), stakesWal: [100, 100, 100])
        try net.advanceEpoch()
        for i in 0 ..< 3 { try net.econ.setStoragePriceVote(node: NodeID(UInt32(i)), price: Frost(5)) }
        try net.econ.updatePrices()
        let funder = try net.econ.openAccount(initialBalance: Frost(c.pool))
        if c.pool > 0 { try net.econ.fundBuyerSubsidyPool(from: funder, amount: Frost(c.pool)) }
        try net.econ.setBuyerSubsidyRates(buyer: BasisPoints(c.buyerBp), system: BasisPoints(c.systemBp))
        let payer = try net.econ.openAccount(initialBalance: Frost(1_000))
        _ = try net.econ.reserveSpaceSubsidised(payer: payer, sizeBytes: 5_000_000, epochs: 3)
        #expect(net.econ.balance(of: payer) == Frost(c.payerLeft))
        #expect(net.econ.buyerSubsidyPoolFrost == c.poolLeft)
        #expect(Array(net.econ.ring.prefix(3).map(\.rewardsFrost)) == c.slots)
        #expect(balanced(net.econ))
    }
}
