import TestSupport
import Testing
@testable import Economics
import SimSupport

/// The D'Hondt vectors of `contracts/walrus/tests/staking/staking_inner_tests.move`
/// (`test_dhondt_basic`, `_ties`, `_edge_case`, `_without_max_shards`, `_with_max_shards`),
/// spec §1.3.
struct DhondtVector: Sendable, CustomTestStringConvertible {
    let shards: Int
    let stakes: [UInt64]
    let expected: [Int]
    var testDescription: String { "N=\(shards) stakes=\(stakes.count <= 6 ? "\(stakes)" : "\(stakes.count) nodes")" }
}

let dhondtVectors: [DhondtVector] = {
    let even: [UInt64] = [25_000, 25_000, 25_000, 25_000]
    let uneven: [UInt64] = [50_000, 30_000, 15_000, 5_000]
    let mixed: [UInt64] = [50_000, 50_000, 30_000, 15_000, 15_000, 5_000]
    return [
        // test_dhondt_basic
        DhondtVector(shards: 4, stakes: even, expected: [1, 1, 1, 1]),
        DhondtVector(shards: 778, stakes: even, expected: [195, 195, 194, 194]),
        DhondtVector(shards: 1000, stakes: even, expected: [250, 250, 250, 250]),
        DhondtVector(shards: 4, stakes: uneven, expected: [2, 2, 0, 0]),
        DhondtVector(shards: 777, stakes: uneven, expected: [389, 234, 116, 38]),
        DhondtVector(shards: 1000, stakes: uneven, expected: [500, 300, 150, 50]),
        DhondtVector(shards: 4, stakes: mixed, expected: [2, 1, 1, 0, 0, 0]),
        DhondtVector(shards: 777, stakes: mixed, expected: [236, 236, 142, 70, 70, 23]),
        DhondtVector(shards: 1000, stakes: mixed, expected: [303, 303, 182, 91, 91, 30]),
        // test_dhondt_ties
        DhondtVector(shards: 7, stakes: even, expected: [2, 2, 2, 1]),
        DhondtVector(shards: 6, stakes: even, expected: [2, 2, 1, 1]),
        DhondtVector(shards: 7, stakes: [200, 200, 200, 100], expected: [2, 2, 2, 1]),
        DhondtVector(shards: 9, stakes: [200, 200, 200, 100, 100, 100], expected: [2, 2, 2, 1, 1, 1]),
        DhondtVector(shards: 18, stakes: [780_000, 650_000, 520_000, 390_000, 260_000], expected: [6, 5, 4, 2, 1]),
        // test_dhondt_edge_case
        DhondtVector(shards: 0, stakes: [100, 90, 80], expected: [0, 0, 0]),
        DhondtVector(shards: 5, stakes: [1, 0, 0], expected: [4, 1, 0]),
        DhondtVector(shards: 3, stakes: [1_000_000, 999_999], expected: [2, 1]),
        DhondtVector(shards: 500, stakes: [1_000_000_000_000, 900_000_000_000, 100_000_000_000], expected: [250, 225, 25]),
        // test_dhondt_without_max_shards / test_dhondt_with_max_shards
        DhondtVector(shards: 1000, stakes: [600, 100, 200, 100], expected: [500, 125, 250, 125]),
        DhondtVector(shards: 1000, stakes: (0 ..< 21).map { $0 == 5 ? 200 : 20 }, expected: (0 ..< 21).map { $0 == 5 ? 100 : 45 }),
    ]
}()

/// Textbook D'Hondt with exact rational comparison, one shard at a time, ties to the
/// earlier index: the reference the fast implementation must equal.
func referenceDhondt(_ stakes: [UInt64], shards n: Int) -> [Int] {
    let cap = Apportionment.maxShardsPerNode(nodes: stakes.count, shards: n)
    var a = [Int](repeating: 0, count: stakes.count)
    for _ in 0 ..< n {
        var best = -1
        for i in stakes.indices where a[i] < cap {
            if best < 0 { best = i; continue }
            // s_i/(a_i+1) > s_b/(a_b+1)  <=>  s_i (a_b+1) > s_b (a_i+1)
            if UInt128(stakes[i]) * UInt128(a[best] + 1) > UInt128(stakes[best]) * UInt128(a[i] + 1) { best = i }
        }
        a[best] += 1
    }
    return a
}

@Suite("Apportionment (spec §1.3)")
struct ApportionmentTests {
    @Test("§1.3 D'Hondt vectors from staking_inner_tests.move", arguments: dhondtVectors)
    func contractVectors(_ v: DhondtVector) {
        let got = Apportionment.dhondt(stakes: v.stakes, shards: v.shards)
        #expect(got == v.expected)
        #expect(got?.reduce(0, +) == v.shards)
    }

    @Test("§1.3 the contract vectors also match the textbook reference")
    func vectorsMatchReference() {
        for v in dhondtVectors { #expect(referenceDhondt(v.stakes, shards: v.shards) == v.expected, "\(v.testDescription)") }
    }

    @Test("§1.3 no stake: ENoStake (test_dhondt_no_stake)")
    func noStake() {
        #expect(Apportionment.dhondt(stakes: [0, 0, 0], shards: 0) == nil)
        #expect(Apportionment.dhondt(stakes: [], shards: 10) == nil)
    }

    @Test("§1.3 per-node cap: N/10 from 20 nodes, ceil(2N/k) below", arguments: [
        (20, 1000, 100), (111, 1000, 100), (19, 1000, 106), (10, 1000, 200), (4, 1000, 500), (3, 5, 4), (1, 1000, 2000),
    ])
    func cap(_ k: Int, _ n: Int, _ expected: Int) {
        #expect(Apportionment.maxShardsPerNode(nodes: k, shards: n) == expected)
    }

    @Test("§1.3 property: random stakes sum to N, respect the cap, equal the reference")
    func randomStakes() {
        var rng = SplitMix64(seed: 0x5eed_0001)
        for round in 0 ..< 60 {
            let k = Int.random(in: 1 ... 130, using: &rng)
            let n = [10, 100, 333, 1000][round % 4]
            let heavy = round % 3 == 0
            let stakes: [UInt64] = (0 ..< k).map { _ in
                heavy ? UInt64.random(in: 0 ... 5_000_000_000_000_000, using: &rng) / UInt64(k) : UInt64.random(in: 0 ... 50, using: &rng)
            }
            guard stakes.contains(where: { $0 > 0 }) else { continue }
            guard let got = Apportionment.dhondt(stakes: stakes, shards: n) else {
                // Only when the caps cannot hold N (N < 10 with >= 20 nodes): not in this grid.
                Issue.record("nil apportionment for k=\(k) n=\(n)"); continue
            }
            #expect(got.reduce(0, +) == n)
            let cap = Apportionment.maxShardsPerNode(nodes: k, shards: n)
            #expect(got.allSatisfy { $0 <= cap })
            #expect(got == referenceDhondt(stakes, shards: n), "round \(round) k=\(k) n=\(n)")
        }
    }

    // quorum_above / quorum_below: the unit tests at the end of staking_inner.move (spec §3.2-3.3).
    @Test("§3.3 quorum_above vectors")
    func quorumAbove() {
        let votes: [UInt64] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
        #expect(Apportionment.quorumAbove(Array(zip(votes, [5, 5, 4, 6, 3, 7, 2, 8, 1, 9])).map { ($0, $1) }, shards: 50) == 4)
        #expect(Apportionment.quorumAbove(Array(zip(votes, [17, 1, 1, 1, 3, 7, 2, 8, 1, 9])).map { ($0, $1) }, shards: 50) == 1)
        #expect(Apportionment.quorumAbove([(1, 50)], shards: 50) == 1)
    }

    @Test("§3.2 quorum_below vectors")
    func quorumBelow() {
        let votes: [UInt64] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
        #expect(Apportionment.quorumBelow(Array(zip(votes, [5, 5, 4, 6, 3, 7, 4, 6, 1, 9])).map { ($0, $1) }, shards: 50) == 7)
        #expect(Apportionment.quorumBelow(Array(zip(votes, [5, 5, 4, 6, 3, 7, 1, 1, 1, 17])).map { ($0, $1) }, shards: 50) == 10)
        #expect(Apportionment.quorumBelow([(1, 50)], shards: 50) == 1)
    }

    @Test("§5 quorum is 3w >= 2N+1: 667 of 1000, 334 not")
    func quorum() {
        #expect(Apportionment.isQuorum(weight: 667, shards: 1000))
        #expect(!Apportionment.isQuorum(weight: 666, shards: 1000))
    }
}
