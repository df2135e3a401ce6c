import StrataCore
import ArgumentParser
import Foundation
import StrataServer

/// `strata token create|list|revoke`: the tokens of a data directory (docs/auth.md,
/// docs/cli.md). Only `tokens.json` is touched, never the engine's lock, so these work
/// while `strata serve` runs on the directory; the server notices within a second.
struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Create, list and revoke the access tokens of a data directory.",
        subcommands: [Create.self, List.self, Revoke.self]
    )

    static func dataDirectory(_ option: String?) -> String {
        option ?? Environment.value("STRATA_DATA_DIR") ?? "./strata-data"
    }

    /// Store errors end the command with status 1 and the message on stderr.
    static func failing<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as TokenStoreError {
            StandardError.write("strata token: \(error)\n")
            throw ExitCode(1)
        }
    }

    static func time(_ date: Date?) -> String {
        guard let date else { return "never" }
        return ISO8601DateFormatter().string(from: date)
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a token; its text is printed once, alone on the last line.",
            discussion: "Only a hash of the token is stored: keep the printed token, it cannot be shown again."
        )

        @Option(name: .customLong("data-dir"), help: "Data directory (default ./strata-data).")
        var dataDir: String?

        @Option(name: .customLong("scope"), help: "read, write or admin (admin implies the others); repeat or comma-separate.")
        var scopes: [String] = []

        @Option(help: "Limit the token to these devices (comma-separated values of the device tag).")
        var devices: String?

        @Option(name: .customLong("device-tag"), help: "The tag that names a device (default device_id).")
        var deviceTag: String = Principal.defaultDeviceTag

        @Option(help: "Expire after this long: 90m, 12h, 30d (default: never).")
        var expires: String?

        @Option(help: "A note shown by `strata token list`.")
        var description: String?

        func validate() throws {
            _ = try parsedScopes()
            if try parsedDevices() != nil, try parsedScopes().contains(.admin) {
                // Admin statements and routes act on every device (docs/auth.md).
                throw ValidationError("an admin token cannot be limited to --devices: admin acts on every device")
            }
            _ = try expirySeconds()
            if deviceTag.isEmpty { throw ValidationError("--device-tag must not be empty") }
        }

        func parsedScopes() throws -> [Scope] {
            let names = scopes.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
            guard !names.isEmpty else { throw ValidationError("give at least one --scope (read, write or admin)") }
            var out = Set<Scope>()
            for name in names {
                guard let scope = Scope(rawValue: name.lowercased()) else {
                    throw ValidationError("unknown scope \"\(name)\" (use read, write or admin)")
                }
                out.insert(scope)
            }
            return out.sorted()
        }

        func parsedDevices() throws -> [String]? {
            guard let devices else { return nil }
            let names = devices.split(separator: ",", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces) }
            guard !names.contains("") else {
                throw ValidationError("--devices must be a comma-separated list of device ids, got \"\(devices)\"")
            }
            var seen = Set<String>()
            return names.filter { seen.insert($0).inserted }
        }

        func expirySeconds() throws -> Double? {
            guard let expires else { return nil }
            guard let seconds = DurationText.flagSeconds(expires), seconds > 0 else {
                throw ValidationError("--expires must be a duration such as 90m, 12h or 30d, got \"\(expires)\"")
            }
            return seconds
        }

        func run() async throws {
            let directory = TokenCommand.dataDirectory(dataDir)
            let now = Date()
            let created = try TokenCommand.failing {
                try TokenStore(directory: directory).create(
                    scopes: try parsedScopes(), devices: try parsedDevices(), deviceTag: deviceTag,
                    expires: try expirySeconds().map { now.addingTimeInterval($0) }, description: description, now: now)
            }
            let record = created.record
            var lines = ["created token \(record.id) in \(TokenStore(directory: directory).path)"]
            lines.append("  scopes:      \(record.scopes.map(\.rawValue).joined(separator: ", "))")
            let deviceText = record.devices.map { "\($0.joined(separator: ", ")) (tag \(record.deviceTag))" } ?? "every device"
            lines.append("  devices:     \(deviceText)")
            lines.append("  expires:     \(TokenCommand.time(record.expires))")
            if let description = record.description { lines.append("  description: \(description)") }
            lines.append("Keep the token below: only its hash is stored, it cannot be shown again.")
            lines.append(created.token)
            print(lines.joined(separator: "\n"))
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tokens (never their secrets).")

        @Option(name: .customLong("data-dir"), help: "Data directory (default ./strata-data).")
        var dataDir: String?

        @Option(help: "Output: table or json.")
        var format: String = "table"

        func validate() throws {
            guard ["table", "json"].contains(format) else {
                throw ValidationError("--format must be table or json, got \"\(format)\"")
            }
        }

        func run() async throws {
            let store = TokenStore(directory: TokenCommand.dataDirectory(dataDir))
            let records = try TokenCommand.failing { try store.load() }
            let now = Date()
            if format == "json" {
                print(try Self.json(records, now: now))
            } else if records.isEmpty {
                print("no tokens in \(store.path): a server on loopback runs open")
            } else {
                print(Self.table(records, now: now))
            }
        }

        /// What `list --format json` prints per token.
        struct Listed: Encodable {
            var id: String
            var status: String
            var scopes: [String]
            var devices: [String]?
            var device_tag: String
            var created: String
            var expires: String?
            var revoked: String?
            var description: String?
        }

        static func json(_ records: [TokenRecord], now: Date) throws -> String {
            let listed = records.map { r in
                Listed(
                    id: r.id, status: r.status(at: now).rawValue, scopes: r.scopes.map(\.rawValue), devices: r.devices,
                    device_tag: r.deviceTag, created: TokenCommand.time(r.created), expires: r.expires.map { TokenCommand.time($0) },
                    revoked: r.revoked.map { TokenCommand.time($0) }, description: r.description)
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            return String(decoding: try encoder.encode(listed), as: UTF8.self)
        }

        static func table(_ records: [TokenRecord], now: Date) -> String {
            let header = ["ID", "STATUS", "SCOPES", "DEVICES", "CREATED", "EXPIRES", "DESCRIPTION"]
            let rows = records.map { r in
                [
                    r.id, r.status(at: now).rawValue, r.scopes.map(\.rawValue).joined(separator: ","),
                    r.devices.map { "\(r.deviceTag)=\($0.joined(separator: ","))" } ?? "all",
                    TokenCommand.time(r.created), TokenCommand.time(r.expires), r.description ?? "",
                ]
            }
            let widths = header.indices.map { c in ([header] + rows).map { $0[c].count }.max() ?? 0 }
            return ([header] + rows).map { row in
                zip(row, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }
                    .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
            }.joined(separator: "\n")
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke a token; a running server refuses it within about a second.")

        @Option(name: .customLong("data-dir"), help: "Data directory (default ./strata-data).")
        var dataDir: String?

        @Argument(help: "The token's id (from `strata token list`).")
        var id: String

        func run() async throws {
            let store = TokenStore(directory: TokenCommand.dataDirectory(dataDir))
            let now = Date()
            let (record, alreadyRevoked) = try TokenCommand.failing { try store.revoke(id: id, now: now) }
            if alreadyRevoked {
                print("token \(record.id) was already revoked at \(TokenCommand.time(record.revoked))")
            } else {
                print("revoked token \(record.id)")
            }
        }
    }
}
