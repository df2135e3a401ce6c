import Foundation
import Hummingbird
import HummingbirdTesting
import StrataCore
import StrataServer
import StrataTestSupport
import Testing

/// A router over a fresh engine on an in-memory file system, driven without sockets.
struct ServerFixture {
    let engine: StorageEngine
    let configuration: StrataServerConfiguration

    init(maxBodyBytes: Int = 1 << 20, databases: [String] = ["robots"]) throws {
        engine = try StorageEngine.open(directory: "/data", fileSystem: InMemoryFileSystem())
        for db in databases { try engine.createDatabase(db) }
        configuration = StrataServerConfiguration(limits: .init(maxBodyBytes: maxBodyBytes))
    }

    /// Runs `body` against the router, then closes the engine (even when `body` throws).
    /// `authenticator` replaces the open default (auth tests).
    func test(
        authenticator: Authenticator? = nil, metrics: StrataMetrics = StrataMetrics(),
        _ body: @Sendable (any TestClientProtocol) async throws -> Void
    ) async throws {
        var services = ServerServices.defaults(engine: engine)
        if let authenticator { services.authenticator = authenticator }
        services.metrics = metrics
        let app = Application(router: StrataServer.makeRouter(engine: engine, configuration: configuration, services: services))
        do {
            try await app.test(.router, body)
        } catch {
            try? await engine.close()
            throw error
        }
        try await engine.close()
    }

    /// Every row of `measurement` in `db`, as (timestamp, field → value) sorted by series then time.
    func rows(_ db: String = "robots", _ measurement: String) throws -> [(Int64, [String: FieldValue])] {
        try engine.scan(database: db, measurement: measurement).flatMap { series in
            series.timestamps.indices.map { row in
                var values: [String: FieldValue] = [:]
                for (name, column) in series.columns {
                    if let v = column.value(at: row) { values[name] = v }
                }
                return (series.timestamps[row], values)
            }
        }
    }
}

func bodyText(_ response: TestResponse) -> String {
    String(buffer: response.body)
}

func gzipped(_ text: String) throws -> ByteBuffer {
    ByteBuffer(data: try Gzip.compress(Data(text.utf8)))
}

extension HTTPFields {
    static let gzip: HTTPFields = [.contentEncoding: "gzip"]
}
