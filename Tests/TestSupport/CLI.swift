import Foundation

/// Runs the `walrus-sim` executable built beside the test bundle, as a user would.
///
/// Running it as a separate process is the point: it checks exit codes and messages, and that
/// two processes with the same seed agree (Swift seeds `Hasher` per process, so a result that
/// leaked hash order would differ between processes, not within one).
public enum CLI {
    /// What a finished process left: its exit status and everything it printed.
    public struct Output: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    /// The built executable: `$WALRUS_SIM_BIN`, or `walrus-sim` in the directory of the test
    /// runner (the build products folder).
    public static var executable: URL {
        if let path = ProcessInfo.processInfo.environment["WALRUS_SIM_BIN"] { return URL(fileURLWithPath: path) }
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        // On some platforms the runner sits inside a bundle; walk up to the products folder.
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("walrus-sim")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("walrus-sim")
    }

    /// Runs the built `walrus-sim` with `arguments` (in `directory`, with `environment` added
    /// to this process's) and waits for it.
    public static func run(_ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:]) throws -> Output {
        try runProgram(executable, arguments, in: directory, environment: environment)
    }

    /// Runs any program and waits for it; its output is read while it runs, so a chatty child
    /// cannot block on a full pipe.
    public static func runProgram(_ program: URL, _ arguments: [String], in directory: URL? = nil,
                                  environment: [String: String] = [:]) throws -> Output {
        let process = Process()
        process.executableURL = program
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Output(
            status: process.terminationStatus,
            stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self)
        )
    }

    /// Runs a shell command and returns its standard output.
    public static func shell(_ command: String) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", command]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    /// The value of `key=value` in a one-line benchmark output.
    public static func field(_ key: String, in line: String) -> String? {
        for token in line.split(whereSeparator: { $0 == " " || $0 == "\n" }) where token.hasPrefix(key + "=") {
            return String(token.dropFirst(key.count + 1))
        }
        return nil
    }
}
