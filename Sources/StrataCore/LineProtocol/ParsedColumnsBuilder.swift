/// The sink of `LineProtocolParser.parseColumns`: values go straight into per-series
/// columns, with no `Point` or `[Field]` per line.
///
/// While parsing, rows are appended to one row log in line order, so a line touches one
/// array however many series the body has; `finish` then moves each value to its series'
/// column. Writing into per-series arrays as lines came made every value a cache miss on
/// its array's header once a body had a few hundred series (30% of the parse at 300).
struct ParsedColumnsBuilder: LineSink {
    /// A series of the body: its key and its columns' layout.
    struct Series {
        let key: SeriesKey
        var layout: Int32
        var rows = 0
    }

    /// Column names and types in order of first appearance. Series with the same fields
    /// share one, so the names a line is checked against stay in cache.
    struct Layout {
        var names: [String] = []
        var types: [FieldType] = []
        /// The series that extends this layout in place, once shared layouts are over
        /// budget (`maxSharedLayoutNames`); -1 for a shared one.
        var owner = -1
        /// Column by name, once the layout is wide enough that a linear search would make
        /// a line with many fields in a changing order quadratic in its fields.
        var positions: [String: Int]?

        static let indexedWidth = 16

        func position(of name: String) -> Int? {
            if let positions { return positions[name] }
            return names.firstIndex(of: name)
        }

        mutating func append(_ name: String, _ type: FieldType) {
            names.append(name)
            types.append(type)
            if positions != nil {
                positions![name] = names.count - 1
            } else if names.count >= Self.indexedWidth {
                positions = Dictionary(names.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
            }
        }

        mutating func truncate(to width: Int) {
            guard width < names.count else { return }
            for name in names[width...] { positions?[name] = nil }
            names.removeLast(names.count - width)
            types.removeLast(types.count - width)
        }
    }

    /// Names all shared layouts may hold together. Each shared layout is a copy of its
    /// parent plus one column, so a body that keeps adding fields to a series would cost
    /// memory quadratic in its fields; past this, a series grows a layout of its own in
    /// place. 65,536 names are ~1 MiB; the robot dataset's bodies use 11 layouts.
    static let maxSharedLayoutNames = 65_536

    private struct LayoutStep: Hashable {
        var from: Int32
        var name: String
        var type: FieldType
    }

    private(set) var series: [Series] = []
    private var layouts: [Layout] = [Layout()]
    private var layoutSteps: [LayoutStep: Int32] = [:]
    private var sharedLayoutNames = 0
    /// Series per series-cache entry (-1: none yet). Two spellings of one series (tags in
    /// another order) are two entries that share a series.
    private var seriesOfEntry: [Int32] = []
    private var seriesOfKey: [SeriesKey: Int] = [:]
    private var mixedTypeLines: [ParsedColumns.LinePoint] = []
    private var errors: [LineProtocolError] = []

    /// The row log: per row a header word (series << 32 | values), the timestamp, the line,
    /// then two words per value: its column and its bits (`ColumnData.init(type:bits:...)`).
    private var words: [UInt64] = []
    private var strings: [String] = []
    /// The open row: where it starts in `words`, its values, the columns below 64 it set
    /// (a bit each), and its number, which `columnRow[c - 64]` holds once the row has set a
    /// wider column c: a repeated key is found in O(1) either way.
    private var rowStart = 0
    private var rowValues = 0
    private var rowColumns: UInt64 = 0
    private var rowNumber: Int32 = 0
    private var columnRow: [Int32] = []

    mutating func take(_ scanner: inout LineScanner, lineStart: Int, start: Int, end: Int, newline: Int, line: Int)
        throws(LineFailure)
    {
        scanner.beginEntry(lineStart: lineStart, end: end, newline: newline, multiline: true)
        let parsed = try scanner.parseSeries(from: start)
        let s = seriesIndex(parsed)
        let layoutBefore = series[s].layout
        let columnsBefore = layouts[Int(layoutBefore)].names.count
        let stringsBefore = strings.count
        beginRow()
        do throws(LineFailure) {
            let fieldsStart = scanner.skipBlanks(parsed.end)
            guard fieldsStart < scanner.end else { throw LineFailure(.missingFields, at: fieldsStart) }
            guard let fieldsEnd = try scanner.parseFieldColumns(from: fieldsStart, into: &self, series: s) else {
                // A field of another type than its column's: the line stays a point.
                rollBack(s, layout: layoutBefore, columns: columnsBefore, strings: stringsBefore)
                let point = try scanner.parseEntry(lineStart: lineStart, start: start, end: end, newline: newline, multiline: true)
                mixedTypeLines.append(.init(point: point, line: line))
                return
            }
            let timestamp = try scanner.finishEntry(fieldsEnd: fieldsEnd, lineStart: lineStart)
            finishRow(s, timestamp: timestamp, line: line)
        } catch {
            rollBack(s, layout: layoutBefore, columns: columnsBefore, strings: stringsBefore)
            throw error
        }
    }

    mutating func fail(_ error: LineProtocolError) {
        errors.append(error)
    }

    private mutating func seriesIndex(_ parsed: LineScanner.ParsedSeries) -> Int {
        if let entry = parsed.entry, entry < seriesOfEntry.count, seriesOfEntry[entry] >= 0 {
            return Int(seriesOfEntry[entry])
        }
        var key = SeriesKey(measurement: parsed.measurement, tags: [])
        key.tags = parsed.tags  // sorted and unique already
        let s: Int
        if let known = seriesOfKey[key] {
            s = known
        } else {
            s = series.count
            series.append(Series(key: key, layout: 0))
            seriesOfKey[key] = s
        }
        if let entry = parsed.entry {
            if entry >= seriesOfEntry.count {
                seriesOfEntry.append(contentsOf: repeatElement(-1, count: entry + 1 - seriesOfEntry.count))
            }
            seriesOfEntry[entry] = Int32(s)
        }
        return s
    }

    // MARK: - Rows

    private mutating func beginRow() {
        rowStart = words.count
        words.append(0)
        words.append(0)
        words.append(0)
        rowValues = 0
        rowColumns = 0
        rowNumber &+= 1
    }

    enum SetOutcome { case added, replaced, typeMismatch }

    /// Gives the open row of series `s` `value` for field `name`, which came at `position`
    /// in its line. A repeated name takes the later value, as InfluxDB does (the later
    /// pair wins in `finish`); a value whose type is not its column's changes nothing.
    @inline(__always)
    mutating func set(_ name: String, _ value: FieldValue, position: Int, series s: Int) -> SetOutcome {
        let layout = Int(series[s].layout)
        let c: Int
        // Rows of one series usually list the same fields in the same order.
        if position < layouts[layout].names.count && layouts[layout].names[position] == name {
            c = position
        } else if let found = layouts[layout].position(of: name) {
            c = found
        } else {
            c = layouts[layout].names.count
            series[s].layout = extend(Int32(layout), name, value.type, series: s)
        }
        guard layouts[Int(series[s].layout)].types[c] == value.type else { return .typeMismatch }
        let repeated = c < 64 ? rowColumns & (1 << UInt64(c)) != 0 : wideColumnRepeated(c)
        rowColumns |= c < 64 ? 1 << UInt64(c) : 0
        words.append(UInt64(c))
        words.append(bits(value))
        rowValues += 1
        return repeated ? .replaced : .added
    }

    /// Whether the open row already set column `c` (64 or more), marking it set.
    private mutating func wideColumnRepeated(_ c: Int) -> Bool {
        let slot = c - 64
        if slot >= columnRow.count { columnRow.append(contentsOf: repeatElement(0, count: slot + 1 - columnRow.count)) }
        defer { columnRow[slot] = rowNumber }
        return columnRow[slot] == rowNumber
    }

    @inline(__always)
    private mutating func bits(_ value: FieldValue) -> UInt64 {
        switch value {
        case .float(let v): return v.bitPattern
        case .integer(let v): return UInt64(bitPattern: v)
        case .unsigned(let v): return v
        case .boolean(let v): return v ? 1 : 0
        case .string(let v):
            strings.append(v)
            return UInt64(strings.count - 1)
        }
    }

    /// The layout `from` plus column `name` of `type`: shared by every series that grows so,
    /// or, past the budget, series `s`'s own (made once, then extended in place).
    private mutating func extend(_ from: Int32, _ name: String, _ type: FieldType, series s: Int) -> Int32 {
        if layouts[Int(from)].owner == s {
            layouts[Int(from)].append(name, type)
            return from
        }
        let step = LayoutStep(from: from, name: name, type: type)
        if let known = layoutSteps[step] { return known }
        var grown = layouts[Int(from)]
        grown.append(name, type)
        if sharedLayoutNames + grown.names.count > Self.maxSharedLayoutNames {
            grown.owner = s
        } else {
            sharedLayoutNames += grown.names.count
            layoutSteps[step] = Int32(layouts.count)
        }
        layouts.append(grown)
        return Int32(layouts.count - 1)
    }

    private mutating func finishRow(_ s: Int, timestamp: Int64, line: Int) {
        words[rowStart] = UInt64(s) << 32 | UInt64(rowValues)
        words[rowStart + 1] = UInt64(bitPattern: timestamp)
        words[rowStart + 2] = UInt64(line)
        series[s].rows += 1
    }

    /// Drops the open row, and the columns it gave its series (`columns`: the layout's
    /// width before the row, for a layout the series extended in place).
    private mutating func rollBack(_ s: Int, layout: Int32, columns: Int, strings count: Int) {
        words.removeLast(words.count - rowStart)
        strings.removeLast(strings.count - count)
        series[s].layout = layout
        if layouts[Int(layout)].owner == s { layouts[Int(layout)].truncate(to: columns) }
    }

    // MARK: - Columns

    /// Moves every logged value to its series' column. Cells go first to one scratch
    /// buffer, column-major per series, so this pass only stores; the columns are then
    /// copied out of it whole.
    func finish() -> ParsedColumns {
        var out = ParsedColumns()
        out.mixedTypeLines = mixedTypeLines
        out.errors = errors
        let widths = series.map { layouts[Int($0.layout)].names.count }
        var cellBase = [Int](repeating: 0, count: series.count)
        var rowBase = [Int](repeating: 0, count: series.count)
        var cells = 0, rows = 0
        for s in series.indices {
            (cellBase[s], rowBase[s]) = (cells, rows)
            cells += series[s].rows * widths[s]
            rows += series[s].rows
        }
        let values = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: max(cells, 1))
        let valid = UnsafeMutableBufferPointer<Bool>.allocate(capacity: max(cells, 1))
        let times = UnsafeMutableBufferPointer<Int64>.allocate(capacity: max(rows, 1))
        let lines = UnsafeMutableBufferPointer<Int>.allocate(capacity: max(rows, 1))
        defer { values.deallocate(); valid.deallocate(); times.deallocate(); lines.deallocate() }
        values.initialize(repeating: 0)
        valid.initialize(repeating: false)
        var next = [Int](repeating: 0, count: series.count)
        words.withUnsafeBufferPointer { w in
            var i = 0
            while i < w.count {
                let s = Int(w[i] >> 32), n = Int(w[i] & 0xFFFF_FFFF)
                let r = next[s]
                next[s] = r + 1
                times[rowBase[s] + r] = Int64(bitPattern: w[i + 1])
                lines[rowBase[s] + r] = Int(w[i + 2])
                let base = cellBase[s] + r, stride = series[s].rows
                var k = i + 3
                for _ in 0..<n {
                    let cell = base + Int(w[k]) * stride
                    values[cell] = w[k + 1]
                    valid[cell] = true
                    k += 2
                }
                i = k
            }
        }
        for (s, one) in series.enumerated() where one.rows > 0 {
            var rows = SeriesRows(key: one.key)
            rows.timestamps = Array(times[rowBase[s]..<rowBase[s] + one.rows])
            let layout = layouts[Int(one.layout)]
            for c in 0..<widths[s] {
                let range = cellBase[s] + c * one.rows ..< cellBase[s] + (c + 1) * one.rows
                rows.columns[layout.names[c]] = ColumnData(
                    type: layout.types[c], bits: UnsafeBufferPointer(rebasing: values[range]),
                    valid: UnsafeBufferPointer(rebasing: valid[range]), strings: strings)
            }
            out.series.append(rows)
            out.lines.append(Array(lines[rowBase[s]..<rowBase[s] + one.rows]))
        }
        return out
    }
}
