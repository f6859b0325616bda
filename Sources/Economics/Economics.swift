/// Economics: the incentive half of walrus-sim (DESIGN §3; spec `walrus-staking.md`).
///
/// Pure state and functions over integer FROST, ported from the Move contracts of
/// `MystenLabs/walrus` at v1.56.0 (`mainnet-contracts/`, and the launch version at
/// `7d02a36a29`). No simulation, clock, randomness or dictionary iteration inside.
///
/// - ``WalrusEconomy``: the staking object, the system object, both subsidy contracts,
///   commission slashing and the user accounts. The world owns one value and calls an
///   operation whenever the matching chain transaction executes. Errors are typed
///   (``EconomicsError``) and leave the value unchanged.
/// - ``Apportionment`` and ``Committee``/``ActiveSet``: committee selection (D'Hondt with the
///   per-node cap and tie-break) and the minimal-move shard transition, usable on their own.
/// - ``EconomicsParameters``: network presets (`mainnet`, `testnet`), the `launch`/`current`
///   ``Profile`` switches (``ProtocolRules``) and the ``WhitepaperExtensions`` (off by
///   default, NOT in the deployed contracts).
///
/// ## Driving an epoch (spec §1.1, §1.5.1)
///
/// ```
/// // epoch E, state EpochChangeDone(t_done)
/// econ.votingEndAllowedAtMs            // t_done + D/2 (epoch 0: first_epoch_start)
/// try econ.votingEnd(atMs:)            // next committee + capacity ([LAUNCH] + prices)
/// econ.epochChangeAllowedAtMs          // t_done + D
/// try econ.processSubsidies()          // [CURRENT] nodes call it ~5 min before ...
/// let report = try econ.initiateEpochChange(atMs:)  // burn, payouts, E+1, EpochChangeSync(0)
/// try econ.processSubsidies()          // ... and right after the change
/// econ.committeeAssignments            // node -> shard indices, sorted by node id
/// try econ.epochSyncDone(node:epoch:atMs:)  // per new member when its shards are synced;
///                                           // returns true when 2f+1 shards are in: t_done
/// econ.drainFlows()                    // WAL movements for the results database
/// econ.conservationReport().isBalanced // cheap enough for every epoch
/// ```
///
/// Between those calls the world applies user and node transactions as they execute:
/// `stake`, `requestWithdraw`, `withdraw`, `splitStake`, `setCommission`,
/// `collectCommission`, price and capacity votes, `updatePrices` ([CURRENT]),
/// `reserveSpace`, `registerBlob`, `certifyBlob`, `extendBlob`, `deleteBlob`,
/// `setDenyListSize`, `voteForSlashing`/`executeSlashing` ([CURRENT]).
