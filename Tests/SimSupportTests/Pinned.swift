/// Recorded values; see the tests that use them.
let PINNED_DIGEST = "caabcff05c7c022589c530a81bb4615f"
let PINNED_STREAM_SEED: UInt64 = 11_448_752_454_465_926_214
