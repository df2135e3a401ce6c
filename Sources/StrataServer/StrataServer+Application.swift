import Hummingbird
import Logging
import StrataCore

extension StrataServer {
    /// The application `strata serve` runs. `onListening` gets the bound address (useful when
    /// the port is 0). Run it with `runService()`: SIGTERM or SIGINT stops accepting
    /// connections and returns once in-flight requests have been answered; the caller then
    /// closes the engine.
    public static func makeApplication(
        engine: StorageEngine, configuration: StrataServerConfiguration, logger: Logger,
        onListening: @escaping @Sendable (_ host: String, _ port: Int) async -> Void = { _, _ in }
    ) -> some ApplicationProtocol {
        Application(
            router: makeRouter(engine: engine, configuration: configuration),
            configuration: .init(
                address: .hostname(configuration.host, port: configuration.port),
                serverName: nil
            ),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? configuration.port
                await onListening(configuration.host, port)
            },
            logger: logger
        )
    }
}
