extension BlockSummary {
    /// This summary and `later` (which starts after it ends) as one, as the query layer's
    /// reducers would fold them one after the other: counts and sums add, the earlier first
    /// and the later last stand, a strictly smaller (greater) value replaces the least
    /// (greatest) so ties keep the earlier point. Nil where an integer or unsigned sum would
    /// overflow: the reducers wrap such sums, so those two must stay apart. Float sums are
    /// added in a different order than one by one, which may change the last bits.
    func merged(with later: BlockSummary) -> BlockSummary? {
        var fields = self.fields
        for (name, next) in later.fields {
            guard let earlier = fields[name] else {
                fields[name] = next
                continue
            }
            guard let m = earlier.merged(with: next) else { return nil }
            fields[name] = m
        }
        return BlockSummary(minTime: minTime, maxTime: later.maxTime, rowCount: rowCount + later.rowCount, fields: fields)
    }
}

extension BlockStats {
    func merged(with later: BlockStats) -> BlockStats? {
        var out = self
        out.count += later.count
        out.last = later.last
        out.lastTime = later.lastTime
        switch (sum, later.sum) {
        case (.float(let a)?, .float(let b)?): out.sum = .float(a + b)
        case (.integer(let a)?, .integer(let b)?):
            let (s, overflow) = a.addingReportingOverflow(b)
            guard !overflow else { return nil }
            out.sum = .integer(s)
        case (.unsigned(let a)?, .unsigned(let b)?):
            let (s, overflow) = a.addingReportingOverflow(b)
            guard !overflow else { return nil }
            out.sum = .unsigned(s)
        case (nil, nil): out.sum = nil
        default: return nil
        }
        if let m = later.min, min.map({ Self.less(m, $0) }) ?? true {
            (out.min, out.minTime) = (m, later.minTime)
        }
        if let m = later.max, max.map({ Self.less($0, m) }) ?? true {
            (out.max, out.maxTime) = (m, later.maxTime)
        }
        return out
    }

    /// The order the reducers compare values of one field in (a field has one type).
    private static func less(_ a: FieldValue, _ b: FieldValue) -> Bool {
        switch (a, b) {
        case let (.float(x), .float(y)): x < y
        case let (.integer(x), .integer(y)): x < y
        case let (.unsigned(x), .unsigned(y)): x < y
        case let (.boolean(x), .boolean(y)): !x && y
        case let (.string(x), .string(y)): x < y
        default: false
        }
    }
}
