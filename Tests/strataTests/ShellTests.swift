import Foundation
import Testing

/// `strata shell` driven through piped stdin (the non-terminal path: no prompt, no history).
@Suite(.serialized)
struct ShellTests {
    @Test func dotCommandsAndUse() async throws {
        let dir = try await temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let input = """
            .help
            .format csv
            .format
            .timing
            .timing on
            .timing
            .epoch ms
            .epoch
            .db robots
            .db
            USE "north-fleet"
            .format xml
            .bogus arg
            .quit
            SELECT never;
            """
        let run = try StrataRun.run(["shell", "--data-dir", dir], stdin: input + "\n")
        #expect(run.status == 0)
        #expect(run.stdout.contains(".format table|csv|json"))
        #expect(run.stdout.contains("\ncsv\noff\non\nms\nUsing database robots\nrobots\nUsing database north-fleet\n"))
        #expect(run.stderr.contains("unknown format xml"))
        #expect(run.stderr.contains("unknown command .bogus arg"))
        #expect(!run.stderr.contains("error parsing query"), "nothing after .quit runs")
    }

    @Test func parseErrorsGoToStderrAndTheShellGoesOn() async throws {
        let dir = try await temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let run = try StrataRun.run(["shell", "--data-dir", dir], stdin: "SELECT\nFROM;\n.db\n")
        #expect(run.status == 0)
        #expect(run.stderr.hasPrefix("error parsing query: "))
        #expect(run.stdout == "(none)\n")
    }

    @Test func refusesADataDirectoryInUse() async throws {
        let dir = try await temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let server = try ServerProcess.start(dataDir: dir)
        defer { server.kill() }
        try await server.waitForPing()
        let run = try StrataRun.run(["shell", "--data-dir", dir], stdin: ".quit\n")
        #expect(run.status == 1)
        #expect(run.stderr.contains("--url"))
    }

    @Test
    func multiLineStatementsAndFormats() async throws {
        let dir = try await temporaryDataDirectory(databases: [])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let input = """
            CREATE DATABASE robots;
            SHOW
              DATABASES;
            .format csv
            SHOW DATABASES; SHOW DATABASES;
            .format json
            SHOW DATABASES
            """
        let run = try StrataRun.run(["shell", "--data-dir", dir], stdin: input + "\n")
        #expect(run.status == 0)
        #expect(run.stderr.isEmpty)
        #expect(run.stdout == """
            name: databases
            name
            ----
            robots
            name,tags,name
            databases,,robots

            name,tags,name
            databases,,robots
            {"results":[{"statement_id":0,"series":[{"name":"databases","columns":["name"],"values":[["robots"]]}]}]}

            """)
    }

    @Test
    func throughAServer() async throws {
        let dir = try await temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let server = try ServerProcess.start(dataDir: dir)
        defer { server.kill() }
        try await server.waitForPing()
        let run = try StrataRun.run(["shell", "--url", server.baseURL], stdin: ".format csv\nSHOW DATABASES;\n")
        #expect(run.stdout == "name,tags,name\ndatabases,,robots\n")
        #expect(run.status == 0)
    }
}
