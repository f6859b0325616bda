import SimSupport
import Testing

@testable import SimEngine

/// The first draws of every distribution for one fixed stream. Recorded once; any change to
/// seed derivation, the generator or the GSL calls shows up here. (Same toolchain and GSL
/// version: GSL 2.7.1 on Debian 12, as CI installs.)
func firstDraws() -> [String] {
    let streams = RandomStreams(runSeed: 2026)
    let s = streams.stream("test", index: 3)
    func f(_ x: Double) -> String { String(x) }
    var out: [String] = []
    out.append("u64 \(s.nextUInt64()) \(s.nextUInt64())")
    out.append("uniform \(f(s.uniform())) \(f(s.uniform()))")
    out.append("int \(s.uniformInt(below: 10)) \(s.uniformInt(below: 1_000_000_007)) \(s.uniformInt(in: -5...5))")
    out.append("bernoulli \((0..<16).map { _ in s.bernoulli(1, over: 3) ? "1" : "0" }.joined())")
    out.append("exponential \(f(s.exponential(mean: 2)))")
    out.append("normal \(f(s.normal(mean: 10, standardDeviation: 2)))")
    out.append("lognormal \(f(s.lognormal(mu: 1, sigma: 0.5)))")
    out.append("pareto \(f(s.pareto(shape: 1.5, scale: 3)))")
    out.append("weibull \(f(s.weibull(scale: 2, shape: 1.5)))")
    out.append("gamma \(f(s.gamma(shape: 2, scale: 3)))")
    out.append("poisson \(s.poisson(mean: 4))")
    out.append("binomial \(s.binomial(probability: 0.3, trials: 20))")
    out.append("multinomial \(s.multinomial(trials: 100, weights: [1, 2, 3, 4]))")
    out.append("dirichlet \(s.dirichlet(alpha: [1, 1, 2]).map(f))")
    let alias = try! AliasTable(weights: [0.1, 0, 0.6, 0.3])
    out.append("alias \((0..<12).map { _ in String(alias.sample(s)) }.joined())")
    out.append("sample \(s.sample(3, from: 10))")
    out.append("shuffled \(s.shuffled(Array(0..<6)))")
    return out
}

@Suite struct RandomStreamTests {
    @Test func firstDrawsArePinned() {
        let draws = firstDraws()
        #expect(draws == PINNED_DRAWS, Comment(rawValue: "\n" + draws.joined(separator: "\n")))
    }

    @Test func sameArgumentsSameStream() {
        let a = RandomStreams(runSeed: 5).stream("network", index: 2)
        let b = RandomStreams(runSeed: 5).stream("network", index: 2)
        #expect((0..<100).map { _ in a.nextUInt64() } == (0..<100).map { _ in b.nextUInt64() })
    }

    @Test func streamsAreIndependent() {
        // Drawing from one stream never shifts another.
        let streams = RandomStreams(runSeed: 5)
        let quiet = streams.stream("workload")
        let reference = (0..<50).map { _ in quiet.nextUInt64() }
        let again = streams.stream("workload")
        let busy = streams.stream("network")
        var interleaved: [UInt64] = []
        for _ in 0..<50 {
            for _ in 0..<3 { _ = busy.exponential(mean: 1) }
            interleaved.append(again.nextUInt64())
        }
        #expect(interleaved == reference)
    }

    @Test func componentIndexAndSeedAllMatter() {
        let first = { (s: RandomStream) in s.nextUInt64() }
        let base = first(RandomStreams(runSeed: 1).stream("node", index: 0))
        #expect(first(RandomStreams(runSeed: 2).stream("node", index: 0)) != base)
        #expect(first(RandomStreams(runSeed: 1).stream("node", index: 1)) != base)
        #expect(first(RandomStreams(runSeed: 1).stream("nodes", index: 0)) != base)
        // Thousands of per-node streams: no two share a seed.
        let seeds = Set((0..<10_000).map { SeedDerivation.streamSeed(runSeed: 1, component: "node", index: UInt64($0)) })
        #expect(seeds.count == 10_000)
    }

    @Test func uniformIntIsUnbiasedEnough() {
        let s = RandomStreams(runSeed: 9).stream("chi2")
        var counts = [Int](repeating: 0, count: 7)
        let n = 70_000
        for _ in 0..<n { counts[Int(s.uniformInt(below: 7))] += 1 }
        let expected = Double(n) / 7
        let chi2 = counts.reduce(0.0) { $0 + (Double($1) - expected) * (Double($1) - expected) / expected }
        #expect(chi2 < 22.46)  // p = 0.001 for 6 degrees of freedom
    }

    @Test func bernoulliIsExactInIntegers() {
        let s = RandomStreams(runSeed: 3).stream("b")
        #expect((0..<1000).allSatisfy { _ in !s.bernoulli(0, over: 7) })
        #expect((0..<1000).allSatisfy { _ in s.bernoulli(7, over: 7) })
    }

    @Test func distributionsValidateTheirParameters() {
        let bad: [Distribution] = [
            .exponential(mean: 0), .exponential(mean: -1), .uniform(low: 2, high: 1),
            .lognormal(mu: 0, sigma: 0), .pareto(shape: -1, scale: 1), .weibull(scale: 1, shape: .nan),
            .gamma(shape: 1, scale: .infinity), .normal(mean: 0, standardDeviation: -1, floor: 0), .constant(.nan),
        ]
        for d in bad { #expect(throws: DistributionError.self, "\(d)") { try d.validate() } }
        let good: [Distribution] = [
            .constant(3), .uniform(low: 0, high: 1), .exponential(mean: 2), .normal(mean: 5, standardDeviation: 1, floor: 0),
            .lognormal(mu: 1, sigma: 0.5), .pareto(shape: 2, scale: 1), .weibull(scale: 1, shape: 2), .gamma(shape: 2, scale: 2),
        ]
        let s = RandomStreams(runSeed: 1).stream("d")
        for d in good {
            #expect(throws: Never.self) { try d.validate() }
            // Sample means land near the analytic means.
            let n = 20_000
            let mean = (0..<n).reduce(0.0) { acc, _ in acc + d.sample(s) } / Double(n)
            #expect(abs(mean - d.mean!) < 0.1 * max(1, d.mean!), "\(d): \(mean) vs \(d.mean!)")
        }
    }

    @Test func aliasTableRejectsBadWeights() {
        #expect(throws: DistributionError.self) { try AliasTable(weights: []) }
        #expect(throws: DistributionError.self) { try AliasTable(weights: [0, 0]) }
        #expect(throws: DistributionError.self) { try AliasTable(weights: [1, -1]) }
        #expect(throws: DistributionError.self) { try AliasTable(weights: [1, .nan]) }
    }
}
