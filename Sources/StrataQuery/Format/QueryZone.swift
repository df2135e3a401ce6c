import Foundation
import Synchronization

/// The location of a SELECT's `tz('…')`: an IANA zone of the system's time zone database
/// and its offsets from UTC over time (docs/influxql.md, "Time zones").
public struct QueryZone: Sendable, Equatable, CustomStringConvertible {
    public let name: String
    private let info: ZoneInfo

    /// nil when `name` is no zone of the system's database. An empty name is UTC, as Go's
    /// LoadLocation reads it.
    public init?(_ name: String) {
        guard let info = ZoneDatabase.zone(name.isEmpty ? "UTC" : name) else { return nil }
        self.name = name
        self.info = info
    }

    public var description: String { name }

    public static func == (a: QueryZone, b: QueryZone) -> Bool { a.name == b.name }

    /// The offset from UTC at instant `ns` (nanoseconds since the epoch), in nanoseconds.
    public func offset(at ns: Int64) -> Int64 {
        let seconds = ns >= 0 ? ns / 1_000_000_000 : (ns + 1) / 1_000_000_000 - 1
        return Int64(info.offset(at: seconds)) * 1_000_000_000
    }

    /// The instant whose wall-clock time here is `local` (nanoseconds as if UTC), as Go's
    /// time.Date picks it: the offset at `local` read as UTC, corrected once if the instant
    /// it gives lies under another offset (a wall time in a gap or an overlap gets one of
    /// the two, not an error).
    public func instant(local: Int64) -> Int64 {
        let first = offset(at: local)
        let utc = local &- first
        let second = offset(at: utc)
        return second == first ? utc : local &- second
    }
}

/// The system's IANA time zone database (`/usr/share/zoneinfo`, Debian's tzdata, which
/// scripts/setup-debian.sh installs). A zone's file is read once and kept: there are a few
/// hundred zones, and the names that reach a read are checked against path tricks first.
enum ZoneDatabase {
    static let directory = "/usr/share/zoneinfo"
    /// TZif files are a few KiB; anything this large is not one.
    static let maxFileBytes = 1 << 20
    private static let cache = Mutex<[String: ZoneInfo]>([:])

    static func zone(_ name: String) -> ZoneInfo? {
        guard isZoneName(name) else { return nil }
        if let known = cache.withLock({ $0[name] }) { return known }
        let path = directory + "/" + name
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
              let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        guard let data = try? handle.read(upToCount: maxFileBytes + 1), data.count <= maxFileBytes,
              let info = try? ZoneInfo(bytes: Array(data)) else { return nil }
        cache.withLock { $0[name] = info }
        return info
    }

    /// `Area/Location` names as tzdata spells them: letters, digits, `_ + -` and dots inside
    /// a part, parts separated by `/`; never absolute, never `.` or `..`.
    static func isZoneName(_ name: String) -> Bool {
        guard !name.isEmpty, name.utf8.count <= 255 else { return false }
        return name.split(separator: "/", omittingEmptySubsequences: false).allSatisfy { part in
            !part.isEmpty && part.first != "." && part.allSatisfy { c in
                c.isASCII && (c.isLetter || c.isNumber || c == "_" || c == "+" || c == "-" || c == ".")
            }
        }
    }
}
