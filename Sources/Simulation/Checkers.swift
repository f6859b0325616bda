import SimSupport
import WalrusModel

/// A broken invariant, with what a user needs to reproduce it.
public struct Violation: Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable { case durability, availability, consistency, conservation }
    public var kind: Kind
    public var time: SimTime
    public var blob: BlobRef?
    public var detail: String
    public var seed: UInt64
    /// Whether the protocol's assumptions held (at most f faulty shards, no fault window): a
    /// violation under its assumptions is a bug; beyond them it is an expected, reported loss.
    public var withinAssumptions: Bool

    public var description: String {
        let where_ = blob.map { " \($0)" } ?? ""
        let scope = withinAssumptions ? "VIOLATION" : "beyond the fault assumptions"
        return "\(kind.rawValue)\(where_) at \(time): \(detail) [\(scope); reproduce with --seed \(seed)]"
    }
}
