import ArgumentParser
import Foundation
import RedStuff
import WalrusCrypto

/// `walrus-sim quilt FILE... --shards N [--out DIR]` and `--blobs JSON...`: builds a Walrus
/// QuiltV1 offline and prints the quilt ID and every patch's QuiltPatchId, as `walrus
/// store-quilt --paths` / `--blobs` would for the same files and shard count.
struct QuiltCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quilt",
        abstract: "Batch files into a Walrus quilt (QuiltV1) and print its quilt ID and each patch ID.",
        discussion: """
            Output: one line `quilt_id=<blob ID> shards=<n> patches=<k> symbol_size=<s> \
            unencoded_bytes=<len>`, then one line per patch in quilt order (sorted by identifier): \
            `patch_id=<QuiltPatchId> range=[start,end) identifier=<identifier>`. With FILE \
            arguments each file's name is its identifier and directories are read recursively \
            (as `walrus store-quilt --paths`); with --blobs each value is a JSON object \
            {"path": ..., "identifier": ..., "tags": {...}} (as `walrus store-quilt --blobs`), the \
            identifier defaulting to the file name. --out DIR also writes the encoded quilt in the \
            layout of `walrus-sim encode`.\n\n
            """ + EncodedDir.formatHelp
    )

    @Argument(help: "Files or directories to put in the quilt; each file's name is its identifier.")
    var files: [String] = []

    @Option(parsing: .upToNextOption, help: "Blobs as JSON objects {\"path\":...,\"identifier\":...,\"tags\":{...}} (instead of FILE arguments).")
    var blobs: [String] = []

    @Option(help: "Number of shards n (>= 4). Walrus Mainnet uses 1000.")
    var shards: Int = 1000

    @Option(help: "Write the encoded quilt (metadata and every sliver pair) to this directory.")
    var out: String?

    @Option(help: "Worker threads (default: all cores). The IDs do not depend on it.")
    var threads: Int?

    func run() throws {
        guard files.isEmpty || blobs.isEmpty else {
            throw CLIError("FILE and --blobs: give either files or --blobs, not both (walrus: cannot provide both paths and blob_inputs)")
        }
        guard !(files.isEmpty && blobs.isEmpty) else {
            throw CLIError("FILE or --blobs: either files or --blobs must be provided (the file list is empty)")
        }
        let config = try CLIFiles.config(shards)
        let inputs = files.isEmpty ? try QuiltInputs.fromJSON(blobs) : try QuiltInputs.fromPaths(files)
        let source = files.isEmpty ? "--blobs" : "FILE"
        let options = EncodingOptions(threads: CLIFiles.threads(threads))
        let encoder = QuiltEncoder(config: config, options: options)
        let quilt: Quilt
        let metadata: BlobMetadataWithID
        var pairs: [SliverPair] = []
        do {
            if out != nil {
                let encoded = try encoder.encode(blobs: inputs)
                quilt = encoded.quilt
                metadata = encoded.encoded.metadata
                pairs = encoded.encoded.pairs
            } else {
                (quilt, metadata) = try encoder.quiltID(blobs: inputs)
            }
        } catch {
            if case .tooManyBlobs = error {
                throw CLIError("\(source): \(error) (a quilt for --shards \(shards) holds at most \(config.columns - 1) blobs)")
            }
            throw CLIError("\(source): \(error)")
        }
        if let out {
            try QuiltInputs.writeEncoded(out: out, metadata: metadata, pairs: pairs)
        }
        var lines = ["quilt_id=\(metadata.blobID.base64) shards=\(shards) patches=\(quilt.index.patches.count) symbol_size=\(quilt.symbolSize) unencoded_bytes=\(quilt.data.count)" + (out.map { " dir=\($0)" } ?? "")]
        for patch in quilt.index.patches {
            let id = QuiltPatchID(quiltID: metadata.blobID, internalID: patch.internalID)
            lines.append("patch_id=\(id) range=[\(patch.startIndex),\(patch.endIndex)) identifier=\(patch.identifier)")
        }
        print(lines.joined(separator: "\n"))
    }
}

/// `walrus-sim quilt-get DIR --patch ID --out FILE`: extracts one patch from an encoded quilt
/// directory, reading and verifying only the secondary slivers that hold it.
struct QuiltGetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quilt-get",
        abstract: "Extract one patch of an encoded quilt directory, reading only the slivers that hold it.",
        discussion: """
            As Walrus's quilt client does for `read-quilt --quilt-patch-ids`, only the secondary \
            slivers of the patch's columns are read (files pair-<n-1-j>.secondary for columns j), \
            each verified against metadata.bcs. Prints `patch_id=... bytes=<len> \
            slivers_read=<k> slivers_total=<2n> out=<FILE> identifier=<identifier>`.
            """
    )

    @Argument(help: "Directory written by `walrus-sim quilt --out` (or `encode` of a quilt blob).")
    var dir: String

    @Option(help: "The QuiltPatchId, as printed by `walrus-sim quilt` or `walrus store-quilt`.")
    var patch: String

    @Option(help: "Where to write the patch's bytes.")
    var out: String

    func run() throws {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else {
            throw CLIError("DIR: no such directory: \(dir)")
        }
        let base = URL(fileURLWithPath: dir)
        let metadataBytes = try CLIFiles.readFile(base.appendingPathComponent(EncodedDir.metadataFile).path)
        let metadata: BlobMetadataWithID
        let config: EncodingConfig
        do {
            metadata = try BlobMetadataWithID(bcsBytes: metadataBytes)
            config = try EncodingConfig(nShards: metadata.metadata.hashes.count)
            try metadata.verify(config: config)
        } catch {
            throw CLIError("DIR: \(EncodedDir.metadataFile) is not valid, verified BlobMetadataWithId: \(error)")
        }
        let id: QuiltPatchID
        do {
            id = try QuiltPatchID(parsing: patch)
            _ = try id.internalID()
        } catch {
            throw CLIError("--patch: \(error)")
        }
        guard id.quiltID == metadata.blobID else {
            throw CLIError("--patch: the patch belongs to quilt \(id.quiltID), but \(dir) holds blob \(metadata.blobID)")
        }
        var unreadable: [String] = []
        let reader = QuiltPatchReader(config: config, metadata: metadata)
        let read: QuiltPatchReader.PatchRead
        do {
            read = try reader.read(id) { j in
                let name = EncodedDir.secondaryFile(pair: config.pairIndex(ofSliver: j, axis: .secondary))
                guard let data = FileManager.default.contents(atPath: base.appendingPathComponent(name).path) else { return nil }
                do {
                    return try Sliver.decode(axis: .secondary, bcsBytes: [UInt8](data))
                } catch {
                    unreadable.append("\(name) (\(error))")
                    return nil
                }
            }
        } catch {
            let detail = unreadable.isEmpty ? "" : "; unreadable: " + unreadable.joined(separator: ", ")
            switch error {
            case .invalidQuiltData, .other, .quiltVersionMismatch:
                throw CLIError("--patch: \(error)")
            default:
                throw CLIError("DIR: cannot read patch from \(dir): \(error)\(detail)")
            }
        }
        try CLIFiles.writeFile(out, read.blob.data)
        print("patch_id=\(id) bytes=\(read.blob.data.count) slivers_read=\(read.sliversRead.count) slivers_total=\(2 * config.nShards) out=\(out) identifier=\(read.blob.identifier)")
    }
}

/// Turning the command line's files and JSON objects into quilt blobs, the way the walrus CLI
/// does (`load_blobs_for_quilt`).
enum QuiltInputs {
    /// Files and directories (recursively, in sorted order; a path given twice counts once);
    /// each file's name is its identifier.
    static func fromPaths(_ paths: [String]) throws -> [QuiltBlob] {
        var files: [String] = []
        for path in paths {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
                throw CLIError("FILE '\(path)': Path '\(path)' does not exist.")
            }
            if isDir.boolValue { files += try filesUnder(path) } else { files.append(path) }
        }
        var seen = Set<String>()
        files = files.filter { seen.insert($0).inserted }
        guard !files.isEmpty else { throw CLIError("FILE: No valid files found in the specified folder") }
        return try files.enumerated().map { (i, path) in
            let data = try CLIFiles.readFile(path)
            do {
                return try QuiltBlob(data: data, identifier: identifier(forPath: path, index: i))
            } catch {
                throw CLIError("FILE '\(path)': \(error)")
            }
        }
    }

    static func filesUnder(_ dir: String) throws -> [String] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
        } catch {
            throw CLIError("FILE '\(dir)': cannot list directory: \(error.localizedDescription)")
        }
        var out: [String] = []
        for name in names {
            let path = URL(fileURLWithPath: dir).appendingPathComponent(name).path
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else { continue }
            if isDir.boolValue { out += try filesUnder(path) } else { out.append(path) }
        }
        return out
    }

    /// The file name, or `unnamed-blob-<index>` when there is none (walrus
    /// `generate_identifier_from_path`).
    static func identifier(forPath path: String, index: Int) -> String {
        let name = URL(fileURLWithPath: path).lastPathComponent
        return name.isEmpty || name == "/" || name == ".." ? "unnamed-blob-\(index)" : name
    }

    /// `--blobs` objects: `path` (required, a file), `identifier` (optional string or null; the
    /// file name by default), `tags` (optional object of string values). Unknown keys are
    /// ignored, as serde does for `QuiltBlobInput`.
    static func fromJSON(_ values: [String]) throws -> [QuiltBlob] {
        try values.enumerated().map { (i, text) in
            let arg = "--blobs #\(i + 1)"
            func bad(_ why: String) -> CLIError { CLIError("\(arg): invalid value '\(text)': \(why)") }
            let object: Any
            do {
                object = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
            } catch {
                throw bad("malformed JSON")
            }
            guard let dict = object as? [String: Any] else { throw bad("expected a JSON object") }
            guard let pathValue = dict["path"] else { throw bad("missing field `path`") }
            guard let path = pathValue as? String else { throw bad("`path` must be a string") }
            var identifier = identifier(forPath: path, index: i)
            if let idValue = dict["identifier"], !(idValue is NSNull) {
                guard let s = idValue as? String else { throw bad("`identifier` must be a string or null") }
                identifier = s
            }
            var tags: [(String, String)] = []
            if let tagValue = dict["tags"] {
                guard let map = tagValue as? [String: Any] else { throw bad("`tags` must be an object of strings") }
                for (k, v) in map {
                    guard let s = v as? String, !(v is NSNumber) else { throw bad("tag `\(k)` must have a string value") }
                    tags.append((k, s))
                }
            }
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
                throw CLIError("\(arg): Path '\(path)' does not exist.")
            }
            guard !isDir.boolValue else { throw CLIError("\(arg): '\(path)' is a directory, expected a file") }
            let data = try CLIFiles.readFile(path)
            do {
                return try QuiltBlob(data: data, identifier: identifier, tags: QuiltTags(tags))
            } catch {
                throw CLIError("\(arg): \(error)")
            }
        }
    }

    /// Writes metadata.bcs and every sliver pair, exactly as `walrus-sim encode` does.
    static func writeEncoded(out: String, metadata: BlobMetadataWithID, pairs: [SliverPair]) throws {
        try CLIFiles.prepareOutputDirectory(out)
        let dir = URL(fileURLWithPath: out)
        try CLIFiles.writeFile(dir.appendingPathComponent(EncodedDir.metadataFile).path, metadata.bcsBytes)
        for pair in pairs {
            try CLIFiles.writeFile(dir.appendingPathComponent(EncodedDir.primaryFile(pair: pair.index)).path, pair.primary.bcsBytes)
            try CLIFiles.writeFile(dir.appendingPathComponent(EncodedDir.secondaryFile(pair: pair.index)).path, pair.secondary.bcsBytes)
        }
    }
}
