import TestSupport
import Testing
@testable import Economics
import SimSupport

private func n(_ i: UInt32) -> NodeID { NodeID(i) }
private func s(_ xs: [Int]) -> [ShardIndex] { xs.map { ShardIndex(UInt16($0)) } }

@Suite("Committee and active set (spec §1.3, §1.4)")
struct CommitteeTests {
    // committee_tests.move: sort_and_preserve_shards_correctly
    @Test("§1.4 initialize sorts by node id and hands out contiguous ranges; transition keeps and fills")
    func sortAndPreserve() {
        let nodes = [n(3), n(2), n(1), n(0)]
        let c = Committee.initialize(nodes.map { ($0, 2) })
        #expect(c.shards(of: n(0)) == s([0, 1]))
        #expect(c.shards(of: n(1)) == s([2, 3]))
        #expect(c.shards(of: n(2)) == s([4, 5]))
        #expect(c.shards(of: n(3)) == s([6, 7]))
        let c2 = c.transition(to: [(n(3), 4), (n(2), 4)])
        #expect(c2.count == 2)
        #expect(Set(c2.shards(of: n(3))) == Set(s([6, 7, 1, 0])))
        #expect(Set(c2.shards(of: n(2))) == Set(s([4, 5, 2, 3])))
        // Exact order: leaving nodes 0 and 1 push [0,1,2,3]; the growing old members are served
        // in node-id order, each popping LIFO: node 2 takes 3, 2 and node 3 takes 1, 0.
        #expect(c2.shards(of: n(2)) == s([4, 5, 3, 2]))
        #expect(c2.shards(of: n(3)) == s([6, 7, 1, 0]))
    }

    // committee_tests.move: default_scenario
    @Test("member lookups agree with the member list, with dense ids (a table) and sparse ones (bisection)")
    func memberLookupsAgreeWithTheList() {
        for ids in [Array(UInt32(0)..<300).filter { $0 % 3 != 1 }, [7, 90_000, 4_000_000_000]] {
            let c = Committee.initialize(ids.enumerated().map { (n($1), 1 + $0 % 4) })
            for (i, member) in c.members.enumerated() {
                #expect(c.memberIndex(of: member.node) == i)
                #expect(c.weight(of: member.node) == member.shards.count && c.shards(of: member.node) == member.shards)
            }
            for absent in [1, 298, 299, 300, 5_000, 4_000_000_001] as [UInt32] where !ids.contains(absent) {
                #expect(c.memberIndex(of: n(absent)) == nil && c.weight(of: n(absent)) == 0 && !c.contains(n(absent)))
            }
        }
        #expect(Committee.empty.memberIndex(of: n(0)) == nil)
    }

    @Test("§1.4 default scenario of committee_tests.move")
    func defaultScenario() {
        let c = Committee.initialize([1, 2, 3, 4, 5].map { (n($0), 2) })
        #expect(c.shards(of: n(5)) == s([8, 9]))
        let c2 = c.transition(to: [(n(1), 4), (n(2), 3), (n(3), 3)])
        #expect(c2.count == 3)
        #expect(c2.weight(of: n(1)) == 4 && c2.shards(of: n(1)).starts(with: s([0, 1])))
        #expect(c2.weight(of: n(2)) == 3 && c2.shards(of: n(2)).starts(with: s([2, 3])))
        #expect(c2.weight(of: n(3)) == 3 && c2.shards(of: n(3)).starts(with: s([4, 5])))
        let c3 = c2.transition(to: [(n(2), 3), (n(3), 3), (n(4), 2), (n(5), 2)])
        #expect(c3.shards(of: n(2)) == c2.shards(of: n(2)))
        #expect(c3.shards(of: n(3)) == c2.shards(of: n(3)))
        #expect(c3.weight(of: n(4)) == 2 && c3.weight(of: n(5)) == 2)
        let c4 = c3.transition(to: [(n(1), 10)])
        #expect(c4.count == 1)
        #expect(Set(c4.shards(of: n(1))) == Set(s(Array(0 ..< 10))))
    }

    // committee_tests.move: ignore_empty_assignments
    @Test("§1.4 zero counts are ignored; unchanged nodes keep their exact lists")
    func ignoreEmpty() {
        let c = Committee.initialize([(n(1), 2), (n(2), 2), (n(3), 2), (n(4), 0), (n(5), 0)])
        #expect(c.count == 3)
        let c2 = c.transition(to: [(n(1), 0), (n(2), 2), (n(3), 2), (n(4), 2), (n(5), 0)])
        #expect(c2.count == 3)
        #expect(c2.shards(of: n(2)) == c.shards(of: n(2)))
        #expect(c2.shards(of: n(3)) == c.shards(of: n(3)))
        #expect(c2.shards(of: n(4)) == s([1, 0]))  // node 1's shards, popped LIFO
    }

    @Test("§1.4 shrinking nodes give up shards from the end of their list")
    func shrinkFromEnd() {
        let c = Committee.initialize([(n(0), 4), (n(1), 0)])
        let c2 = c.transition(to: [(n(0), 1), (n(1), 3)])
        // Node 0 pushes 3, 2, 1 (popping its list from the end); node 1 pops 1, 2, 3.
        #expect(c2.shards(of: n(0)) == s([0]))
        #expect(c2.shards(of: n(1)) == s([1, 2, 3]))
    }

    @Test("§1.4 new members are served before growing old members, in active-set order")
    func pendingOrder() {
        let c = Committee.initialize([(n(1), 3), (n(5), 3)])  // 1: [0,1,2], 5: [3,4,5]
        // Node 5 leaves (stack [3,4,5]); new nodes 9 then 7 (active-set order), then old 1 grows.
        let c2 = c.transition(to: [(n(9), 1), (n(7), 1), (n(1), 4)])
        #expect(c2.shards(of: n(9)) == s([5]))
        #expect(c2.shards(of: n(7)) == s([4]))
        #expect(c2.shards(of: n(1)) == s([0, 1, 2, 3]))
        #expect(c2.members.map(\.node) == [n(1), n(7), n(9)])
    }

    @Test("§1.4 property: transitions keep every shard once and move exactly Σ max(0, old − new)")
    func minimalMoves() {
        var rng = SplitMix64(seed: 0x5eed_0002)
        let nShards = 200
        var committee = Committee.initialize((0 ..< 12).map { (n(UInt32($0)), $0 < 8 ? 25 : 0) })
        for _ in 0 ..< 80 {
            let k = Int.random(in: 1 ... 30, using: &rng)
            let ids = (0 ..< 60).shuffled(using: &rng).prefix(k).map { n(UInt32($0)) }
            let stakes = ids.map { _ in UInt64.random(in: 1 ... 1_000, using: &rng) }
            let counts = Apportionment.dhondt(stakes: stakes, shards: nShards)!
            let next = committee.transition(to: Array(zip(ids, counts)).map { ($0, $1) })
            let owners = next.ownerByShard(nShards: nShards)
            #expect(owners.allSatisfy { $0 != nil })
            #expect(next.totalShards == nShards)
            #expect(next.members.map(\.node) == next.members.map(\.node).sorted())
            let before = committee.ownerByShard(nShards: nShards)
            let changed = zip(before, owners).filter { $0 != $1 }.count
            #expect(changed == committee.movedShardCount(to: next))
            for (id, c) in zip(ids, counts) { #expect(next.weight(of: id) == c) }
            committee = next
        }
    }

    // active_set.move: test_evict_correct_node_simple and the insertion rules.
    @Test("§1.3 active set: append, evict the first smallest, swap-remove")
    func activeSet() {
        var set = ActiveSet(maxSize: 5)
        for (i, st) in [10, 9, 8, 7, 6].enumerated() { set.insertOrUpdate(n(UInt32(i + 1)), stakeFrost: UInt64(st)) }
        #expect(set.totalStakeFrost == 40)
        let admitted = set.insertOrUpdate(n(6), stakeFrost: 11)
        #expect(admitted)
        #expect(set.entries.map(\.node) == [n(1), n(2), n(3), n(4), n(6)])  // 5 overwritten in place
        #expect(set.totalStakeFrost == 45)
        let refused = !set.insertOrUpdate(n(7), stakeFrost: 7)  // not larger than the minimum (7)
        #expect(refused)
        set.insertOrUpdate(n(2), stakeFrost: 0)  // swap-remove: 6 moves into slot 1
        #expect(set.entries.map(\.node) == [n(1), n(6), n(3), n(4)])
        #expect(set.totalStakeFrost == 36)
        set.insertOrUpdate(n(3), stakeFrost: 1)
        #expect(set.stake(of: n(3)) == 1)
        set.insertOrUpdate(n(8), stakeFrost: 5)  // room again: appended
        set.insertOrUpdate(n(9), stakeFrost: 2)  // full: evicts node 3 (stake 1) in place
        #expect(set.entries.map(\.node) == [n(1), n(6), n(9), n(4), n(8)])
    }

    @Test("§1.3 active set: ties in the minimum evict the earliest slot")
    func evictEarliestMinimum() {
        var set = ActiveSet(maxSize: 3)
        set.insertOrUpdate(n(1), stakeFrost: 5)
        set.insertOrUpdate(n(2), stakeFrost: 3)
        set.insertOrUpdate(n(3), stakeFrost: 3)
        set.insertOrUpdate(n(4), stakeFrost: 4)
        #expect(set.entries.map(\.node) == [n(1), n(4), n(3)])
    }
}
