import Economics
import ResultRecords
import SimEngine
import SimSupport
import Testing
import WalrusModel

@testable import Simulation

/// A small economic world: 10 nodes over 20 shards, 10-minute epochs, modeled encoding, a
/// steady stream of writes so storage payments flow, 70 minutes (six epoch changes).
func econScenario(seed: UInt64 = 5, duration: SimDuration = .minutes(70)) -> Scenario {
    var s = Scenario(name: "econ", duration: duration, nodes: NodesSpec(count: 10, shards: 20))
    s.seed = seed
    s.economics.preset = .testnet
    s.economics.epochDuration = .minutes(10)
    s.nodes.stake = .zipf(totalWAL: 10_000_000, exponent: 1)
    s.clients.count = 2
    s.fidelity.signatures = .modeled
    s.fidelity.encoding = .modeled
    var w = WriteWorkload(interArrivalSeconds: .exponential(mean: 30), sizeBytes: .constant(1_048_576), count: 120)
    w.lifetimeEpochs = 2...6
    s.workloads = [WorkloadSpec(name: "uploads", kind: .writes(w))]
    s.metricsInterval = .minutes(10)
    return s
}

/// `quorum_below` computed independently: the smallest vote such that members voting at or
/// below it hold at least 2n/3 + 1 of the n shards.
func expectedQuorumPrice(_ members: [(shards: Int, vote: UInt64)], nShards: Int) -> UInt64 {
    var held = 0
    for m in members.sorted(by: { $0.vote < $1.vote }) {
        held += m.shards
        if held >= 2 * nShards / 3 + 1 { return m.vote }
    }
    return .max
}

@Suite struct EconomyTests {
    @Test func perNodeVotesSetTheStoragePriceToTheTwoThirdsQuorumAtEachEpochChange() throws {
        var s = econScenario()
        let votes: [Double] = [10, 90, 20, 80, 30, 70, 40, 60, 50, 100].map { $0 * 1_000 }
        s.nodes.economics.storagePriceFrost = .list(votes)
        let sink = CollectingResultsSink()
        let (world, _) = try runWorld(s, sink: sink)
        #expect(world.violations.isEmpty, "\(world.violations)")
        let epochs = sink.epochs.filter { $0.epoch.rawValue >= 1 }
        #expect(epochs.count >= 4)
        for e in epochs {
            let members = sink.committee.filter { $0.epoch == e.epoch }.map { (Int($0.shardCount), UInt64(votes[$0.node.index])) }
            let expected = expectedQuorumPrice(members, nShards: 20)
            #expect(e.storagePriceFrostPerMiB == expected, "epoch \(e.epoch.rawValue)")
        }
        // The quorum is not a trivial vote: it differs from the genesis price and from the mean.
        #expect(epochs.allSatisfy { $0.storagePriceFrostPerMiB != 100_000 })
        // node_epochs carries each node's vote.
        for r in sink.nodeEpochs { #expect(r.storagePriceVoteFrost == UInt64(votes[r.node.index])) }
    }

    @Test func usageAndFixedSubsidiesArePaidAndWalIsConserved() throws {
        var s = econScenario()
        var sub = WalrusSubsidySpec()
        sub.usageRateBP = 5_000
        sub.basePerNodeFrost = 1_000_000
        sub.perShardFrost = 100_000
        sub.poolWAL = 1_000_000
        s.economics.subsidies = sub
        let sink = CollectingResultsSink()
        let (world, _) = try runWorld(s, sink: sink)
        #expect(world.violations.isEmpty, "\(world.violations)")
        let closed = Set(sink.nodeEpochs.map(\.epoch))
        let allSubsidies = sink.flows.filter { $0.kind.rawValue == "subsidy" }
        // Epochs still open when the run ended have no node_epochs rows yet.
        let subsidies = allSubsidies.filter { closed.contains($0.epoch) }
        let toFund = subsidies.filter { $0.payee.hasPrefix("storageFund") }.reduce(UInt64(0)) { $0 + $1.amountFrost }
        let toCommission = subsidies.filter { $0.payee.hasPrefix("poolCommission") }.reduce(UInt64(0)) { $0 + $1.amountFrost }
        #expect(toFund > 0, "usage subsidies into the storage fund")
        #expect(toCommission > 0, "fixed subsidies into the previous committee's commission")
        // Each previous-committee member got base + shards x per-shard once per epoch.
        let perEpoch = sink.nodeEpochs.filter { $0.subsidiesFrost > 0 }
        #expect(!perEpoch.isEmpty)
        #expect(sink.nodeEpochs.reduce(UInt64(0)) { $0 + $1.subsidiesFrost } == toCommission)
        #expect(world.chain.economy.conservationReport().isBalanced)
    }

    @Test func nodeEpochsSumToTheFlowsPerEpochAndNode() throws {
        var s = econScenario()
        var sub = WalrusSubsidySpec()
        sub.usageRateBP = 2_000
        sub.basePerNodeFrost = 500_000
        sub.poolWAL = 100_000
        s.economics.subsidies = sub
        s.nodes.economics.commissionBP = .list([0, 1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 10_000])
        let sink = CollectingResultsSink()
        _ = try runWorld(s, sink: sink)
        #expect(sink.nodeEpochs.count >= 10 * 5)
        var nonzero = 0
        for r in sink.nodeEpochs {
            func sum(_ kind: String, _ payee: FlowEndpoint) -> UInt64 {
                let name = "\(payee)"
                return sink.flows.filter { $0.epoch == r.epoch && $0.kind.rawValue == kind && $0.payee == name }
                    .reduce(UInt64(0)) { $0 + $1.amountFrost }
            }
            #expect(r.rewardsFrost == sum("reward", .poolRewards(r.node)), "epoch \(r.epoch.rawValue) \(r.node)")
            #expect(r.commissionFrost == sum("commission", .poolCommission(r.node)), "epoch \(r.epoch.rawValue) \(r.node)")
            #expect(r.subsidiesFrost == sum("subsidy", .poolCommission(r.node)), "epoch \(r.epoch.rawValue) \(r.node)")
            if r.rewardsFrost > 0 && r.commissionFrost > 0 { nonzero += 1 }
        }
        #expect(nonzero > 10, "the comparison must cover real payments")
        // Per epoch: the rows' totals equal the flows' totals of those kinds.
        for epoch in Set(sink.nodeEpochs.map(\.epoch.rawValue)) {
            let rows = sink.nodeEpochs.filter { $0.epoch.rawValue == epoch }
            let flows = sink.flows.filter { $0.epoch.rawValue == epoch }
            #expect(rows.reduce(UInt64(0)) { $0 + $1.rewardsFrost } == flows.filter { $0.kind.rawValue == "reward" }.reduce(UInt64(0)) { $0 + $1.amountFrost })
            #expect(rows.reduce(UInt64(0)) { $0 + $1.commissionFrost } == flows.filter { $0.kind.rawValue == "commission" }.reduce(UInt64(0)) { $0 + $1.amountFrost })
        }
    }

    @Test func operatorsWithCostsAboveIncomeLeaveAndTheCommitteeShrinks() throws {
        var s = econScenario(duration: .minutes(80))
        // The five smallest nodes (zipf: the highest ids) cost far more than they can earn.
        s.nodes.economics.fixedCostUSD = .list([0, 0, 0, 0, 0, 1e6, 1e6, 1e6, 1e6, 1e6])
        s.policies = [PolicySpec(kind: .operatorExit(unprofitableEpochs: 1, rejoin: false, rejoinStakeWAL: 0))]
        let sink = CollectingResultsSink()
        let (world, _) = try runWorld(s, sink: sink)
        #expect(world.violations.filter { $0.withinAssumptions }.isEmpty, "\(world.violations)")
        let first = sink.committee.filter { $0.epoch.rawValue == 1 }.map(\.node.index)
        let lastEpoch = sink.committee.map(\.epoch.rawValue).max()!
        let last = sink.committee.filter { $0.epoch.rawValue == lastEpoch }.map(\.node.index)
        #expect(first.count == 10)
        #expect(last.sorted() == [0, 1, 2, 3, 4], "committee of epoch \(lastEpoch): \(last)")
        // Their stake went back: the pools of the leavers hold nothing for the next epoch.
        for i in 5..<10 { #expect(world.chain.economy.pool(NodeID(UInt32(i)))!.walBalance(atEpoch: world.chain.economy.epoch.rawValue + 1) == 0) }
        #expect(world.chain.economy.conservationReport().isBalanced)
    }

    @Test func withZeroCostsNobodyLeaves() throws {
        var s = econScenario(duration: .minutes(80))
        s.policies = [PolicySpec(kind: .operatorExit(unprofitableEpochs: 1, rejoin: false, rejoinStakeWAL: 0))]
        let sink = CollectingResultsSink()
        let (world, _) = try runWorld(s, sink: sink)
        #expect(world.violations.isEmpty, "\(world.violations)")
        for epoch in Set(sink.committee.map(\.epoch.rawValue)) {
            #expect(sink.committee.filter { $0.epoch.rawValue == epoch }.count == 10, "epoch \(epoch)")
        }
        #expect(sink.nodeEpochs.allSatisfy { $0.costUSD == 0 && $0.profitUSD >= 0 })
    }

    @Test func costsAndWalPriceShapeProfit() throws {
        var s = econScenario()
        s.nodes.economics.fixedCostUSD = .constant(2)
        s.nodes.economics.storageCostUSDPerTBMonth = .constant(3)
        s.economics.walPrice = .series([0.5, 0.6, 0.7])
        let sink = CollectingResultsSink()
        _ = try runWorld(s, sink: sink)
        for r in sink.nodeEpochs {
            let price = [0.5, 0.6, 0.7][min(Int(r.epoch.rawValue), 2)]
            #expect(r.walUSD == price)
            let epochSeconds = 600.0
            let expectedCost = 2 + 3 * Double(r.storedBytes) / 1e12 * epochSeconds / (30 * 86_400)
            #expect(abs(r.costUSD - expectedCost) < 1e-9)
            let income = Double(r.commissionFrost + r.subsidiesFrost) / 1e9 * price
            #expect(abs(r.profitUSD - (income - expectedCost)) < 1e-9)
        }
        #expect(sink.nodeEpochs.contains { $0.storedBytes > 0 })
    }

    @Test func economicRunsAreDeterministic() throws {
        func run() throws -> (String, [NodeEpochRecord]) {
            var s = econScenario(duration: .minutes(45))
            s.nodes.economics.storagePriceFrost = .distribution(.normal(mean: 100_000, standardDeviation: 20_000, floor: 1))
            s.nodes.economics.fixedCostUSD = .distribution(.uniform(low: 0, high: 1))
            s.economics.walPrice = .gbm(initialUSD: 0.4, driftPerYear: 0.1, volatilityPerYear: 0.8)
            var sub = WalrusSubsidySpec()
            sub.usageRateBP = 1_000
            sub.poolWAL = 10_000
            s.economics.subsidies = sub
            s.policies = [PolicySpec(kind: .priceVotes(margin: 0.2, writeUSDPerMiB: 0.00001, revoteThreshold: 0.1)),
                          PolicySpec(kind: .delegators(sharePermille: 100, lagEpochs: 1, inertia: 0.05)),
                          PolicySpec(kind: .commission(stepBP: 200))]
            let sink = CollectingResultsSink()
            let (_, scheduler) = try runWorld(s, sink: sink)
            return (scheduler.digest.hex, sink.nodeEpochs)
        }
        let a = try run(), b = try run()
        #expect(a.0 == b.0)
        #expect(a.1 == b.1)
    }

    @Test func priceVotesPeggedToUSDMoveThePriceWithTheWalPrice() throws {
        var s = econScenario()
        s.nodes.economics.storageCostUSDPerTBMonth = .list([1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map { Double($0) * 10_000 })
        s.economics.walPrice = .series([1, 1, 0.5, 0.5, 0.25])
        s.policies = [PolicySpec(kind: .priceVotes(margin: 0, writeUSDPerMiB: 0.000_02, revoteThreshold: 0.1))]
        let sink = CollectingResultsSink()
        _ = try runWorld(s, sink: sink)
        // As WAL halves, the USD-pegged votes (and so the quorum price) double.
        let price = { (e: UInt32) in sink.epochs.first { $0.epoch.rawValue == e }!.storagePriceFrostPerMiB }
        #expect(price(3) > price(2) || price(4) > price(3), "\(sink.epochs.map(\.storagePriceFrostPerMiB))")
        #expect(price(5) > price(2), "\(sink.epochs.map(\.storagePriceFrostPerMiB))")
    }
}
