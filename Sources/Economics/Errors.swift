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
    case invalidParameter(String)
    case unknownNode(NodeID)
    case nodeAlreadyRegistered(NodeID)
    /// NodeIDs index dense arrays, so absurdly large ones are refused.
    case nodeIDOutOfRange(NodeID)
    case unknownAccount(AccountID)
    case unknownStake(StakeID)
    case unknownStorage(StorageID)
    case unknownBlob(BlobObjectID)
    /// An account holds less than the operation needs.
    case insufficientBalance(account: AccountID, neededFrost: Frost, availableFrost: Frost)
    /// A stake split or principal asks for more than the object holds, or leaves less than
    /// the 1 WAL minimum (`EStakeBelowThreshold`).
    case insufficientStake(stake: StakeID, requestedFrost: Frost, principalFrost: Frost)
    case stakeBelowMinimum(minimumFrost: Frost)
    case zeroAmount
    /// A sum or product leaves the `UInt64` FROST range.
    case amountOverflow
    case commissionRateTooHigh(BasisPoints)
    /// The epoch state machine is in `actual`, the call needs `expected`.
    case wrongEpochState(expected: EpochState.Kind, actual: EpochState)
    /// A time-gated call came too early; it becomes allowed at `allowedAtMs`.
    case tooEarly(nowMs: UInt64, allowedAtMs: UInt64)
    case wrongEpoch(expected: Epoch, actual: Epoch)
    case notInCommittee(NodeID)
    case duplicateSyncDone(NodeID)
    /// No stake in the active set: `dhondt` aborts with `ENoStake`.
    case noStake
    /// Storage period empty, or ending more than `maxEpochsAhead` after the current epoch.
    case horizonExceeded(endEpoch: Epoch, maxEndEpoch: Epoch)
    case emptyPeriod
    case invalidSize
    /// `used_capacity + size > total_capacity` in some epoch (`EStorageExceeded`).
    case capacityExceeded(epoch: Epoch, usedBytes: UInt64, requestedBytes: UInt64, capacityBytes: UInt64)
    case storageTooSmall(neededBytes: UInt64, availableBytes: UInt64)
    case storageNotCurrent(StorageID)
    case blobNotCertified(BlobObjectID)
    case blobAlreadyCertified(BlobObjectID)
    case blobExpired(BlobObjectID)
    case blobNotDeletable(BlobObjectID)
    /// The StakedWal is not in the state the call needs (e.g. `ENotWithdrawing`).
    case wrongStakeState(StakeID, String)
    /// Withdrawal of a withdrawing stake before its `withdraw_epoch`.
    case withdrawEpochNotReached(StakeID, withdrawEpoch: Epoch)
    /// `EWithdrawDirectly`: the stake can (or must) be withdrawn in one step.
    case mustWithdrawDirectly(StakeID)
    case featureNotInProfile(String)
    case duplicateVote(voter: NodeID, candidate: NodeID)
    case noSlashingProposal(NodeID)
    case notEnoughVotes(candidate: NodeID, votedShards: Int, neededShards: Int)
    /// A subsidy pool holds less than the processing needs (`EInsufficientFundsInPool`).
    case insufficientSubsidyFunds(neededFrost: Frost, availableFrost: Frost)
    case nothingToDo(String)
}
