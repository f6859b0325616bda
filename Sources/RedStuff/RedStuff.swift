/// # RedStuff: Walrus RS2 encoding, byte-compatible with `walrus-core`
///
/// Spec: `shared/spec/walrus-encoding.md`. All types are values (`Sendable`), there is no global
/// mutable state, every failure is a typed `RedStuffError` (or `BCSError` while parsing) and no
/// input traps. Whole-blob work may use threads (`EncodingOptions.threads`, default 1); results
/// never depend on it.
///
/// ## How the simulator uses it
///
/// ```swift
/// let config = try EncodingConfig(nShards: 1000)            // throws for n < 4 or n > 65535
///
/// // Client: encode, then send pair p to shard mapping.shard(ofPair: p) with the metadata.
/// let encoded = try BlobEncoder(config: config).encode(blob: bytes)
/// let mapping = ShardMapping(blobID: encoded.blobID, nShards: config.nShards)
/// // (Metadata and ID only, no slivers kept: BlobEncoder(...).computeMetadata(blob:).)
///
/// // Storage node: check the metadata once, then each sliver pair it receives.
/// try metadata.verify(config: config)                        // BlobMetadataWithID
/// try pair.verify(metadata: metadata.metadata, config: config)
/// let confirmation = StorageConfirmation(epoch: e, blobID: metadata.blobID, persistence: .permanent)
/// let toSign = confirmation.bcsBytes                         // 40 bytes, signed with SignatureScheme
///
/// // Node serving recovery: expand a stored sliver once, then answer any pair.
/// let expanded = try ExpandedSliver(sliver: pair.secondary, config: config)
/// let symbol = try expanded.recoverySymbol(forTargetPair: p) // for the primary sliver of pair p
///
/// // Node recovering its primary sliver p from C symbols (secondary first: needs only R).
/// switch try SliverRecovery.recover(targetAxis: .primary, targetIndex: p, symbols: symbols,
///                                   metadata: metadata.metadata, config: config) {
/// case .sliver(let sliver): store(sliver)
/// case .inconsistencyProof(let proof): broadcast(proof)     // others: try proof.verify(...)
/// }                                                          // then sign InvalidBlobIDMessage
///
/// // Reader: R verified primary slivers (or C secondary) → blob, with Walrus's default check.
/// let blob = try BlobDecoder(config: config, metadata: metadata)
///     .decode(slivers: primaries, check: .default, inputsVerified: true)
/// ```
///
/// Quilts (Walrus QuiltV1, `Quilt.swift`): many small blobs in one blob, each read alone.
///
/// ```swift
/// let blobs = [try QuiltBlob(data: bytes, identifier: "a.jpg", tags: ["kind": "photo"])]
/// let quilt = try QuiltEncoder(config: config).encode(blobs: blobs)  // quilt.quiltID, .patchIDs
/// let read = try QuiltPatchReader(config: config, metadata: quilt.encoded.metadata)
///     .read(quilt.patchIDs[0]) { j in secondarySliver(j) }            // only the patch's columns
/// ```
///
/// Wire sizes for the network model are `value.bcsBytes.count` (metadata, slivers, symbols,
/// proofs, confirmations all encode exactly as Walrus's serde + BCS).
public enum RedStuff {
    /// Spec revision this module follows (walrus `crates/walrus-core` at 3c1cacc, v1.56.0).
    public static let specVersion = "walrus-core 1.56.0 (3c1cacc11c9292ed498f01f798cf790f02ea5062)"
}
