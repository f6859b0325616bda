/// Typed identifiers. Each wraps a dense integer so that state can live in arrays indexed by
/// ID (DESIGN §4: no dictionary iteration order in anything that affects results), while the
/// type system keeps a node index from being used as a shard index.

/// A storage node (or any simulated process with an address), dense from 0.
public struct NodeID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The dense number, from 0; the world builds storage node `i` as `NodeID(i)`.
    public var rawValue: UInt32
    /// Wraps a raw number; no range check (the world owns the node count).
    @inlinable public init(_ rawValue: UInt32) { self.rawValue = rawValue }
    /// `rawValue` as an `Int`, for indexing per-node arrays.
    @inlinable public var index: Int { Int(rawValue) }
    /// Orders by `rawValue`, so sorted node lists are deterministic.
    @inlinable public static func < (a: NodeID, b: NodeID) -> Bool { a.rawValue < b.rawValue }
    /// `node<rawValue>`, e.g. `node3`, for logs and traces.
    public var description: String { "node\(rawValue)" }
}

/// A shard of the Walrus system, `0 ..< nShards`. Walrus shard indices are `u16`.
public struct ShardIndex: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The shard number, `0 ..< nShards` (a Walrus `u16`).
    public var rawValue: UInt16
    /// Wraps a raw shard number; no range check against `nShards` (the caller's).
    @inlinable public init(_ rawValue: UInt16) { self.rawValue = rawValue }
    /// `rawValue` as an `Int`, for indexing per-shard arrays.
    @inlinable public var index: Int { Int(rawValue) }
    /// Orders by `rawValue`.
    @inlinable public static func < (a: ShardIndex, b: ShardIndex) -> Bool { a.rawValue < b.rawValue }
    /// `shard<rawValue>`, e.g. `shard12`, for logs and traces.
    public var description: String { "shard\(rawValue)" }
    /// The table hash of its number (`mixedTableHash`, not SipHash): a node's shard-sync
    /// tables are looked up by shard for every pair a sync response brings.
    @inlinable public func _rawHashValue(seed: Int) -> Int { mixedTableHash(UInt64(rawValue), seed: seed) }
}

/// A Walrus epoch number (`u32` on chain). Epoch 0 is genesis.
public struct Epoch: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The epoch number; 0 is genesis.
    public var rawValue: UInt32
    /// Wraps a raw epoch number.
    @inlinable public init(_ rawValue: UInt32) { self.rawValue = rawValue }
    /// Orders by `rawValue`: earlier epochs compare less.
    @inlinable public static func < (a: Epoch, b: Epoch) -> Bool { a.rawValue < b.rawValue }
    /// The following epoch; traps on overflow, which no realistic run reaches (2^32 epochs).
    @inlinable public var next: Epoch { Epoch(rawValue + 1) }
    /// The epoch `k` epochs after `e`; traps on overflow past `UInt32.max`.
    @inlinable public static func + (e: Epoch, k: UInt32) -> Epoch { Epoch(e.rawValue + k) }
    /// `epoch<rawValue>`, e.g. `epoch4`, for logs and traces.
    public var description: String { "epoch\(rawValue)" }
}

/// The hash tables give an integer key `value` whose own hash would be SipHash over its bytes:
/// `value` and the table's `seed` through SplitMix64's finalizer, a dozen instructions that
/// carry every bit of the key to every bucket bit. Dense keys (indices, counters) looked up
/// per message use it as their `_rawHashValue(seed:)`; equal keys hash equally, as `Hashable`
/// requires, and the seed still varies the table order from table to table.
@inlinable public func mixedTableHash(_ value: UInt64, seed: Int) -> Int {
    var x = value ^ UInt64(bitPattern: Int64(seed))
    x = (x ^ (x >> 30)) &* 0xBF58_476D_1CE4_E5B9
    x = (x ^ (x >> 27)) &* 0x94D0_49BB_1331_11EB
    return Int(truncatingIfNeeded: x ^ (x >> 31))
}
