import Foundation
import StrataCore
import StrataQuery

/// The InfluxQL that computes an `every` subscription's windows, so a pushed window equals
/// what `/query` answers over the same data:
/// `SELECT fn("f") AS "fn_f", … FROM "m" WHERE <filter> AND time >= … AND time < …
/// GROUP BY time(<every>ns), * fill(none)`.
struct WindowQuery: Sendable {
    let database: String
    let measurement: String
    /// The filter's conditions as InfluxQL, allowlist included; empty when none.
    let conditions: [String]
    let fields: [String]?
    let spec: WindowSpec
    let minTime: Int64

    /// Windows starting in `range` (aligned starts), as (window start, series with one row).
    func text(windows range: Range<Int64>) -> String {
        var select: [String] = []
        for aggregate in spec.aggregates {
            if let fields {
                for field in fields {
                    select.append("\(aggregate.rawValue)(\(Self.identifier(field))) AS \(Self.identifier("\(aggregate.rawValue)_\(field)"))")
                }
            } else {
                select.append("\(aggregate.rawValue)(*)")
            }
        }
        let from = max(range.lowerBound, minTime)
        let clauses = conditions + ["time >= \(Self.literal(RFC3339.format(from)))",
                                    "time < \(Self.literal(RFC3339.format(range.upperBound)))"]
        return "SELECT \(select.joined(separator: ", ")) FROM \(Self.identifier(measurement)) WHERE "
            + clauses.joined(separator: " AND ") + " GROUP BY time(\(spec.every)ns), * fill(none)"
    }

    /// Runs the query for windows in `range`; rows grouped by window start, oldest first.
    func run(_ executor: QueryExecutor, windows range: Range<Int64>, now: Int64) async throws(LiveProtocolError)
        -> [(start: Int64, series: [ResultSeries])] {
        guard range.lowerBound < range.upperBound else { return [] }
        let results: [StatementResult]
        do {
            results = try await executor.execute(text(windows: range), database: database, now: now)
        } catch {
            throw LiveProtocolError("window query failed: \(error)")
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

    static func identifier(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    static func literal(_ value: String) -> String {
        "'" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
    }

    static func regex(_ pattern: String) -> String {
        "/" + pattern.replacingOccurrences(of: "/", with: "\\/") + "/"
    }

    /// One tag's condition as InfluxQL.
    static func condition(tag: String, _ condition: TagCondition) -> String {
        let t = identifier(tag)
        switch condition {
        case .anyOf(let values) where values.count == 1: return "\(t) = \(literal(values[0]))"
        case .anyOf(let values): return "(" + values.map { "\(t) = \(literal($0))" }.joined(separator: " OR ") + ")"
        case .matches(let re): return "\(t) =~ \(regex(re))"
        case .notMatches(let re): return "\(t) !~ \(regex(re))"
        case .notEquals(let v): return "\(t) != \(literal(v))"
        }
    }
}
