import ArgumentParser
import Foundation
import RedStuff
import WalrusCrypto

/// `walrus-sim decode DIR --out FILE`: rebuilds a blob from the slivers left in an `encode`
/// directory, verifying each against the metadata first.
struct DecodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode",
        abstract: "Rebuild a file from the slivers left in an encoded directory, verifying each one.",
        discussion: EncodedDir.formatHelp + """
            \n\nEvery sliver file present is checked against the metadata; files that do not parse or \
            do not match (tampered) are named on standard error and ignored. Decoding uses R primary \
            slivers if enough are valid, else C secondary ones, then Walrus's consistency check \
            (--check default|strict|skip).
            """
    )

    @Argument(help: "Directory written by `walrus-sim encode`.")
    var dir: String

    @Option(help: "Where to write the rebuilt file.")
    var out: String

    @Option(help: "Consistency check after decoding: default, strict or skip.")
    var check: String = "default"

    @Option(help: "Worker threads (default: all cores).")
    var threads: Int?

    func run() throws {
        let consistency: ConsistencyCheck
        switch check {
        case "default": consistency = .default
        case "strict": consistency = .strict
        case "skip": consistency = .skip
        default: throw ValidationError("--check must be default, strict or skip (got \(check))")
        }
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else {
            throw CLIError("no such directory: \(dir)")
        }
        let base = URL(fileURLWithPath: dir)
        let metadataBytes = try CLIFiles.readFile(base.appendingPathComponent(EncodedDir.metadataFile).path)
        let metadata: BlobMetadataWithID
        do {
            metadata = try BlobMetadataWithID(bcsBytes: metadataBytes)
        } catch {
            throw CLIError("\(EncodedDir.metadataFile) is not valid BlobMetadataWithId BCS: \(error)")
        }
        let config: EncodingConfig
        do {
            config = try EncodingConfig(nShards: metadata.metadata.hashes.count)
            try metadata.verify(config: config)
        } catch {
            throw CLIError("\(EncodedDir.metadataFile) failed verification: \(error)")
        }
        let options = EncodingOptions(threads: CLIFiles.threads(threads))
        var valid: [SliverAxis: [Sliver]] = [.primary: [], .secondary: []]
        var rejected: [String] = []
        var missing = 0
        for p in 0..<config.nShards {
            for axis in SliverAxis.allCases {
                let name = axis == .primary ? EncodedDir.primaryFile(pair: p) : EncodedDir.secondaryFile(pair: p)
                let path = base.appendingPathComponent(name).path
                guard FileManager.default.fileExists(atPath: path) else {
                    missing += 1
                    continue
                }
                guard let bytes = FileManager.default.contents(atPath: path) else {
                    rejected.append("\(name) (unreadable)")
                    continue
                }
                do {
                    let sliver = try Sliver.decode(axis: axis, bcsBytes: [UInt8](bytes))
                    guard sliver.index == config.sliverIndex(ofPair: p, axis: axis) else {
                        rejected.append("\(name) (holds \(axis) sliver \(sliver.index), expected \(config.sliverIndex(ofPair: p, axis: axis)))")
                        continue
                    }
                    try sliver.verify(metadata: metadata.metadata, config: config)
                    valid[axis, default: []].append(sliver)
                } catch {
                    rejected.append("\(name) (\(error))")
                }
            }
        }
        let stderr = FileHandle.standardError
        if !rejected.isEmpty {
            stderr.write(Data("rejected \(rejected.count) tampered or invalid sliver file(s):\n".utf8))
            for r in rejected { stderr.write(Data("  \(r)\n".utf8)) }
        }
        let nPrimary = valid[.primary]!.count
        let nSecondary = valid[.secondary]!.count
        let axis: SliverAxis
        if nPrimary >= config.rows {
            axis = .primary
        } else if nSecondary >= config.columns {
            axis = .secondary
        } else {
            throw CLIError("too few valid slivers to decode: \(nPrimary) primary (need \(config.rows)) and \(nSecondary) secondary (need \(config.columns)); \(missing) missing, \(rejected.count) rejected")
        }
        let blob: [UInt8]
        do {
            blob = try BlobDecoder(config: config, metadata: metadata, options: options)
                .decode(slivers: valid[axis]!, check: consistency, inputsVerified: true)
        } catch {
            throw CLIError("decoding failed: \(error)")
        }
        try CLIFiles.writeFile(out, blob)
        print("blob_id=\(metadata.blobID.base64) bytes=\(blob.count) decoded_from=\(axis) valid_primary=\(nPrimary) valid_secondary=\(nSecondary) rejected=\(rejected.count) missing=\(missing)")
    }
}
