import ArgumentParser
import Foundation
import RedStuff
import WalrusCrypto

/// Layout of an encoded-blob directory, shared by `encode` and `decode`.
enum EncodedDir {
    static let metadataFile = "metadata.bcs"
    static func primaryFile(pair p: Int) -> String { "pair-\(p).primary" }
    static func secondaryFile(pair p: Int) -> String { "pair-\(p).secondary" }

    static let formatHelp = """
        Directory format: `metadata.bcs` holds the BCS of BlobMetadataWithId (blob ID, V1 \
        metadata with one primary/secondary hash pair per sliver pair); for every sliver pair p, \
        `pair-<p>.primary` holds the BCS SliverData of primary sliver p and `pair-<p>.secondary` \
        that of secondary sliver n-1-p (Walrus wire format: ULEB128 length, symbol bytes, u16 \
        symbol size, u16 sliver index). Shard assignment is not stored: pair p goes to shard \
        (p + blob ID mod n) mod n.
        """
}

/// `walrus-sim encode FILE --shards N --out DIR`.
struct EncodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "encode",
        abstract: "Encode a file with RedStuff and write its metadata and every sliver pair to a directory.",
        discussion: EncodedDir.formatHelp
    )

    @Argument(help: "The file to encode.")
    var file: String

    @Option(help: "Number of shards n (>= 4).")
    var shards: Int = 1000

    @Option(help: "Output directory (created if missing).")
    var out: String

    @Option(help: "Worker threads (default: all cores).")
    var threads: Int?

    func run() throws {
        let config = try CLIFiles.config(shards)
        let blob = try CLIFiles.readFile(file)
        let encoded: EncodedBlob
        do {
            encoded = try BlobEncoder(config: config, options: CLIFiles.encodingOptions(threads: threads, label: "encoding \(file)")).encode(blob: blob)
        } catch {
            throw CLIError("\(file): \(error)")
        }
        try CLIFiles.prepareOutputDirectory(out)
        let dir = URL(fileURLWithPath: out)
        try CLIFiles.writeFile(dir.appendingPathComponent(EncodedDir.metadataFile).path, encoded.metadata.bcsBytes)
        for pair in encoded.pairs {
            try CLIFiles.writeFile(dir.appendingPathComponent(EncodedDir.primaryFile(pair: pair.index)).path, pair.primary.bcsBytes)
            try CLIFiles.writeFile(dir.appendingPathComponent(EncodedDir.secondaryFile(pair: pair.index)).path, pair.secondary.bcsBytes)
        }
        print("blob_id=\(encoded.blobID.base64) shards=\(shards) bytes=\(blob.count) pairs=\(encoded.pairs.count) dir=\(out)")
    }
}
