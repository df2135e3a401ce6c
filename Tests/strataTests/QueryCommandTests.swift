import Foundation
import StrataCore
import StrataQuery
import StrataTestSupport
import Testing

func temporaryDataDirectory(databases: [String] = ["robots"]) async throws -> String {
    let path = TemporaryDirectory.uniquePath(prefix: "strata-query")
    let engine = try await StorageEngine.open(directory: path)
    for db in databases { try await engine.createDatabase(db) }
    try await engine.close()
    return path
}

@Suite(.serialized)
struct QueryCommandTests {
    @Test func missingDataDirectory() throws {
        let run = try StrataRun.run(["query", "--data-dir", "/nonexistent/strata", "SHOW DATABASES"])
        #expect(run.status == 1)
        #expect(run.stderr.contains("data directory /nonexistent/strata does not exist"))
    }

    @Test func dataDirectoryHeldByAServerPointsToURL() async throws {
        let dir = try await temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let server = try ServerProcess.start(dataDir: dir)
        defer { server.kill() }
        try await server.waitForPing()
        let run = try StrataRun.run(["query", "--data-dir", dir, "SHOW DATABASES"])
        #expect(run.status == 1)
        #expect(run.stderr.contains("is in use: a Strata server"))
        #expect(run.stderr.contains("--url"))
    }

    @Test func parseErrorFromAServerGoesToStderr() async throws {
        let dir = try await temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let server = try ServerProcess.start(dataDir: dir)
        defer { server.kill() }
        try await server.waitForPing()
        let run = try StrataRun.run(["query", "--url", server.baseURL, "SELECT FROM"])
        #expect(run.status == 1)
        #expect(run.stderr.hasPrefix("error parsing query: "))
        #expect(run.stdout.isEmpty)
    }

    @Test func unreachableServer() throws {
        let run = try StrataRun.run(["query", "--url", "http://127.0.0.1:1", "SHOW DATABASES"])
        #expect(run.status == 1)
        #expect(run.stderr.contains("cannot reach http://127.0.0.1:1/query"))
    }

    @Test(arguments: [
        (["query", "--format", "xml", "SHOW DATABASES"], "--format must be table, csv or json"),
        (["query", "--epoch", "fortnight", "SHOW DATABASES"], "--epoch must be"),
        (["query", "--data-dir", "/tmp", "--url", "http://127.0.0.1:8086", "SHOW DATABASES"], "not both"),
        (["query", "--url", "ftp://x", "SHOW DATABASES"], "--url must be an http://"),
    ])
    func usageErrors(_ arguments: [String], _ message: String) throws {
        let run = try StrataRun.run(arguments)
        #expect(run.status != 0)
        #expect(run.stderr.contains(message))
    }

    @Test
    func formatsFromADataDirectory() async throws {
        let dir = try await temporaryDataDirectory(databases: ["robots", "fleet"])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let table = try StrataRun.run(["query", "--data-dir", dir, "SHOW DATABASES"])
        #expect(table.status == 0)
        #expect(table.stdout.hasPrefix("name: databases\nname\n----\nfleet\nrobots\n2 rows in "))
        let csv = try StrataRun.run(["query", "--data-dir", dir, "--format", "csv", "SHOW DATABASES"])
        #expect(csv.stdout == "name,tags,name\ndatabases,,fleet\ndatabases,,robots\n")
        let json = try StrataRun.run(["query", "--data-dir", dir, "--format", "json", "SHOW DATABASES"])
        #expect(json.stdout == #"{"results":[{"statement_id":0,"series":[{"name":"databases","columns":["name"],"values":[["fleet"],["robots"]]}]}]}"# + "\n")
    }

    @Test
    func throughAServer() async throws {
        let dir = try await temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let server = try ServerProcess.start(dataDir: dir)
        defer { server.kill() }
        try await server.waitForPing()
        let create = try StrataRun.run(["query", "--url", server.baseURL, "CREATE DATABASE fleet"])
        #expect(create.status == 0)
        let json = try StrataRun.run(["query", "--url", server.baseURL, "--format", "json", "SHOW DATABASES"])
        #expect(json.stdout == #"{"results":[{"statement_id":0,"series":[{"name":"databases","columns":["name"],"values":[["fleet"],["robots"]]}]}]}"# + "\n")
        #expect(json.status == 0)
    }

    /// An answer of several chunks (10,000 rows each) streams through the server and from a
    /// data directory alike: the same CSV, one header, every row, and the row count.
    @Test
    func aLongAnswerStreamsInChunks() async throws {
        let dir = try await temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let engine = try await StorageEngine.open(directory: dir)
        let points = (0..<25_000).map { i in
            Point(measurement: "robot", tags: [Tag("device_id", "r1")], fields: [Field("battery", .integer(Int64(i)))],
                  timestamp: Int64(i) * 1_000_000_000)
        }
        _ = try await engine.write(WriteBatch(database: "robots", points: points))
        try await engine.close()
        let query = "SELECT battery FROM robot"
        let local = try StrataRun.run(["query", "--data-dir", dir, "--db", "robots", "--format", "csv", query])
        #expect(local.status == 0)
        let lines = local.stdout.split(separator: "\n")
        #expect(lines.count == 25_001)
        #expect(lines.first == "name,tags,time,battery")
        #expect(lines.last == "robot,,24999000000000,24999")

        let server = try ServerProcess.start(dataDir: dir)
        defer { server.kill() }
        try await server.waitForPing()
        let remote = try StrataRun.run(["query", "--url", server.baseURL, "--db", "robots", "--format", "csv", query])
        #expect(remote.status == 0)
        #expect(remote.stdout == local.stdout)
        let table = try StrataRun.run(["query", "--url", server.baseURL, "--db", "robots", query])
        #expect(table.stdout.contains("25000 rows in "))
    }
}
