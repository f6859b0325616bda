import WalrusCrypto

/// The globally unique ID of one patch (Walrus `QuiltPatchId`): the quilt's blob ID followed by
/// the patch's internal ID bytes.
///
/// Bytes: the 32 blob-ID bytes, then `patchIDBytes` (for QuiltV1 the 5 bytes of
/// `QuiltPatchInternalID`: version 0x01, start u16 LE, end u16 LE), 37 bytes in all.
/// Text: those bytes in URL-safe base64 without padding (50 characters for V1), exactly as the
/// `walrus` CLI prints it in the `QuiltPatchId` column of `store-quilt` and accepts in
/// `read-quilt --quilt-patch-ids`.
///
/// Invariant: `patchIDBytes` is not empty (parsing requires at least 33 bytes).
public struct QuiltPatchID: Hashable, Sendable, CustomStringConvertible {
    /// The blob ID of the quilt.
    public let quiltID: BlobID
    /// The version-specific patch bytes.
    public let patchIDBytes: [UInt8]

    /// The ID of patch `internalID` in quilt `quiltID`.
    public init(quiltID: BlobID, internalID: QuiltPatchInternalID) {
        self.quiltID = quiltID
        patchIDBytes = internalID.bytes
    }

    /// Parses the textual form. As Walrus's `FromStr`, it accepts any URL-safe, unpadded base64
    /// text of at least 33 bytes; the patch bytes are checked later by `internalID()`. Padding
    /// (`=`), other alphabets and non-zero spare bits are rejected, as by Rust's
    /// `URL_SAFE_NO_PAD` engine. Throws `.quiltPatchIdParseError(text)`.
    public init(parsing text: String) throws(QuiltError) {
        guard !text.utf8.contains(UInt8(ascii: "=")), let bytes = Base64URL.decode(text), bytes.count >= 33,
              let id = BlobID(bytes: Array(bytes[0..<32]))
        else { throw .quiltPatchIdParseError(text) }
        quiltID = id
        patchIDBytes = Array(bytes[32...])
    }

    /// All bytes: blob ID then patch bytes.
    public var bytes: [UInt8] { quiltID.bytes + patchIDBytes }

    /// The textual form (URL-safe base64, no padding).
    public var description: String { Base64URL.encode(bytes) }

    /// The QuiltV1 internal ID. Throws `.other("Invalid quilt version byte: v")` when the first
    /// patch byte is not a known quilt version (Walrus's `version_enum`), then whatever
    /// `QuiltPatchInternalID(bytes:)` throws.
    public func internalID() throws(QuiltError) -> QuiltPatchInternalID {
        guard let version = patchIDBytes.first else { throw .other("Patch ID bytes are empty") }
        guard version == QuiltV1Layout.versionByte else { throw .other("Invalid quilt version byte: \(version)") }
        return try QuiltPatchInternalID(bytes: patchIDBytes)
    }
}
