import BLS12381
import Economics
import RedStuff
import SimSupport
import WalrusCrypto

/// The chain (Sui + the Walrus contracts) as one sequencer: transactions execute one at a time,
/// in finality order, against the economics state (`WalrusEconomy`), and emit events.
///
/// It checks what the contracts check: storage covers the encoded size, certificates come from
/// the current committee with a 2f+1 weight of valid signatures over the confirmation of the
/// current epoch, epoch transitions happen only when the epoch state machine allows them.
public struct Chain {
    /// The economics state the transactions run against (accounts, pools, storage fund, committee).
    /// Read-only outside the chain: every change goes through `execute`, the genesis calls or `drainFlows`.
    public internal(set) var economy: WalrusEconomy
    /// How certificate signatures are checked: Ed25519 with the registered keys, or modeled tags.
    public let signatures: ConfirmationSigner.Mode
    /// Account of each client, and of the stake-churn delegator.
    public private(set) var clientAccounts: [AccountID] = []
    /// The account that funds stake churn's new stakes (`moveStake`); `nil` until `addChurnAccount`.
    public private(set) var churnAccount: AccountID?
    /// Public keys of nodes, by node index (real signatures only).
    var publicKeys: [PublicKey?] = []
    /// Every certificate the chain accepted, in order: blob, epoch, blob ID and certificate
    /// (for results and for checking them outside the simulation). Kept under real signatures
    /// only: a modeled certificate proves nothing outside the simulation, and at a signer list
    /// and a tag apiece it would be most of a long modeled run's memory per blob.
    public private(set) var certificates: [(blob: BlobRef, intent: IntentType, epoch: Epoch, blobID: BlobID, certificate: AggregateCertificate)] = []
    /// On-chain object of each registered blob, by `BlobRef`.
    private var objects: [BlobRef: ChainBlob] = [:]
    /// Stake objects per node, for stake churn (in creation order).
    var stakesByNode: [[StakeID]] = []
    /// Blobs declared invalid (`InvalidBlobID` emitted).
    private var invalidated: Set<BlobRef> = []
    /// Withdrawals requested by the churn delegator, to finalise when allowed.
    var pendingWithdrawals: [StakeID] = []

    struct ChainBlob {
        var object: BlobObjectID
        var blobID: BlobID
        var owner: AccountID
        var endEpoch: Epoch
    }

    /// A chain over `economy` at its current epoch, with no clients, nodes or blobs yet.
    public init(economy: WalrusEconomy, signatures: ConfirmationSigner.Mode) {
        self.economy = economy
        self.signatures = signatures
    }

    /// Makes room for `count` more registered blobs (their on-chain objects and the economy's
    /// records) without regrowing; see `WalrusEconomy.reserveCapacity(blobs:)`. Changes no state.
    public mutating func reserveCapacity(blobs count: Int) {
        objects.reserveCapacity(objects.count + count)
        economy.reserveCapacity(blobs: count)
    }

    // MARK: Genesis (before the run starts; not transactions)

    /// Genesis: opens a client account funded with `balance` (minted)
    /// and appends it to `clientAccounts`, so the `k`-th call is
    /// `ClientID(k)`'s account. Throws what opening the account throws.
    public mutating func addClient(balance: Frost) throws(EconomicsError) -> AccountID {
        let a = try economy.openAccount(initialBalance: balance)
        clientAccounts.append(a)
        return a
    }

    /// Genesis: opens the stake-churn account funded with `balance` (minted); a second call replaces the first.
    public mutating func addChurnAccount(balance: Frost) throws(EconomicsError) {
        churnAccount = try economy.openAccount(initialBalance: balance)
    }

    /// Registers node `node` as a candidate staked with `stake` from its own delegator account.
    public mutating func addNode(_ node: NodeID, publicKey: PublicKey?, commission: BasisPoints, votes: Votes,
                                 stake: Frost) throws(EconomicsError) {
        let operatorAccount = try economy.openAccount(initialBalance: .zero)
        try economy.registerCandidate(node: node, commissionReceiver: operatorAccount, commission: commission, votes: votes)
        let delegator = try economy.openAccount(initialBalance: stake)
        while publicKeys.count <= node.index { publicKeys.append(nil); stakesByNode.append([]) }
        publicKeys[node.index] = publicKey
        if stake.rawValue > 0 { stakesByNode[node.index].append(try economy.stake(owner: delegator, node: node, amount: stake)) }
    }

    // MARK: Transactions

    /// Executes one transaction at simulated time `now`; returns the events it emits.
    public mutating func execute(_ tx: Transaction, submitter: Party, now: SimTime) -> [ChainEvent] {
        do {
            return try run(tx, submitter: submitter, now: now)
        } catch {
            return [.transactionFailed(submitter: submitter, blob: Self.blob(of: tx), reason: "\(tx.label): \(error)")]
        }
    }

    private static func blob(of tx: Transaction) -> BlobRef? {
        switch tx {
        case .registerBlob(_, let b, _, _, _, _), .certifyBlob(_, let b, _, _), .extendBlob(_, let b, _), .deleteBlob(_, let b),
             .invalidateBlob(_, let b, _, _): b
        default: nil
        }
    }

    private mutating func run(_ tx: Transaction, submitter: Party, now: SimTime) throws -> [ChainEvent] {
        switch tx {
        case .registerBlob(let client, let blob, let blobID, let size, let epochs, let deletable):
            let payer = clientAccounts[Int(client.rawValue)]
            guard let encoded = StorageUnits.encodedBlobBytes(unencodedBytes: size, nShards: economy.parameters.nShards) else {
                throw ChainError.rejected("blob of \(size) bytes cannot be encoded")
            }
            let end = economy.epoch + UInt32(epochs)
            if economy.buyerSubsidyPoolFrost > 0 {
                // Through the old `subsidies` contract when its pool holds funds (buyers then pay
                // less). Both calls validate before mutating; undo the reservation if registration fails.
                let before = economy
                do {
                    let storage = try economy.reserveSpaceSubsidised(payer: payer, sizeBytes: encoded, epochs: epochs)
                    let object = try economy.registerBlob(payer: payer, storage: storage, unencodedBytes: size, deletable: deletable)
                    objects[blob] = ChainBlob(object: object, blobID: blobID, owner: payer, endEpoch: end)
                    return [.blobRegistered(blob: blob, endEpoch: end)]
                } catch {
                    economy = before
                    throw error
                }
            }
            // One call checks both steps before changing anything: no copy of the economy to undo.
            let object = try economy.reserveAndRegisterBlob(payer: payer, sizeBytes: encoded, epochs: epochs, unencodedBytes: size,
                                                            deletable: deletable).blob
            objects[blob] = ChainBlob(object: object, blobID: blobID, owner: payer, endEpoch: end)
            return [.blobRegistered(blob: blob, endEpoch: end)]

        case .certifyBlob(_, let blob, let epoch, let certificate):
            guard let obj = objects[blob] else { throw ChainError.rejected("unknown blob \(blob)") }
            guard epoch == economy.epoch else { throw ChainError.rejected("certificate of epoch \(epoch.rawValue), chain is at \(economy.epoch.rawValue)") }
            let weight = try checkCertificate(certificate, .blobCertification, epoch: epoch, blobID: obj.blobID)
            guard Quorum.isCertificationQuorum(weight: weight, nShards: economy.parameters.nShards) else {
                throw ChainError.rejected("certificate weight \(weight) below quorum")
            }
            if signatures == .real { certificates.append((blob, .blobCertification, epoch, obj.blobID, certificate)) }
            try economy.certifyBlob(obj.object)
            return [.blobCertified(blob: blob, epoch: economy.epoch, endEpoch: obj.endEpoch)]

        case .extendBlob(_, let blob, let epochs):
            guard var obj = objects[blob] else { throw ChainError.rejected("unknown blob \(blob)") }
            try economy.extendBlobSubsidised(payer: obj.owner, blob: obj.object, epochs: epochs)
            obj.endEpoch = obj.endEpoch + UInt32(epochs)
            objects[blob] = obj
            return [.blobExtended(blob: blob, endEpoch: obj.endEpoch)]

        case .deleteBlob(_, let blob):
            guard let obj = objects[blob] else { throw ChainError.rejected("unknown blob \(blob)") }
            _ = try economy.deleteBlob(obj.object)
            return [.blobDeleted(blob: blob)]

        case .epochSyncDone(let node, let epoch):
            let quorum = try economy.epochSyncDone(node: node, epoch: epoch, at: now)
            return quorum ? [.epochChangeDone(epoch: epoch)] : []

        case .votingEnd:
            try economy.votingEnd(at: now)
            return [.votingEnded(epoch: economy.epoch)]

        case .initiateEpochChange:
            let previous = economy.committee
            _ = try economy.initiateEpochChange(at: now)
            finishWithdrawals()
            return [.epochChangeStart(epoch: economy.epoch, committee: economy.committee, previous: previous)]

        case .invalidateBlob(_, let blob, let epoch, let certificate):
            // `invalidate_blob_id`: an attestation of the current committee worth f+1 shards.
            guard let obj = objects[blob] else { throw ChainError.rejected("unknown blob \(blob)") }
            guard epoch == economy.epoch else { throw ChainError.rejected("attestations of epoch \(epoch.rawValue), chain is at \(economy.epoch.rawValue)") }
            guard !invalidated.contains(blob) else { throw ChainError.rejected("blob \(blob) is already invalid") }
            let weight = try checkCertificate(certificate, .invalidBlobID, epoch: epoch, blobID: obj.blobID)
            guard Quorum.isValidityQuorum(weight: weight, nShards: economy.parameters.nShards) else {
                throw ChainError.rejected("attestation weight \(weight) below f+1")
            }
            if signatures == .real { certificates.append((blob, .invalidBlobID, epoch, obj.blobID, certificate)) }
            invalidated.insert(blob)
            return [.blobInvalidated(blob: blob, epoch: epoch)]

        case .economy(let call):
            return try runEconomy(call, now: now)

        case .moveStake(let from, let to, let amount):
            guard let churn = churnAccount else { throw ChainError.rejected("no churn account") }
            // Withdraw `amount` from `from` (splitting a stake object if needed) ...
            var remaining = amount.rawValue
            while remaining > 0, let id = stakesByNode[from.index].last {
                guard let sw = economy.stake(id) else { stakesByNode[from.index].removeLast(); continue }
                let take = min(remaining, sw.principalFrost.rawValue)
                let target: StakeID
                if take < sw.principalFrost.rawValue {
                    target = try economy.splitStake(id, amount: Frost(take))
                } else {
                    target = id
                    stakesByNode[from.index].removeLast()
                }
                if economy.canWithdrawEarly(target) {
                    _ = try economy.withdraw(target)
                } else {
                    _ = try economy.requestWithdraw(target)
                    pendingWithdrawals.append(target)
                }
                remaining -= take
            }
            // ... and stake the same amount with `to` from the churn account.
            stakesByNode[to.index].append(try economy.stake(owner: churn, node: to, amount: amount))
            return []
        }
    }

    /// Checks a certificate as the contracts do: every signer is a member of the current
    /// committee (listed once), and the aggregate verifies against the sum of their keys.
    /// Returns the signers' weight in shards.
    private func checkCertificate(_ certificate: AggregateCertificate, _ intent: IntentType, epoch: Epoch,
                                  blobID: BlobID) throws -> Int {
        var weight = 0
        for s in certificate.signers {
            let w = economy.committee.weight(of: s)
            guard w > 0 else { throw ChainError.rejected("\(s) is not in the committee of epoch \(epoch.rawValue)") }
            weight += w
        }
        guard certificate.verify(intent, epoch: epoch, blobID: blobID, mode: signatures, publicKey: { n in
            n.index < publicKeys.count ? publicKeys[n.index] : nil
        }) else { throw ChainError.rejected("invalid aggregate signature") }
        return weight
    }

    /// Finalises churn withdrawals whose epoch has come (their WAL returns to the owner).
    mutating func finishWithdrawals() {
        pendingWithdrawals = pendingWithdrawals.filter { id in (try? economy.withdraw(id)) == nil }
    }

    /// Stake of a node's pool, for reports.
    public func stakeOfNode(_ node: NodeID) -> UInt64 {
        economy.pool(node)?.walBalance(atEpoch: economy.epoch.rawValue) ?? 0
    }

    /// Removes and returns the WAL movements the economy logged since the last call, in the order they happened.
    public mutating func drainFlows() -> [Flow] { economy.drainFlows() }
}

/// Why the chain refused a transaction (beyond what the economics refuses).
public enum ChainError: Error, CustomStringConvertible {
    /// A check of the contracts failed: unknown blob, certificate of another epoch, an invalid
    /// signature, a certificate below the 2f+1 quorum, a blob too large to encode, or no churn account.
    case rejected(String)
    /// The reason, as carried by `ChainEvent.transactionFailed`.
    public var description: String {
        switch self { case .rejected(let why): why }
    }
}
