import Foundation
import RedStuff
import ResultRecords
import ScenarioLoader
import SimEngine
import SimSupport
import Testing
import WalrusModel

@testable import Simulation

/// A small modeled world (10 nodes, `shards` shards, one-hour epochs) with these workload tables.
func workloadScenario(_ workloads: String, shards: Int = 40, duration: String = "6h", encoding: String = "modeled", seed: Int = 7) throws -> Scenario {
    let toml = """
        name = "workloads"
        seed = \(seed)
        duration = "\(duration)"
        [nodes]
        count = 10
        shards = \(shards)
        [economics]
        preset = "testnet"
        epoch_duration = "1h"
        [clients]
        count = 2
        [fidelity]
        encoding = "\(encoding)"
        signatures = "modeled"
        \(workloads)
        """
    return try #require(try ScenarioLoader.load(source: toml, file: "workloads.toml").entry(0)).scenario
}

@Suite struct ArrivalProcessTests {
    /// Arrival times of `count` operations of `process` with exponential gaps of mean `mean` s.
    static func arrivals(_ process: ArrivalProcess, mean: Double, count: Int, seed: UInt64 = 1) -> [Double] {
        let stream = RandomStreams(runSeed: seed).stream("test.arrivals")
        var t = SimTime.zero, left = 0, times: [Double] = []
        for _ in 0..<count {
            times.append(Double(t.nanoseconds) / 1e9)
            t = t + process.gap(after: t, gaps: .exponential(mean: mean), stream: stream, operationsLeftInBurst: &left)
        }
        return times
    }

    @Test func aRenewalProcessKeepsTheMeanGap() {
        let times = Self.arrivals(.renewal, mean: 10, count: 20_000)
        let meanGap = times.last! / Double(times.count - 1)
        #expect(abs(meanGap - 10) < 0.3, "\(meanGap)")
    }

    /// Amplitude 0.5: the peak hour sees (1 + 0.5) / (1 - 0.5) = 3 times the trough hour's
    /// operations, and the mean rate is the base rate.
    @Test func aDiurnalProcessPeaksAtItsPeakAndKeepsTheMeanRate() {
        let process = ArrivalProcess.diurnal(amplitude: 0.5, peak: .seconds(20 * 3_600), period: .seconds(86_400))
        let times = Self.arrivals(process, mean: 30, count: 60_000)
        var perHour = [Int](repeating: 0, count: 24)
        let days = (times.last! / 86_400).rounded(.down)
        for t in times where t < days * 86_400 { perHour[Int(t.truncatingRemainder(dividingBy: 86_400) / 3_600)] += 1 }
        let peak = Double(perHour[20]), trough = Double(perHour[8])
        #expect(perHour.firstIndex(of: perHour.max()!).map { (19...21).contains($0) } == true, "\(perHour)")
        #expect(peak / trough > 2.4 && peak / trough < 3.7, "peak \(peak) trough \(trough)")
        let rate = Double(perHour.reduce(0, +)) / (days * 86_400)
        #expect(abs(rate * 30 - 1) < 0.05, "rate \(rate) per s, expected 1/30")
    }

    @Test func theDiurnalClockInvertsItsOperationalTime() {
        for (t0, g) in [(0.0, 100.0), (5_000, 40_000), (86_000, 1), (1e7, 123_456)] {
            let t = ArrivalProcess.diurnalTime(after: t0, operationalGap: g, amplitude: 0.9, peak: 3_600, period: 86_400)
            let lt = ArrivalProcess.diurnalOperationalTime(t, amplitude: 0.9, peak: 3_600, period: 86_400)
            let l0 = ArrivalProcess.diurnalOperationalTime(t0, amplitude: 0.9, peak: 3_600, period: 86_400)
            #expect(abs(lt - l0 - g) < 1e-6 * max(1, t0 / 1e6), "t0 \(t0) g \(g): \(lt - l0)")
        }
    }

    /// Bursts of 10...200 operations 0.5 s apart, idle gaps of days in between: the gaps above an
    /// hour separate bursts whose mean size is about 105.
    @Test func aBurstyProcessWritesInBursts() {
        let process = ArrivalProcess.bursty(burstOperations: .uniform(low: 10, high: 200), idleSeconds: .exponential(mean: 3 * 86_400))
        let times = Self.arrivals(process, mean: 0.5, count: 20_000)
        let gaps = zip(times.dropFirst(), times).map { $0 - $1 }
        let idle = gaps.filter { $0 > 3_600 }.count
        let meanBurst = Double(times.count) / Double(idle + 1)
        #expect(meanBurst > 90 && meanBurst < 120, "mean burst \(meanBurst)")
        #expect(gaps.filter { $0 > 60 && $0 <= 3_600 }.count < idle / 5, "few gaps between the two regimes")
    }
}

@Suite struct ReadSelectorTests {
    static func selector(_ popularity: ReadPopularity, reread: UInt64 = 0, source: Int? = nil) -> ReadSelector {
        var spec = ReadWorkload(interArrivalSeconds: .constant(1), count: 1)
        spec.popularity = popularity
        spec.rereadPermille = reread
        return ReadSelector(spec, source: source)
    }

    static func certifyAll(_ s: ReadSelector, count: Int, every: SimDuration = .seconds(60), writer: (Int) -> Int = { _ in 0 }) {
        let popularity = RandomStreams(runSeed: 5).stream("test.popularity")
        for i in 0..<count {
            s.certified(BlobRef(UInt32(i)), writer: writer(i), at: SimTime.zero + SimDuration(nanoseconds: every.nanoseconds * UInt64(i))) {
                1 - popularity.uniform()
            }
        }
    }

    @Test func theFenwickTreeFindsTheSlotALinearScanFinds() {
        let stream = RandomStreams(runSeed: 9).stream("test.fenwick")
        var tree = FenwickTree()
        var weights: [UInt128] = []
        for _ in 0..<300 {
            let w = UInt128(stream.uniformInt(below: 1_000))
            tree.append(w)
            weights.append(w)
        }
        for slot in stride(from: 0, to: 300, by: 7) { tree.zero(slot); weights[slot] = 0 }
        #expect(tree.total == weights.reduce(0, +))
        for _ in 0..<2_000 {
            let point = UInt128(stream.uniformInt(below: UInt64(tree.total)))
            var sum: UInt128 = 0, expected = 0
            for (i, w) in weights.enumerated() { sum += w; if sum > point { expected = i; break } }
            #expect(tree.slot(containing: point) == expected)
        }
    }

    /// Each blob is read in proportion to its Zipf weight: the ten most popular blobs' shares
    /// match their weights' shares.
    @Test func zipfReadsFollowTheBlobsWeights() {
        let s = Self.selector(.zipf(exponent: 1))
        Self.certifyAll(s, count: 2_000)
        let stream = RandomStreams(runSeed: 11).stream("test.reads")
        var counts: [UInt32: Int] = [:]
        let picks = 100_000
        for _ in 0..<picks { counts[s.pick(now: .zero, stream: stream, isReadable: { _ in true })!.index, default: 0] += 1 }
        // Recompute the weights the selector used (same draws, same order).
        let popularity = RandomStreams(runSeed: 5).stream("test.popularity")
        let weights = (0..<2_000).map { _ in Double(ReadSelector.zipfWeight(uniform: 1 - popularity.uniform(), exponent: 1)) }
        let total = weights.reduce(0, +)
        let top = weights.indices.sorted { weights[$0] > weights[$1] }.prefix(10)
        for i in top {
            let expected = weights[i] / total * Double(picks)
            #expect(abs(Double(counts[UInt32(i)] ?? 0) - expected) < 5 * expected.squareRoot() + 10, "blob \(i): \(counts[UInt32(i)] ?? 0) vs \(expected)")
        }
        // Zipf with s = 1 over 2,000 blobs: the top 1% of blobs draw far more than 1% of reads.
        let topShare = Double(weights.indices.sorted { weights[$0] > weights[$1] }.prefix(20).map { counts[UInt32($0)] ?? 0 }.reduce(0, +)) / Double(picks)
        #expect(topShare > 0.3, "top 1% share \(topShare)")
    }

    /// Reads aim at an exponential age with median = the half-life.
    @Test func recencyReadsHaveTheHalfLifeAsTheirMedianAge() {
        let s = Self.selector(.recency(halfLife: .minutes(60)))
        Self.certifyAll(s, count: 2_000, every: .minutes(1))
        let now = SimTime.zero + .minutes(2_000)
        let stream = RandomStreams(runSeed: 12).stream("test.reads")
        let ages = (0..<20_000).map { _ in 2_000 - Double(s.pick(now: now, stream: stream, isReadable: { _ in true })!.index) }.sorted()
        let median = ages[ages.count / 2]
        #expect(median > 54 && median < 66, "median age \(median) minutes")
    }

    @Test func sequentialReadsGoInOrderSkipTheDeadAndWrapAround() {
        let s = Self.selector(.sequential)
        Self.certifyAll(s, count: 300)
        let dead = Set((0..<300).filter { $0 % 3 == 0 }.map { UInt32($0) })
        let stream = RandomStreams(runSeed: 13).stream("test.reads")
        let picks = (0..<400).map { _ in s.pick(now: .zero, stream: stream, isReadable: { !dead.contains($0.index) })!.index }
        let live = (0..<300).map(UInt32.init).filter { !dead.contains($0) }
        #expect(Array(picks.prefix(live.count)) == live)
        #expect(Array(picks.dropFirst(live.count)) == Array(live.prefix(400 - live.count)))
    }

    @Test func deadBlobsAreNeverPickedAndNoneReadableGivesNil() {
        for popularity in [ReadPopularity.uniform, .zipf(exponent: 1.2), .recency(halfLife: .minutes(30)), .sequential] {
            let s = Self.selector(popularity, source: 0)
            Self.certifyAll(s, count: 500)
            let stream = RandomStreams(runSeed: 14).stream("test.reads")
            var alive = Set((0..<500).map { UInt32($0) }.filter { $0 % 2 == 1 })
            for _ in 0..<2_000 {
                guard let b = s.pick(now: SimTime.zero + .minutes(500), stream: stream, isReadable: { alive.contains($0.index) }) else {
                    Issue.record("\(popularity): nothing picked"); break
                }
                #expect(alive.contains(b.index), "\(popularity) picked a dead blob")
            }
            alive = []
            #expect(s.pick(now: .zero, stream: stream, isReadable: { alive.contains($0.index) }) == nil)
        }
    }

    @Test func readsOfOneWorkloadPickOnlyItsBlobs() {
        let s = Self.selector(.zipf(exponent: 0.8), source: 1)
        Self.certifyAll(s, count: 400, writer: { $0 % 4 == 0 ? 1 : 0 })
        let stream = RandomStreams(runSeed: 15).stream("test.reads")
        for _ in 0..<1_000 { #expect(s.pick(now: .zero, stream: stream, isReadable: { _ in true })!.index % 4 == 0) }
    }

    @Test func rereadsReturnToRecentlyReadBlobs() {
        let s = Self.selector(.uniform, reread: 400, source: 0)
        Self.certifyAll(s, count: 100_000)
        let stream = RandomStreams(runSeed: 16).stream("test.reads")
        var recent: [UInt32] = [], again = 0
        for _ in 0..<5_000 {
            let b = s.pick(now: .zero, stream: stream, isReadable: { _ in true })!.index
            if recent.contains(b) { again += 1 }
            recent.append(b)
            if recent.count > ReadWorkload.rereadWindow { recent.removeFirst() }
        }
        // 40% re-reads; uniform picks among 100,000 blobs almost never repeat by chance.
        #expect(again > 1_800 && again < 2_200, "\(again) re-reads of 5,000")
    }
}

@Suite struct WorkloadPresetTests {
    /// Each preset's documented shape: sizes around its median (or inside its range), and its
    /// arrival process and read popularity.
    @Test(arguments: WorkloadPreset.allCases)
    func presetsHaveTheirDocumentedShape(_ preset: WorkloadPreset) {
        let writes = preset.writes(count: 10), reads = preset.reads(count: 10)
        let stream = RandomStreams(runSeed: 3).stream("test.sizes")
        let sizes = (0..<4_001).map { _ in writes.sizeBytes.sample(stream) }.sorted()
        let median = sizes[2_000]
        let (kib, mib, gib) = (1_024.0, 1_048_576.0, 1_073_741_824.0)
        switch preset {
        case .aiDataset:
            #expect(sizes.first! >= 64 * mib && sizes.last! <= 512 * mib)
            #expect(writes.arrival.name == "bursty" && reads.popularity == .sequential)
        case .modelWeights:
            #expect(median > 1.6 * gib && median < 2.5 * gib)
            #expect(writes.lifetimeEpochs.lowerBound >= 13)
            if case .recency = reads.popularity {} else { Issue.record("model weights are read newest first") }
        case .agentMemory:
            #expect(median > 1.6 * kib && median < 2.5 * kib)
            #expect(writes.lifetimeEpochs == 1...2 && writes.deletablePermille > 0 && reads.rereadPermille > 0)
            if case .recency = reads.popularity {} else { Issue.record("agent memory is read after write") }
        case .media:
            #expect(median > 200 * kib && median < 320 * kib)
            #expect(writes.arrival.name == "diurnal" && reads.popularity == .zipf(exponent: 0.8))
        case .website:
            #expect(median > 12 * kib && median < 20 * kib)
            #expect(writes.arrival.name == "bursty" && reads.arrival.name == "diurnal")
            if case .zipf = reads.popularity {} else { Issue.record("visitors read by popularity") }
        case .archive:
            #expect(median > 0.8 * gib && median < 1.25 * gib)
            #expect(writes.lifetimeEpochs.lowerBound >= 26 && reads.popularity == .uniform)
        }
        #expect(writes.preset == preset.rawValue && reads.preset == preset.rawValue)
    }

    /// Every preset, as a scenario file names it, runs end to end at Mainnet's 1000 shards
    /// (modeled): its writes certify and its reads find blobs. Gaps are shortened (an override
    /// of the preset) so that a few hours hold some operations.
    @Test(arguments: WorkloadPreset.allCases)
    func presetsRunInTheWorld(_ preset: WorkloadPreset) throws {
        let s = try workloadScenario("""
            [[workload]]
            name = "writes"
            kind = "writes"
            preset = "\(preset.rawValue)"
            count = 6
            inter_arrival_s = 120
            [[workload]]
            name = "reads"
            kind = "reads"
            preset = "\(preset.rawValue)"
            of = "writes"
            count = 8
            start = "30m"
            inter_arrival_s = 300
            """, shards: 1000, duration: "3h")
        guard case .writes(let w) = s.workloads[0].kind, case .reads(let r) = s.workloads[1].kind else { Issue.record("kinds"); return }
        #expect(w.preset == preset.rawValue && r.popularity == preset.reads(count: 1).popularity)
        let (world, _) = try runWorld(s)
        #expect(world.operations.writesOK >= 1 && world.operations.writesFailed == 0, "\(world.operations)")
        #expect(world.operations.readsOK >= 1 && world.operations.readsFailed == 0, "\(world.operations)")
        #expect(world.violations.isEmpty, "\(world.violations)")
    }

    /// Every arrival process and popularity in one run: same seed, same event digest; another
    /// seed, another digest.
    @Test func presetRunsAreDeterministic() throws {
        func run(_ seed: Int) throws -> String {
            let s = try workloadScenario("""
                [[workload]]
                name = "photos"
                kind = "writes"
                preset = "media"
                count = 20
                inter_arrival_s = 200
                [[workload]]
                name = "site"
                kind = "writes"
                preset = "website"
                count = 20
                size = "4KiB"
                burst_idle_s = 900
                [[workload]]
                name = "views"
                kind = "reads"
                preset = "media"
                of = "photos"
                count = 20
                inter_arrival_s = 300
                [[workload]]
                name = "recent"
                kind = "reads"
                popularity = "recency"
                reread_permille = 500
                count = 20
                inter_arrival_s = 300
                [[workload]]
                name = "scan"
                kind = "reads"
                popularity = "sequential"
                of = "site"
                count = 20
                inter_arrival_s = 300
                """, duration: "3h", seed: seed)
            return try runWorld(s).1.digest.description
        }
        let a = try run(5), b = try run(5), c = try run(6)
        #expect(a == b && a != c)
    }

    @Test func keysOverrideThePresetAndTheRestStays() throws {
        let s = try workloadScenario("""
            [[workload]]
            name = "m"
            kind = "writes"
            preset = "media"
            count = 5
            size = "10KiB"
            diurnal_amplitude = 0.2
            """)
        guard case .writes(let w) = s.workloads[0].kind else { Issue.record("kind"); return }
        var expected = WorkloadPreset.media.writes(count: 5)
        expected.sizeBytes = .constant(10_240)
        expected.arrival = .diurnal(amplitude: 0.2, peak: .seconds(20 * 3_600), period: .seconds(86_400))
        #expect(w == expected)
    }
}

@Suite struct QuiltWorkloadTests {
    static func quiltScenario(batch: Int, encoding: String = "modeled", seed: Int = 7) throws -> Scenario {
        try workloadScenario("""
            [[workload]]
            name = "memory"
            kind = "writes"
            preset = "agent-memory"
            count = 45
            inter_arrival_s = 20
            quilt_batch = \(batch)
            lifetime_epochs = [3, 5]
            [[workload]]
            name = "recall"
            kind = "reads"
            preset = "agent-memory"
            count = 30
            start = "30m"
            inter_arrival_s = 30
            """, encoding: encoding, seed: seed)
    }

    /// 45 records in quilts of 10: five quilts (the last of 5), every record accounted for,
    /// each read a patch read that certifies, reads fetching fewer bytes than the quilt's R
    /// primary slivers.
    @Test(arguments: ["modeled", "real"])
    func recordsAreWrittenAsQuiltsAndReadByPatch(_ encoding: String) throws {
        let sink = CollectingResultsSink()
        let (world, _) = try runWorld(try Self.quiltScenario(batch: 10, encoding: encoding), sink: sink)
        #expect(world.blobs.map(\.records) == [10, 10, 10, 10, 5])
        #expect(world.quiltRecords == 45)
        #expect(sink.blobs.map(\.records).reduce(0, +) == 45 && sink.blobs.allSatisfy { $0.workload == "memory" })
        #expect(world.operations.writesOK == 5 && world.operations.readsOK == 30, "\(world.operations)")
        #expect(world.violations.isEmpty, "\(world.violations)")
        let config = try EncodingConfig(nShards: 40)
        for read in sink.operations where read.kind == .read {
            let quilt = try #require(world.blobs[Int(try #require(read.blobIndex))])
            let wholeRead = UInt64(config.sliversForDecoding(.primary)) * UInt64(try config.sliverSize(.primary, blobLength: quilt.sizeBytes))
            #expect(read.bytes < wholeRead, "a patch read moved \(read.bytes) bytes, a whole read needs \(wholeRead)")
        }
    }

    /// Quilting cuts what a record costs: fewer blobs, fewer transactions, less WAL per record.
    @Test func quiltsCostLessPerRecordThanBlobs() throws {
        func spent(_ batch: Int) throws -> (blobs: Int, wal: UInt64) {
            let sink = CollectingResultsSink()
            let (world, _) = try runWorld(try Self.quiltScenario(batch: batch), sink: sink)
            let paid = sink.flows.filter { $0.kind == .storagePayment || $0.kind == FlowKind("write_fee") }.map(\.amountFrost).reduce(0, +)
            return (world.blobs.count, paid)
        }
        let single = try spent(1), quilted = try spent(15)
        #expect(single.blobs == 45 && quilted.blobs == 3)
        #expect(quilted.wal * 5 < single.wal, "quilts \(quilted.wal) FROST vs blobs \(single.wal) FROST")
    }

    /// A node withholding columns does not stop a patch read: it falls back to the whole quilt.
    @Test func aWithheldColumnFallsBackToTheWholeQuilt() throws {
        var s = try Self.quiltScenario(batch: 10, encoding: "real")
        s.faults = [FaultSpec(at: .zero, duration: nil, kind: .byzantine(nodes: .indices([0, 1, 2]), behaviour: .withhold, blobsPermille: 1_000))]
        let (world, _) = try runWorld(s)
        #expect(world.operations.readsOK == 30 && world.operations.readsFailed == 0, "\(world.operations)")
    }

    @Test func quiltRunsAreDeterministic() throws {
        let a = try runWorld(try Self.quiltScenario(batch: 7, seed: 3)).1.digest
        let b = try runWorld(try Self.quiltScenario(batch: 7, seed: 3)).1.digest
        let c = try runWorld(try Self.quiltScenario(batch: 7, seed: 4)).1.digest
        #expect(a == b && a != c)
    }
}

@Suite struct QuiltLayoutTests {
    /// The size-only layout agrees with the quilt built from bytes: symbol size, length, columns.
    @Test(arguments: [10, 40, 100])
    func theLayoutMatchesTheQuiltBuiltFromBytes(_ shards: Int) throws {
        let config = try EncodingConfig(nShards: shards)
        let stream = RandomStreams(runSeed: UInt64(shards)).stream("test.quilt")
        for _ in 0..<20 {
            let count = 1 + Int(stream.uniformInt(below: UInt64(min(12, config.columns - 1))))
            let patches = (0..<count).map { i in (identifier: "p\(stream.uniformInt(below: 1_000))-\(i)", dataLength: Int(stream.uniformInt(below: 5_000))) }
            let layout = try QuiltLayout(patches: patches, config: config)
            let quilt = try Quilt(blobs: patches.map { try QuiltBlob(data: [UInt8](repeating: 7, count: $0.dataLength), identifier: $0.identifier) }, config: config)
            #expect(layout.symbolSize == quilt.symbolSize && layout.blobLength == quilt.data.count)
            #expect(layout.identifiers == quilt.index.patches.map(\.identifier))
            #expect(layout.patchColumns == quilt.index.patches.map { Int($0.startIndex)..<Int($0.endIndex) })
        }
    }

    @Test func theLayoutRefusesWhatTheQuiltRefuses() throws {
        let config = try EncodingConfig(nShards: 10)
        #expect(throws: QuiltError.duplicateIdentifier("a")) { try QuiltLayout(patches: [("a", 1), ("a", 2)], config: config) }
        let tooMany = (0..<config.columns).map { (identifier: "r\($0)", dataLength: 1) }
        #expect(throws: QuiltError.tooManyBlobs(config.columns, config.columns - 1)) { try QuiltLayout(patches: tooMany, config: config) }
    }
}
