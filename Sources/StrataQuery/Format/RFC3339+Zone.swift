import StrataCore

extension RFC3339 {
    /// In `zone`'s wall-clock time with its offset (`2000-01-01T00:00:00-06:00`), as Go
    /// formats a time in a location; `Z` where the offset is zero or there is no zone.
    public static func format(_ nanoseconds: Int64, in zone: QueryZone?) -> String {
        guard let zone else { return format(nanoseconds) }
        let offset = zone.offset(at: nanoseconds)
        guard offset != 0 else { return format(nanoseconds) }
        var out = format(nanoseconds &+ offset)
        out.removeLast()
        let minutes = offset.magnitude / 60_000_000_000
        return out + (offset < 0 ? "-" : "+") + pad(Int64(minutes / 60), 2) + ":" + pad(Int64(minutes % 60), 2)
    }
}
