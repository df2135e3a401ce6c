import Foundation
import Logging
import StrataServer
import StrataTestSupport
import Testing
@testable import strata

/// `strata token create|list|revoke` as a process on a temporary data directory, and the
/// serve-time rule of ServeSecurity (docs/auth.md, docs/cli.md).
@Suite struct TokenCommandTests {
    static func create(_ dir: String, _ extra: [String] = []) throws -> (run: StrataRun, token: String, id: String) {
        let run = try StrataRun.run(["token", "create", "--data-dir", dir] + extra)
        let token = run.stdout.split(separator: "\n").last.map(String.init) ?? ""
        return (run, token, TokenSecret.id(of: token) ?? "")
    }

    @Test func createPrintsDetailsThenTheTokenAloneOnTheLastLine() throws {
        let dir = TemporaryDirectory.uniquePath(prefix: "strata-token")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (run, token, id) = try Self.create(
            dir, ["--scope", "read", "--scope", "write", "--devices", "robot-1, robot-2", "--expires", "30d", "--description", "line 4"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(!id.isEmpty, "last line: \(token)")
        #expect(run.stdout.hasSuffix(token + "\n"))
        #expect(run.stdout.contains("created token \(id)"))
        #expect(run.stdout.contains("scopes:      read, write"))
        #expect(run.stdout.contains("devices:     robot-1, robot-2 (tag device_id)"))
        #expect(run.stdout.contains("description: line 4"))
        let file = try String(contentsOfFile: dir + "/tokens.json", encoding: .utf8)
        #expect(!file.contains(token) && !file.contains(String(token.suffix(43))))

        let authenticator = try Authenticator(store: TokenStore(directory: dir), allowOpen: false)
        #expect(authenticator.authenticate(token: token) == .granted(
            Principal(tokenID: id, scopes: [.read, .write], devices: ["robot-1", "robot-2"])))
    }

    @Test func listShowsTokensButNeverSecretsAndRevokeMarksThem() throws {
        let dir = TemporaryDirectory.uniquePath(prefix: "strata-token")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let empty = try StrataRun.run(["token", "list"], environment: ["STRATA_DATA_DIR": dir])
        #expect(empty.status == 0)
        #expect(empty.stdout.hasPrefix("no tokens in"))
        let a = try Self.create(dir, ["--scope", "admin"])
        let b = try Self.create(dir, ["--scope", "read", "--devices", "r9", "--device-tag", "robot"])

        let table = try StrataRun.run(["token", "list", "--data-dir", dir])
        #expect(table.status == 0)
        let lines = table.stdout.split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines[0].hasPrefix("ID"))
        #expect(table.stdout.contains(a.id) && table.stdout.contains(b.id))
        #expect(table.stdout.contains("robot=r9"))
        #expect(!table.stdout.contains(a.token) && !table.stdout.contains(b.token))

        let revoke = try StrataRun.run(["token", "revoke", "--data-dir", dir, b.id])
        #expect(revoke.status == 0)
        #expect(revoke.stdout == "revoked token \(b.id)\n")
        let again = try StrataRun.run(["token", "revoke", "--data-dir", dir, b.id])
        #expect(again.status == 0)
        #expect(again.stdout.hasPrefix("token \(b.id) was already revoked at "))

        let json = try StrataRun.run(["token", "list", "--data-dir", dir, "--format", "json"])
        #expect(json.status == 0)
        let listed = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]]
        let byID = Dictionary(uniqueKeysWithValues: (listed ?? []).map { ($0["id"] as? String ?? "", $0) })
        #expect(byID[a.id]?["status"] as? String == "active")
        #expect(byID[b.id]?["status"] as? String == "revoked")
        #expect(byID[b.id]?["devices"] as? [String] == ["r9"])
        #expect(byID[b.id]?["device_tag"] as? String == "robot")
        #expect(!json.stdout.contains("sha256") && !json.stdout.contains(a.token))
    }

    @Test(arguments: [
        (["token", "create", "--scope", "owner"], #"unknown scope "owner" (use read, write or admin)"#),
        (["token", "create"], "give at least one --scope"),
        (["token", "create", "--scope", "read", "--expires", "soon"], #"--expires must be a duration such as 90m, 12h or 30d, got "soon""#),
        (["token", "create", "--scope", "read", "--expires", "0"], "--expires must be a duration"),
        (["token", "create", "--scope", "read", "--devices", "a,,b"], "--devices must be a comma-separated list"),
        (["token", "create", "--scope", "read,admin", "--devices", "a"], "an admin token cannot be limited to --devices"),
        (["token", "revoke", "0badc0de"], #"no token with id "0badc0de" (see strata token list)"#),
        (["token", "list", "--format", "csv"], "--format must be table or json"),
    ])
    func badInputIsNamed(_ arguments: [String], _ message: String) throws {
        let dir = TemporaryDirectory.uniquePath(prefix: "strata-token")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try Self.create(dir, ["--scope", "read"])
        let run = try StrataRun.run(arguments + ["--data-dir", dir])
        #expect(run.status != 0)
        #expect(run.stderr.contains(message), "\(run.stderr)")
        #expect(run.stdout.isEmpty)
    }

    @Test func concurrentCreateProcessesKeepEveryToken() async throws {
        let dir = TemporaryDirectory.uniquePath(prefix: "strata-token")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let ids = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<6 { group.addTask { try Self.create(dir, ["--scope", "write"]).id } }
            var all: [String] = []
            for try await id in group { all.append(id) }
            return all
        }
        #expect(ids.allSatisfy { !$0.isEmpty })
        #expect(Set(try TokenStore(directory: dir).load().map(\.id)) == Set(ids))
        #expect(Set(ids).count == 6)
    }

    @Suite struct ServeSecurityTests {
        static let logger = Logger(label: "strata.test")

        @Test(arguments: [
            ("127.0.0.1", true), ("127.1.2.3", true), ("localhost", true), ("LOCALHOST", true), ("::1", true),
            ("[::1]", true), ("0:0:0:0:0:0:0:1", true), ("0.0.0.0", false), ("::", false), ("1::", false),
            ("10.0.0.5", false), ("128.0.0.1", false), ("127.0.0", false), ("example.com", false), ("::2", false),
        ])
        func loopback(_ host: String, _ expected: Bool) {
            #expect(ServeSecurity.isLoopback(host) == expected)
        }

        @Test func withoutTokensLoopbackRunsOpenAndOtherAddressesNeedInsecure() throws {
            let dir = TemporaryDirectory.uniquePath(prefix: "strata-token")
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let loopback = try ServeSecurity.makeAuthenticator(dataDirectory: dir, host: "127.0.0.1", insecure: false, logger: Self.logger)
            #expect(loopback.isOpen)
            #expect(throws: ServeSecurityError.self) {
                try ServeSecurity.makeAuthenticator(dataDirectory: dir, host: "0.0.0.0", insecure: false, logger: Self.logger)
            }
            let insecure = try ServeSecurity.makeAuthenticator(dataDirectory: dir, host: "0.0.0.0", insecure: true, logger: Self.logger)
            #expect(insecure.isOpen)
            let error = ServeSecurityError(host: "0.0.0.0", dataDirectory: dir)
            #expect(error.description.contains("strata token create") && error.description.contains("--insecure"))
        }

        @Test func withTokensEveryAddressNeedsOne() throws {
            let dir = TemporaryDirectory.uniquePath(prefix: "strata-token")
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let created = try TokenStore(directory: dir).create(scopes: [.read])
            for (host, insecure) in [("127.0.0.1", false), ("0.0.0.0", false), ("0.0.0.0", true)] {
                let authenticator = try ServeSecurity.makeAuthenticator(
                    dataDirectory: dir, host: host, insecure: insecure, logger: Self.logger)
                #expect(!authenticator.isOpen)
                #expect(authenticator.authenticate(token: nil) == .missing)
                #expect(authenticator.authenticate(token: created.token) == .granted(created.record.principal))
            }
        }
    }
}
