import Foundation
import PackagePlugin

/// Embeds the provenance of a build in the target it is applied to: the git commit of the
/// package's tree (with `-dirty` when tracked files differ from it, `unknown` when the package
/// is not a git checkout) and the compiler's own version line. Runs `Scripts/build-info.sh`
/// before every build; the script rewrites `BuildInfo.swift` only when a value changed, so an
/// unchanged tree costs no recompilation.
@main
struct BuildInfoPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let output = context.pluginWorkDirectoryURL.appending(path: "generated")
        let script = context.package.directoryURL.appending(path: "Scripts/build-info.sh")
        return [
            .prebuildCommand(
                displayName: "Recording the commit and compiler of this build",
                executable: URL(fileURLWithPath: "/bin/sh"),
                arguments: [script.path(), context.package.directoryURL.path(), output.path()],
                // The script looks for swiftc (and git) on the PATH the build was started with.
                environment: ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"],
                outputFilesDirectory: output
            )
        ]
    }
}
