// SHA-256 (libsodium) and the HMAC/HKDF built on it.
import CSodium

/// SHA-256 helpers: the digest from libsodium, HMAC (RFC 2104) and HKDF (RFC 5869) on top.
enum SHA256 {
    /// The 32-byte SHA-256 digest of `data`.
    static func hash(_ data: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        out.withUnsafeMutableBufferPointer { o in
            data.withUnsafeBufferPointer { i in
                // libsodium wants a non-null pointer even for empty input.
                var dummy: UInt8 = 0
                if let base = i.baseAddress {
                    _ = crypto_hash_sha256(o.baseAddress!, base, UInt64(i.count))
                } else {
                    _ = crypto_hash_sha256(o.baseAddress!, &dummy, 0)
                }
            }
        }
        return out
    }

    /// HMAC-SHA256(key, message).
    static func hmac(key: [UInt8], _ message: [UInt8]) -> [UInt8] {
        var k = key.count > 64 ? hash(key) : key
        k += [UInt8](repeating: 0, count: 64 - k.count)
        let inner = hash(k.map { $0 ^ 0x36 } + message)
        return hash(k.map { $0 ^ 0x5c } + inner)
    }

    /// HKDF-Extract(salt, ikm).
    static func hkdfExtract(salt: [UInt8], ikm: [UInt8]) -> [UInt8] { hmac(key: salt, ikm) }

    /// HKDF-Expand(prk, info, length), length <= 255 * 32.
    static func hkdfExpand(prk: [UInt8], info: [UInt8], length: Int) -> [UInt8] {
        var okm: [UInt8] = []
        var t: [UInt8] = []
        var counter: UInt8 = 1
        while okm.count < length {
            t = hmac(key: prk, t + info + [counter])
            okm += t
            counter &+= 1
        }
        return Array(okm.prefix(length))
    }
}
