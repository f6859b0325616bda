// Typed errors for every input the library rejects.

/// Why an encoding, key or argument was rejected. Decoding and key functions throw only these;
/// no input can make the library trap.
public enum BLSError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The byte string does not have the encoding's length.
    case invalidLength(expected: Int, actual: Int)
    /// The compression flag (top bit of the first byte) is clear; only compressed points are
    /// accepted.
    case notCompressed
    /// The infinity flag is set but the sort flag or some other bit is non-zero.
    case invalidInfinityEncoding
    /// A coordinate is not below the field modulus p.
    case coordinateNotInField
    /// No point on the curve has this x coordinate.
    case notOnCurve
    /// The point is on the curve but outside the prime-order subgroup.
    case notInSubgroup
    /// A public key is the identity (KeyValidate forbids it), or an aggregate key sums to it.
    case identityPublicKey
    /// A secret key is zero or not below the group order r.
    case invalidSecretKey
    /// KeyGen's input keying material is shorter than 32 bytes.
    case keyMaterialTooShort(actual: Int)
    /// An aggregate of no keys or signatures was asked for.
    case emptyAggregate

    /// A one-line human-readable explanation (the CLI prints it after the argument's name).
    public var description: String {
        switch self {
        case let .invalidLength(expected, actual): "wrong length: expected \(expected) bytes, got \(actual)"
        case .notCompressed: "compression flag not set (only compressed points are accepted)"
        case .invalidInfinityEncoding: "invalid encoding of the point at infinity"
        case .coordinateNotInField: "coordinate not below the field modulus"
        case .notOnCurve: "point not on the curve"
        case .notInSubgroup: "point not in the prime-order subgroup"
        case .identityPublicKey: "public key is the identity"
        case .invalidSecretKey: "secret key is zero or not below the group order"
        case let .keyMaterialTooShort(actual): "key material must be at least 32 bytes, got \(actual)"
        case .emptyAggregate: "nothing to aggregate"
        }
    }
}
