import SimSupport

/// The hardware and software limits of nodes and clients that shape latency beyond the CPU
/// cost model (scenario table `[resources]`; absent, none of this applies and the world
/// behaves as without it). Each default is a documented value, with its source here and in
/// `Scenarios/paper/README.md`; none is fitted to a figure.
///
/// What it adds:
/// - cores: a party runs up to `cores` CPU tasks at once; a client encodes a blob on all its
///   cores (the SDK encodes slivers in parallel);
/// - disks: a node writes each stored sliver to its disk (per-write latency `1 / iops` plus
///   bytes over `throughput`), one write at a time per node;
/// - per-request overheads: the node's HTTPS front (TLS, routing, decoding) per request and
///   the database's CPU per write;
/// - the SDK's limits: sliver writes in flight in total (`maxDataInFlight` over the primary
///   sliver size, at most `maxConcurrentWrites`), connections per node, the sliver status
///   check above `sliverStatusCheckThreshold` bytes, the registration delay, and the blob
///   status check before a write or read;
/// - transfers bounded by the flow-control window over the round-trip time, not only by the
///   line rate.
public struct ResourceModel: Sendable, Equatable {
    /// A node's storage device class.
    public enum Disk: String, Sendable, Equatable, CaseIterable {
        /// Rotating disk.
        case hdd
        /// SATA solid-state disk.
        case ssd
        /// NVMe solid-state disk.
        case nvme
    }

    /// One device class's performance.
    public struct DiskSpec: Sendable, Equatable {
        /// Sequential write throughput, bytes per second (positive).
        public var bytesPerSecond: UInt64
        /// Synchronous write operations per second (positive): each write costs `1 / iops`.
        public var iops: UInt64
        /// A device class's performance.
        public init(bytesPerSecond: UInt64, iops: UInt64) {
            self.bytesPerSecond = bytesPerSecond
            self.iops = iops
        }
        /// The time to write `bytes` in `writes` synchronous writes.
        public func writeTime(bytes: UInt64, writes: UInt64) -> SimDuration {
            let ns = UInt128(writes) * 1_000_000_000 / UInt128(max(1, iops))
                + UInt128(bytes) * 1_000_000_000 / UInt128(max(1, bytesPerSecond))
            return SimDuration(nanoseconds: UInt64(min(ns, UInt128(UInt64.max))))
        }
    }

    /// Cores of each client: the paper's clients are AWS m5d.8xlarge, 32 vCPUs.
    public var clientCores = 32
    /// Cores of each node: the paper's typical node has at least 16.
    public var nodeCores = 16
    /// Performance of each disk class: typical datasheet values of a 7200 rpm HDD (~200 MB/s,
    /// ~150 synchronous writes/s), a SATA SSD (~500 MB/s, ~20k) and an NVMe SSD (~2 GB/s, ~100k).
    public var disks: [Disk: DiskSpec] = [
        .hdd: DiskSpec(bytesPerSecond: 200_000_000, iops: 150),
        .ssd: DiskSpec(bytesPerSecond: 500_000_000, iops: 20_000),
        .nvme: DiskSpec(bytesPerSecond: 2_000_000_000, iops: 100_000),
    ]
    /// The disk class of node `i` is `diskMix[i % diskMix.count]` unless the scenario lists one
    /// per node (`nodeDisks`). The paper says only "HDD/SSD/NVMe": one of each in turn.
    public var diskMix: [Disk] = [.hdd, .ssd, .nvme]
    /// Explicit disk class per node, by node index; empty: `diskMix`.
    public var nodeDisks: [Disk] = []
    /// CPU time of a node's HTTPS front per request (TLS record handling, routing, decoding):
    /// about 50 us, a Rust HTTPS server's order of magnitude of 20k requests per second per core.
    public var requestOverhead: SimDuration = .microseconds(50)
    /// CPU time of one database write (RocksDB put: memtable insert and WAL append).
    public var dbWriteOverhead: SimDuration = .microseconds(20)
    /// The most a node's HTTP/2 flow-control window lets a client send per round trip, in
    /// bytes: 16 MiB. The node's REST server (axum on hyper) runs with
    /// `http2_adaptive_window = true` by default (walrus-service `Http2Config`, at the paper's
    /// commit and since): hyper then starts the window at the protocol's 64 KiB and grows it
    /// with its bandwidth-delay estimate up to its `BDP_LIMIT`, 16 MiB, and never shrinks it on
    /// a kept-alive connection. Starting above the initial congestion window and growing as
    /// fast, it binds only at that cap. A transfer of `b` bytes over a path of round-trip time
    /// `rtt` takes at least `b * rtt / window`.
    public var windowBytes: UInt64 = 16 << 20
    /// The flow-control window when a client receives (sliver and metadata responses): as the
    /// node's, hyper's adaptive window up to its 16 MiB cap. The SDK's storage-node client turns
    /// it on (`walrus-sdk` `ClientBuilder::build`: `http2_adaptive_window(true)`, at the paper's
    /// commit `f7135f5b` and since).
    public var clientWindowBytes: UInt64 = 16 << 20
    /// The initial congestion window of a connection, and its window again after an idle
    /// spell: 10 segments of 1,460 bytes (RFC 6928, Linux's default `initcwnd`; Linux's
    /// `tcp_slow_start_after_idle = 1` restarts from it after an idle retransmission timeout).
    /// The window then doubles every round trip (slow start) up to `windowBytes`.
    public var initialWindowBytes: UInt64 = 14_600
    /// A connection idle this long restarts from `initialWindowBytes`: Linux's minimum
    /// retransmission timeout (200 ms) plus the round trip.
    public var idleRestart: SimDuration = .milliseconds(200)
    /// The SDK's `max_data_in_flight`: 12.5 MB ("1 second on a 100 Mbps connection").
    public var maxDataInFlight: UInt64 = 12_500_000
    /// The SDK's `max_concurrent_writes`; 0 means its default, n (no limit beyond the bytes).
    public var maxConcurrentWrites = 0
    /// The SDK's `max_node_connections`: 10 requests at a time to one node.
    public var maxNodeConnections = 10
    /// The SDK's `sliver_status_check_threshold`: above 5,560 bytes, a sliver upload is
    /// preceded by a status request (one more round trip).
    public var sliverStatusCheckThreshold: UInt64 = 5_560
    /// The SDK's `registration_delay`: it waits 200 ms after seeing the registration before
    /// storing, so that nodes have seen it too.
    public var registrationDelay: SimDuration = .milliseconds(200)
    /// Whether writes and reads first ask the nodes for the blob's status (the SDK does).
    public var statusCheck = true
    /// The SDK's request backoff (`walrus-utils` `ExponentialBackoffConfig` default, used by
    /// `RequestRateConfig`): a store a node refuses is retried after
    /// `min(storeRetryMaxBackoff, storeRetryMinBackoff x 2^i + jitter)` for the i-th retry,
    /// with jitter in 0...1000 ms, at most `storeRetries` times; then the client gives up on
    /// that node. Defaults: 1 s, 30 s, 5 retries.
    public var storeRetryMinBackoff: SimDuration = .seconds(1)
    /// The backoff's cap (see `storeRetryMinBackoff`).
    public var storeRetryMaxBackoff: SimDuration = .seconds(30)
    /// Retries of a refused store per node (see `storeRetryMinBackoff`).
    public var storeRetries = 5
    /// How long the client waits for a node's answer to a store batch before it counts the
    /// batch as failed and retries it like a refused one: the SDK's reqwest `total_timeout`
    /// per request (30 s at the paper's commit `f7135f5b`, "enough time to transfer big slivers
    /// on the other side of the world"). A node that is down never answers.
    public var storeRequestTimeout: SimDuration = .seconds(30)
    /// The SDK's read retry (`read_blob_retry_committees`, the aggregator's read at the
    /// paper's commit `f7135f5b`): a read that runs out of nodes to ask before it holds enough
    /// slivers (`NotEnoughSlivers`) or metadata (`NoMetadataReceived`), errors the SDK takes
    /// for a possible epoch change, starts over after `min(readRetryMaxBackoff,
    /// readRetryMinBackoff x 2^i + jitter)` for the i-th retry, jitter in 0...1000 ms: with the
    /// committees refreshed, it asks for the metadata and the slivers again, nodes that
    /// answered "not held" included. Defaults: `committee_change_backoff`, 1 s, 5 s, 5 retries
    /// (plus one last try, as the SDK makes). 0 retries is the CLI's `walrus read`, which
    /// does not retry.
    public var readRetryMinBackoff: SimDuration = .seconds(1)
    /// The read backoff's cap (see `readRetryMinBackoff`).
    public var readRetryMaxBackoff: SimDuration = .seconds(5)
    /// Retries of a read that ran out of nodes (see `readRetryMinBackoff`); the SDK tries once
    /// more after its backoff's last delay, so a read makes at most `readRetries + 1` passes.
    public var readRetries = 5

    /// The defaults above.
    public init() {}

    /// The disk class of node `index`.
    public func disk(ofNode index: Int) -> Disk {
        if index < nodeDisks.count { return nodeDisks[index] }
        return diskMix.isEmpty ? .ssd : diskMix[index % diskMix.count]
    }

    /// Sliver writes the SDK keeps in flight for a blob whose primary slivers are
    /// `primarySliverBytes` long, with `nShards` shards: `maxDataInFlight` over the sliver size,
    /// at most `maxConcurrentWrites` (default n), at least 1.
    public func concurrentSliverWrites(primarySliverBytes: Int, nShards: Int) -> Int {
        let byBytes = Int(maxDataInFlight / UInt64(max(1, primarySliverBytes)))
        let cap = maxConcurrentWrites > 0 ? maxConcurrentWrites : nShards
        return max(1, min(byBytes, cap))
    }

    /// The SDK's wait before the `retry`-th retry (from 0) of a store node `node` refused:
    /// `min(storeRetryMaxBackoff, storeRetryMinBackoff x 2^retry + jitter)`. The SDK seeds each
    /// node's backoff with the node's index, so its jitter (0...1000 ms) is a fixed function of
    /// node and retry; here a SplitMix64 hash of the two (not the SDK's `StdRng` numbers).
    public func storeRetryDelay(node: Int, retry: Int) -> SimDuration {
        Self.backoff(min: storeRetryMinBackoff, max: storeRetryMaxBackoff, retry: retry,
                     seed: UInt64(node) << 16 | UInt64(min(retry, 0xffff)))
    }

    /// The SDK's wait before the `retry`-th retry (from 0) of read `op` that ran out of nodes:
    /// `min(readRetryMaxBackoff, readRetryMinBackoff x 2^retry + jitter)`. The SDK draws the
    /// jitter (0...1000 ms) from the thread's generator; here a SplitMix64 hash of the
    /// operation and the retry, so that runs stay deterministic.
    public func readRetryDelay(op: UInt64, retry: Int) -> SimDuration {
        Self.backoff(min: readRetryMinBackoff, max: readRetryMaxBackoff, retry: retry,
                     seed: SeedDerivation.splitMix64(op) ^ UInt64(min(retry, 0xffff)))
    }

    /// `walrus-utils` `ExponentialBackoff`: `min(max, min x 2^retry + jitter)`, the jitter
    /// 0...1000 ms from a SplitMix64 hash of `seed`; saturates instead of overflowing.
    static func backoff(min lower: SimDuration, max upper: SimDuration, retry: Int, seed: UInt64) -> SimDuration {
        let jitterMs = SeedDerivation.splitMix64(seed) % 1001
        let base = lower.nanoseconds.multipliedReportingOverflow(by: 1 << UInt64(min(retry, 40)))
        let ns = (base.overflow ? UInt64.max : base.partialValue).addingReportingOverflow(jitterMs * 1_000_000)
        return SimDuration(nanoseconds: min(ns.overflow ? UInt64.max : ns.partialValue, upper.nanoseconds))
    }

    /// Pairs per store request batch the client sends one node: the SDK sends each sliver as
    /// its own request, `maxNodeConnections` at a time per node, so one batch is the pairs
    /// whose two slivers fill the node's connections (at least one pair).
    public var pairsPerStoreBatch: Int { max(1, maxNodeConnections / 2) }

    /// The extra time, beyond one one-way latency and the line-rate serialization the network
    /// charges, that `requests` HTTP requests carrying `bytes` in total take between a client
    /// and a node over a path of round-trip time `rtt`: requests go `maxNodeConnections` at a
    /// time, each round after the first costs a round trip (plus one more per request when
    /// `statusChecked`), and the bytes flow at most `windowBytes` per round trip.
    public func transferExtra(bytes: UInt64, requests: Int, statusChecked: Bool, rtt: SimDuration, lineTime: SimDuration,
                              window: UInt64? = nil, congestionWindow cwnd: inout UInt64) -> SimDuration {
        let rounds = UInt64((max(1, requests) + max(1, maxNodeConnections) - 1) / max(1, maxNodeConnections))
        let perRound: UInt64 = statusChecked ? 2 : 1
        let roundTrips = rounds * perRound - 1
        let flowNs = flowTime(bytes: bytes, rtt: rtt, window: window, congestionWindow: &cwnd)
        let flow = flowNs > lineTime.nanoseconds ? flowNs - lineTime.nanoseconds : 0
        return SimDuration(nanoseconds: rtt.nanoseconds * roundTrips + flow)
    }

    /// Nanoseconds to push `bytes` through a connection whose congestion window is `cwnd`
    /// (updated): the first window goes at once, then slow start doubles the window every
    /// round trip until the flow-control window (`window`, by default `windowBytes`), after
    /// which the rest flows at one window per round trip.
    public func flowTime(bytes: UInt64, rtt: SimDuration, window: UInt64? = nil, congestionWindow cwnd: inout UInt64) -> UInt64 {
        let cap = max(1, window ?? windowBytes)
        cwnd = min(max(1, cwnd), cap)
        var sent: UInt64 = 0
        var rtts: UInt64 = 0
        while sent + cwnd < bytes && cwnd < cap {
            sent += cwnd
            cwnd = min(cwnd * 2, cap)
            rtts += 1
        }
        let rest = bytes - min(bytes, sent)
        let tail = rest > cwnd ? UInt128(rest - cwnd) * UInt128(rtt.nanoseconds) / UInt128(cap) : 0
        return UInt64(min(UInt128(rtts) * UInt128(rtt.nanoseconds) + tail, UInt128(UInt64.max / 2)))
    }

    /// The settings as recorded in `runs.fidelity`.
    public var summary: String {
        let d = Disk.allCases.map { k in "\(k.rawValue)=\(disks[k].map { "\($0.bytesPerSecond)B/s,\($0.iops)iops" } ?? "-")" }.joined(separator: ",")
        let mix = nodeDisks.isEmpty ? diskMix.map(\.rawValue).joined(separator: "/") : "per-node(\(nodeDisks.count))"
        return "resources(client_cores=\(clientCores) node_cores=\(nodeCores) disks=[\(d)] disk_mix=\(mix)"
            + " request_overhead_ns=\(requestOverhead.nanoseconds) db_write_ns=\(dbWriteOverhead.nanoseconds)"
            + " window_bytes=\(windowBytes) client_window_bytes=\(clientWindowBytes) initial_window_bytes=\(initialWindowBytes) idle_restart_ns=\(idleRestart.nanoseconds)"
            + " max_data_in_flight=\(maxDataInFlight) max_concurrent_writes=\(maxConcurrentWrites)"
            + " max_node_connections=\(maxNodeConnections) sliver_status_check_threshold=\(sliverStatusCheckThreshold)"
            + " registration_delay_ns=\(registrationDelay.nanoseconds) status_check=\(statusCheck)"
            + " store_backoff_ns=\(storeRetryMinBackoff.nanoseconds)...\(storeRetryMaxBackoff.nanoseconds) store_retries=\(storeRetries) store_request_timeout_ns=\(storeRequestTimeout.nanoseconds)"
            + " read_backoff_ns=\(readRetryMinBackoff.nanoseconds)...\(readRetryMaxBackoff.nanoseconds) read_retries=\(readRetries))"
    }
}
