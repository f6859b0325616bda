import Foundation
import TestSupport
import Testing

/// `walrus-sim validate` and `list`, run as a user runs them: the executable built beside this
/// test bundle (`swift test` builds it), in a fresh working directory.
@Suite struct Commands {
    static func scratchDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("walrus-sim-validate-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// Every malformed file fails with its error on standard error, the status is non-zero,
    /// and the working directory stays empty: validation writes nothing.
    @Test func validateRejectsMalformedFilesAndWritesNothing() throws {
        let dir = try Self.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let paths = MalformedFiles.files.map { MalformedFiles.directory.appendingPathComponent($0).path }
        let output = try CLI.run(["validate"] + paths, in: dir)
        #expect(output.status != 0)
        #expect(output.stdout.isEmpty)
        let lines = output.stderr.split(separator: "\n")
        #expect(lines.count == paths.count)
        for (line, path) in zip(lines, paths) { #expect(line.hasPrefix("error: \(path): ")) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    }

    @Test func validateAndListTheLibrary() throws {
        let dir = try Self.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let quickstart = Library.directory + "/quickstart.toml"
        let ok = try CLI.run(["validate", quickstart], in: dir)
        #expect(ok.status == 0)
        #expect(ok.stdout == "ok: \(quickstart) (1 run)\n")

        let list = try CLI.run(["list", "--dir", Library.directory], in: dir)
        #expect(list.status == 0)
        let lines = list.stdout.split(separator: "\n")
        #expect(lines.contains { $0.hasPrefix("quickstart.toml ") && $0.contains("20 nodes") })
        #expect(lines.contains { $0.hasPrefix("incentives/burn-sweep.toml ") && $0.hasSuffix("[20 runs]") })
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    }
}
