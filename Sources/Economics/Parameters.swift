import SimSupport

/// Which deployed behaviour to follow (spec §0.1).
///
/// - `launch`: Mainnet as launched in March 2025 (contracts at `7d02a36a29`).
/// - `current`: Mainnet after the upgrade of 2026-05-11 (`058bbf5a66`).
///
/// A profile only chooses defaults for the feature switches in ``ProtocolRules``; every switch
/// can still be set by hand for a "what if" sweep.
public enum Profile: String, Sendable, CaseIterable {
    /// Mainnet as launched in March 2025.
    case launch
    /// Mainnet after the 2026-05-11 upgrade; the default of the network presets.
    case current
}

/// The behaviour switches on which `launch` and `current` differ (spec §0.1, the
/// [LAUNCH]/[CURRENT] tags). Each is a deployed behaviour, not an invention.
public struct ProtocolRules: Hashable, Sendable {
    /// [LAUNCH] prices are the `quorum_below` of the *next* committee's votes, computed at
    /// `voting_end` and applied at the epoch change (spec §3.2). [CURRENT] (`false`): prices are
    /// recomputed from the *current* committee by `updatePrices()` and at the end of every epoch
    /// change.
    public var pricesFromNextCommitteeAtVotingEnd: Bool
    /// Share of each finished epoch's reward slot burned at the epoch change, in basis points
    /// (spec §3.6, §3.7). [CURRENT] 300 (the contract computes `value * 3 / 100`, which is the
    /// same floor as `value * 300 / 10_000`); [LAUNCH] 0.
    public var burnBasisPoints: UInt64
    /// [CURRENT] commission credited at an epoch change is blocked until the next
    /// `voting_end` (spec §2.5, commit `9a6c805454`).
    public var commissionLockedUntilVotingEnd: Bool
    /// [CURRENT] committee members may vote to burn a node's accumulated commission (spec §3.9).
    public var commissionSlashing: Bool
    /// [CURRENT] `reserve_space_for_epochs`: storage whose start lies in the future (spec §3.4).
    public var futureStartReservations: Bool
    /// [CURRENT] the `walrus_subsidies` contract (spec §3.8), deployed on Mainnet 2025-07-25.
    public var walrusSubsidiesContract: Bool

    /// Sets each switch as given; ``forProfile(_:)`` gives the deployed combinations.
    public init(pricesFromNextCommitteeAtVotingEnd: Bool, burnBasisPoints: UInt64,
                commissionLockedUntilVotingEnd: Bool, commissionSlashing: Bool,
                futureStartReservations: Bool, walrusSubsidiesContract: Bool) {
        self.pricesFromNextCommitteeAtVotingEnd = pricesFromNextCommitteeAtVotingEnd
        self.burnBasisPoints = burnBasisPoints
        self.commissionLockedUntilVotingEnd = commissionLockedUntilVotingEnd
        self.commissionSlashing = commissionSlashing
        self.futureStartReservations = futureStartReservations
        self.walrusSubsidiesContract = walrusSubsidiesContract
    }

    /// The switches as deployed under `profile`: `launch` turns every [CURRENT] behaviour off,
    /// `current` turns them all on with a 300 bp burn.
    public static func forProfile(_ profile: Profile) -> ProtocolRules {
        switch profile {
        case .launch:
            return ProtocolRules(pricesFromNextCommitteeAtVotingEnd: true, burnBasisPoints: 0,
                                 commissionLockedUntilVotingEnd: false, commissionSlashing: false,
                                 futureStartReservations: false, walrusSubsidiesContract: false)
        case .current:
            return ProtocolRules(pricesFromNextCommitteeAtVotingEnd: false, burnBasisPoints: 300,
                                 commissionLockedUntilVotingEnd: true, commissionSlashing: true,
                                 futureStartReservations: true, walrusSubsidiesContract: true)
        }
    }
}

/// Mechanisms described in the Walrus whitepaper but **NOT in the deployed contracts**
/// (spec §3.9). All are off by default; they exist so that users can ask "what if".
public struct WhitepaperExtensions: Hashable, Sendable {
    /// NOT DEPLOYED. Storage challenges: the world reports failed challenges per node and
    /// epoch (``WalrusEconomy/recordFailedChallenge(node:failedShards:)``); at the epoch change
    /// a failing node forfeits `rewardForfeitBasisPoints` of its epoch reward (burned) and, when
    /// ``principalSlashing`` is on, loses `penaltyPerFailedShardBasisPoints × failedShards` of
    /// its active staked principal (capped at 100%, burned).
    public var storageChallenges: Bool
    /// NOT DEPLOYED. Share of a failing node's epoch reward that is burned, in basis points (at most 10,000).
    public var rewardForfeitBasisPoints: UInt64
    /// NOT DEPLOYED. Principal slashed per failed shard, in basis points; the product is capped at 10,000.
    public var penaltyPerFailedShardBasisPoints: UInt64
    /// NOT DEPLOYED. Slashing of staked principal (the contracts only ever burn commission;
    /// docs state delegated principal is never slashed). Enables
    /// ``WalrusEconomy/slashPrincipal(node:basisPoints:)`` and the challenge penalty above.
    public var principalSlashing: Bool

    /// Everything off unless given; equal to ``none`` with no arguments.
    public init(storageChallenges: Bool = false, rewardForfeitBasisPoints: UInt64 = 0,
                penaltyPerFailedShardBasisPoints: UInt64 = 0, principalSlashing: Bool = false) {
        self.storageChallenges = storageChallenges
        self.rewardForfeitBasisPoints = rewardForfeitBasisPoints
        self.penaltyPerFailedShardBasisPoints = penaltyPerFailedShardBasisPoints
        self.principalSlashing = principalSlashing
    }

    /// Everything off: the deployed contracts.
    public static let none = WhitepaperExtensions()
}

/// All parameters of one economy. Defaults follow a network preset and a profile; every
/// field is free for sweeps.
public struct EconomicsParameters: Hashable, Sendable {
    /// The profile the defaults came from; kept for reports (``rules`` may since have been edited).
    public var profile: Profile
    /// The deployed-behaviour switches; ``ProtocolRules/forProfile(_:)`` of ``profile`` unless edited.
    public var rules: ProtocolRules
    /// The whitepaper-only mechanisms; ``WhitepaperExtensions/none`` by default.
    public var extensions: WhitepaperExtensions
    /// Shards `N` (spec §1.2: 1000 on Mainnet and Testnet). Walrus shard indices are `u16`.
    public var nShards: Int
    /// Epoch duration `D` in ms (spec §1.2).
    public var epochDurationMs: UInt64
    /// Duration of epoch 0, from creation to `first_epoch_start` (spec §1.1; Mainnet value
    /// UNSURE, so a free parameter).
    public var epochZeroDurationMs: UInt64
    /// Ring-buffer length: how many epochs ahead storage can be bought (spec §3.4: 53;
    /// contract hard cap 1000).
    public var maxEpochsAhead: Int
    /// Active-set size cap (spec §1.3: 111 on Mainnet/Testnet, 150 in dev contracts).
    public var activeSetCap: Int
    /// Minimum stake to enter the active set (`MIN_STAKE` = 0: any positive stake).
    public var activeSetThresholdFrost: Frost
    /// Minimum principal of a StakedWal object (spec §2.1: 1 WAL).
    public var minStakeFrost: Frost
    /// Prices in force before the first committee has voted, FROST per storage unit (per
    /// epoch for storage). Spec §3.2: Mainnet epoch 1 had 100,000 and 20,000.
    public var initialStoragePriceFrost: Frost
    /// The write price in force before the first vote, FROST per storage unit, paid once per blob (spec §3.5).
    public var initialWritePriceFrost: Frost
    /// Commission rate a node gets when the caller does not choose one (spec §2.5: the
    /// `walrus-node setup` default is 6000 bp).
    public var defaultCommission: BasisPoints

    /// Defaults: rules of `profile`, 1 WAL minimum stake, prices 100,000 / 20,000 FROST, 6000 bp commission,
    /// zero active-set threshold. Does not validate; call ``validationError()``.
    public init(profile: Profile, nShards: Int, epochDurationMs: UInt64,
                epochZeroDurationMs: UInt64 = 0, maxEpochsAhead: Int = 53, activeSetCap: Int = 111,
                extensions: WhitepaperExtensions = .none) {
        self.profile = profile
        self.rules = .forProfile(profile)
        self.extensions = extensions
        self.nShards = nShards
        self.epochDurationMs = epochDurationMs
        self.epochZeroDurationMs = epochZeroDurationMs
        self.maxEpochsAhead = maxEpochsAhead
        self.activeSetCap = activeSetCap
        self.activeSetThresholdFrost = .zero
        self.minStakeFrost = Frost(Frost.perWAL)
        self.initialStoragePriceFrost = Frost(100_000)
        self.initialWritePriceFrost = Frost(20_000)
        self.defaultCommission = BasisPoints(6_000)
    }

    /// Mainnet (spec §1.2, §5): 1000 shards, 14-day epochs, 53 epochs ahead, active set 111.
    public static func mainnet(_ profile: Profile = .current) -> EconomicsParameters {
        EconomicsParameters(profile: profile, nShards: 1_000, epochDurationMs: 14 * 86_400_000)
    }

    /// Testnet (spec §1.2): as Mainnet but 1-day epochs.
    public static func testnet(_ profile: Profile = .current) -> EconomicsParameters {
        EconomicsParameters(profile: profile, nShards: 1_000, epochDurationMs: 86_400_000)
    }

    /// Checks the ranges the contracts rely on; `nil` when valid.
    public func validationError() -> EconomicsError? {
        if nShards < 1 || nShards > Int(UInt16.max) { return .invalidParameter("nShards must be in 1...65535") }
        if maxEpochsAhead < 1 || maxEpochsAhead > 1_000 { return .invalidParameter("maxEpochsAhead must be in 1...1000 (MAX_MAX_EPOCHS_AHEAD)") }
        if activeSetCap < 1 || activeSetCap > Int(UInt16.max) { return .invalidParameter("activeSetCap must be in 1...65535") }
        if epochDurationMs == 0 { return .invalidParameter("epochDurationMs must be positive") }
        if rules.burnBasisPoints > BasisPoints.denominator { return .invalidParameter("burnBasisPoints must be <= 10000") }
        if extensions.rewardForfeitBasisPoints > BasisPoints.denominator { return .invalidParameter("rewardForfeitBasisPoints must be <= 10000") }
        if defaultCommission.rawValue > BasisPoints.denominator { return .invalidParameter("defaultCommission must be <= 10000") }
        return nil
    }
}
