import Economics
import RedStuff
import SimSupport
import WalrusCrypto

/// A storage node as a state machine (spec walrus-staking §1.5, walrus-encoding §4-§6):
/// a message, chain event or timer in; actions out. It never schedules, sends or reads a clock.
///
/// Its work is split by concern over four files:
/// - this one: the node's state, crash and restart, and the dispatch of what arrives;
/// - `StorageNode+Storing.swift`: verifying and storing sliver pairs, signing confirmations,
///   serving metadata and slivers;
/// - `StorageNode+Recovery.swift`: recovering missing pairs from other nodes' recovery symbols;
/// - `StorageNode+ShardSync.swift`: pulling gained shards from their previous owners at an epoch
///   change (falling back to recovery) and reporting `epoch_sync_done`.
///
/// Invariants: a node holds only pairs it verified against the blob's metadata (or, modeled,
/// whose sizes match); it signs a confirmation only once every pair of every shard it owns for
/// that blob is stored; a crashed node (`isUp == false`) reacts to nothing.
public struct StorageNode {
    /// How the node behaves. Only `honest` exists so far; Byzantine behaviours plug in here.
    public enum Profile: String, Sendable { case honest }

    /// The node's dense index, also its staking pool's identity in the economics.
    public let id: NodeID
    /// The behaviour the node follows.
    public var profile: Profile = .honest
    /// False between `crash()` and `restart(loseDisk:context:)`.
    public internal(set) var isUp = true
    let signer: ConfirmationSigner

    /// Stored data: per blob, metadata and the pairs held (any shard, current or recently lost).
    var stored: [BlobRef: StoredBlob] = [:]
    /// Store requests that arrived before the node saw the blob's registration.
    var earlyStores: [BlobRef: [(from: Party, metadata: BlobMetadataWithID, pairs: [PairPayload])]] = [:]
    /// Recoveries in progress, by (blob, pair).
    var recoveries: [RecoveryKey: RecoveryState] = [:]
    /// Recoveries waiting for a free slot (at most `maxConcurrentRecoveries` run at once).
    var recoveryQueue: [RecoveryKey] = []
    /// How many recoveries may have requests out at once; the rest wait in `recoveryQueue`.
    public var maxConcurrentRecoveries = 64
    /// Shard sync of the current epoch.
    var sync = SyncState()
    /// Timer tokens: low 8 bits the kind, the rest an argument.
    enum TimerKind: UInt64 { case syncTimeout = 1, recoveryRetry = 2, recoveryTimeout = 3 }

    /// How long a shard's previous owner (or a round of recovery requests) may take before the
    /// node falls back to recovery (or asks again).
    public var syncTimeout: SimDuration = .seconds(60)
    /// Wait before retrying a blob whose recovery could not collect enough symbols.
    public var recoveryRetryDelay: SimDuration = .seconds(30)

    struct StoredBlob {
        var metadata: BlobMetadataWithID
        var pairs: [Int: PairPayload]
    }

    struct RecoveryKey: Hashable, Comparable {
        var blob: BlobRef
        var pair: Int
        static func < (a: RecoveryKey, b: RecoveryKey) -> Bool { (a.blob, a.pair) < (b.blob, b.pair) }
    }

    struct RecoveryState {
        var forPrimary: [RecoverySymbol] = []
        var forSecondary: [RecoverySymbol] = []
        var awaiting = 0
        var bytesMoved: UInt64 = 0
        /// Modeled blobs: symbols per axis received (one per held pair of each responder).
        var modeledSymbols = 0
        /// The shard this pair belongs to, when it is part of a shard sync.
        var syncShard: ShardIndex?
    }

    struct SyncState {
        var epoch = Epoch(0)
        /// Outstanding blobs per gained shard; the shard is done when its count reaches zero.
        var outstanding: [ShardIndex: Int] = [:]
        var recoveredPerShard: [ShardIndex: Int] = [:]
        var totalPerShard: [ShardIndex: Int] = [:]
        var reported = true
    }

    /// A node that holds nothing yet and signs with `signer`.
    public init(id: NodeID, signer: ConfirmationSigner) {
        self.id = id
        self.signer = signer
    }

    /// Whether the node holds pair `pair` of `blob`.
    public func holds(_ blob: BlobRef, pair: Int) -> Bool { stored[blob]?.pairs[pair] != nil }

    /// Pair indices of `blob` the node holds, ascending.
    public func heldPairs(_ blob: BlobRef) -> [Int] { stored[blob]?.pairs.keys.sorted() ?? [] }

    // MARK: Crash and restart

    /// Stops the node: work in progress (recoveries, stores waiting for a registration) is lost;
    /// stored data stays unless the restart says otherwise.
    public mutating func crash() {
        isUp = false
        recoveries.removeAll()
        recoveryQueue.removeAll()
        earlyStores.removeAll()
    }

    /// Restarts; with `loseDisk` all stored data is gone. The node then recovers, blob by blob,
    /// every live certified blob of its shards it does not hold.
    public mutating func restart(loseDisk: Bool, context: ProtocolContext) -> [Action] {
        isUp = true
        if loseDisk { stored.removeAll() }
        var actions: [Action] = []
        let view = context.view
        if sync.epoch != view.epoch {
            // The node slept through an epoch change: catch up with the chain, which includes
            // syncing the shards it gained and reporting `epoch_sync_done`.
            startEpoch(view.epoch, committee: view.committee, previous: view.previousCommittee, context: context, into: &actions)
        }
        for blob in view.liveCertified { scheduleMissing(blob, context: context, into: &actions) }
        return actions
    }

    // MARK: Dispatch

    /// Reacts to a message from `from`. A node that is down ignores everything.
    public mutating func receive(_ message: Message, from: Party, context ctx: ProtocolContext) -> [Action] {
        guard isUp else { return [] }
        var actions: [Action] = []
        switch message {
        case .store(let blob, let metadata, let pairs):
            receiveStore(blob: blob, metadata: metadata, pairs: pairs, from: from, context: ctx, into: &actions)
        case .metadataRequest(let blob):
            actions.append(.send(to: from, .metadataResponse(blob: blob, metadata: stored[blob]?.metadata)))
        case .sliverRequest(let blob, let pair):
            actions.append(.send(to: from, .sliverResponse(blob: blob, pair: pair, sliver: servable(blob, pair, ctx)?.primary)))
        case .recoveryRequest(let blob, let target):
            serveRecoveryRequest(blob: blob, target: target, from: from, context: ctx, into: &actions)
        case .modeledRecoveryResponse(let blob, let pair, let symbols, _):
            takeRecoveryResponse(RecoveryKey(blob: blob, pair: pair), bytes: message.wireBytes, context: ctx, into: &actions) {
                $0.modeledSymbols += symbols
            }
        case .recoveryResponse(let blob, let pair, let forPrimary, let forSecondary):
            takeRecoveryResponse(RecoveryKey(blob: blob, pair: pair), bytes: message.wireBytes, context: ctx, into: &actions) {
                $0.forPrimary += forPrimary
                $0.forSecondary += forSecondary
            }
        case .syncRequest(let shard, let blobs):
            serveSyncRequest(shard: shard, blobs: blobs, from: from, context: ctx, into: &actions)
        case .syncResponse(let shard, let items, let missing):
            takeSyncResponse(shard: shard, items: items, missing: missing, context: ctx, into: &actions)
        case .stored, .metadataResponse, .sliverResponse:
            break  // client-bound messages; a node ignores them
        }
        return actions
    }

    /// Reacts to a chain event (every node sees every event, after the chain's lag).
    public mutating func chainEvent(_ event: ChainEvent, context ctx: ProtocolContext) -> [Action] {
        guard isUp else { return [] }
        var actions: [Action] = []
        switch event {
        case .blobRegistered(let blob, _):
            if let early = earlyStores.removeValue(forKey: blob) {
                for s in early { handleStore(blob: blob, metadata: s.metadata, pairs: s.pairs, from: s.from, context: ctx, into: &actions) }
            }
        case .blobCertified(let blob, _, _):
            // Blob sync: recover what we should hold but missed (spec staking §1.5.4).
            scheduleMissing(blob, context: ctx, into: &actions)
        case .blobDeleted(let blob):
            stored.removeValue(forKey: blob)
        case .epochChangeStart(let epoch, let committee, let previous):
            startEpoch(epoch, committee: committee, previous: previous, context: ctx, into: &actions)
        case .blobExtended, .epochChangeDone, .votingEnded, .transactionFailed:
            break
        }
        return actions
    }

    /// Reacts to a timer this node set (`Action.timer`) with `token`.
    public mutating func timerFired(token: UInt64, context ctx: ProtocolContext) -> [Action] {
        guard isUp else { return [] }
        var actions: [Action] = []
        switch TimerKind(rawValue: token & 0xff) {
        case .syncTimeout:
            syncTimedOut(shard: ShardIndex(UInt16(truncatingIfNeeded: token >> 8)), context: ctx, into: &actions)
        case .recoveryRetry:
            scheduleMissing(BlobRef(UInt32(truncatingIfNeeded: token >> 8)), context: ctx, into: &actions)
        case .recoveryTimeout:
            recoveryRoundTimedOut(Self.recoveryKey(token: token), context: ctx, into: &actions)
        case nil:
            break
        }
        return actions
    }
}
