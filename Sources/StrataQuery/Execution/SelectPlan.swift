import StrataCore

/// A SELECT resolved against one measurement: wildcards expanded to that measurement's fields
/// and tags, output columns named as InfluxDB names them, and the query classified.
struct SelectPlan {
    struct Column {
        var name: String
        var expr: Expr
        /// Named by an AS (or by a wildcard's expansion, which InfluxDB aliases): kept as
        /// written, even where another column has the same name.
        var aliased = false
    }

    enum Kind {
        /// Rows as stored (fields, tags, arithmetic and math on them).
        case raw
        /// Buckets reduced by aggregate calls.
        case aggregate
        /// derivative(x) and friends over raw points.
        case rawTransform
    }

    var columns: [Column] = []
    var timeName = "time"
    var kind = Kind.raw
    var interval: Int64 = 0
    var offset: Int64 = 0
    /// tz() under GROUP BY time: buckets follow its wall clock (`SelectExecutor.window`).
    var zone: QueryZone?
    var groupTags: [String] = []
    var fieldTypes: [String: FieldType]
    var fieldsToRead: Set<String> = []
    var calls: [AggregateCall] = []
    /// top/bottom/distinct: several rows per bucket.
    var multiValued = false
    /// The single selector's point time labels the row (InfluxDB's rule for one selector and
    /// no GROUP BY time, and always for top/bottom).
    var selectorTime = false
    /// Bare field or tag references beside a selector, read at the selected point.
    var auxRefs: [Expr] = []

    init(_ stmt: SelectStatement, fieldTypes: [String: FieldType], tagKeys: [String]) throws(QueryError) {
        self.fieldTypes = fieldTypes
        for d in stmt.dimensions {
            switch d {
            case let .time(interval, offset):
                guard self.interval == 0 else { throw QueryError("multiple time dimensions not allowed") }
                guard interval > 0 else { throw QueryError("time dimension must have a positive duration") }
                self.interval = interval
                self.offset = ((offset % interval) + interval) % interval
                zone = stmt.zone
            case .tag(let t): if !groupTags.contains(t) { groupTags.append(t) }
            case .regex(let p):
                let re = try CompiledRegex(p)
                for t in tagKeys where re.matches(t) && !groupTags.contains(t) { groupTags.append(t) }
            case .wildcard:
                for t in tagKeys where !groupTags.contains(t) { groupTags.append(t) }
            }
        }
        groupTags.sort()
        try expandFields(stmt.fields, tagKeys: tagKeys)
        try classify()
        // InfluxDB refuses a top()/bottom() count that LIMIT would cut.
        for call in calls where ["top", "bottom"].contains(call.function) && stmt.limit > 0 {
            if case .integer(let n)? = call.args.last, n > stmt.limit {
                throw QueryError("limit (\(n)) in \(call.function) function can not be larger than the LIMIT (\(stmt.limit)) in the select statement")
            }
        }
    }

    func isField(_ name: String, _ type: VarRefType?) -> Bool {
        type != .tag && fieldTypes[name] != nil
    }

    // MARK: expansion

    private mutating func expandFields(_ fields: [SelectField], tagKeys: [String]) throws(QueryError) {
        let fieldNames = fieldTypes.keys.sorted()
        let visibleTags = tagKeys.filter { !groupTags.contains($0) }
        var out: [Column] = []
        for f in fields {
            switch f.expr {
            case let .varRef(name, _) where name.lowercased() == "time":
                if let alias = f.alias { timeName = alias }
            case .wildcard(let kind):
                var names: [(String, VarRefType)] = []
                if kind != .tags { names += fieldNames.map { ($0, .field) } }
                if kind != .fields { names += visibleTags.map { ($0, .tag) } }
                names.sort { $0.0 < $1.0 }
                out += names.map { Column(name: $0.0, expr: .varRef($0.0, $0.1)) }
            case .regex(let p):
                let re = try CompiledRegex(p)
                var names: [(String, VarRefType)] = fieldNames.filter(re.matches).map { ($0, .field) }
                names += visibleTags.filter(re.matches).map { ($0, .tag) }
                names.sort { $0.0 < $1.0 }
                out += names.map { Column(name: $0.0, expr: .varRef($0.0, $0.1)) }
            case let .call(name, args) where args.first.map(Self.isWildcardArgument) ?? false:
                let lower = name.lowercased()
                let pattern: CompiledRegex? = if case .regex(let p) = args[0] { try CompiledRegex(p) } else { nil }
                for field in fieldNames where pattern?.matches(field) ?? true {
                    guard FunctionCatalog.accepts(lower, fieldTypes[field]!) else { continue }
                    var newArgs = args
                    newArgs[0] = .varRef(field, nil)
                    out.append(Column(name: "\(f.alias ?? lower)_\(field)", expr: .call(lower, newArgs), aliased: true))
                }
            default:
                out.append(Column(name: f.alias ?? Self.defaultName(f.expr), expr: Self.lowercasingCalls(f.expr),
                                  aliased: f.alias != nil))
            }
        }
        columns = Self.deduplicated(out, timeName: timeName)
    }

    private static func isWildcardArgument(_ e: Expr) -> Bool {
        switch e {
        case .wildcard, .regex: return true
        default: return false
        }
    }

    /// InfluxQL's Field.Name(): the alias, a call's name, a reference's name, or for binary
    /// expressions the names of their references and calls joined by `_`.
    static func defaultName(_ e: Expr) -> String {
        switch e {
        case .call(let name, _): return name.lowercased()
        case .varRef(let name, _): return name
        case .paren(let inner): return defaultName(inner)
        case .binary:
            var parts: [String] = []
            collectNames(e, into: &parts)
            return parts.joined(separator: "_")
        default: return ""
        }
    }

    private static func collectNames(_ e: Expr, into parts: inout [String]) {
        switch e {
        case .call(let name, _): parts.append(name.lowercased())
        case .varRef(let name, _): parts.append(name)
        case .paren(let inner): collectNames(inner, into: &parts)
        case let .binary(_, l, r):
            collectNames(l, into: &parts)
            collectNames(r, into: &parts)
        default: break
        }
    }

    static func lowercasingCalls(_ e: Expr) -> Expr {
        switch e {
        case let .call(name, args): return .call(name.lowercased(), args.map(lowercasingCalls))
        case let .binary(op, l, r): return .binary(op, lowercasingCalls(l), lowercasingCalls(r))
        case let .paren(inner): return .paren(lowercasingCalls(inner))
        default: return e
        }
    }

    /// Repeated generated names get `_1`, `_2`… as InfluxDB's ColumnNames does: aliases
    /// first, as written (two may be equal), then each generated name made unique among
    /// them and the names before it.
    private static func deduplicated(_ columns: [Column], timeName: String) -> [Column] {
        var used: [String: Int] = [timeName: 1]
        for c in columns where c.aliased { used[c.name] = 1 }
        return columns.map { c in
            var c = c
            guard !c.aliased else { return c }
            guard let n = used[c.name] else {
                used[c.name] = 1
                return c
            }
            var i = n
            while used["\(c.name)_\(i)"] != nil { i += 1 }
            used[c.name] = i + 1
            c.name = "\(c.name)_\(i)"
            used[c.name] = 1
            return c
        }
    }

    // MARK: classification

    private mutating func classify() throws(QueryError) {
        var hasAggregate = false, hasRawTransform = false, hasBareField = false
        var seenCalls: [AggregateCall] = []
        for column in columns {
            try visit(column.expr, inCall: false, hasAggregate: &hasAggregate, hasRawTransform: &hasRawTransform,
                      hasBareField: &hasBareField, calls: &seenCalls)
        }
        calls = seenCalls
        guard columns.contains(where: { Self.mayBeField($0.expr) }) || !calls.isEmpty else {
            throw QueryError("statement must have at least one field in select clause")
        }
        if hasAggregate {
            kind = .aggregate
            if hasRawTransform {
                throw QueryError("mixing aggregate and non-aggregate queries is not supported")
            }
            multiValued = calls.contains { FunctionCatalog.multiPoint.contains($0.function) || $0.function == "distinct" }
            let onlySelector = calls.count == 1 && FunctionCatalog.selectors.contains(calls[0].function)
            // sample(*, n) expands to a sample() per field; they join by time.
            if multiValued && calls.count > 1 && !calls.allSatisfy({ $0.function == "sample" }) {
                let name = calls.first { FunctionCatalog.multiPoint.contains($0.function) || $0.function == "distinct" }!.function
                throw QueryError("selector function \(name)() cannot be combined with other functions")
            }
            if hasBareField && !onlySelector {
                if calls.count > 1 && calls.allSatisfy({ FunctionCatalog.selectors.contains($0.function) }) {
                    throw QueryError("mixing multiple selector functions with tags or fields is not supported")
                }
                throw QueryError("mixing aggregate and non-aggregate queries is not supported")
            }
            selectorTime = onlySelector && (interval == 0 || FunctionCatalog.multiPoint.contains(calls[0].function))
            // top(x, tag…, n) reports its tags as columns right after the call's.
            if let tags = calls.first?.tags, !tags.isEmpty,
               let i = columns.firstIndex(where: { if case .call = $0.expr { return true } else { return false } }) {
                columns.insert(contentsOf: tags.map { Column(name: $0, expr: .varRef($0, .tag)) }, at: i + 1)
            }
            // Every field or tag a column reads outside the calls (`max(a), b - c AS d`) comes
            // from the selected point.
            auxRefs = []
            for column in columns { Self.collectBareRefs(column.expr, into: &auxRefs) }
        } else if hasRawTransform {
            kind = .rawTransform
            if hasBareField { throw QueryError("mixing aggregate and non-aggregate queries is not supported") }
            if interval > 0 {
                let name = columns.compactMap { if case .call(let n, _) = $0.expr { return n } else { return nil } }.first ?? ""
                throw QueryError("aggregate function required inside the call to \(name)")
            }
        } else {
            kind = .raw
            if interval > 0 { throw QueryError("GROUP BY requires at least one aggregate function") }
        }
    }

    /// InfluxDB checks this before it knows the schema: only references cast to `::tag`
    /// are known not to be fields. (Wildcards were expanded already, to fields and tags.)
    private static func mayBeField(_ e: Expr) -> Bool {
        switch e {
        case let .varRef(_, type): return type != .tag
        case let .call(_, args): return args.contains(where: mayBeField)
        case let .binary(_, l, r): return mayBeField(l) || mayBeField(r)
        case let .paren(inner): return mayBeField(inner)
        default: return false
        }
    }

    private mutating func visit(_ e: Expr, inCall: Bool, hasAggregate: inout Bool, hasRawTransform: inout Bool,
                                hasBareField: inout Bool, calls: inout [AggregateCall]) throws(QueryError) {
        switch e {
        case let .varRef(name, type):
            if isField(name, type) { fieldsToRead.insert(name) }
            if !inCall { hasBareField = true }
        case let .call(name, args):
            switch try FunctionCatalog.classify(name) {
            case .math:
                for a in args {
                    try visit(a, inCall: inCall, hasAggregate: &hasAggregate, hasRawTransform: &hasRawTransform,
                              hasBareField: &hasBareField, calls: &calls)
                }
            case .aggregate:
                hasAggregate = true
                let call = try aggregateCall(name, args)
                if !calls.contains(call) { calls.append(call) }
                for tag in call.tags where !auxRefs.contains(.varRef(tag, .tag)) { auxRefs.append(.varRef(tag, .tag)) }
            case .transform:
                guard let first = args.first else {
                    throw QueryError("invalid number of arguments for \(name), expected at least 1 but no more than 2, got 0")
                }
                _ = try Transform.make(name, Array(args.dropFirst()), interval: interval)
                if case .call(let inner, let innerArgs) = first {
                    guard interval > 0 else { throw QueryError("\(name) aggregate requires a GROUP BY interval") }
                    guard try FunctionCatalog.classify(inner) == .aggregate else {
                        throw QueryError("\(name) aggregate requires an aggregate function inside")
                    }
                    hasAggregate = true
                    let call = try aggregateCall(inner, innerArgs)
                    if !calls.contains(call) { calls.append(call) }
                } else if case let .varRef(field, type) = first {
                    hasRawTransform = true
                    if isField(field, type) { fieldsToRead.insert(field) }
                } else {
                    throw QueryError("expected field argument in \(name)()")
                }
            }
        case let .binary(_, l, r):
            try visit(l, inCall: inCall, hasAggregate: &hasAggregate, hasRawTransform: &hasRawTransform,
                      hasBareField: &hasBareField, calls: &calls)
            try visit(r, inCall: inCall, hasAggregate: &hasAggregate, hasRawTransform: &hasRawTransform,
                      hasBareField: &hasBareField, calls: &calls)
        case let .paren(inner):
            try visit(inner, inCall: inCall, hasAggregate: &hasAggregate, hasRawTransform: &hasRawTransform,
                      hasBareField: &hasBareField, calls: &calls)
        case .wildcard, .regex:
            throw QueryError("unable to use wildcard in a binary expression")
        default:
            break
        }
    }

    /// The references of `e` outside aggregate calls, in order, each once.
    private static func collectBareRefs(_ e: Expr, into refs: inout [Expr]) {
        switch e {
        case .varRef: if !refs.contains(e) { refs.append(e) }
        case let .binary(_, l, r):
            collectBareRefs(l, into: &refs)
            collectBareRefs(r, into: &refs)
        case let .paren(inner): collectBareRefs(inner, into: &refs)
        case let .call(name, args) where ValueMath.mathFunctions.contains(name.lowercased()):
            for a in args { collectBareRefs(a, into: &refs) }
        default: break
        }
    }

    func aggregateCall(_ name: String, _ args: [Expr]) throws(QueryError) -> AggregateCall {
        let name = name.lowercased()
        guard let first = args.first else { throw QueryError("invalid number of arguments for \(name), expected 1, got 0") }
        if name == "count", case let .call(inner, innerArgs) = first, inner.lowercased() == "distinct",
           case let .varRef(field, _)? = innerArgs.first {
            return AggregateCall(function: "countDistinct", field: field, args: [])
        }
        guard case let .varRef(field, _) = first else { throw QueryError("expected field argument in \(name)()") }
        let rest = Array(args.dropFirst())
        switch name {
        case "percentile":
            guard rest.count == 1 else { throw QueryError("invalid number of arguments for percentile, expected 2, got \(args.count)") }
            guard AggregateCall.number(rest[0]) != nil else { throw QueryError("expected float argument in percentile()") }
        case "top", "bottom":
            guard !rest.isEmpty else {
                throw QueryError("invalid number of arguments for \(name), expected at least 2, got \(args.count)")
            }
            guard case .integer = rest.last! else { throw QueryError("expected integer as last argument in \(name)(), found \(ExprText.render(rest.last!))") }
            if rest.count >= 2 {
                var tags: [String] = []
                for arg in rest.dropLast() {
                    guard case let .varRef(tag, _) = arg else { throw QueryError("only fields or tags are allowed in \(name)(), found \(ExprText.render(arg))") }
                    tags.append(tag)
                }
                return AggregateCall(function: name, field: field, args: rest, tags: tags)
            }
        case "sample":
            guard rest.count == 1 else { throw QueryError("invalid number of arguments for sample, expected 2, got \(args.count)") }
            guard case .integer(let n) = rest[0] else { throw QueryError("expected integer argument in sample()") }
            guard n > 0 else { throw QueryError("sample window must be greater than 1, got \(n)") }
        case "integral":
            guard rest.count <= 1 else { throw QueryError("invalid number of arguments for integral, expected at least 1 but no more than 2, got \(args.count)") }
        default:
            guard rest.isEmpty else { throw QueryError("invalid number of arguments for \(name), expected 1, got \(args.count)") }
        }
        if let type = fieldTypes[field], !FunctionCatalog.accepts(name, type) {
            throw QueryError("unsupported \(name) iterator type: \(type) field \(field)")
        }
        return AggregateCall(function: name, field: field, args: rest)
    }
}
