import StrataCore

extension DurationText {
    /// Seconds of a flag's duration (`0`, `90`, `90s`, `15m`, `2w`: a bare number is seconds);
    /// nil when the text is not one. Retention flags require the unit (`RetentionFlags.duration`).
    static func flagSeconds(_ text: String) -> Double? {
        guard case .success(let ns) = parse(text, .flag(unitRequired: false)) else { return nil }
        return Double(ns) / 1e9
    }
}
