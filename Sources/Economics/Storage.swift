import SimSupport

/// Sizes and units of stored data (spec §3.1, `system/redstuff.move`, `encoding.move`).
public enum StorageUnits {
    /// `BYTES_PER_UNIT_SIZE`: prices are per MiB of encoded size.
    public static let bytesPerUnit: UInt64 = 1_048_576

    /// `ceil(encodedBytes / 1 MiB)`.
    public static func units(encodedBytes: UInt64) -> UInt64 {
        encodedBytes / bytesPerUnit + (encodedBytes % bytesPerUnit == 0 ? 0 : 1)
    }

    /// Encoded size of an RS2 blob of `unencodedBytes` over `nShards` shards (spec §3.1):
    /// `N * ((p + s) * sym + 64 N + 32)` with `f = (N-1)/3`, `p = N - 2f`, `s = N - f`, and
    /// `sym = ceil(max(L, 1) / (p s))` rounded up to even. `nil` if the symbol would exceed the
    /// u16 limit (blob too large) or the size overflows.
    public static func encodedBlobBytes(unencodedBytes: UInt64, nShards: Int) -> UInt64? {
        let n = UInt64(nShards)
        let f = (n - 1) / 3
        let p = n - 2 * f, s = n - f
        let sourceSymbols = p * s
        let l = max(unencodedBytes, 1)
        var symbol = l / sourceSymbols + (l % sourceSymbols == 0 ? 0 : 1)
        if symbol % 2 == 1 { symbol += 1 }
        guard symbol <= 65_534 else { return nil }
        let perNode = UInt128(p + s) * UInt128(symbol) + UInt128(n) * 64 + 32
        let total = UInt128(n) * perNode
        return total > UInt128(UInt64.max) ? nil : UInt64(total)
    }
}

/// One epoch's slot of the future-accounting ring buffer (spec §3.4): bytes reserved for the
/// epoch and WAL to be paid out when it ends.
public struct EpochAccount: Hashable, Sendable {
    /// The epoch this slot accounts for.
    public var epoch: Epoch
    /// Encoded bytes reserved for this epoch; deletions do not lower it (spec §3.4).
    public var usedCapacityBytes: UInt64
    /// FROST paid into this epoch's slot so far; burned in part, then paid to the committee, when the epoch ends.
    public var rewardsFrost: UInt64
}

/// A `Storage` resource: `sizeBytes` of encoded capacity for epochs `[start, end)`.
public struct StorageResource: Hashable, Sendable {
    /// The resource's identity; also its index in the economy's storage array.
    public let id: StorageID
    /// The first epoch covered.
    public internal(set) var startEpoch: Epoch
    /// The first epoch no longer covered (exclusive); extending the attached blob moves it later.
    public internal(set) var endEpoch: Epoch
    /// Encoded bytes reserved in each epoch of `[startEpoch, endEpoch)`.
    public internal(set) var sizeBytes: UInt64
    /// Attached to a blob (or destroyed); it can no longer be used for a registration.
    public internal(set) var attached: Bool
}

/// A registered blob (spec §4.1), as far as payments care.
public struct BlobObject: Hashable, Sendable {
    /// The blob object's identity; also its index in the economy's blob array.
    public let id: BlobObjectID
    /// The blob's original size in bytes, as the client declared it.
    public let unencodedBytes: UInt64
    /// The RS2 encoded size in bytes (``StorageUnits/encodedBlobBytes(unencodedBytes:nShards:)``); at most the storage size.
    public let encodedBytes: UInt64
    /// The storage resource attached at registration; extensions lengthen it in place.
    public let storage: StorageID
    /// The epoch of `register_blob`, when the write fee was paid.
    public let registeredEpoch: Epoch
    /// The epoch of `certify_blob`; `nil` until certified.
    public internal(set) var certifiedEpoch: Epoch?
    /// The first epoch the blob is no longer paid for (exclusive); equal to its storage's end.
    public internal(set) var endEpoch: Epoch
    /// Whether the owner may delete the blob before it expires, freeing its storage for reuse.
    public let deletable: Bool
    /// Set by `delete_blob`, which also detaches the storage for reuse; operations then treat the blob as unknown.
    public internal(set) var deleted: Bool
}
