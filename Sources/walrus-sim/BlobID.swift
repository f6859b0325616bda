import ArgumentParser
import Foundation
import RedStuff

/// An error the CLI reports as `Error: <message>` with a non-zero exit status.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}

/// File helpers shared by the commands.
enum CLIFiles {
    /// Fails, naming `option`, `path` and what is in the way, unless `path` is a writable
    /// directory or can be created as one (its nearest existing ancestor is a writable
    /// directory). Creates nothing: a command checks its `--out` before its work and creates
    /// it only when it writes, so a run that fails leaves no empty directory behind.
    static func checkOutputDirectory(_ path: String, option: String = "--out") throws {
        let files = FileManager.default
        var isDirectory: ObjCBool = false
        var existing = path.isEmpty ? "." : path
        while !files.fileExists(atPath: existing, isDirectory: &isDirectory) {
            let parent = (existing as NSString).deletingLastPathComponent
            existing = parent.isEmpty ? "." : parent
        }
        let why: String? = if !isDirectory.boolValue {
            existing == path ? "it exists and is not a directory" : "\(existing) is a file, not a directory"
        } else if !files.isWritableFile(atPath: existing) {
            existing == path ? "the directory is not writable" : "\(existing) is not writable"
        } else {
            nil
        }
        if let why { throw CLIError("\(option) \(path): cannot create the directory: \(why)") }
    }

    /// `checkOutputDirectory`, then creates `path` and its parents.
    static func prepareOutputDirectory(_ path: String, option: String = "--out") throws {
        try checkOutputDirectory(path, option: option)
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw CLIError("\(option) \(path): cannot create the directory: \(error.localizedDescription)")
        }
    }

    static func readFile(_ path: String) throws -> [UInt8] {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw CLIError("no such file: \(path)")
        }
        guard !isDir.boolValue else { throw CLIError("\(path) is a directory, expected a file") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CLIError("cannot read \(path)")
        }
        return [UInt8](data)
    }

    static func writeFile(_ path: String, _ bytes: [UInt8]) throws {
        do {
            try Data(bytes).write(to: URL(fileURLWithPath: path))
        } catch {
            throw CLIError("cannot write \(path): \(error.localizedDescription)")
        }
    }

    static func config(_ shards: Int) throws -> EncodingConfig {
        do {
            return try EncodingConfig(nShards: shards)
        } catch {
            throw CLIError("--shards \(shards): \(error)")
        }
    }

    /// Threads for whole-blob work: the given value, or all active cores.
    static func threads(_ requested: Int?) -> Int {
        max(1, requested ?? ProcessInfo.processInfo.activeProcessorCount)
    }

    /// Encoder options with `requested` threads and, when standard error is a terminal, a
    /// progress line labelled `label` (encodes at thousands of shards take seconds to minutes).
    static func encodingOptions(threads requested: Int?, label: String) -> EncodingOptions {
        EncodingOptions(threads: threads(requested), progress: isatty(STDERR_FILENO) != 0 ? TerminalProgress(label).report : nil)
    }
}

/// A progress line on standard error, rewritten in place at most four times a second and
/// cleared when the work is done. Reports come from one thread at a time (the encoder's first
/// worker), while the thread that started the work waits, hence `@unchecked Sendable`.
final class TerminalProgress: @unchecked Sendable {
    let label: String
    let clock = ContinuousClock()
    let started: ContinuousClock.Instant
    var lastPrint: ContinuousClock.Instant?

    init(_ label: String) {
        self.label = label
        started = clock.now
    }

    func report(_ fraction: Double) {
        let now = clock.now
        if fraction >= 1 {
            if lastPrint != nil { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
            return
        }
        // Only work that takes a while earns a line; then at most four updates a second.
        guard now - started > .milliseconds(500), lastPrint.map({ now - $0 > .milliseconds(250) }) ?? true else { return }
        lastPrint = now
        FileHandle.standardError.write(Data("\r\u{1B}[K  \(label) \(Int(fraction * 100))%".utf8))
    }
}

/// `walrus-sim blob-id FILE [--shards N]`: prints the Walrus blob ID of a file.
struct BlobIDCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "blob-id",
        abstract: "Print the Walrus blob ID (RS2 encoding) of a file, as the walrus CLI computes it.",
        discussion: "Only the blob ID is printed on standard output (URL-safe base64, no padding)."
    )

    @Argument(help: "The file to identify.")
    var file: String

    @Option(help: "Number of shards n (>= 4). Walrus Mainnet uses 1000.")
    var shards: Int = 1000

    @Option(help: "Worker threads (default: all cores). The ID does not depend on it.")
    var threads: Int?

    func run() throws {
        let config = try CLIFiles.config(shards)
        let blob = try CLIFiles.readFile(file)
        let encoder = BlobEncoder(config: config, options: CLIFiles.encodingOptions(threads: threads, label: "computing the blob ID of \(file)"))
        do {
            print(try encoder.computeMetadata(blob: blob).blobID.base64)
        } catch {
            throw CLIError("\(file): \(error)")
        }
    }
}
