import ResultRecords
import SimSupport
import Testing
import WalrusModel

@testable import Simulation

/// The resource model in a world: deterministic, operations succeed, status checks show in the
/// phases, and slower disks make slower stores.
@Suite struct ResourcesWorldTests {
    func scenario(seed: UInt64 = 11, disks: [ResourceModel.Disk]? = nil) -> Scenario {
        var s = smallScenario(seed: seed, writes: 5, reads: 5, duration: .minutes(12))
        var r = ResourceModel()
        if let disks { r.nodeDisks = Array(repeating: disks[0], count: s.nodes.count) }
        s.resources = r
        return s
    }

    @Test func sameSeedSameDigestAndOperationsSucceed() throws {
        let (a, sa) = try runWorld(scenario())
        let (_, sb) = try runWorld(scenario())
        #expect(sa.digest == sb.digest)
        #expect(a.operations.writesOK == 5 && a.operations.readsOK == 5, "\(a.operations)")
        #expect(a.violations.isEmpty, "\(a.violations)")
        // The resource model changes the event stream from the plain world's.
        #expect(sa.digest != (try runWorld(smallScenario(seed: 11, writes: 5, reads: 5, duration: .minutes(12)))).1.digest)
    }

    /// Modeled blobs are held as per-shard ranges, not per-blob records: a node whose pairs come
    /// in several store batches (40 shards a node, above the SDK's 10 connections) must count the
    /// earlier batches' pairs and sign. Regression: it once looked only at per-blob records and
    /// never signed, so every modeled write under `[resources]` timed out.
    @Test func modeledStoresInSeveralBatchesCertify() throws {
        var s = try workloadScenario("""
            [[workload]]
            name = "w"
            kind = "writes"
            count = 4
            inter_arrival_s = 60
            size = "64KiB"
            [[workload]]
            name = "r"
            kind = "reads"
            count = 4
            start = "10m"
            inter_arrival_s = 60
            """, shards: 400, duration: "30m")
        s.resources = ResourceModel()
        let (world, _) = try runWorld(s)
        #expect(world.operations.writesOK == 4 && world.operations.readsOK == 4, "\(world.operations)")
        #expect(world.violations.isEmpty, "\(world.violations)")
    }

    /// A member that goes down in the middle of a write (node 8, whose batches go near the end
    /// of the first write) never answers the store batches it was sent. Under the SDK's permit
    /// order its batch in flight and the one parked behind it hold most of a large write's room
    /// among the sliver writes in flight (64 MiB at 400 shards: 25 permits, two batches 20);
    /// without the SDK's request timeout the write waits for good (one attempt here). With it,
    /// each try times out, the member is given up on after its retries, and every write succeeds.
    @Test func largeWritesGetPastAMemberThatGoesDown() throws {
        func writesOK(timeout: SimDuration) throws -> Int {
            var s = try workloadScenario("""
                [[workload]]
                name = "w"
                kind = "writes"
                count = 3
                start = "2m"
                inter_arrival_s = 600
                size = "64MiB"
                [[fault]]
                name = "down"
                kind = "crash"
                at = "130s"
                duration = "1h"
                nodes = { indices = [8] }
                """, shards: 400, duration: "40m")
            s.resources = ResourceModel()
            s.resources!.storeRequestTimeout = timeout
            s.clients.attemptTimeout = .minutes(10)
            s.clients.maxAttempts = 1
            return try runWorld(s).0.operations.writesOK
        }
        #expect(try writesOK(timeout: .seconds(30)) == 3)
        #expect(try writesOK(timeout: .seconds(100_000)) < 3, "the first write must be caught with batches in flight to the node")
    }

    @Test func writesAndReadsStartWithAStatusCheck() throws {
        let sink = CollectingResultsSink()
        _ = try runWorld(scenario(), sink: sink)
        let byOp = Dictionary(grouping: sink.phases, by: \.opID)
        for op in sink.operations where op.outcome == .success {
            let names = (byOp[op.opID] ?? []).filter { $0.kind == "phase" }.sorted { $0.seq < $1.seq }.map(\.phase)
            #expect(names.contains("status_check"), "op \(op.opID): \(names)")
        }
    }

    @Test func hddStoresAreSlowerThanNVMe() throws {
        func storeSeconds(_ disk: ResourceModel.Disk) throws -> Double {
            let sink = CollectingResultsSink()
            _ = try runWorld(scenario(disks: [disk]), sink: sink)
            let stores = sink.phases.filter { $0.phase == "store" }.map { Double($0.endNs - $0.startNs) / 1e9 }
            #expect(!stores.isEmpty)
            return stores.reduce(0, +) / Double(max(1, stores.count))
        }
        #expect(try storeSeconds(.hdd) > storeSeconds(.nvme))
    }
}
