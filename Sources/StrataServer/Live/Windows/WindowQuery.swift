import Foundation
import StrataCore
import StrataQuery

/// The SELECT that computes an `every` subscription's windows, so a pushed window equals
/// what `/query` answers over the same data:
/// `SELECT fn("f") AS "fn_f", … FROM "m" WHERE <filter> AND time >= … AND time < …
/// GROUP BY time(<every>), * fill(none)`.
///
/// Built as a statement, never as text: the client's tag names, values, regexes, field and
/// measurement names go into the tree as the values they are and never meet the lexer.
struct WindowQuery: Sendable {
    let database: String
    let measurement: String
    /// The filter, allowlist included; nil when none.
    let condition: Expr?
    let fields: [String]?
    let spec: WindowSpec
    let minTime: Int64

    /// Windows starting in `range` (aligned starts).
    func statement(windows range: Range<Int64>) -> SelectStatement {
        var select: [SelectField] = []
        for aggregate in spec.aggregates {
            if let fields {
                for field in fields {
                    select.append(SelectField(.call(aggregate.rawValue, [.varRef(field, nil)]),
                                              alias: "\(aggregate.rawValue)_\(field)"))
                }
            } else {
                select.append(SelectField(.call(aggregate.rawValue, [.wildcard(.all)])))
            }
        }
        // Shaped as the parser shapes `(<filter>) AND time >= a AND time < b` (AND binds left).
        let time = Expr.varRef("time", nil)
        let from = Expr.binary(.greaterOrEqual, time, .integer(max(range.lowerBound, minTime)))
        let where_ = Expr.binary(.and, condition.map { .binary(.and, .paren($0), from) } ?? from,
                                 .binary(.less, time, .integer(range.upperBound)))
        return SelectStatement(fields: select, sources: [.measurement(MeasurementRef(name: measurement))],
                               condition: where_, dimensions: [.time(interval: spec.every, offset: 0), .wildcard],
                               fill: .none)
    }

    /// The threads window queries run on, shared by every subscription of the process: one
    /// per core, as the scan helpers they hand series to (docs/architecture.md, "Threads").
    static let threads = BlockingWorkPool(threads: max(1, ProcessInfo.processInfo.activeProcessorCount),
                                          name: "strata-live-windows", stackSize: 8 << 20)

    /// Runs the query for windows in `range`; rows grouped by window start, oldest first.
    func run(_ executor: QueryExecutor, windows range: Range<Int64>, now: Int64) async throws(LiveProtocolError)
        -> [(start: Int64, series: [ResultSeries])] {
        // No windows yet where the token sees no database (none of its devices wrote there).
        guard range.lowerBound < range.upperBound, executor.sees(database: database) else { return [] }
        let results: [StatementResult]
        let statement = statement(windows: range)
        do {
            // Off the cooperative pool: a subscription starting far back aggregates its whole
            // history here, and the pool serves every connection and `/ping`.
            results = try await withTaskExecutorPreference(Self.threads) { () async throws(QueryAuthorizationError) in
                try await executor.execute([.select(statement)], database: database, now: now)
            }
        } catch {
            throw LiveProtocolError("window query refused: \(error)")
        }
        guard let result = results.first else { return [] }
        if let error = result.error { throw LiveProtocolError("window query failed: \(error)") }
        var byWindow: [Int64: [ResultSeries]] = [:]
        for series in result.series {
            for row in series.values {
                guard case .time(let start)? = row.first else { continue }
                var one = series
                one.values = [row]
                byWindow[start, default: []].append(one)
            }
        }
        return byWindow.keys.sorted().map { ($0, byWindow[$0]!) }
    }

    /// A subscription's filter as one expression: its tags' conditions ANDed; nil for none.
    static func condition(_ conditions: [(tag: String, condition: TagCondition)]) -> Expr? {
        // Joined as the parser joins them: balanced past 16 terms, so no tree gets deep.
        Expr.joined(conditions.map { Self.condition(tag: $0.tag, $0.condition) }, by: .and)
    }

    /// One tag's condition. The name is cast to a tag, so a field of the same name never
    /// turns a device filter into a field filter.
    static func condition(tag: String, _ condition: TagCondition) -> Expr {
        let t = Expr.varRef(tag, .tag)
        switch condition {
        case .anyOf(let values):
            guard let any = Expr.joined(values.map { Expr.binary(.equal, t, .string($0)) }, by: .or) else { return .boolean(false) }
            return .paren(any)
        case .matches(let re): return .binary(.matches, t, .regex(re))
        case .notMatches(let re): return .binary(.notMatches, t, .regex(re))
        case .notEquals(let v): return .binary(.notEqual, t, .string(v))
        }
    }
}
