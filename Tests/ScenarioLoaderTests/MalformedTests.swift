import Foundation
import ScenarioLoader
import Testing

/// Each file in `Malformed/` starts with one or more `# expect: TEXT` lines; loading it must
/// throw a `ScenarioError` whose message names the file and contains every TEXT.
@Suite struct MalformedFiles {
    static let directory = Bundle.module.url(forResource: "Malformed", withExtension: nil)!

    static let files: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".toml") }.sorted()
    }()

    @Test func thereAreAtLeastThirty() {
        #expect(Self.files.count >= 30)
    }

    @Test(arguments: files)
    func failsWithTheExpectedError(_ name: String) throws {
        let path = Self.directory.appendingPathComponent(name).path
        // Decoded leniently: some files are malformed on purpose at the byte level.
        let text = String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self)
        let expectations = text.split(separator: "\n").filter { $0.hasPrefix("# expect: ") }.map { String($0.dropFirst("# expect: ".count)) }
        #expect(!expectations.isEmpty, "\(name) has no # expect: line")
        do {
            let file = try ScenarioLoader.load(path: path)
            Issue.record("\(name) loaded (\(file.runCount) runs) but should have failed")
        } catch {
            let message = error.description
            #expect(message.hasPrefix(path + ": "), "the error must name the file first: \(message)")
            for expected in expectations {
                #expect(message.contains(expected), "\(name): expected \"\(expected)\" in: \(message)")
            }
        }
    }
}
