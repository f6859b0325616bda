import TestSupport
import WalrusCrypto
@testable import RedStuff

/// The RedStuff tests' name for the shared generator; every failing case prints its seed.
typealias SplitMix = SplitMix64

import Foundation

enum Env {
    static var slow: Bool { ProcessInfo.processInfo.environment["WALRUS_SLOW_TESTS"] == "1" }
}
