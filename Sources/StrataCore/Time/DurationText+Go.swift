extension DurationText {
    /// Durations as Go's `time.Duration.String()` writes them (`168h0m0s`, `1m30s`, `1.5s`,
    /// `500ms`, `0s`), which is how InfluxDB shows retention policies' durations; clients such
    /// as Grafana and Chronograf parse this form.
    public static func goString(_ d: Int64) -> String {
        let sign = d < 0 ? "-" : ""
        let u = d.magnitude
        if u == 0 { return "0s" }
        if u < 1_000_000_000 {
            let (unit, precision): (String, Int) = u < 1_000 ? ("ns", 0) : u < 1_000_000 ? ("µs", 3) : ("ms", 6)
            return sign + decimal(u, precision: precision) + unit
        }
        let seconds = u / 1_000_000_000
        var text = decimal(seconds % 60 * 1_000_000_000 + u % 1_000_000_000, precision: 9) + "s"
        let minutes = seconds / 60
        if minutes > 0 {
            text = "\(minutes % 60)m" + text
            let hours = minutes / 60
            if hours > 0 { text = "\(hours)h" + text }
        }
        return sign + text
    }

    /// `value / 10^precision` with the fraction's trailing zeros (and a bare point) dropped.
    private static func decimal(_ value: UInt64, precision: Int) -> String {
        var scale: UInt64 = 1
        for _ in 0..<precision { scale *= 10 }
        let whole = value / scale
        var fraction = value % scale
        guard fraction > 0 else { return String(whole) }
        var digits = precision
        while fraction % 10 == 0 {
            fraction /= 10
            digits -= 1
        }
        let text = String(fraction)
        return "\(whole)." + String(repeating: "0", count: digits - text.count) + text
    }
}
