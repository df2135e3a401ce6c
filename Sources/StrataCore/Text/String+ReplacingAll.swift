extension String {
    /// Every `target` Character (so "\r\n" counts as one) replaced by `replacement`; the
    /// string itself when there is none. For CSV quoting and the shell's history file.
    public func replacingAll(_ target: Character, with replacement: String) -> String {
        guard contains(target) else { return self }
        var out = ""
        for c in self {
            if c == target { out += replacement } else { out.append(c) }
        }
        return out
    }
}
