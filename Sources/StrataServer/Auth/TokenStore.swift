import Foundation

/// The tokens of one data directory: `<data-dir>/tokens.json` (docs/auth.md, "Storage").
/// Changes take `tokens.lock` and replace the file atomically, so concurrent `strata token`
/// processes never lose each other's changes and a running server reads a whole file. The
/// engine's `LOCK` is not involved: tokens can be managed while `strata serve` runs.
public struct TokenStore: Sendable {
    public static let fileName = "tokens.json"
    static let lockName = "tokens.lock"
    /// The file layout this code writes; a newer one is refused rather than misread.
    static let version = 1

    public let directory: String
    public var path: String { directory + "/" + Self.fileName }
    var lockPath: String { directory + "/" + Self.lockName }

    public init(directory: String) {
        self.directory = directory
    }

    /// What `tokens.json` holds.
    struct Document: Codable {
        var version: Int
        var tokens: [TokenRecord]
    }

    /// Every record, revoked and expired ones included; none when there is no file.
    public func load() throws -> [TokenRecord] {
        guard let bytes = try TokenFile.read(path) else { return [] }
        let document: Document
        do {
            document = try Self.decoder.decode(Document.self, from: Data(bytes))
        } catch {
            throw TokenStoreError.corrupt(path: path, detail: Self.describe(error))
        }
        guard document.version == Self.version else {
            throw TokenStoreError.corrupt(path: path, detail: "version \(document.version), this build reads \(Self.version)")
        }
        return document.tokens
    }

    /// A new token and its record. The token text is returned once and never stored.
    public struct Created: Sendable {
        public var record: TokenRecord
        public var token: String
    }

    public func create(
        scopes: [Scope], devices: [String]? = nil, deviceTag: String = Principal.defaultDeviceTag,
        expires: Date? = nil, description: String? = nil, now: Date = Date()
    ) throws -> Created {
        try Self.validate(scopes: scopes, devices: devices, deviceTag: deviceTag)
        try makeDirectory()
        return try TokenFile.withLock(lockPath) {
            var records = try load()
            let taken = Set(records.map(\.id))
            var id = TokenSecret.randomID()
            // 2^32 ids: a collision is rare, a second one rarer still; bounded anyway.
            for _ in 0..<16 where taken.contains(id) { id = TokenSecret.randomID() }
            guard !taken.contains(id) else { throw TokenStoreError.invalid("could not find a free token id") }
            let token = TokenSecret.generate(id: id)
            let record = TokenRecord(
                id: id, hash: TokenSecret.hash(token), scopes: scopes.sorted(), devices: devices, deviceTag: deviceTag,
                created: Self.wholeSeconds(now), expires: expires.map(Self.wholeSeconds), description: description)
            records.append(record)
            try save(records)
            return Created(record: record, token: token)
        }
    }

    /// Marks the token revoked (kept in the file, so `list` can show it and the store never
    /// becomes empty again: an empty store would reopen a loopback server). Revoking a
    /// revoked token changes nothing; `alreadyRevoked` says so.
    @discardableResult
    public func revoke(id: String, now: Date = Date()) throws -> (record: TokenRecord, alreadyRevoked: Bool) {
        guard FileManager.default.fileExists(atPath: directory) else { throw TokenStoreError.unknownID(id) }
        return try TokenFile.withLock(lockPath) {
            var records = try load()
            guard let index = records.firstIndex(where: { $0.id == id }) else { throw TokenStoreError.unknownID(id) }
            guard records[index].revoked == nil else { return (records[index], true) }
            records[index].revoked = Self.wholeSeconds(now)
            try save(records)
            return (records[index], false)
        }
    }

    /// The identity of the file's current version (nil: no file), for a cheap change check.
    func stamp() -> TokenFile.Stamp? {
        TokenFile.stamp(path)
    }

    private func save(_ records: [TokenRecord]) throws {
        let data = try Self.encoder.encode(Document(version: Self.version, tokens: records))
        try TokenFile.replace(path, with: Array(data) + [UInt8(ascii: "\n")])
    }

    private func makeDirectory() throws {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw TokenStoreError.invalid("cannot create the data directory \(directory): \(error.localizedDescription)")
        }
    }

    static func validate(scopes: [Scope], devices: [String]?, deviceTag: String) throws {
        guard !scopes.isEmpty else { throw TokenStoreError.invalid("a token needs at least one scope (read, write or admin)") }
        guard !deviceTag.isEmpty else { throw TokenStoreError.invalid("the device tag must not be empty") }
        if let devices {
            guard !devices.isEmpty else {
                throw TokenStoreError.invalid("a device allowlist needs at least one device (omit it for every device)")
            }
            // A missing tag reads as "" in tag predicates: allowing "" would let a token see
            // every series without the device tag.
            guard !devices.contains("") else { throw TokenStoreError.invalid("device ids must not be empty") }
        }
    }

    /// The file keeps whole seconds (RFC 3339 without fractions), so a record reads back equal.
    static func wholeSeconds(_ date: Date) -> Date {
        Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down))
    }

    private static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.dataCorrupted(let c): return c.debugDescription
        case DecodingError.keyNotFound(let key, _): return "missing \"\(key.stringValue)\""
        case DecodingError.typeMismatch(_, let c), DecodingError.valueNotFound(_, let c):
            return "\(c.codingPath.map(\.stringValue).joined(separator: ".")): \(c.debugDescription)"
        default: return "\(error)"
        }
    }

    static var encoder: JSONEncoder {
        let e = JSONEncoder()
        e.dateEncodingStrategy = .iso8601
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        return e
    }

    static var decoder: JSONDecoder {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .iso8601
        return d
    }
}
