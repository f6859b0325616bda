import Simulation

/// Why a scenario file cannot be loaded: the file, the key path, what was expected and found,
/// and the line when it is known. Its description is the message a user sees, e.g.
///
///     Scenarios/foo.toml: nodes.count: expected an integer >= 1, got -3 (line 12)
///     Scenarios/foo.toml: syntax error: expected '=' after a key (line 4, column 7)
///
/// Loading never traps and writes nothing: every problem in a file surfaces as this error.
public struct ScenarioError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The class of problem, for callers that react differently to each (e.g. tests and `list`).
    public enum Kind: Equatable, Sendable {
        /// The file could not be read (missing, unreadable, not UTF-8).
        case unreadable
        /// TOML syntax; `line` and `column` come from the parser.
        case syntax
        /// A key the schema does not have.
        case unknownKey
        /// A required key is absent.
        case missingKey
        /// A value of the wrong type, out of range, or malformed (a size, a duration...).
        case invalidValue
        /// The values are well-formed but contradict each other or the model's limits
        /// (`Scenario.validate()`), e.g. a fault selecting more shards than exist.
        case invalidScenario
        /// The `[sweep]` table or the seeds are malformed.
        case invalidSweep
    }

    /// What went wrong, by class; the details are in ``message``.
    public var kind: Kind
    /// The file as the caller named it.
    public var file: String
    /// Key path in file spelling (`nodes.count`, `fault[1].at`); nil for whole-file problems.
    public var keyPath: String?
    /// What was expected and what was found.
    public var message: String
    /// The 1-based line of the problem in the file, when it is known.
    public var line: Int?
    /// The 1-based column, known only for syntax errors reported by the TOML parser.
    public var column: Int?

    /// Stores the fields as given; `line` and `column` default to unknown.
    public init(kind: Kind, file: String, keyPath: String?, message: String, line: Int? = nil, column: Int? = nil) {
        self.kind = kind
        self.file = file
        self.keyPath = keyPath
        self.message = message
        self.line = line
        self.column = column
    }

    /// `file: keyPath: message (line L, column C)`, leaving out the parts that are unknown.
    public var description: String {
        var text = file + ": "
        if let keyPath { text += keyPath + ": " }
        text += message
        switch (line, column) {
        case (let line?, let column?): text += " (line \(line), column \(column))"
        case (let line?, nil): text += " (line \(line))"
        default: break
        }
        return text
    }
}
