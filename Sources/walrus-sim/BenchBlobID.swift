import ArgumentParser
import Foundation
import RedStuff
import WalrusCrypto

/// `walrus-sim bench blob-id --shards N --bytes L`: time to compute a blob's metadata and ID.
/// With `--floor`, times instead the BLAKE2b calls alone that the metadata needs (n^2 leaf hashes
/// of 1+s bytes, 2n(n-1) inner hashes, n pair leaves, n-1 root inner hashes, one blob-ID hash).
struct BenchBlobID: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "blob-id",
        abstract: "Time blob-ID computation (or, with --floor, its BLAKE2b calls alone); prints one line."
    )

    @Option(help: "Number of shards n.")
    var shards: Int = 1000

    @Option(help: "Blob size in bytes (the blob is deterministic pseudo-random data).")
    var bytes: Int = 1 << 20

    @Option(help: "Worker threads (default: all cores).")
    var threads: Int?

    @Option(help: "Repetitions; the fastest is reported.")
    var `repeat`: Int = 1

    @Flag(help: "Time only the equivalent BLAKE2b calls (the floor).")
    var floor = false

    @Flag(help: "With --floor: hash with libsodium's one-shot crypto_generichash instead of the Swift path.")
    var sodium = false

    func validate() throws {
        guard bytes >= 0 else { throw ValidationError("--bytes must be >= 0") }
        guard `repeat` >= 1 else { throw ValidationError("--repeat must be >= 1") }
    }

    func run() throws {
        let config = try CLIFiles.config(shards)
        let t = CLIFiles.threads(threads)
        let s: Int
        do { s = try config.symbolSize(forBlobLength: UInt64(bytes)) } catch { throw CLIError("\(error)") }
        var best = Double.infinity
        var detail = ""
        if floor {
            for _ in 0..<`repeat` {
                let start = ContinuousClock.now
                let (calls, digest) = Self.hashFloor(n: shards, symbolSize: s, threads: t, sodium: sodium)
                best = min(best, Self.seconds(ContinuousClock.now - start))
                detail = "hash_calls=\(calls) check=\(digest.hex.prefix(8))"
            }
        } else {
            var blob = [UInt8](repeating: 0, count: bytes)
            var x: UInt64 = 0x9E37_79B9_7F4A_7C15
            for i in 0..<bytes {
                x ^= x << 13; x ^= x >> 7; x ^= x << 17
                blob[i] = UInt8(truncatingIfNeeded: x)
            }
            let encoder = BlobEncoder(config: config, options: EncodingOptions(threads: t))
            for _ in 0..<`repeat` {
                let start = ContinuousClock.now
                let id: BlobID
                do { id = try encoder.computeMetadata(blob: blob).blobID } catch { throw CLIError("\(error)") }
                best = min(best, Self.seconds(ContinuousClock.now - start))
                detail = "blob_id=\(id.base64)"
            }
        }
        print("bench=blob-id\(floor ? "-floor" : "") shards=\(shards) bytes=\(bytes) symbol_size=\(s) threads=\(t) seconds=\(String(format: "%.4f", best)) \(detail)")
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }

    /// The hash calls of one blob's metadata on dummy data, split over `threads` workers.
    static func hashFloor(n: Int, symbolSize s: Int, threads: Int, sodium: Bool) -> (Int, Digest32) {
        let perWorker = (n + threads - 1) / threads
        var results = [Digest32](repeating: .zero, count: threads)
        let symbol = [UInt8](repeating: 0xA5, count: s)
        results.withUnsafeMutableBufferPointer { res in
            let out = UncheckedPointer(res.baseAddress!)
            DispatchQueue.concurrentPerform(iterations: threads) { w in
                var acc = Digest32.zero
                if sodium {
                    var leaf = [UInt8](repeating: 0xA5, count: s + 1)
                    var inner = [UInt8](repeating: 1, count: 65)
                    for _ in (w * perWorker)..<min(n, (w + 1) * perWorker) {
                        for _ in 0..<n { acc.w0 ^= leaf.withUnsafeBytes { Blake2b256.sodiumHash($0) }.w0 }
                        for _ in 0..<(2 * (n - 1)) {
                            acc = inner.withUnsafeBytes { Blake2b256.sodiumHash($0) }
                            inner.withUnsafeMutableBytes { acc.store(to: $0.baseAddress! + 1) }
                        }
                    }
                    leaf[0] = 0
                    out.pointer[w] = acc
                    return
                }
                symbol.withUnsafeBytes { sym in
                    for _ in (w * perWorker)..<min(n, (w + 1) * perWorker) {
                        // n leaf hashes and 2(n-1) inner hashes per row/column pair.
                        for _ in 0..<n { acc.w0 ^= Blake2b256.hash(prefix: 0, sym).w0 }
                        for _ in 0..<(2 * (n - 1)) { acc = Blake2b256.hash(prefix: 1, acc, acc) }
                    }
                }
                out.pointer[w] = acc
            }
        }
        var acc = results.reduce(Digest32.zero) { Blake2b256.hash(prefix: 1, $0, $1) }
        let pair = [UInt8](repeating: 1, count: 64)
        for _ in 0..<n { acc.w1 ^= Blake2b256.hash(prefix: 0, pair).w1 }
        for _ in 0..<(n - 1) { acc = Blake2b256.hash(prefix: 1, acc, acc) }
        acc = Blake2b256.hash([UInt8](repeating: 1, count: 41))
        return (n * n + 2 * n * (n - 1) + n + (n - 1) + 1, acc)
    }
}

struct UncheckedPointer<T>: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<T>
    init(_ p: UnsafeMutablePointer<T>) { pointer = p }
}
