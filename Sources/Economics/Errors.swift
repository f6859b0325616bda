import SimSupport

/// The epoch states of spec §1.1 (`EpochState` in `staking_inner.move`).
public enum EpochState: Hashable, Sendable, CustomStringConvertible {
    /// The epoch has started; `syncedShards` of the new committee reported `epoch_sync_done`.
    case epochChangeSync(syncedShards: Int)
    /// A 2f+1 quorum of shards is synced since `doneAtMs` (`t_done`).
    case epochChangeDone(doneAtMs: UInt64)
    /// `voting_end` ran: the next committee is fixed. Carries the same `t_done`.
    case nextParamsSelected(doneAtMs: UInt64)

    /// The state names, for errors that say what was expected.
    public enum Kind: String, Sendable { case epochChangeSync, epochChangeDone, nextParamsSelected }
    /// The state without its payload, as ``EconomicsError/wrongEpochState(expected:actual:)`` names it.
    public var kind: Kind {
        switch self {
        case .epochChangeSync: return .epochChangeSync
        case .epochChangeDone: return .epochChangeDone
        case .nextParamsSelected: return .nextParamsSelected
        }
    }
    /// The contract's state name with its payload, e.g. `EpochChangeDone(1200ms)`.
    public var description: String {
        switch self {
        case .epochChangeSync(let w): return "EpochChangeSync(\(w))"
        case .epochChangeDone(let t): return "EpochChangeDone(\(t)ms)"
        case .nextParamsSelected(let t): return "NextParamsSelected(\(t)ms)"
        }
    }
}

/// Why an operation was refused. Every operation validates first and mutates after, so a
/// thrown error always leaves the economy unchanged.
public enum EconomicsError: Error, Hashable, Sendable {
    /// A parameter or argument outside the range the contracts allow; the text says which.
    case invalidParameter(String)
    /// No pool was registered for this node.
    case unknownNode(NodeID)
    /// `register_candidate` for a node that already has a pool.
    case nodeAlreadyRegistered(NodeID)
    /// NodeIDs index dense arrays, so absurdly large ones are refused.
    case nodeIDOutOfRange(NodeID)
    /// No account was opened with this ID.
    case unknownAccount(AccountID)
    /// No StakedWal with this ID, or it was already withdrawn.
    case unknownStake(StakeID)
    /// No storage resource with this ID, or it is already attached to a blob.
    case unknownStorage(StorageID)
    /// No blob with this ID, or it was deleted.
    case unknownBlob(BlobObjectID)
    /// An account holds less than the operation needs.
    case insufficientBalance(account: AccountID, neededFrost: Frost, availableFrost: Frost)
    /// A stake split or principal asks for more than the object holds, or leaves less than
    /// the 1 WAL minimum (`EStakeBelowThreshold`).
    case insufficientStake(stake: StakeID, requestedFrost: Frost, principalFrost: Frost)
    /// A stake, or either part of a split, below `minStakeFrost` (1 WAL by default).
    case stakeBelowMinimum(minimumFrost: Frost)
    /// A stake or withdrawal of 0 FROST.
    case zeroAmount
    /// A sum or product leaves the `UInt64` FROST range.
    case amountOverflow
    /// A commission rate above 10,000 bp.
    case commissionRateTooHigh(BasisPoints)
    /// The epoch state machine is in `actual`, the call needs `expected`.
    case wrongEpochState(expected: EpochState.Kind, actual: EpochState)
    /// A time-gated call came too early; it becomes allowed at `allowedAtMs`.
    case tooEarly(nowMs: UInt64, allowedAtMs: UInt64)
    /// A report or proposal for an epoch other than the current one.
    case wrongEpoch(expected: Epoch, actual: Epoch)
    /// The call needs a member of the current committee (sync done, slashing vote, failed challenge).
    case notInCommittee(NodeID)
    /// The node already reported `epoch_sync_done` for this epoch.
    case duplicateSyncDone(NodeID)
    /// No stake in the active set: `dhondt` aborts with `ENoStake`.
    case noStake
    /// Storage period empty, or ending more than `maxEpochsAhead` after the current epoch.
    case horizonExceeded(endEpoch: Epoch, maxEndEpoch: Epoch)
    /// A storage period or extension of zero epochs.
    case emptyPeriod
    /// A zero reservation size, or a blob too large to encode over `nShards` shards.
    case invalidSize
    /// `used_capacity + size > total_capacity` in some epoch (`EStorageExceeded`).
    case capacityExceeded(epoch: Epoch, usedBytes: UInt64, requestedBytes: UInt64, capacityBytes: UInt64)
    /// The storage resource holds fewer bytes than the blob's encoded size.
    case storageTooSmall(neededBytes: UInt64, availableBytes: UInt64)
    /// The storage resource does not cover the current epoch.
    case storageNotCurrent(StorageID)
    /// Extending a blob that was never certified.
    case blobNotCertified(BlobObjectID)
    /// Certifying a blob a second time.
    case blobAlreadyCertified(BlobObjectID)
    /// The blob's end epoch has been reached.
    case blobExpired(BlobObjectID)
    /// Deleting a blob registered as permanent.
    case blobNotDeletable(BlobObjectID)
    /// The StakedWal is not in the state the call needs (e.g. `ENotWithdrawing`).
    case wrongStakeState(StakeID, String)
    /// Withdrawal of a withdrawing stake before its `withdraw_epoch`.
    case withdrawEpochNotReached(StakeID, withdrawEpoch: Epoch)
    /// `EWithdrawDirectly`: the stake can (or must) be withdrawn in one step.
    case mustWithdrawDirectly(StakeID)
    /// The operation belongs to a behaviour switched off in these parameters; the text names it.
    case featureNotInProfile(String)
    /// The voter already voted to slash this candidate in this epoch.
    case duplicateVote(voter: NodeID, candidate: NodeID)
    /// `execute_slashing` with no vote against the candidate.
    case noSlashingProposal(NodeID)
    /// The votes hold fewer shards than the 2f+1 quorum `neededShards`.
    case notEnoughVotes(candidate: NodeID, votedShards: Int, neededShards: Int)
    /// A subsidy pool holds less than the processing needs (`EInsufficientFundsInPool`).
    case insufficientSubsidyFunds(neededFrost: Frost, availableFrost: Frost)
    /// Reserved: no operation throws it at present.
    case nothingToDo(String)
}
