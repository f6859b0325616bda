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

    @Option(help: "With --floor: how to hash. simd = the multi-buffer kernel the encoder uses (one message per 64-bit lane); scalar = one Swift call per hash; sodium = one libsodium crypto_generichash call per hash.")
    var hasher: String = "simd"

    func validate() throws {
        guard bytes >= 0 && bytes <= 1 << 32 else { throw ValidationError("--bytes must be between 0 and 4 GiB (got \(bytes))") }
        guard `repeat` >= 1 else { throw ValidationError("--repeat must be >= 1") }
        guard ["simd", "scalar", "sodium"].contains(hasher) else { throw ValidationError("--hasher must be simd, scalar or sodium") }
    }

    func run() throws {
        let config = try CLIFiles.config(shards)
        let t = CLIFiles.threads(threads)
        let s: Int
        do { s = try config.symbolSize(forBlobLength: UInt64(bytes)) } catch { throw CLIError("\(error)") }
        var best = Double.infinity
        var bestCPU = Double.infinity
        var detail = ""
        if floor {
            for _ in 0..<`repeat` {
                let start = ContinuousClock.now
                let cpu0 = Self.cpuSeconds()
                let (calls, digest) = Self.hashFloor(n: shards, symbolSize: s, threads: t, hasher: hasher)
                best = min(best, Self.seconds(ContinuousClock.now - start))
                bestCPU = min(bestCPU, Self.cpuSeconds() - cpu0)
                detail = "hasher=\(hasher) simd_lanes=\(Blake2b256.simdLanes) hash_calls=\(calls) check=\(digest.hex.prefix(8))"
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
                let cpu0 = Self.cpuSeconds()
                let id: BlobID
                do { id = try encoder.computeMetadata(blob: blob).blobID } catch { throw CLIError("\(error)") }
                best = min(best, Self.seconds(ContinuousClock.now - start))
                bestCPU = min(bestCPU, Self.cpuSeconds() - cpu0)
                detail = "blob_id=\(id.base64)"
            }
        }
        print("bench=blob-id\(floor ? "-floor" : "") shards=\(shards) bytes=\(bytes) symbol_size=\(s) threads=\(t) seconds=\(String(format: "%.4f", best)) cpu_seconds=\(String(format: "%.4f", bestCPU)) \(detail)")
    }

    /// CPU time of the whole process (all threads), less sensitive than wall time to other
    /// processes competing for the cores.
    static func cpuSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }

    /// The hash calls of one blob's metadata, on dummy data of the real sizes, split over
    /// `threads` workers: per row/column pair, n leaf hashes of 1+s bytes and two trees of n-1
    /// inner hashes (65 bytes); then n pair leaves (65 bytes), n-1 inner hashes, one blob-ID hash.
    static func hashFloor(n: Int, symbolSize s: Int, threads: Int, hasher: String) -> (Int, Digest32) {
        let perWorker = (n + threads - 1) / threads
        var results = [Digest32](repeating: .zero, count: threads)
        results.withUnsafeMutableBufferPointer { res in
            let out = UncheckedPointer(res.baseAddress!)
            DispatchQueue.concurrentPerform(iterations: threads) { w in
                var symbols = [UInt8](repeating: 0xA5, count: n * s)
                var level = [Digest32](repeating: .zero, count: n)
                var acc = Digest32.zero
                for row in (w * perWorker)..<min(n, (w + 1) * perWorker) {
                    symbols[row % symbols.count] ^= 1
                    Self.leaves(symbols, n: n, s: s, into: &level, hasher: hasher)
                    let copy = level
                    acc = Self.tree(&level, hasher: hasher)
                    level = copy
                    acc = Blake2b256.hash(prefix: 1, acc, Self.tree(&level, hasher: hasher))
                }
                out.pointer[w] = acc
            }
        }
        // Blob level: n pair leaves of 64 bytes, their tree, the blob ID.
        var pairs = [UInt8](repeating: 7, count: 64 * n)
        results.withUnsafeBytes { r in pairs.withUnsafeMutableBytes { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: r.prefix(64 * n))) } }
        var level = [Digest32](repeating: .zero, count: n)
        Self.leaves(pairs, n: n, s: 64, into: &level, hasher: hasher)
        let root = Self.tree(&level, hasher: hasher)
        let id = Blake2b256.hash([1, 0, 0, 0, 0, 0, 0, 0, 0] + root.bytes)
        return (n * n + 2 * n * (n - 1) + n + (n - 1) + 1, id)
    }

    static func leaves(_ data: [UInt8], n: Int, s: Int, into level: inout [Digest32], hasher: String) {
        data.withUnsafeBytes { d in
            level.withUnsafeMutableBytes { o in
                switch hasher {
                case "simd", "scalar":
                    Blake2b256.hashStrided(base: d.baseAddress!, inStride: s, count: n, length: s, prefix: 0,
                                           out: o.baseAddress!, outStride: 32, simd: hasher == "simd")
                default:
                    var buf = [UInt8](repeating: 0, count: s + 1)
                    for i in 0..<n {
                        buf.withUnsafeMutableBytes { b in
                            b.baseAddress!.advanced(by: 1).copyMemory(from: d.baseAddress! + i * s, byteCount: s)
                            Blake2b256.sodiumHash(UnsafeRawBufferPointer(b)).store(to: o.baseAddress! + 32 * i)
                        }
                    }
                }
            }
        }
    }

    /// n-1 inner hashes (Merkle tree over `level`, zero padding), returns the root.
    static func tree(_ level: inout [Digest32], hasher: String) -> Digest32 {
        var count = level.count
        var buf = [UInt8](repeating: 1, count: 65)
        while count > 1 {
            let pairs = count / 2
            level.withUnsafeMutableBytes { l in
                switch hasher {
                case "simd", "scalar":
                    Blake2b256.hashStrided(base: l.baseAddress!, inStride: 64, count: pairs, length: 64, prefix: 1,
                                           out: l.baseAddress!, outStride: 32, simd: hasher == "simd")
                default:
                    for i in 0..<pairs {
                        buf.withUnsafeMutableBytes { b in
                            b.baseAddress!.advanced(by: 1).copyMemory(from: l.baseAddress! + 64 * i, byteCount: 64)
                            Blake2b256.sodiumHash(UnsafeRawBufferPointer(b)).store(to: l.baseAddress! + 32 * i)
                        }
                    }
                }
            }
            if count % 2 == 1 { level[pairs] = Blake2b256.hash(prefix: 1, level[count - 1], .zero) }
            count = (count + 1) / 2
        }
        return level[0]
    }
}

struct UncheckedPointer<T>: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<T>
    init(_ p: UnsafeMutablePointer<T>) { pointer = p }
}
