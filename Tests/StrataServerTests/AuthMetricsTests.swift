import Hummingbird
import HummingbirdTesting
import NIOCore
import Prometheus
import StrataServer
import Testing

/// The handlers' ingest and query metrics, read back from a Prometheus registry of their own.
@Suite struct AuthMetricsTests {
    @Test func writesCountAcceptedPointsAndRequestsAndQueriesAreTimed() async throws {
        let registry = PrometheusCollectorRegistry()
        let metrics = StrataMetrics(factory: PrometheusMetricsFactory(registry: registry))
        let fixture = try ServerFixture()
        try await fixture.test(authenticator: TestTokens.authenticator, metrics: metrics) { client in
            let headers: HTTPFields = [.authorization: "Bearer \(TestTokens.devices)"]
            // Three lines, one outside the token's devices: two points are written.
            let body = "m,device_id=robot-1 v=1 1\nm,device_id=robot-9 v=2 2\nm,device_id=robot-2 v=3 3"
            let write = try await client.execute(uri: "/write?db=robots", method: .post, headers: headers, body: ByteBuffer(string: body))
            #expect(write.status == .badRequest)
            let plain = try await client.execute(
                uri: "/api/v2/write?bucket=robots", method: .post, headers: headers, body: ByteBuffer(string: "m,device_id=robot-1 v=4 4"))
            #expect(plain.status == .noContent)
            let query = try await client.execute(uri: "/query?db=robots&q=SELECT+v+FROM+m", method: .get, headers: headers, body: nil)
            #expect(query.status == .ok)
        }
        let text = registry.emitToString()
        #expect(text.contains("strata_points_written_total 3\n"), "\(text)")
        #expect(text.contains("strata_write_requests_total 2\n"), "\(text)")
        // Both writes are timed, the partly refused one too.
        #expect(text.contains("strata_write_duration_seconds_count 2\n"), "\(text)")
        #expect(text.contains("strata_query_duration_seconds_count 1\n"), "\(text)")
    }
}
