import ArgumentParser
import StrataServer

/// `strata`: the database server and its tools (docs/cli.md).
@main
struct StrataCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "strata",
        abstract: "A time-series database and live-streaming server for robot and IoT telemetry.",
        version: ServerVersion.strata,
        subcommands: [ServeCommand.self, QueryCommand.self, ShellCommand.self, ImportCommand.self, CompactCommand.self, InspectCommand.self, TokenCommand.self, BenchCommand.self]
    )
}
