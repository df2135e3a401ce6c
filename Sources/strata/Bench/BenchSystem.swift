import Foundation

/// One system under test and how to talk to it: where its line-protocol `/write` is, how to
/// make it persist, which query language it reads and how its answers look.
struct BenchSystem: Sendable {
    enum Kind: String, CaseIterable, Codable, Sendable {
        case strata, influxdb, victoriametrics
    }

    static let database = "bench"
    static let createDatabase = "CREATE DATABASE bench"

    var kind: Kind
    var baseURL: URL

    var readyPath: String { kind == .victoriametrics ? "/health" : "/ping" }

    var writePath: String {
        kind == .victoriametrics ? "/write?precision=ns" : "/write?db=\(Self.database)&precision=ns"
    }

    /// How long data may keep moving on disk after the flush before its size counts:
    /// InfluxDB compacts fully 30 s after the last write (its configuration above).
    var settleMinimum: Duration {
        switch kind {
        case .strata: .seconds(1)
        case .influxdb: .seconds(40)
        case .victoriametrics: .seconds(5)
        }
    }

    /// Before ingest: the database, where the system has them.
    func prepare() async throws {
        guard kind != .victoriametrics else { return }
        let reply = try await BenchHTTP.post(baseURL, "/query", body: Data(BenchQuery.form([("q", Self.createDatabase)]).utf8),
                                             contentType: "application/x-www-form-urlencoded")
        guard reply.status == 200 else { throw failure("CREATE DATABASE", reply) }
    }

    /// After ingest: everything to disk (Strata's `/flush`; VictoriaMetrics' flush and merge;
    /// InfluxDB has no such call and is waited for instead).
    func flush() async throws {
        switch kind {
        case .strata:
            let reply = try await BenchHTTP.post(baseURL, "/flush", body: Data())
            guard (200..<300).contains(reply.status) else { throw failure("/flush", reply) }
        case .victoriametrics:
            _ = try await BenchHTTP.get(baseURL, "/internal/force_flush")
            _ = try await BenchHTTP.get(baseURL, "/internal/force_merge")
        case .influxdb:
            return
        }
    }

    func queries(_ window: BenchWindow) -> [BenchQuery] {
        kind == .victoriametrics ? BenchQuery.metricsQL(window) : BenchQuery.influxQL(window, database: Self.database)
    }

    func answer(_ body: Data) throws -> BenchAnswer {
        kind == .victoriametrics ? try BenchAnswer.prometheus(body) : try BenchAnswer.influx(body)
    }

    func failure(_ what: String, _ reply: BenchHTTP.Reply) -> BenchServer.Failure {
        BenchServer.Failure(description: "\(kind.rawValue) \(what): HTTP \(reply.status): \(String(decoding: reply.body.prefix(300), as: UTF8.self))")
    }
}
