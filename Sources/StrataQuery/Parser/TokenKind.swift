/// What a `Token` is. Operators that are spelled as words (AND, OR, IN) and `true`/`false` get
/// their own cases because the parser treats them as operators and literals, not keywords.
enum TokenKind: Sendable, Equatable {
    case eof
    /// A character that starts no token; `Token.text` holds it.
    case illegal
    case ident
    case integer
    case number
    case duration
    case string
    /// A string or quoted identifier cut off by a newline or the end of the text.
    case badString
    /// A backslash escape InfluxQL does not know, e.g. `\q`.
    case badEscape
    case regex
    case badRegex
    case trueLiteral, falseLiteral
    /// `$name` or `$"name"`, which the parser replaces by the token of the bound value; one left
    /// over had no value.
    case boundParameter
    case add, sub, mul, div, mod, bitwiseAnd, bitwiseOr, bitwiseXor
    case and, or, `in`
    case eq, neq, eqRegex, neqRegex, lt, lte, gt, gte
    case lparen, rparen, comma, colon, doubleColon, semicolon, dot
    case keyword(Keyword)

    /// The name InfluxDB prints for a token that has no literal text of its own.
    var name: String {
        switch self {
        case .eof: return "EOF"
        case .illegal: return "ILLEGAL"
        case .ident: return "IDENT"
        case .integer: return "INTEGER"
        case .number: return "NUMBER"
        case .duration: return "DURATIONVAL"
        case .string: return "STRING"
        case .badString: return "BADSTRING"
        case .badEscape: return "BADESCAPE"
        case .regex: return "REGEX"
        case .badRegex: return "BADREGEX"
        case .trueLiteral: return "TRUE"
        case .falseLiteral: return "FALSE"
        case .boundParameter: return "BOUNDPARAM"
        case .add: return "+"
        case .sub: return "-"
        case .mul: return "*"
        case .div: return "/"
        case .mod: return "%"
        case .bitwiseAnd: return "&"
        case .bitwiseOr: return "|"
        case .bitwiseXor: return "^"
        case .and: return "AND"
        case .or: return "OR"
        case .in: return "IN"
        case .eq: return "="
        case .neq: return "!="
        case .eqRegex: return "=~"
        case .neqRegex: return "!~"
        case .lt: return "<"
        case .lte: return "<="
        case .gt: return ">"
        case .gte: return ">="
        case .lparen: return "("
        case .rparen: return ")"
        case .comma: return ","
        case .colon: return ":"
        case .doubleColon: return "::"
        case .semicolon: return ";"
        case .dot: return "."
        case .keyword(let keyword): return keyword.rawValue
        }
    }

    /// The binary operator this token stands for in an expression, if any. IN is an operator
    /// token in InfluxQL but has no `BinaryOperator`, so it ends an expression here.
    var binaryOperator: BinaryOperator? {
        switch self {
        case .add: return .add
        case .sub: return .subtract
        case .mul: return .multiply
        case .div: return .divide
        case .mod: return .modulo
        case .bitwiseAnd: return .bitwiseAnd
        case .bitwiseOr: return .bitwiseOr
        case .bitwiseXor: return .bitwiseXor
        case .and: return .and
        case .or: return .or
        case .eq: return .equal
        case .neq: return .notEqual
        case .eqRegex: return .matches
        case .neqRegex: return .notMatches
        case .lt: return .less
        case .lte: return .lessOrEqual
        case .gt: return .greater
        case .gte: return .greaterOrEqual
        default: return nil
        }
    }
}
