import SimSupport
import Simulation
import WalrusModel

extension ScenarioDecoder {
    /// `[resources]`: the resource model of nodes and clients (`ResourceModel`); every key is
    /// optional and defaults to the documented value. `node_disks` lists one disk class per
    /// node and must have `nodes.count` entries.
    func decodeResources(_ t: TableReader, nodeCount: Int) throws(ScenarioError) -> ResourceModel {
        try t.expectKeys(["client_cores", "node_cores", "hdd_bytes_per_s", "hdd_iops", "ssd_bytes_per_s", "ssd_iops",
                          "nvme_bytes_per_s", "nvme_iops", "disk_mix", "node_disks", "request_overhead", "db_write_overhead",
                          "window_bytes", "client_window_bytes", "initial_window_bytes", "idle_restart", "max_data_in_flight", "max_concurrent_writes", "max_node_connections",
                          "sliver_status_check_threshold", "registration_delay", "status_check",
                          "store_backoff_min", "store_backoff_max", "store_retries", "store_request_timeout", "read_backoff_min", "read_backoff_max", "read_retries"])
        var r = ResourceModel()
        func positive(_ key: String, max: UInt64 = 1 << 20) throws(ScenarioError) -> Int? {
            guard let v = try t.uint(key, max: max) else { return nil }
            guard v > 0 else { throw t.fail(key, "must be at least 1, got 0") }
            return Int(v)
        }
        if let v = try positive("client_cores") { r.clientCores = v }
        if let v = try positive("node_cores") { r.nodeCores = v }
        for disk in ResourceModel.Disk.allCases {
            var spec = r.disks[disk]!
            if let v = try t.size("\(disk.rawValue)_bytes_per_s") {
                guard v > 0 else { throw t.fail("\(disk.rawValue)_bytes_per_s", "must be positive, got 0") }
                spec.bytesPerSecond = v
            }
            if let v = try positive("\(disk.rawValue)_iops", max: 1 << 40) { spec.iops = UInt64(v) }
            r.disks[disk] = spec
        }
        func disks(_ key: String) throws(ScenarioError) -> [ResourceModel.Disk]? {
            guard let names = try t.strings(key) else { return nil }
            var out: [ResourceModel.Disk] = []
            for (i, name) in names.enumerated() {
                guard let d = ResourceModel.Disk(rawValue: name) else {
                    throw context.error(.invalidValue, KeyPath.element(t.keyPath(key), i),
                                        "unknown disk class \"\(name)\"; expected one of hdd, ssd, nvme")
                }
                out.append(d)
            }
            return out
        }
        if let mix = try disks("disk_mix") {
            guard !mix.isEmpty else { throw t.fail("disk_mix", "must name at least one disk class") }
            r.diskMix = mix
        }
        if let list = try disks("node_disks") {
            guard list.count == nodeCount else {
                throw t.fail("node_disks", "lists \(list.count) disk classes but nodes.count is \(nodeCount): give one per node")
            }
            r.nodeDisks = list
        }
        if let d = try t.duration("request_overhead") { r.requestOverhead = d }
        if let d = try t.duration("db_write_overhead") { r.dbWriteOverhead = d }
        if let v = try t.size("window_bytes") {
            guard v > 0 else { throw t.fail("window_bytes", "must be positive, got 0") }
            r.windowBytes = v
        }
        if let v = try t.size("client_window_bytes") {
            guard v > 0 else { throw t.fail("client_window_bytes", "must be positive, got 0") }
            r.clientWindowBytes = v
        }
        if let v = try t.size("initial_window_bytes") {
            guard v > 0 else { throw t.fail("initial_window_bytes", "must be positive, got 0") }
            r.initialWindowBytes = v
        }
        if let d = try t.duration("idle_restart") { r.idleRestart = d }
        if let v = try t.size("max_data_in_flight") {
            guard v > 0 else { throw t.fail("max_data_in_flight", "must be positive, got 0") }
            r.maxDataInFlight = v
        }
        if let v = try t.uint("max_concurrent_writes", max: 1 << 20) { r.maxConcurrentWrites = Int(v) }
        if let v = try positive("max_node_connections") { r.maxNodeConnections = v }
        if let v = try t.size("sliver_status_check_threshold") { r.sliverStatusCheckThreshold = v }
        if let d = try t.duration("registration_delay") { r.registrationDelay = d }
        if let b = try t.bool("status_check") { r.statusCheck = b }
        // The SDK's exponential backoffs: a positive minimum, a cap at least the minimum.
        func backoff(_ name: String, _ lower: inout SimDuration, _ upper: inout SimDuration) throws(ScenarioError) {
            if let d = try t.duration("\(name)_backoff_min") {
                guard d > .zero else { throw t.fail("\(name)_backoff_min", "must be positive, got \(d)") }
                lower = d
            }
            if let d = try t.duration("\(name)_backoff_max") { upper = d }
            guard upper >= lower else {
                throw t.fail(t.entries["\(name)_backoff_max"] != nil ? "\(name)_backoff_max" : "\(name)_backoff_min",
                             "\(name)_backoff_max (\(upper)) must be at least \(name)_backoff_min (\(lower))")
            }
        }
        try backoff("store", &r.storeRetryMinBackoff, &r.storeRetryMaxBackoff)
        if let v = try t.uint("store_retries", max: 64) { r.storeRetries = Int(v) }
        if let d = try t.duration("store_request_timeout") {
            guard d > .zero else { throw t.fail("store_request_timeout", "must be positive, got \(d)") }
            r.storeRequestTimeout = d
        }
        try backoff("read", &r.readRetryMinBackoff, &r.readRetryMaxBackoff)
        if let v = try t.uint("read_retries", max: 64) { r.readRetries = Int(v) }
        return r
    }
}
