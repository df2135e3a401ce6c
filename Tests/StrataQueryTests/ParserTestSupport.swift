import Testing
@testable import StrataQuery

// Shorthands that keep the expected ASTs in the parser tables readable.

let ns: Int64 = 1
let us: Int64 = 1_000
let ms: Int64 = 1_000_000
let sec: Int64 = 1_000_000_000
let minute: Int64 = 60 * sec
let hour: Int64 = 60 * minute
let day: Int64 = 24 * hour
let week: Int64 = 7 * day

func v(_ name: String, _ type: VarRefType? = nil) -> Expr { .varRef(name, type) }
func call(_ name: String, _ args: Expr...) -> Expr { .call(name, args) }
func bin(_ op: BinaryOperator, _ lhs: Expr, _ rhs: Expr) -> Expr { .binary(op, lhs, rhs) }
func f(_ expr: Expr, as alias: String? = nil) -> SelectField { SelectField(expr, alias: alias) }
func m(_ name: String) -> Source { .measurement(MeasurementRef(name: name)) }
func ref(_ name: String) -> MeasurementRef { MeasurementRef(name: name) }

func select(_ fields: [SelectField], from sources: [Source], where condition: Expr? = nil,
            groupBy dimensions: [Dimension] = [], fill: Fill = .null, descending: Bool = false,
            limit: Int = 0, offset: Int = 0, slimit: Int = 0, soffset: Int = 0) -> SelectStatement {
    SelectStatement(fields: fields, sources: sources, condition: condition, dimensions: dimensions, fill: fill,
                    descending: descending, limit: limit, offset: offset, seriesLimit: slimit, seriesOffset: soffset)
}

/// `SELECT value FROM cpu WHERE <condition>`, for expression cases.
func whereValue(_ condition: Expr) -> Statement {
    .select(select([f(v("value"))], from: [m("cpu")], where: condition))
}

struct ParseCase: Sendable, CustomTestStringConvertible {
    var query: String
    var expected: [Statement]
    init(_ query: String, _ expected: Statement...) {
        self.query = query
        self.expected = expected
    }
    var testDescription: String { query }
}

struct ErrorCase: Sendable, CustomTestStringConvertible {
    var query: String
    var message: String
    init(_ query: String, _ message: String) {
        self.query = query
        self.message = message
    }
    var testDescription: String { query.isEmpty ? "(empty)" : query }
}
