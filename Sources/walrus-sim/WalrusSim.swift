import ArgumentParser

/// The `walrus-sim` command line: the only code that reads the wall clock, the environment or
/// the terminal (DESIGN §3). Each subcommand lives in its own file under this folder.
@main
struct WalrusSim: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "walrus-sim",
        abstract: "A deterministic discrete-event simulator of the Walrus storage network.",
        subcommands: [
            Run.self,
            Reproduce.self,
            CheckDeterminism.self,
            Sweep.self,
            Bench.self,
            BlobIDCommand.self,
            EncodeCommand.self,
            DecodeCommand.self,
            QuiltCommand.self,
            QuiltGetCommand.self,
            Merge.self,
            Report.self,
            Digest.self,
            Validate.self,
            List.self,
            BLSCommand.self,
            Tune.self,
        ]
    )
}

/// `walrus-sim bench ...`: micro and macro benchmarks, each printing one `key=value` line.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a benchmark and print one line of key=value results.",
        subcommands: [
            BenchPHOLD.self,
            BenchWorld.self,
            BenchRS.self,
            BenchBlobID.self,
            BenchResults.self,
            BenchEconomics.self,
            BenchBLS.self,
        ]
    )
}
