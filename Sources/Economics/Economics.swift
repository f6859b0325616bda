/// Economics: the incentive half of walrus-sim (DESIGN §3, spec `walrus-staking.md`).
///
/// Pure state and functions over integer FROST: ``WalrusEconomy`` holds the staking and
/// system objects and is driven by the world; ``Apportionment`` and ``Committee`` are the
/// committee-selection algorithms on their own. See the type docs for the spec sections.
