import Foundation

/// The scenario library: every `.toml` file under a directory, for `walrus-sim list`.
public enum ScenarioLibrary {
    /// One library file: its path relative to the directory, and what loading it gave.
    public struct Item: Sendable {
        /// The file's path below the scanned directory, with no leading slash.
        public var relativePath: String
        /// The loaded file, or why it failed to load; one bad file does not stop the scan.
        public var result: Result<ScenarioFile, ScenarioError>
        /// The file's description, or the error that kept it from loading.
        public var summary: String {
            switch result {
            case .success(let file): file.description.isEmpty ? "(no description)" : file.description
            case .failure(let error): "INVALID: \(error)"
            }
        }
    }

    /// Loads every `*.toml` file below `directory` (recursively), sorted by relative path so the
    /// listing is the same everywhere. Files are named in errors as `directory/relative`.
    /// Throws only when the directory itself cannot be read.
    public static func scan(directory: String) throws(ScenarioError) -> [Item] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue,
            let enumerator = FileManager.default.enumerator(atPath: directory)
        else {
            throw ScenarioError(kind: .unreadable, file: directory, keyPath: nil, message: "cannot read the directory")
        }
        var paths: [String] = []
        while let relative = enumerator.nextObject() as? String {
            if relative.hasSuffix(".toml") { paths.append(relative) }
        }
        let base = directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        return paths.sorted().map { relative in
            Item(relativePath: relative, result: Result { () throws(ScenarioError) in try ScenarioLoader.load(path: base + "/" + relative) })
        }
    }
}
