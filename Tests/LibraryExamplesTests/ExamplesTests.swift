import Foundation
import Testing

/// The README's library examples compile (they are `Examples.swift`), run, and are shown in the
/// README exactly as they are compiled here.
@Suite struct LibraryExamplesTests {
    @Test func examplesRun() throws {
        #expect(try blobIDExample().count == 43)
        #expect(try committeeExample() == [167, 333, 500])
        let served = queueExample()
        #expect(served > 3_000 && served < 4_200)  // about 3600 arrivals in an hour
        #expect(queueExample() == served)  // deterministic
    }

    @Test func readmeShowsExactlyTheCompiledExamples() throws {
        let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        let root = here.deletingLastPathComponent().deletingLastPathComponent()
        let source = try String(contentsOf: here.appendingPathComponent("Examples.swift"), encoding: .utf8)
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        let blocks = source.components(separatedBy: "// README: ").dropFirst().compactMap { chunk -> (String, String)? in
            guard !chunk.hasPrefix("end") else { return nil }
            let name = String(chunk.prefix { $0 != "\n" })
            let body = chunk.drop { $0 != "\n" }.dropFirst()
            let code = body.components(separatedBy: "// README: end")[0]
            return (name, code.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        #expect(blocks.map(\.0) == ["RedStuff", "Economics", "SimEngine"])
        for (name, code) in blocks {
            #expect(readme.contains("```swift\n" + code + "\n```"), "README.md does not show the \(name) example as compiled")
        }
    }
}
