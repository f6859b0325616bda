import TestSupport
import Testing
@testable import Economics
import SimSupport

/// Bad inputs named in the issue: each must get its typed error and leave the economy
/// exactly as it was (validate first, then mutate).
enum BadInput: String, CaseIterable, Sendable {
    case zeroStake, unknownNodeStake, unknownAccount, unknownStake, splitMoreThanStaked
    case stakeMoreThanBalance, transferMoreThanBalance, mintOverflow, paymentOverflow
    case horizonExceeded, capacityExceeded, wrongEpochState, tooEarly, commissionTooHigh
    case withdrawTwice, duplicateRegistration, nodeIDOutOfRange
}

@Suite("Bad input and invariants (issue items 6 and 'How good')")
struct PropertyTests {
    @Test("typed error, state unchanged", arguments: BadInput.allCases)
    func badInput(_ input: BadInput) throws {
        var net = try Network(testParameters(.current), stakesWal: [100, 100, 100])
        try net.advanceEpoch()
        let poor = try net.econ.openAccount(initialBalance: wal(2))
        let before = net.econ
        var expected: EconomicsError? = nil
        do {
            switch input {
            case .zeroStake:
                expected = .zeroAmount
                _ = try net.econ.stake(owner: net.user, node: NodeID(0), amount: .zero)
            case .unknownNodeStake:
                expected = .unknownNode(NodeID(42))
                _ = try net.econ.stake(owner: net.user, node: NodeID(42), amount: wal(1))
            case .unknownAccount:
                expected = .unknownAccount(AccountID(4_000))
                _ = try net.econ.reserveSpace(payer: AccountID(4_000), sizeBytes: 1, epochs: 1)
            case .unknownStake:
                expected = .unknownStake(StakeID(999))
                try net.econ.requestWithdraw(StakeID(999))
            case .splitMoreThanStaked:
                expected = .insufficientStake(stake: net.selfStakes[0], requestedFrost: wal(1_000), principalFrost: wal(100))
                _ = try net.econ.splitStake(net.selfStakes[0], amount: wal(1_000))
            case .stakeMoreThanBalance:
                expected = .insufficientBalance(account: poor, neededFrost: wal(3), availableFrost: wal(2))
                _ = try net.econ.stake(owner: poor, node: NodeID(0), amount: wal(3))
            case .transferMoreThanBalance:
                expected = .insufficientBalance(account: poor, neededFrost: wal(5), availableFrost: wal(2))
                try net.econ.transfer(from: poor, to: net.user, amount: wal(5))
            case .mintOverflow:
                expected = .amountOverflow
                _ = try net.econ.openAccount(initialBalance: Frost(.max))
            case .paymentOverflow:
                for i in 0 ..< 3 { try net.econ.setStoragePriceVote(node: NodeID(UInt32(i)), price: Frost(.max / 2)) }
                try net.econ.updatePrices()
                let b = net.econ
                expected = .amountOverflow
                do { _ = try net.econ.reserveSpace(payer: net.user, sizeBytes: 1, epochs: 3) } catch { #expect(net.econ == b); throw error }
            case .horizonExceeded:
                expected = .horizonExceeded(endEpoch: Epoch(7), maxEndEpoch: Epoch(6))
                _ = try net.econ.reserveSpace(payer: net.user, sizeBytes: 1, epochs: 6)
            case .capacityExceeded:
                try net.econ.setCapacityVote(node: NodeID(0), capacityBytes: 0)
                let b = net.econ
                expected = .capacityExceeded(epoch: Epoch(1), usedBytes: 0, requestedBytes: 1 << 60, capacityBytes: net.econ.totalCapacityBytes)
                do { _ = try net.econ.reserveSpace(payer: net.user, sizeBytes: 1 << 60, epochs: 1) } catch { #expect(net.econ == b); throw error }
            case .wrongEpochState:
                expected = .wrongEpochState(expected: .nextParamsSelected, actual: net.econ.state)
                try net.econ.initiateEpochChange(atMs: .max)
            case .tooEarly:
                expected = .tooEarly(nowMs: 0, allowedAtMs: net.econ.votingEndAllowedAtMs!)
                try net.econ.votingEnd(atMs: 0)
            case .commissionTooHigh:
                expected = .commissionRateTooHigh(BasisPoints(10_001))
                try net.econ.registerCandidate(node: NodeID(9), commissionReceiver: net.user, commission: BasisPoints(10_001), votes: defaultVotes())
            case .withdrawTwice:
                let s = try net.econ.stake(owner: net.user, node: NodeID(1), amount: wal(1))
                try net.econ.withdraw(s)
                let b = net.econ
                expected = .unknownStake(s)
                do { try net.econ.withdraw(s) } catch { #expect(net.econ == b); throw error }
            case .duplicateRegistration:
                expected = .nodeAlreadyRegistered(NodeID(1))
                try net.econ.registerCandidate(node: NodeID(1), commissionReceiver: net.user, votes: defaultVotes())
            case .nodeIDOutOfRange:
                expected = .nodeIDOutOfRange(NodeID(UInt32.max))
                try net.econ.registerCandidate(node: NodeID(UInt32.max), commissionReceiver: net.user, votes: defaultVotes())
            }
            Issue.record("\(input) did not throw")
        } catch let e as EconomicsError {
            let want = expected
            #expect(e == want)
            if ![.capacityExceeded, .withdrawTwice, .paymentOverflow].contains(input) {
                let unchanged = net.econ == before
                #expect(unchanged)
            }
        }
    }

    @Test("property: random stakes, joins, leaves and payments conserve WAL; committees stay valid", arguments: [
        (Profile.current, UInt64(1)), (.current, 2), (.current, 3), (.launch, 4), (.launch, 5), (.launch, 6),
    ])
    func randomOperations(_ profile: Profile, _ seed: UInt64) throws {
        var rng = SplitMix64(seed: 0xC0FF_EE00 ^ seed)
        var params = testParameters(profile, shards: 100, epochMs: 1_000, maxAhead: 8)
        params.activeSetCap = 24  // small, so eviction and swap-remove happen
        params.extensions = seed % 2 == 0
            ? WhitepaperExtensions(storageChallenges: true, rewardForfeitBasisPoints: 5_000, penaltyPerFailedShardBasisPoints: 100, principalSlashing: true)
            : .none
        let k = Int.random(in: 5 ... 30, using: &rng)
        var net = try Network(params, stakesWal: (0 ..< k).map { _ in UInt64.random(in: 0 ... 5_000, using: &rng) })
        var users = [net.user]
        for _ in 0 ..< 4 { users.append(try net.econ.openAccount(initialBalance: wal(1_000_000))) }
        let funder = try net.econ.openAccount(initialBalance: wal(1_000))
        if profile == .current {
            try net.econ.fundWalrusSubsidyPool(from: funder, amount: wal(500))
            try net.econ.setWalrusSubsidies(usageRate: BasisPoints(2_000), basePerNodeFrost: Frost(1_000), perShardFrost: Frost(10))
        } else {
            try net.econ.fundBuyerSubsidyPool(from: funder, amount: wal(500))
            try net.econ.setBuyerSubsidyRates(buyer: BasisPoints(1_000), system: BasisPoints(500))
        }
        var nodeCount = k
        var capAtSelection = 0
        var epochChanges = 0, errors = 0
        func anyNode() -> NodeID { NodeID(UInt32(Int.random(in: 0 ... nodeCount, using: &rng))) }  // may be unknown
        func anyStake() -> StakeID { StakeID(UInt32.random(in: 0 ... UInt32(max(1, 2 * nodeCount + 40)), using: &rng)) }
        func anyUser() -> AccountID { users[Int.random(in: 0 ..< users.count, using: &rng)] }

        for step in 0 ..< 1_500 {
            let before = net.econ
            do {
                switch Int.random(in: 0 ..< 20, using: &rng) {
                case 0, 1:
                    _ = try net.econ.stake(owner: anyUser(), node: anyNode(), amount: Frost(UInt64.random(in: 0 ... 3_000 * walFrost, using: &rng)))
                case 2: try net.econ.requestWithdraw(anyStake())
                case 3: try net.econ.withdraw(anyStake())
                case 4:
                    _ = try net.econ.reserveSpace(payer: anyUser(), sizeBytes: UInt64.random(in: 0 ... 50_000_000, using: &rng), epochs: Int.random(in: 0 ... 9, using: &rng))
                case 5:
                    let sid = StorageID(UInt32.random(in: 0 ... 60, using: &rng))
                    if Bool.random(using: &rng) {
                        _ = try net.econ.registerBlob(payer: anyUser(), storage: sid, unencodedBytes: UInt64.random(in: 1 ... 5_000_000, using: &rng), deletable: Bool.random(using: &rng))
                    } else {
                        try net.econ.certifyBlob(BlobObjectID(UInt32.random(in: 0 ... 30, using: &rng)))
                    }
                case 6: try net.econ.extendBlob(payer: anyUser(), blob: BlobObjectID(UInt32.random(in: 0 ... 30, using: &rng)), epochs: Int.random(in: 0 ... 6, using: &rng))
                case 7: try net.econ.setCommission(node: anyNode(), rate: BasisPoints(UInt64.random(in: 0 ... 11_000, using: &rng)))
                case 8: try net.econ.collectCommission(node: anyNode())
                case 9:
                    if Bool.random(using: &rng) {
                        try net.econ.setStoragePriceVote(node: anyNode(), price: Frost(UInt64.random(in: 1 ... 5_000, using: &rng)))
                    } else {
                        try net.econ.setCapacityVote(node: anyNode(), capacityBytes: UInt64.random(in: 0 ... 1 << 34, using: &rng))
                    }
                case 10:
                    if profile == .current {
                        if Bool.random(using: &rng) { try net.econ.processSubsidies() } else { try net.econ.updatePrices() }
                    } else {
                        _ = try net.econ.reserveSpaceSubsidised(payer: anyUser(), sizeBytes: UInt64.random(in: 1 ... 20_000_000, using: &rng), epochs: Int.random(in: 1 ... 8, using: &rng))
                    }
                case 11:
                    if Bool.random(using: &rng) { try net.econ.voteForSlashing(voter: anyNode(), candidate: anyNode()) } else { try net.econ.executeSlashing(candidate: anyNode()) }
                case 12:
                    let node = NodeID(UInt32(nodeCount))
                    try net.econ.registerCandidate(node: node, commissionReceiver: anyUser(), commission: BasisPoints(UInt64.random(in: 0 ... 10_000, using: &rng)), votes: defaultVotes())
                    nodeCount += 1
                case 13: _ = try net.econ.splitStake(anyStake(), amount: Frost(UInt64.random(in: 0 ... 2_000 * walFrost, using: &rng)))
                case 14: try net.econ.setDenyListSize(node: anyNode(), bytes: UInt64.random(in: 0 ... 100_000_000, using: &rng))
                case 15:
                    if Int.random(in: 0 ..< 4, using: &rng) != 0 {
                        try net.econ.recordFailedChallenge(node: anyNode(), failedShards: Int.random(in: 0 ... 5, using: &rng))
                    } else {
                        try net.econ.slashPrincipal(node: anyNode(), basisPoints: BasisPoints(UInt64.random(in: 0 ... 3_000, using: &rng)))
                    }
                case 16: try net.econ.tryJoinActiveSet(node: anyNode())
                default:
                    // Drive the epoch state machine, sometimes too early.
                    let early = Int.random(in: 0 ..< 5, using: &rng) == 0
                    switch net.econ.state {
                    case .epochChangeSync:
                        let members = net.econ.committee.members
                        let m = members[Int.random(in: 0 ..< members.count, using: &rng)]
                        net.nowMs += 7
                        try net.econ.epochSyncDone(node: m.node, epoch: net.econ.epoch, atMs: net.nowMs)
                    case .epochChangeDone:
                        let at = early ? net.econ.votingEndAllowedAtMs! - 1 : max(net.nowMs, net.econ.votingEndAllowedAtMs!)
                        capAtSelection = Apportionment.maxShardsPerNode(nodes: net.econ.activeSet.entries.count, shards: params.nShards)
                        try net.econ.votingEnd(atMs: at)
                        net.nowMs = at
                        for m in net.econ.nextCommittee!.members { #expect(m.shards.count <= capAtSelection) }
                    case .nextParamsSelected:
                        let at = early ? net.econ.epochChangeAllowedAtMs! - 1 : max(net.nowMs, net.econ.epochChangeAllowedAtMs!)
                        let old = net.econ.committee
                        let report = try net.econ.initiateEpochChange(atMs: at)
                        net.nowMs = at
                        epochChanges += 1
                        let new = net.econ.committee
                        #expect(new.totalShards == params.nShards)
                        #expect(new.ownerByShard(nShards: params.nShards).allSatisfy { $0 != nil })
                        if !old.isEmpty {
                            let changed = zip(old.ownerByShard(nShards: params.nShards), new.ownerByShard(nShards: params.nShards)).filter { $0 != $1 }.count
                            #expect(changed == report.movedShards, "step \(step)")
                        }
                    }
                }
            } catch {
                errors += 1
                let unchanged = net.econ == before
                #expect(unchanged, "step \(step): \(error) changed the state")
                if !unchanged { return }
            }
            let report = net.econ.conservationReport()
            #expect(report.isBalanced, "step \(step): \(report)")
            if !report.isBalanced { return }
        }
        #expect(epochChanges >= 3)
        #expect(errors > 0 && errors < 1_400)
        // Money actually moved through the whole pipeline.
        let r = net.econ.conservationReport()
        #expect(r.poolRewardsFrost > 0 && r.commissionFrost + r.accountsFrost > 0)
    }

    @Test("conservation report sums every account kind")
    func conservationParts() throws {
        var net = try Network(testParameters(.current), stakesWal: [100, 100, 100])
        try net.advanceEpoch()
        _ = try net.econ.reserveSpace(payer: net.user, sizeBytes: 1 << 24, epochs: 3)
        try net.advanceEpoch()
        let r = net.econ.conservationReport()
        #expect(r.stakedPrincipalFrost == UInt128(300 * walFrost))
        #expect(r.poolRewardsFrost > 0 && r.commissionFrost > 0 && r.storageFundFrost > 0 && r.burnedFrost > 0)
        #expect(r.mintedFrost == r.heldFrost)
        let flows = net.econ.drainFlows()
        #expect(flows.contains { $0.kind == .burn } && flows.contains { $0.kind == .reward } && flows.contains { $0.kind == .storagePayment })
        #expect(net.econ.pendingFlows.isEmpty)
    }
}
