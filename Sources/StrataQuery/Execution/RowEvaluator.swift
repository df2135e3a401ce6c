import StrataCore

/// Evaluates field expressions and WHERE leftovers against one stored row: fields from the
/// row's columns, tags from the series key. Caches compiled regexes across rows.
final class RowEvaluator {
    private var regexes: [String: CompiledRegex] = [:]
    private let fieldTypes: [String: FieldType]

    init(fieldTypes: [String: FieldType]) {
        self.fieldTypes = fieldTypes
    }

    /// A reference's value: a field unless cast to `::tag` (or not a field), then a tag.
    /// `missingTag` is what an absent tag reads as: null in a select list, "" in WHERE.
    func lookup(_ name: String, _ type: VarRefType?, rows: SeriesRows, row: Int, missingTag: QueryValue) -> QueryValue {
        if type != .tag, fieldTypes[name] != nil {
            return rows.columns[name]?.queryValue(at: row) ?? .null
        }
        if type == .field { return .null }
        return rows.key.tagValue(name).map(QueryValue.string) ?? missingTag
    }

    func value(_ e: Expr, rows: SeriesRows, row: Int, inWhere: Bool = false) throws(QueryError) -> QueryValue {
        switch e {
        case let .varRef(name, type):
            return lookup(name, type, rows: rows, row: row, missingTag: inWhere ? .string("") : .null)
        case let .integer(v): return .integer(v)
        case let .number(v): return .float(v)
        case let .string(s): return .string(s)
        case let .boolean(b): return .boolean(b)
        case let .duration(d): return .integer(d)
        case let .paren(inner): return try value(inner, rows: rows, row: row, inWhere: inWhere)
        case let .binary(op, l, r) where op == .matches || op == .notMatches:
            guard case .regex(let pattern) = r else { return .boolean(false) }
            let lhs = try value(l, rows: rows, row: row, inWhere: inWhere)
            guard case .string(let s) = lhs else { return .boolean(op == .notMatches) }
            let re = try regex(pattern)
            return .boolean(re.matches(s) == (op == .matches))
        case let .binary(op, l, r) where op == .and || op == .or:
            let a = try truth(l, rows: rows, row: row)
            if op == .and && !a { return .boolean(false) }
            if op == .or && a { return .boolean(true) }
            return .boolean(try truth(r, rows: rows, row: row))
        case let .binary(op, l, r):
            return ValueMath.binary(op, try value(l, rows: rows, row: row, inWhere: inWhere),
                                    try value(r, rows: rows, row: row, inWhere: inWhere))
        case let .call(name, args) where ValueMath.mathFunctions.contains(name.lowercased()):
            var values: [QueryValue] = []
            for a in args { values.append(try value(a, rows: rows, row: row, inWhere: inWhere)) }
            return ValueMath.math(name.lowercased(), values)
        case .call(let name, _):
            throw QueryError("function \(name)() is not allowed here")
        case .regex, .wildcard:
            return .null
        }
    }

    /// A WHERE condition on a row; null is false.
    func truth(_ e: Expr, rows: SeriesRows, row: Int) throws(QueryError) -> Bool {
        if case .boolean(true) = try value(e, rows: rows, row: row, inWhere: true) { return true }
        return false
    }

    private func regex(_ pattern: String) throws(QueryError) -> CompiledRegex {
        if let re = regexes[pattern] { return re }
        let re = try CompiledRegex(pattern)
        regexes[pattern] = re
        return re
    }

    /// Field names an expression reads.
    static func fields(of e: Expr?, fieldTypes: [String: FieldType]) -> Set<String> {
        guard let e else { return [] }
        switch e {
        case let .varRef(name, type): return type != .tag && fieldTypes[name] != nil ? [name] : []
        case let .call(_, args): return args.reduce(into: Set<String>()) { $0.formUnion(fields(of: $1, fieldTypes: fieldTypes)) }
        case let .binary(_, l, r): return fields(of: l, fieldTypes: fieldTypes).union(fields(of: r, fieldTypes: fieldTypes))
        case let .paren(inner): return fields(of: inner, fieldTypes: fieldTypes)
        default: return []
        }
    }

    /// The rows of `rows` that satisfy `filter`.
    func filtered(_ rows: SeriesRows, by filter: Expr?) throws(QueryError) -> SeriesRows {
        guard let filter else { return rows }
        var picks: [Int] = []
        for i in 0..<rows.count where try truth(filter, rows: rows, row: i) { picks.append(i) }
        if picks.count == rows.count { return rows }
        var out = SeriesRows(key: rows.key)
        out.timestamps = picks.map { rows.timestamps[$0] }
        for (name, column) in rows.columns { out.columns[name] = column.gathered(picks) }
        return out
    }
}
