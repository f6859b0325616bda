/// Binary Canonical Serialization (BCS), the wire format of Walrus and Sui: little-endian fixed
/// integers, ULEB128 lengths and enum variant indices, no framing, no self-description.
///
/// `BCSWriter` appends; `BCSReader` consumes with typed errors and never traps on hostile input:
/// every length is checked against the bytes that remain (so a forged length cannot trigger a
/// huge allocation) and against an explicit limit.

/// Why decoding failed.
public enum BCSError: Error, Equatable, Sendable {
    /// Needed `needed` more bytes at `offset` but fewer remain.
    case truncated(offset: Int, needed: Int)
    /// Decoding finished with bytes left over.
    case trailingBytes(count: Int)
    /// A ULEB128 value longer than its type allows, or not in canonical (shortest) form.
    case invalidULEB128(offset: Int)
    /// A length that exceeds the caller's limit (or what the remaining bytes could hold).
    case lengthLimitExceeded(length: UInt64, limit: Int)
    /// An enum variant index not defined for `type`.
    case invalidVariant(type: String, index: UInt32)
    /// Bytes that parse but violate a type's invariant (e.g. zero symbol size).
    case invalidValue(String)
}

/// Appends BCS values to a byte array.
public struct BCSWriter: Sendable {
    /// Everything written so far, in order.
    public private(set) var bytes: [UInt8]

    /// An empty writer with room for `capacity` bytes reserved.
    public init(capacity: Int = 0) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Appends one byte.
    public mutating func writeU8(_ v: UInt8) { bytes.append(v) }
    /// Appends `0x01` for true, `0x00` for false.
    public mutating func writeBool(_ v: Bool) { bytes.append(v ? 1 : 0) }
    /// Appends 2 bytes, little-endian.
    public mutating func writeU16(_ v: UInt16) { appendLE(v) }
    /// Appends 4 bytes, little-endian.
    public mutating func writeU32(_ v: UInt32) { appendLE(v) }
    /// Appends 8 bytes, little-endian.
    public mutating func writeU64(_ v: UInt64) { appendLE(v) }

    private mutating func appendLE<T: FixedWidthInteger>(_ v: T) {
        var x = v
        for _ in 0..<(T.bitWidth / 8) {
            bytes.append(UInt8(truncatingIfNeeded: x))
            x >>= 8
        }
    }

    /// ULEB128 (sequence lengths, enum variant indices); values up to 2^32-1 as BCS requires.
    public mutating func writeULEB128(_ value: UInt64) {
        var v = value
        repeat {
            var byte = UInt8(v & 0x7f)
            v >>= 7
            if v != 0 { byte |= 0x80 }
            bytes.append(byte)
        } while v != 0
    }

    /// An enum variant index, as ULEB128.
    public mutating func writeVariant(_ index: UInt32) { writeULEB128(UInt64(index)) }
    /// A sequence length, as ULEB128; negative counts are written as 0.
    public mutating func writeLength(_ count: Int) { writeULEB128(UInt64(max(0, count))) }

    /// Fixed-size bytes with no length prefix (e.g. `[u8; 32]`).
    public mutating func writeFixedBytes<C: Sequence>(_ b: C) where C.Element == UInt8 {
        bytes.append(contentsOf: b)
    }

    /// `Vec<u8>`: ULEB128 length then the bytes.
    public mutating func writeBytes(_ b: [UInt8]) {
        writeLength(b.count)
        bytes.append(contentsOf: b)
    }

    /// `Vec<u8>` from a slice.
    public mutating func writeBytes(_ b: ArraySlice<UInt8>) {
        writeLength(b.count)
        bytes.append(contentsOf: b)
    }

    /// Appends the digest's 32 bytes in order, no length prefix (`[u8; 32]`).
    public mutating func writeDigest(_ d: Digest32) {
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(0, count: 32))
        bytes.withUnsafeMutableBytes { d.store(to: $0.baseAddress! + start) }
    }

    /// `Option<T>`: 0x00 for None, 0x01 then the value for Some.
    public mutating func writeOption<T>(_ v: T?, _ body: (inout BCSWriter, T) -> Void) {
        if let v {
            bytes.append(1)
            body(&self, v)
        } else {
            bytes.append(0)
        }
    }

    /// `Vec<T>`: ULEB128 count then each element.
    public mutating func writeSequence<T>(_ items: [T], _ body: (inout BCSWriter, T) -> Void) {
        writeLength(items.count)
        for item in items { body(&self, item) }
    }

    /// Appends `value`'s own encoding.
    public mutating func write<T: BCSEncodable>(_ value: T) { value.encode(to: &self) }
}

/// Consumes BCS values from a byte array.
public struct BCSReader: Sendable {
    /// The whole input; never modified.
    public let bytes: [UInt8]
    /// Bytes consumed so far; the next read starts here. Never beyond `bytes.count`.
    public private(set) var offset: Int

    /// Default cap on any single sequence length (elements or bytes).
    public static let defaultLengthLimit = 1 << 31

    /// A reader at offset 0 of `bytes`.
    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
        offset = 0
    }

    /// Bytes not yet consumed; never negative.
    public var remaining: Int { bytes.count - offset }

    private mutating func need(_ n: Int) throws(BCSError) {
        guard n >= 0, n <= remaining else { throw .truncated(offset: offset, needed: n) }
    }

    /// Consumes one byte; throws `truncated` at the end of input.
    public mutating func readU8() throws(BCSError) -> UInt8 {
        try need(1)
        defer { offset += 1 }
        return bytes[offset]
    }

    /// Consumes `0x00` or `0x01`; any other byte throws `invalidValue` and is not consumed.
    public mutating func readBool() throws(BCSError) -> Bool {
        let at = offset
        switch try readU8() {
        case 0: return false
        case 1: return true
        default:
            offset = at
            throw .invalidValue("bool byte at offset \(at) is not 0 or 1")
        }
    }

    private mutating func readLE<T: FixedWidthInteger>(_: T.Type) throws(BCSError) -> T {
        let n = T.bitWidth / 8
        try need(n)
        var v: T = 0
        for i in 0..<n { v |= T(bytes[offset + i]) << (8 * i) }
        offset += n
        return v
    }

    /// Consumes 2 bytes, little-endian; throws `truncated` if fewer remain.
    public mutating func readU16() throws(BCSError) -> UInt16 { try readLE(UInt16.self) }
    /// Consumes 4 bytes, little-endian; throws `truncated` if fewer remain.
    public mutating func readU32() throws(BCSError) -> UInt32 { try readLE(UInt32.self) }
    /// Consumes 8 bytes, little-endian; throws `truncated` if fewer remain.
    public mutating func readU64() throws(BCSError) -> UInt64 { try readLE(UInt64.self) }

    /// ULEB128 limited to 32 bits (BCS) and canonical form.
    public mutating func readULEB128() throws(BCSError) -> UInt32 {
        let start = offset
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let byte = try readU8()
            value |= UInt64(byte & 0x7f) << shift
            if byte & 0x80 == 0 {
                // Canonical: no trailing zero group (except the value 0 itself), fits in u32.
                if byte == 0 && shift > 0 { throw .invalidULEB128(offset: start) }
                guard value <= UInt64(UInt32.max) else { throw .invalidULEB128(offset: start) }
                return UInt32(value)
            }
            shift += 7
            if shift > 28 { throw .invalidULEB128(offset: start) }
        }
    }

    /// An enum variant index (canonical ULEB128, at most `UInt32.max`); the caller checks it is defined.
    public mutating func readVariant() throws(BCSError) -> UInt32 { try readULEB128() }

    /// A sequence length, bounded by `limit` and by `remaining / minElementBytes` so that a
    /// forged length cannot make the caller reserve more than the input could ever fill.
    public mutating func readLength(limit: Int = BCSReader.defaultLengthLimit, minElementBytes: Int = 1) throws(BCSError) -> Int {
        let len = Int(try readULEB128())
        guard len <= limit else { throw .lengthLimitExceeded(length: UInt64(len), limit: limit) }
        if minElementBytes > 0 && len > remaining / minElementBytes {
            throw .truncated(offset: offset, needed: len * minElementBytes)
        }
        return len
    }

    /// Consumes exactly `count` bytes, no length prefix; throws `truncated` if fewer remain.
    public mutating func readFixedBytes(_ count: Int) throws(BCSError) -> [UInt8] {
        try need(count)
        defer { offset += count }
        return Array(bytes[offset..<(offset + count)])
    }

    /// `Vec<u8>` with a length limit.
    public mutating func readBytes(limit: Int = BCSReader.defaultLengthLimit) throws(BCSError) -> [UInt8] {
        let n = try readLength(limit: limit)
        return try readFixedBytes(n)
    }

    /// Consumes 32 bytes as a digest; throws `truncated` if fewer remain.
    public mutating func readDigest() throws(BCSError) -> Digest32 {
        try need(32)
        defer { offset += 32 }
        return bytes.withUnsafeBytes { Digest32(loadingFrom: $0.baseAddress! + offset) }
    }

    /// `Option<T>`: tag 0 gives `nil`, tag 1 decodes the value with `body`, any other tag throws `invalidVariant`.
    public mutating func readOption<T>(_ body: (inout BCSReader) throws(BCSError) -> T) throws(BCSError) -> T? {
        switch try readVariant() {
        case 0: return nil
        case 1: return try body(&self)
        case let v: throw .invalidVariant(type: "Option", index: v)
        }
    }

    /// `Vec<T>`: a length checked as ``readLength(limit:minElementBytes:)`` does, then that many `body` calls.
    public mutating func readSequence<T>(limit: Int = BCSReader.defaultLengthLimit, minElementBytes: Int = 1,
                                         _ body: (inout BCSReader) throws(BCSError) -> T) throws(BCSError) -> [T] {
        let n = try readLength(limit: limit, minElementBytes: minElementBytes)
        var out: [T] = []
        out.reserveCapacity(n)
        for _ in 0..<n { out.append(try body(&self)) }
        return out
    }

    /// Throws `trailingBytes` unless everything was consumed.
    public func finish() throws(BCSError) {
        guard remaining == 0 else { throw .trailingBytes(count: remaining) }
    }
}

/// A value with a BCS encoding.
public protocol BCSEncodable {
    /// Appends this value's BCS bytes to `writer`; never fails.
    func encode(to writer: inout BCSWriter)
}

extension BCSEncodable {
    /// The BCS bytes of this value.
    public var bcsBytes: [UInt8] {
        var w = BCSWriter()
        encode(to: &w)
        return w.bytes
    }
}

/// A value decodable from BCS on its own (types whose decoding needs context, such as the axis of
/// a recovery symbol, offer a static `decode(_:context...)` instead).
public protocol BCSDecodable {
    /// Consumes one value from `reader`, leaving any bytes after it; throws on malformed input.
    init(from reader: inout BCSReader) throws(BCSError)
}

extension BCSDecodable {
    /// Decodes a whole buffer, rejecting trailing bytes.
    public init(bcsBytes: [UInt8]) throws(BCSError) {
        var r = BCSReader(bcsBytes)
        self = try Self(from: &r)
        try r.finish()
    }
}
