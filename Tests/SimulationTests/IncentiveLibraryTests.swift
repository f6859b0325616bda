import Foundation
import ResultRecords
import ScenarioLoader
import SimEngine
import SimSupport
import Testing

@testable import Simulation

/// The incentive scenarios of `Scenarios/incentives/`, run as shipped (or with one parameter
/// changed), each asserting the direction of the result its comment promises.
@Suite struct IncentiveLibraryTests {
    static func file(_ name: String) throws -> ScenarioFile {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return try ScenarioLoader.load(path: root.appendingPathComponent("Scenarios/incentives/\(name).toml").path)
    }

    static func run(_ s: Scenario) throws -> (World, CollectingResultsSink) {
        let sink = CollectingResultsSink()
        let (world, _) = try runWorld(s, sink: sink)
        return (world, sink)
    }

    /// Members of the last epoch with a committee record.
    static func lastCommittee(_ sink: CollectingResultsSink) -> [Int] {
        let last = sink.committee.map(\.epoch.rawValue).max() ?? 0
        return sink.committee.filter { $0.epoch.rawValue == last }.map(\.node.index)
    }

    @Test func removingTheBaseSubsidyLowersSmallNodesProfitAndShrinksTheCommittee() throws {
        let f = try Self.file("small-node-profitability")
        // Manifest: base_frost 0 (entries 0, 1) then 5 WAL (entries 2, 3), seeds fastest.
        let without = try Self.run(try #require(f.entry(0)).scenario)
        let with = try Self.run(try #require(f.entry(2)).scenario)
        func smallProfit(_ sink: CollectingResultsSink) -> Double {
            sink.nodeEpochs.filter { $0.node.index >= 10 }.reduce(0) { $0 + $1.profitUSD }
        }
        #expect(smallProfit(without.1) < smallProfit(with.1))
        #expect(Self.lastCommittee(without.1).count < Self.lastCommittee(with.1).count)
        #expect(Self.lastCommittee(with.1).count == 20)
        #expect(without.0.chain.economy.conservationReport().isBalanced && with.0.chain.economy.conservationReport().isBalanced)
    }

    @Test func higherOperatorCostsShrinkTheCommittee() throws {
        let base = try #require(try Self.file("small-node-profitability").entry(2)).scenario
        var costly = base
        costly.nodes.economics.fixedCostUSD = .constant(4)
        let cheap = try Self.run(base), dear = try Self.run(costly)
        #expect(Self.lastCommittee(dear.1).count < Self.lastCommittee(cheap.1).count)
    }

    @Test func delegatorsChasingYieldConcentrateStake() throws {
        let (_, sink) = try Self.run(try #require(try Self.file("yield-chasing").entry(0)).scenario)
        func concentration(_ epoch: UInt32) -> Double {
            let members = sink.committee.filter { $0.epoch.rawValue == epoch }
            let total = members.reduce(0.0) { $0 + Double($1.stakeFrost) }
            return (members.map { Double($0.stakeFrost) }.max() ?? 0) / total
        }
        let last = sink.committee.map(\.epoch.rawValue).max()!
        #expect(concentration(last) > concentration(1) * 1.2, "\(concentration(1)) -> \(concentration(last))")
        // Stake flows to the cheapest node (commission 500 bp).
        let top = sink.committee.filter { $0.epoch.rawValue == last }.max { $0.stakeFrost < $1.stakeFrost }!
        #expect(top.node.index == 0)
    }

    @Test func inAPriceWarTheQuorumPriceFollowsTheFallingWalPrice() throws {
        let (world, sink) = try Self.run(try #require(try Self.file("price-war").entry(0)).scenario)
        let prices = sink.epochs.sorted { $0.epoch < $1.epoch }.map(\.storagePriceFrostPerMiB)
        #expect(prices.count >= 10)
        // WAL at 0.8, then 0.4, then 0.2 USD: USD-pegged votes double at each step.
        #expect(prices[prices.count - 1] > prices[2] * 3, "\(prices)")
        #expect(world.violations.isEmpty, "\(world.violations)")
        // Commissions converge toward the median.
        let first = sink.nodeEpochs.filter { $0.epoch.rawValue == 1 }.map(\.commissionBP)
        let lastEpoch = sink.nodeEpochs.map(\.epoch.rawValue).max()!
        let last = sink.nodeEpochs.filter { $0.epoch.rawValue == lastEpoch }.map(\.commissionBP)
        #expect(last.max()! - last.min()! < first.max()! - first.min()!)
    }

    @Test func theSubsidyTaperStartsAtItsEpochAndStopsWhenThePoolIsDry() throws {
        let (world, sink) = try Self.run(try #require(try Self.file("subsidy-taper").entry(0)).scenario)
        let fromContract = sink.flows.filter { $0.kind.rawValue == "subsidy" && $0.payer == "walrusSubsidyPool" }
        #expect(!fromContract.isEmpty)
        #expect(fromContract.allSatisfy { $0.epoch.rawValue >= 3 })
        let lastEpoch = sink.flows.map(\.epoch.rawValue).max()!
        #expect(!fromContract.contains { $0.epoch.rawValue == lastEpoch }, "the 200 WAL pool runs dry before the end")
        #expect(sink.flows.contains { $0.kind.rawValue == "buyer_refund" })
        #expect(world.chain.economy.conservationReport().isBalanced)
    }
}
