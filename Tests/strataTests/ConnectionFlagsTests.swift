import ArgumentParser
import StrataServer
import Testing
@testable import strata

/// The connection-limit flags of `strata serve` (docs/limits-connections.md).
@Suite struct ConnectionFlagsTests {
    static func apply(_ arguments: [String]) throws -> (StrataServerConfiguration, LiveConfiguration) {
        var configuration = StrataServerConfiguration()
        var live = LiveConfiguration()
        try ConnectionFlags.parse(arguments).apply(to: &configuration, live: &live)
        return (configuration, live)
    }

    @Test func noFlagsKeepTheDefaults() throws {
        let (configuration, live) = try Self.apply([])
        let limits = configuration.limits
        #expect(limits.maxConnections == StrataServerConfiguration.Limits.defaultMaxConnections())
        #expect(limits.maxHeaderBytes == 64 << 10)
        #expect(limits.headerTimeout == .seconds(10))
        #expect(limits.idleTimeout == .seconds(75))
        #expect(configuration.stream.maxConnectionsPerToken == 100)
        #expect(live.maxSubscriptionsPerToken == 1_000)
    }

    @Test func everyFlagSetsItsField() throws {
        let (configuration, live) = try Self.apply([
            "--max-connection-limit", "20", "--max-header-bytes", "16K", "--http-read-header-timeout", "5s",
            "--http-idle-timeout", "0", "--max-stream-connections-per-token", "200", "--max-subscriptions-per-token", "0",
        ])
        #expect(configuration.limits.maxConnections == 20)
        #expect(configuration.limits.maxHeaderBytes == 16 << 10)
        #expect(configuration.limits.headerTimeout == .seconds(5))
        #expect(configuration.limits.idleTimeout == nil)
        #expect(configuration.stream.maxConnectionsPerToken == 200)
        #expect(live.maxSubscriptionsPerToken == 0)
    }

    @Test(arguments: [
        (["--max-connection-limit=-1"], "--max-connection-limit must not be negative"),
        (["--max-header-bytes", "100"], "--max-header-bytes must be a size of at least 1K"),
        (["--http-read-header-timeout", "0"], "--http-read-header-timeout must be a duration above 0"),
        (["--http-idle-timeout", "soon"], "--http-idle-timeout must be a duration"),
        (["--max-subscriptions-per-token=-5"], "--max-subscriptions-per-token must not be negative"),
    ])
    func badValuesNameTheirFlag(_ arguments: [String], _ message: String) throws {
        do {
            _ = try Self.apply(arguments)
            Issue.record("\(arguments) was accepted")
        } catch let error as ValidationError {
            #expect(error.message.hasPrefix(message), "\(error.message)")
        }
    }

    /// 896 at the usual 1,024 open files; an eighth is kept, at least 128.
    @Test(arguments: [(1_024, 896), (65_536, 57_344), (256, 128), (100, 16)])
    func theDefaultMaximumLeavesAReserveOfFiles(_ fileLimit: Int, _ expected: Int) {
        #expect(StrataServerConfiguration.Limits.defaultMaxConnections(fileLimit: fileLimit) == expected)
    }
}
