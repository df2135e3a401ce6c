import StrataCore
@testable import StrataQuery

/// A small hand-written dataset whose answers are checked by hand in ExecutorTests.
/// Times are offsets in seconds from T = 2024-01-01T00:00:00Z.
enum ExecutorFixture {
    static let t0: Int64 = 1_704_067_200 * 1_000_000_000

    static let lines = """
        cpu,host=a,region=east value=1,count=10i 0
        cpu,host=a,region=east value=3,count=20i 10
        cpu,host=a,region=east value=2 20
        cpu,host=a,region=east value=8,count=40i 60
        cpu,host=b,region=west value=5,count=1i 0
        cpu,host=b,region=west value=4 30
        cpu,host=b,region=west value=6,count=3i 70
        mem,host=a free=100i,ok=true,state="up" 0
        mem,host=a free=90i,ok=false,state="down" 60
        """

    /// An engine on an in-memory file system holding `lines` in database `test`, flushed to a
    /// segment when `flushed` so block-header answers are exercised too.
    static func executor(flushed: Bool) async throws -> QueryExecutor {
        QueryExecutor(engine: try await engine(lines: lines, flushed: flushed), principal: .unrestricted("test"))
    }

    /// An in-memory engine holding `lines` (line protocol whose times are seconds after
    /// `t0`) in database `test`, flushed to a segment when `flushed`.
    static func engine(lines: String, flushed: Bool) async throws -> StorageEngine {
        var options = EngineOptions()
        // A few rows a bucket: read tiers wherever they can answer, so they are exercised.
        options.tierMinRowsPerBucket = 0
        let engine = try await StorageEngine.open(directory: "/d", options: options, fileSystem: InMemoryFileSystem())
        try await engine.createDatabase("test")
        let text = lines.split(separator: "\n").map { line -> String in
            let parts = line.split(separator: " ")
            return "\(parts[0]) \(parts[1]) \(t0 + Int64(parts[2])! * 1_000_000_000)"
        }.joined(separator: "\n")
        let parsed = LineProtocolParser(precision: .nanoseconds).parse(Array(text.utf8), defaultTimestamp: 0)
        precondition(parsed.errors.isEmpty, "\(parsed.errors)")
        _ = try await engine.write(WriteBatch(database: "test", points: parsed.points))
        if flushed { try await engine.flush() }
        return engine
    }

    /// One statement's answer as text: per series `name{tags}` then rows `time: values`, with
    /// times as seconds after T (`epoch` for 0), integers suffixed `i`, null as `-`.
    static func render(_ result: StatementResult) -> String {
        if let error = result.error { return "error: \(error)" }
        return result.series.map { s in
            let tags = s.tags.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
            let head = "\(s.name){\(tags)} \(s.columns.joined(separator: ","))"
            let rows = s.values.map { row in row.map(render).joined(separator: " ") }
            return ([head] + rows).joined(separator: "\n")
        }.joined(separator: "\n")
    }

    static func render(_ v: QueryValue) -> String {
        switch v {
        case .null: return "-"
        case .time(let t): return t == 0 ? "epoch" : "\(Double(t - t0) / 1e9)s".replacingOccurrences(of: ".0s", with: "s")
        case .float(let d): return d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d)
        case .integer(let i): return "\(i)i"
        case .unsigned(let u): return "\(u)u"
        case .boolean(let b): return String(b)
        case .string(let s): return "\"\(s)\""
        }
    }
}
