import Testing

@testable import SimSupport

@Suite struct TimeTests {
    @Test func arithmeticSaturatesInsteadOfTrapping() {
        #expect(SimTime.distantFuture + .seconds(1) == .distantFuture)
        #expect(SimTime(nanoseconds: 5) - SimTime(nanoseconds: 9) == .zero)
        #expect(SimDuration(nanoseconds: .max) * 2 == SimDuration(nanoseconds: .max))
        #expect(SimDuration(seconds: 1.5) == .milliseconds(1_500))
        #expect(SimDuration(seconds: -3.0) == .zero)
        #expect(SimDuration(seconds: .nan) == .zero)
    }

    @Test func descriptions() {
        #expect(SimDuration.milliseconds(12).description == "12ms")
        #expect(SimDuration.milliseconds(1_500).description == "1.5s")
        #expect(SimDuration.days(3).description == "3d")
        #expect((SimDuration.days(3) + .hours(2)).description == "3d2h")
        #expect(SimDuration.nanoseconds(7).description == "7ns")
    }
}

@Suite struct MoneyTests {
    @Test func checkedArithmetic() {
        #expect(Frost(5).adding(Frost(7)) == Frost(12))
        #expect(Frost(.max).adding(Frost(1)) == nil)
        #expect(Frost(5).subtracting(Frost(6)) == nil)
        #expect(Frost.wal(5_000_000_000) == Frost(5_000_000_000_000_000_000))
        #expect(Frost.wal(UInt64.max / 1_000) == nil)
    }

    @Test func mulDivUses128BitIntermediates() {
        // 5e18 * 9_999 / 10_000 overflows 64 bits in the middle but not at the end.
        #expect(mulDiv(5_000_000_000_000_000_000, 9_999, 10_000) == 4_999_500_000_000_000_000)
        #expect(mulDiv(1, 1, 0) == nil)
        #expect(mulDiv(.max, .max, 1) == nil)
        #expect(BasisPoints(300).of(Frost(1_000_000)) == Frost(30_000))
        #expect(Frost(7).scaled(by: 1, over: 2) == Frost(3))  // floor, as the contracts do
    }

    @Test func description() {
        #expect(Frost(1_500_000_000).description == "1.5 WAL")
        #expect(Frost(3_000_000_000).description == "3 WAL")
        #expect(Frost(1).description == "0.000000001 WAL")
    }
}

@Suite struct DigestTests {
    @Test func orderAndContentMatter() {
        var a = TraceDigest(), b = TraceDigest(), c = TraceDigest()
        a.absorb(1); a.absorb(2)
        b.absorb(1); b.absorb(2)
        c.absorb(2); c.absorb(1)
        #expect(a == b)
        #expect(a != c)
        #expect(a.hex.count == 32)
        #expect(a.count == 2)
    }

    /// Pins the digest function itself: it is part of every stored run's identity.
    @Test func pinned() {
        var d = TraceDigest()
        for w in UInt64(0)..<100 { d.absorb(w &* 0x1234_5678_9abc_def1) }
        d.absorb("walrus")
        #expect(d.hex == PINNED_DIGEST)
    }

    @Test func stringsAreLengthPrefixed() {
        var a = TraceDigest(), b = TraceDigest()
        a.absorb("ab"); a.absorb("c")
        b.absorb("a"); b.absorb("bc")
        #expect(a != b)
    }

    @Test func streamSeedsArePinned() {
        #expect(SeedDerivation.streamSeed(runSeed: 1, component: "network", index: 0) == PINNED_STREAM_SEED)
    }
}
