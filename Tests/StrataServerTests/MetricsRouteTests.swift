import Hummingbird
import HummingbirdTesting
import StrataCore
import Testing
@testable import StrataServer

/// `GET /metrics`: Prometheus text with the engine's gauges and the swift-metrics counters.
@Suite struct MetricsRouteTests {
    @Test func metricsAfterAWriteNameEveryFamily() async throws {
        let engine = try await StorageEngine.open(directory: "/data", fileSystem: InMemoryFileSystem())
        try await engine.createDatabase("robots")
        let metrics = StrataMetrics.prometheus()
        let services = ServerServices(
            authenticator: .open, hub: LiveHub(engine: engine, metrics: metrics, logger: .init(label: "t")), metrics: metrics)
        // What the engine's WAL would record, through the same factory.
        metrics.factory.makeTimer(label: WriteAheadLog.fsyncMetricLabel, dimensions: []).recordNanoseconds(170_000)
        let app = Application(router: StrataServer.makeRouter(
            engine: engine, configuration: StrataServerConfiguration(), services: services))
        try await app.test(.router) { client in
            try await client.execute(
                uri: "/write?db=robots", method: .post,
                body: ByteBuffer(string: "robot,device_id=r1 battery=81.5 1\nrobot,device_id=r2 battery=80 2\n")
            ) { #expect($0.status == .noContent) }
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == MetricsEndpoint.contentType)
                let text = bodyText(response)
                for name in [
                    "strata_head_rows 2.0", "strata_series 2.0", "strata_wal_last_sequence 1.0", "strata_segments 0.0",
                    "strata_wal_files", "strata_wal_bytes", "strata_head_bytes", "strata_segment_bytes",
                    "# TYPE strata_wal_fsync_duration_seconds histogram",
                    "strata_wal_fsync_duration_seconds_bucket{le=\"0.00025\"} 1",
                    // The write's own buckets (the library's default ones start at 5 ms).
                    "strata_write_duration_seconds_bucket{le=\"0.00025\"}", "strata_write_duration_seconds_count 1",
                ] {
                    #expect(text.contains(name), "missing \(name) in:\n\(text)")
                }
            }
        }
        try await engine.close()
    }

    @Test func aServerWithoutPrometheusStillReportsItsState() async throws {
        try await ServerFixture().test { client in
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .ok)
                #expect(bodyText(response).contains("# TYPE strata_head_rows gauge"))
            }
        }
    }
}
