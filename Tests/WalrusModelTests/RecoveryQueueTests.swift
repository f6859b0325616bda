import SimSupport
import Testing
@testable import WalrusModel

/// The recovery queue of a storage node.
@Suite struct RecoveryQueueTests {
    /// Tens of thousands of queued recoveries that became moot (their blob is not live) are
    /// dropped in one pass: starting the queue again from each drop nested a call per recovery
    /// and overflowed the stack in a modeled year (day 210 of mainnet-year).
    @Test func mootQueuedRecoveriesAreDroppedWithoutNesting() throws {
        var h = try ModelHarness()
        var node = h.nodes[0]
        node.maxConcurrentRecoveries = 4
        let count = 20_000
        for i in 0..<count {
            let key = StorageNode.RecoveryKey(blob: BlobRef(UInt32(1_000 + i / 10)), pair: i % 10)
            node.recoveries[key] = StorageNode.RecoveryState()
            node.recoveryQueue.append(key)
        }
        node.startQueuedRecoveries(context: h.context, into: ActionBuffer())
        #expect(node.recoveries.isEmpty && node.recoveryQueue.isEmpty && node.activeRecoveries == 0)
        h.nodes[0] = node
    }
}
