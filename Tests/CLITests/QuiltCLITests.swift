import TestSupport
import Foundation
import Testing

/// `walrus-sim quilt` and `quilt-get` as a user runs them.
@Suite struct QuiltCLITests {
    /// A fresh temporary directory with the given files (relative path -> contents).
    static func workspace(_ files: [String: [UInt8]]) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("quilt-cli-\(UUID().uuidString)")
        for (name, bytes) in files {
            let url = dir.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(bytes).write(to: url)
        }
        return dir
    }

    static func bytes(_ n: Int, _ seed: Int) -> [UInt8] { (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ seed) } }

    /// `key=value` fields of a line (the identifier, last, may hold spaces).
    static func patchLines(_ out: String) -> [(id: String, identifier: String)] {
        out.split(separator: "\n").filter { $0.hasPrefix("patch_id=") }.map { line in
            let id = CLI.field("patch_id", in: String(line)) ?? ""
            let identifier = line.range(of: "identifier=").map { String(line[$0.upperBound...]) } ?? ""
            return (id, identifier)
        }
    }

    @Test func quiltThenGetEachPatchReadingOnlyItsSlivers() throws {
        let files = ["b.txt": Self.bytes(700, 1), "a.bin": Self.bytes(1500, 2), "sub/c.dat": Self.bytes(10, 3)]
        let dir = try Self.workspace(files)
        defer { try? FileManager.default.removeItem(at: dir) }
        let enc = dir.appendingPathComponent("enc").path
        let out = try CLI.run(["quilt", "b.txt", "a.bin", "sub", "--shards", "10", "--out", enc], in: dir)
        #expect(out.status == 0, "stderr: \(out.stderr)")
        let quiltID = try #require(CLI.field("quilt_id", in: out.stdout))
        #expect(quiltID.count == 43)
        #expect(CLI.field("patches", in: out.stdout) == "3")
        let patches = Self.patchLines(out.stdout)
        #expect(patches.map(\.identifier) == ["a.bin", "b.txt", "c.dat"])  // sorted by identifier
        for p in patches { #expect(p.id.count == 50 && p.id.hasPrefix(String(quiltID.prefix(42)))) }

        // Same files in another order and without --out: the same IDs.
        let again = try CLI.run(["quilt", "sub/c.dat", "a.bin", "b.txt", "--shards", "10"], in: dir)
        #expect(again.status == 0)
        #expect(CLI.field("quilt_id", in: again.stdout) == quiltID)
        #expect(Self.patchLines(again.stdout).map(\.id) == patches.map(\.id))

        // The quilt blob decoded whole has the quilt ID as its ordinary blob ID.
        let whole = dir.appendingPathComponent("whole.bin").path
        #expect(try CLI.run(["decode", enc, "--out", whole]).status == 0)
        #expect(try CLI.run(["blob-id", whole, "--shards", "10"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines) == quiltID)

        for p in patches {
            let got = dir.appendingPathComponent("got-\(p.identifier)").path
            let r = try CLI.run(["quilt-get", enc, "--patch", p.id, "--out", got])
            #expect(r.status == 0, "stderr: \(r.stderr)")
            let expected = files.first { $0.key.hasSuffix(p.identifier) }!.value
            #expect(FileManager.default.contents(atPath: got).map { [UInt8]($0) } == expected)
            let read = try #require(Int(CLI.field("slivers_read", in: r.stdout) ?? ""))
            #expect(CLI.field("slivers_total", in: r.stdout) == "20")
            #expect(read >= 1 && read < 7, "a patch read must touch only its own columns: \(r.stdout)")
            #expect(r.stdout.hasSuffix("identifier=\(p.identifier)\n"))
        }

        // A tampered sliver of the patch is caught by verification.
        let first = patches[0].id
        let victim = URL(fileURLWithPath: enc).appendingPathComponent("pair-8.secondary")  // column 1
        var data = try Data(contentsOf: victim)
        data[3] ^= 0xff
        try data.write(to: victim)
        let bad = try CLI.run(["quilt-get", enc, "--patch", first, "--out", dir.appendingPathComponent("x").path])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("DIR") && bad.stderr.contains("Merkle"), "stderr: \(bad.stderr)")
    }

    @Test func blobsJSONWithIdentifiersAndTags() throws {
        let dir = try Self.workspace(["one.txt": Self.bytes(50, 1), "two.txt": Self.bytes(60, 2)])
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = try CLI.run(["quilt", "--shards", "10", "--blobs",
                               #"{"path":"one.txt","identifier":"walrus","tags":{"color":"grey","size":"medium"}}"#,
                               #"{"path":"two.txt","identifier":null,"tags":{}}"#,
                               "--out", "enc"], in: dir)
        #expect(out.status == 0, "stderr: \(out.stderr)")
        let patches = Self.patchLines(out.stdout)
        #expect(patches.map(\.identifier) == ["two.txt", "walrus"])
        let r = try CLI.run(["quilt-get", "enc", "--patch", patches[1].id, "--out", "w.bin"], in: dir)
        #expect(r.status == 0, "stderr: \(r.stderr)")
        #expect(FileManager.default.contents(atPath: dir.appendingPathComponent("w.bin").path).map { [UInt8]($0) } == Self.bytes(50, 1))
        // Tags change the quilt (they are stored in it).
        let untagged = try CLI.run(["quilt", "--shards", "10", "--blobs", #"{"path":"one.txt","identifier":"walrus"}"#,
                                    #"{"path":"two.txt"}"#], in: dir)
        #expect(untagged.status == 0)
        #expect(CLI.field("quilt_id", in: untagged.stdout) != CLI.field("quilt_id", in: out.stdout))
        // Identifiers starting with `_` are valid in Walrus's code.
        let underscore = try CLI.run(["quilt", "--shards", "10", "--blobs", #"{"path":"one.txt","identifier":"_hidden"}"#], in: dir)
        #expect(underscore.status == 0, "stderr: \(underscore.stderr)")
    }

    @Test(arguments: [
        (["quilt", "--shards", "10"], "FILE or --blobs"),
        (["quilt", "dup/x.txt", "x.txt", "--shards", "10"], "duplicate identifier found: x.txt"),
        (["quilt", "f0", "f1", "f2", "f3", "f4", "f5", "f6", "--shards", "10"], "--shards 10"),
        (["quilt", "missing.txt", "--shards", "10"], "FILE 'missing.txt'"),
        (["quilt", "x.txt", "--shards", "3"], "--shards"),
        (["quilt", "--shards", "10", "--blobs", "{not json"], "--blobs #1"),
        (["quilt", "--shards", "10", "--blobs", #"{"identifier":"a"}"#], "missing field `path`"),
        (["quilt", "--shards", "10", "--blobs", #"{"path":"x.txt","tags":{"k":1}}"#], "--blobs #1"),
        (["quilt", "--shards", "10", "--blobs", #"{"path":"x.txt","identifier":"trailing "}"#], "invalid identifier"),
        (["quilt", "--shards", "10", "--blobs", #"{"path":"x.txt","identifier":""}"#], "identifier is empty"),
        (["quilt", "x.txt", "--shards", "10", "--blobs", #"{"path":"x.txt"}"#], "not both"),
    ])
    func badQuiltInput(args: [String], mentions: String) throws {
        var files = ["x.txt": Self.bytes(5, 0), "dup/x.txt": Self.bytes(6, 0)]
        for i in 0..<7 { files["f\(i)"] = Self.bytes(3, i) }
        let dir = try Self.workspace(files)
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = try CLI.run(args, in: dir)
        #expect(out.status == 1, "stdout: \(out.stdout) stderr: \(out.stderr)")
        #expect(out.stderr.contains(mentions), "stderr was: \(out.stderr)")
        #expect(out.stdout.isEmpty)
    }

    @Test func tagsTooLarge() throws {
        let dir = try Self.workspace(["x.txt": [1, 2, 3]])
        defer { try? FileManager.default.removeItem(at: dir) }
        let big = String(repeating: "v", count: 70_000)
        let out = try CLI.run(["quilt", "--shards", "10", "--blobs", #"{"path":"x.txt","tags":{"k":""# + big + #""}}"#], in: dir)
        #expect(out.status == 1)
        #expect(out.stderr.contains("--blobs") && out.stderr.contains("tags size"), "stderr was: \(out.stderr)")
    }

    /// A QuiltPatchId text built by hand: blob ID bytes + patch bytes, URL-safe base64, no padding.
    static func patchID(_ quiltID: String, _ patchBytes: [UInt8]) -> String {
        var b64 = quiltID.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while b64.count % 4 != 0 { b64 += "=" }
        let bytes = [UInt8](Data(base64Encoded: b64)!) + patchBytes
        return Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    @Test func badPatchIDs() throws {
        let dir = try Self.workspace(["x.txt": [1, 2, 3], "y.txt": [4]])
        defer { try? FileManager.default.removeItem(at: dir) }
        let made = try CLI.run(["quilt", "x.txt", "--shards", "10", "--out", "enc"], in: dir)
        #expect(made.status == 0)
        let quiltID = try #require(CLI.field("quilt_id", in: made.stdout))
        let other = try CLI.run(["quilt", "y.txt", "--shards", "10"], in: dir)
        let foreign = Self.patchLines(other.stdout)[0].id
        for (patch, mentions) in [("garbage!", "QuiltPatchId: garbage! is invalid"), (quiltID, "is invalid"),
                                  (Self.patchID(quiltID, [1, 1, 0, 2, 0]) + "==", "is invalid"),
                                  (Self.patchID(quiltID, [2, 1, 0, 2, 0]), "Invalid quilt version byte: 2"),
                                  (Self.patchID(quiltID, [1, 1, 0]), "requires 5 bytes"),
                                  (Self.patchID(quiltID, [1, 5, 0, 2, 0]), "not within"),
                                  (Self.patchID(quiltID, [1, 1, 0, 200, 0]), "not within"),
                                  (foreign, "belongs to quilt")] {
            let out = try CLI.run(["quilt-get", "enc", "--patch", patch, "--out", "o"], in: dir)
            #expect(out.status == 1, "\(patch): \(out.stdout)")
            #expect(out.stderr.contains("--patch") && out.stderr.contains(mentions), "\(patch): stderr was: \(out.stderr)")
        }
        let noDir = try CLI.run(["quilt-get", "nowhere", "--patch", foreign, "--out", "o"], in: dir)
        #expect(noDir.status == 1 && noDir.stderr.contains("DIR"))
    }
}
