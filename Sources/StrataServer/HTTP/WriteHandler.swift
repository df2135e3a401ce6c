import Hummingbird
import Logging
import NIOCore
import StrataCore

/// `POST /write` (InfluxDB 1.x) and `POST /api/v2/write` (InfluxDB 2.x). docs/http-api.md;
/// a device-limited token writes only its devices' lines (docs/auth.md).
struct WriteHandler: Sendable {
    let engine: StorageEngine
    let limits: StrataServerConfiguration.Limits
    var metrics = StrataMetrics()

    func writeV1(_ request: Request, context: StrataRequestContext) async throws -> Response {
        metrics.writeRequests.increment()
        let params = FormParameters(query: request.uri.query)
        guard let db = params["db"], !db.isEmpty else {
            throw InfluxHTTPError(.badRequest, "database is required")
        }
        let precisionText = params["precision"] ?? ""
        guard let precision = precisionText.isEmpty ? .nanoseconds : TimeUnit(parameter: precisionText) else {
            throw InfluxHTTPError(
                .badRequest, "invalid precision \"\(precisionText)\" (use n, ns, u, us, ms, s, m or h)")
        }
        // Databases come to be only through CREATE DATABASE, as in InfluxDB 1.x; `rp` names
        // one of the database's raw policies (none: its default).
        let store = try Self.store(engine, database: db, policy: params["rp"].flatMap { $0.isEmpty ? nil : $0 },
                                   dialect: .v1)
        return try await ingest(request, database: store, precision: precision, dialect: .v1, context: context)
    }

    func writeV2(_ request: Request, context: StrataRequestContext) async throws -> Response {
        metrics.writeRequests.increment()
        let params = FormParameters(query: request.uri.query)
        guard let bucket = params["bucket"], !bucket.isEmpty else {
            throw InfluxHTTPError(.badRequest, "bucket is required", dialect: .v2)
        }
        let precisionText = params["precision"] ?? "ns"
        guard ["ns", "us", "ms", "s"].contains(precisionText), let precision = TimeUnit(parameter: precisionText)
        else {
            throw InfluxHTTPError(
                .badRequest, "invalid precision \"\(precisionText)\" (use ns, us, ms or s)", dialect: .v2)
        }
        // `org` is accepted and ignored. A bucket `db/rp` is raw policy rp of database db, as
        // InfluxDB 1.8's compatibility API reads it; both must exist.
        if let slash = bucket.firstIndex(of: "/") {
            let store = try Self.store(engine, database: String(bucket[..<slash]),
                                       policy: String(bucket[bucket.index(after: slash)...]), dialect: .v2)
            return try await ingest(request, database: store, precision: precision, dialect: .v2, context: context)
        }
        // InfluxDB 2 answers 404 for an unknown bucket, but Strata has no bucket API yet, so
        // the first write to a bucket creates its database.
        if !engine.databaseExists(bucket) {
            do {
                try await engine.createDatabase(bucket)
            } catch {
                throw InfluxHTTPError(.badRequest, "invalid bucket \"\(bucket)\": \(error)", dialect: .v2)
            }
        }
        return try await ingest(request, database: bucket, precision: precision, dialect: .v2, context: context)
    }

    private func ingest(
        _ request: Request, database: String, precision: TimeUnit, dialect: InfluxHTTPError.Dialect,
        context: StrataRequestContext
    ) async throws -> Response {
        // One receive time per request, as InfluxDB: every line without a timestamp in a body
        // lands on the same instant.
        let receivedAt = engine.options.clock.now()
        // From the body's first byte to the answer: tells a slow server from a slow client
        // when write round trips grow (docs/performance.md, "Live subscriptions at 10,000").
        let started = ContinuousClock.now
        defer { metrics.writeDuration.record(duration: ContinuousClock.now - started) }
        let body = try await RequestBodyReader(limit: limits.maxBodyBytes, dialect: dialect).read(request)
        let parser = LineProtocolParser(precision: precision)
        var parsed = body.withUnsafeReadableBytes { parser.parseColumns($0, defaultTimestamp: receivedAt) }
        if parsed.pointCount == 0 {
            guard let first = parsed.errors.first else { return Response(status: .noContent) }
            throw InfluxHTTPError(.badRequest, first.description, dialect: dialect)
        }
        let refused = Self.refuseForeignDevices(&parsed, principal: context.principal)
        let report: IngestReport
        do {
            report = try await IngestReport.write(parsed, refused: refused, to: database, engine: engine)
        } catch EngineError.headFull(let bytes, let limit) {
            // Nothing was written: the client may send the same body again once a flush made room.
            metrics.writesRefusedHeadFull.increment()
            throw InfluxHTTPError(.serviceUnavailable, EngineError.headFull(bytes: bytes, limit: limit).description,
                                  dialect: dialect)
        } catch {
            throw InfluxHTTPError(.internalServerError, "write failed: \(error)", dialect: dialect)
        }
        metrics.pointsWritten.increment(by: report.accepted)
        guard let first = report.dropped.first else { return Response(status: .noContent) }
        // InfluxDB's partial-write rule: the good lines are written; the answer names the first
        // bad line and how many were dropped (parse errors and engine rejections together).
        throw InfluxHTTPError(
            .badRequest, "partial write: \(first) dropped=\(report.dropped.count)", dialect: dialect)
    }

    /// Where writes to `policy` of `database` go; 404 naming what does not exist.
    static func store(_ engine: StorageEngine, database: String, policy: String?, dialect: InfluxHTTPError.Dialect)
        throws -> String
    {
        do {
            return try engine.store(database: database, policy: policy)
        } catch .databaseNotFound {
            throw InfluxHTTPError(.notFound, "database not found: \"\(database)\"", dialect: dialect)
        } catch {
            throw InfluxHTTPError(.notFound, error.description, dialect: dialect)
        }
    }

    /// Removes from `parsed` the series whose device the principal may not write, and
    /// returns a drop for each of their lines: one naming the device, or the missing device
    /// tag. Nothing is removed for a token without a device allowlist.
    static func refuseForeignDevices(_ parsed: inout ParsedColumns, principal: Principal) -> [IngestReport.Drop] {
        guard principal.devices != nil else { return [] }
        let who = AuthMiddleware.name(principal)
        return parsed.removeSeries { key in
            guard let device = key.tagValue(principal.deviceTag) else { return true }
            return !principal.allowsDevice(device)
        }.map { line, key in
            guard let device = key.tagValue(principal.deviceTag) else {
                return .init(line: line, reason: "missing tag \"\(principal.deviceTag)\": \(who) may only write its devices")
            }
            return .init(line: line, reason: "device \"\(device)\" is not allowed for \(who)")
        }
    }
}
