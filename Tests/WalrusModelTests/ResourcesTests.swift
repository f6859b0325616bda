import SimSupport
import Testing
import WalrusModel

/// The resource model's arithmetic: disk writes, the SDK's sliver-write budget, slow start and
/// window-bounded transfers.
@Suite struct ResourcesTests {
    /// `CostModel.bytes` divides in 64 bits when `n` x 10^9 fits and in 128 bits when not: the
    /// same floor either side of the edge.
    @Test func byteCostsAreExactOnBothPaths() {
        let edge = UInt64.max / 1_000_000_000
        for rate: UInt64 in [1, 400 << 20, 3_000_000_007] {
            let costs = CostModel(encodeBytesPerSecond: rate, signatureCost: .microseconds(470))
            for n: UInt64 in [0, 1, 4_096, edge - 1, edge, edge + 1, 1 << 40] {
                let exact = UInt128(n) * 1_000_000_000 / UInt128(rate)
                guard exact <= UInt128(UInt64.max) else { continue }
                #expect(costs.bytes(n) == SimDuration(nanoseconds: UInt64(exact)), "\(n) B at \(rate) B/s")
            }
        }
    }

    @Test func diskWriteTimeIsWritesOverIOPSPlusBytesOverThroughput() {
        let hdd = ResourceModel.DiskSpec(bytesPerSecond: 200_000_000, iops: 150)
        // 2 writes at 150/s = 13.333 ms; 2 MB at 200 MB/s = 10 ms.
        #expect(hdd.writeTime(bytes: 2_000_000, writes: 2).nanoseconds == 13_333_333 + 10_000_000)
    }

    @Test func sliverWriteBudgetFollowsTheSDK() {
        let r = ResourceModel()
        // 12.5 MB over 400 KB slivers: 31 in flight; tiny slivers: capped at n.
        #expect(r.concurrentSliverWrites(primarySliverBytes: 400_000, nShards: 1000) == 31)
        #expect(r.concurrentSliverWrites(primarySliverBytes: 10, nShards: 1000) == 1000)
        #expect(r.concurrentSliverWrites(primarySliverBytes: 100_000_000, nShards: 1000) == 1)
        var capped = r
        capped.maxConcurrentWrites = 7
        #expect(capped.concurrentSliverWrites(primarySliverBytes: 10, nShards: 1000) == 7)
    }

    @Test func slowStartDoublesTheWindowUpToTheCap() {
        var r = ResourceModel()  // initial window 14,600 B
        r.windowBytes = 1 << 20  // cap 1 MiB
        let rtt = SimDuration.milliseconds(100)
        // Fits the initial window: no round trip beyond the one the network charges.
        var cwnd = r.initialWindowBytes
        #expect(r.flowTime(bytes: 10_000, rtt: rtt, congestionWindow: &cwnd) == 0)
        #expect(cwnd == 14_600)
        // 14,600 + 29,200 + 58,400 = 102,200 B after 2 doublings; 100 KB needs 2 extra round trips.
        cwnd = r.initialWindowBytes
        #expect(r.flowTime(bytes: 100_000, rtt: rtt, congestionWindow: &cwnd) == 2 * 100_000_000)
        #expect(cwnd == 58_400)
        // A warm connection at the cap: 10 MiB flows at 1 MiB per round trip (9 round trips after the first window).
        cwnd = r.windowBytes
        #expect(r.flowTime(bytes: 10 << 20, rtt: rtt, congestionWindow: &cwnd) == 9 * 100_000_000)
    }

    /// Both ends of the SDK's connections run hyper's adaptive HTTP/2 window (the node's server
    /// and, since `walrus-sdk` builds its node client with `http2_adaptive_window(true)`, the
    /// client): a warm connection carries a 10 MiB response in one window, not five 2 MiB ones.
    @Test func clientsReceiveWithTheAdaptiveWindowCap() {
        let r = ResourceModel()
        #expect(r.clientWindowBytes == r.windowBytes && r.windowBytes == 16 << 20)
        var cwnd = r.clientWindowBytes
        #expect(r.flowTime(bytes: 10 << 20, rtt: .milliseconds(100), window: r.clientWindowBytes, congestionWindow: &cwnd) == 0)
        cwnd = 2 << 20
        #expect(r.flowTime(bytes: 10 << 20, rtt: .milliseconds(100), window: 2 << 20, congestionWindow: &cwnd) == 4 * 100_000_000)
    }

    @Test func storeRequestsGoTenAtATimeWithStatusChecks() {
        let r = ResourceModel()
        var cwnd = r.windowBytes
        let rtt = SimDuration.milliseconds(50)
        // 20 sliver requests: 2 rounds of 10, each 2 round trips (status check + upload), minus the one charged.
        let extra = r.transferExtra(bytes: 1_000, requests: 20, statusChecked: true, rtt: rtt, lineTime: .zero, congestionWindow: &cwnd)
        #expect(extra == .milliseconds(150))
        let one = r.transferExtra(bytes: 1_000, requests: 1, statusChecked: false, rtt: rtt, lineTime: .zero, congestionWindow: &cwnd)
        #expect(one == .zero)
    }

    @Test func diskClassesComeFromTheListOrTheMix() {
        var r = ResourceModel()
        #expect((0..<4).map { r.disk(ofNode: $0) } == [.hdd, .ssd, .nvme, .hdd])
        r.nodeDisks = [.nvme, .nvme]
        #expect(r.disk(ofNode: 1) == .nvme)
        #expect(r.disk(ofNode: 2) == .nvme)  // beyond the list: the mix (index 2 is nvme)
    }
}

/// The SDK's store backoff: `min(max, min x 2^i + jitter)`, jitter in 0...1000 ms, a fixed
/// function of node and retry.
@Suite struct StoreRetryBackoffTests {
    @Test func delaysFollowTheSDKsExponentialBackoff() {
        let r = ResourceModel()
        for node in 0..<50 {
            for retry in 0..<8 {
                let d = r.storeRetryDelay(node: node, retry: retry).nanoseconds
                let base = min(UInt64(1) << UInt64(retry), 30) * 1_000_000_000
                #expect(d >= min(base, 30_000_000_000) && d <= min(base + 1_000_000_000, 30_000_000_000), "node \(node) retry \(retry): \(d)")
                #expect(d == r.storeRetryDelay(node: node, retry: retry).nanoseconds)
            }
        }
        // The jitter differs between nodes (the SDK seeds each node's backoff with its index).
        let firsts = Set((0..<50).map { r.storeRetryDelay(node: $0, retry: 0).nanoseconds })
        #expect(firsts.count > 40)
        // Huge retry counts saturate at the cap instead of overflowing.
        #expect(r.storeRetryDelay(node: 3, retry: 200) == .seconds(30))
    }
}
