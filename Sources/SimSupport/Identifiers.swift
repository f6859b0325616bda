/// Typed identifiers. Each wraps a dense integer so that state can live in arrays indexed by
/// ID (DESIGN §4: no dictionary iteration order in anything that affects results), while the
/// type system keeps a node index from being used as a shard index.

/// A storage node (or any simulated process with an address), dense from 0.
public struct NodeID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var rawValue: UInt32
    @inlinable public init(_ rawValue: UInt32) { self.rawValue = rawValue }
    @inlinable public var index: Int { Int(rawValue) }
    @inlinable public static func < (a: NodeID, b: NodeID) -> Bool { a.rawValue < b.rawValue }
    public var description: String { "node\(rawValue)" }
}

/// A shard of the Walrus system, `0 ..< nShards`. Walrus shard indices are `u16`.
public struct ShardIndex: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var rawValue: UInt16
    @inlinable public init(_ rawValue: UInt16) { self.rawValue = rawValue }
    @inlinable public var index: Int { Int(rawValue) }
    @inlinable public static func < (a: ShardIndex, b: ShardIndex) -> Bool { a.rawValue < b.rawValue }
    public var description: String { "shard\(rawValue)" }
}

/// A Walrus epoch number (`u32` on chain). Epoch 0 is genesis.
public struct Epoch: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var rawValue: UInt32
    @inlinable public init(_ rawValue: UInt32) { self.rawValue = rawValue }
    @inlinable public static func < (a: Epoch, b: Epoch) -> Bool { a.rawValue < b.rawValue }
    /// The following epoch; traps on overflow, which no realistic run reaches (2^32 epochs).
    @inlinable public var next: Epoch { Epoch(rawValue + 1) }
    @inlinable public static func + (e: Epoch, k: UInt32) -> Epoch { Epoch(e.rawValue + k) }
    public var description: String { "epoch\(rawValue)" }
}
