import Foundation

/// The location of a SELECT's `tz('…')`: an IANA zone and its offsets from UTC over time
/// (docs/influxql.md, "Time zones"). The zone rules come from Foundation's `TimeZone`,
/// which carries the IANA database (through ICU) with the toolchain.
public struct QueryZone: Sendable, Equatable, CustomStringConvertible {
    public let name: String
    private let zone: TimeZone

    /// nil when `name` is no IANA zone. An empty name is UTC, as Go's LoadLocation reads it.
    public init?(_ name: String) {
        guard let zone = name.isEmpty ? TimeZone(identifier: "UTC") : TimeZone(identifier: name) else { return nil }
        self.name = name
        self.zone = zone
    }

    public var description: String { name }

    public static func == (a: QueryZone, b: QueryZone) -> Bool { a.name == b.name }

    /// The offset from UTC at instant `ns` (nanoseconds since the epoch), in nanoseconds.
    public func offset(at ns: Int64) -> Int64 {
        let seconds = ns >= 0 ? ns / 1_000_000_000 : (ns + 1) / 1_000_000_000 - 1
        return Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(seconds)))) * 1_000_000_000
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
