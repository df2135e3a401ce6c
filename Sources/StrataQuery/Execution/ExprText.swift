/// Renders expressions back to InfluxQL, for error messages and EXPLAIN.
enum ExprText {
    static func render(_ e: Expr) -> String {
        switch e {
        case let .varRef(name, type):
            return quoteIdentifier(name) + (type.map { "::\($0.rawValue)" } ?? "")
        case let .call(name, args):
            return "\(name)(\(args.map(render).joined(separator: ", ")))"
        case let .binary(op, l, r):
            return "\(render(l)) \(op.rawValue) \(render(r))"
        case let .paren(inner):
            return "(\(render(inner)))"
        case let .integer(v): return String(v)
        case let .number(v): return String(v)
        case let .string(s): return "'" + s.replacingOccurrences(of: "'", with: "\\'") + "'"
        case let .boolean(b): return b ? "true" : "false"
        case let .duration(ns): return "\(ns)ns"
        case let .regex(p): return "/\(p)/"
        case let .wildcard(kind):
            switch kind {
            case .all: return "*"
            case .fields: return "*::field"
            case .tags: return "*::tag"
            }
        }
    }

    static func quoteIdentifier(_ s: String) -> String {
        let bare = s.first.map { $0 == "_" || $0.isLetter } ?? false
            && s.allSatisfy { $0 == "_" || $0.isLetter || $0.isNumber }
        return bare ? s : "\"" + s.replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
