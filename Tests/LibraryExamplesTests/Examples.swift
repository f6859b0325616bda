// The README's library examples, compiled and run. Each function's body between the
// `// README:` markers is a code block of README.md "Using the libraries", verbatim; a test
// checks that the README still shows exactly this code.

import Economics
import RedStuff
import SimEngine
import SimSupport

// README: RedStuff
func blobIDExample() throws -> String {
    let config = try EncodingConfig(nShards: 1000)  // Walrus Mainnet's shard count
    let encoded = try BlobEncoder(config: config).encode(blob: Array("hello, walrus".utf8))
    let blobID = encoded.metadata.blobID.base64  // what `walrus store` prints
    let pairs = encoded.pairs.count              // one sliver pair per shard
    print(blobID, pairs)
    return blobID
}
// README: end

// README: Economics
func committeeExample() throws -> [Int] {
    var economy = try WalrusEconomy(parameters: .mainnet(.current), creationTimeMs: 0)
    for i in 0..<3 {
        let node = NodeID(UInt32(i))
        let owner = try economy.openAccount(initialBalance: .zero)
        try economy.registerCandidate(node: node, commissionReceiver: owner, commission: BasisPoints(1_000),
                                      votes: Votes(storagePriceFrost: Frost(100_000), writePriceFrost: Frost(20_000),
                                                   capacityBytes: 1 << 40))
        let delegator = try economy.openAccount(initialBalance: Frost(UInt64(i + 1) * 1_000_000 * Frost.perWAL))
        _ = try economy.stake(owner: delegator, node: node, amount: Frost(UInt64(i + 1) * 1_000_000 * Frost.perWAL))
    }
    try economy.votingEnd(atMs: 0)
    _ = try economy.initiateEpochChange(atMs: 0)  // D'Hondt over stake: shards 167 / 333 / 500
    let shards = economy.committee.members.map(\.shards.count)
    print(economy.epoch, shards)
    return shards
}
// README: end

// README: SimEngine
/// A queue served by one server: arrivals every ~1 s, service ~0.8 s (exponential).
struct SingleServerQueue: EventHandler {
    let arrivals: RandomStream, service: RandomStream
    var waiting = 0, busy = false, served = 0

    mutating func handle(_ event: Event, scheduler: inout Scheduler) {
        switch event.kind {
        case 0:  // an arrival; the next one follows
            scheduler.schedule(after: SimDuration(seconds: arrivals.exponential(mean: 1.0)), target: 0, kind: 0)
            if busy { waiting += 1 } else { startService(&scheduler) }
        default:  // a departure
            served += 1
            if waiting > 0 { waiting -= 1; startService(&scheduler) } else { busy = false }
        }
    }

    mutating func startService(_ scheduler: inout Scheduler) {
        busy = true
        scheduler.schedule(after: SimDuration(seconds: service.exponential(mean: 0.8)), target: 0, kind: 1)
    }
}

func queueExample() -> Int {
    let streams = RandomStreams(runSeed: 42)  // same seed, same run, bit for bit
    var sim = Simulator(model: SingleServerQueue(arrivals: streams.stream("arrivals"), service: streams.stream("service")))
    sim.scheduler.schedule(at: .zero, target: 0, kind: 0)
    _ = sim.run(RunLimits(until: SimTime.zero + .hours(1)))
    print(sim.model.served, sim.scheduler.digest.hex)
    return sim.model.served
}
// README: end
