import Foundation

/// One query of the set, as each kind of server is asked it. InfluxQL's text is constant,
/// with the window's values bound as parameters (`params`, which Strata and InfluxDB 1.x
/// read alike); MetricsQL has no parameters, so its text holds the workload's own numbers
/// and a device name made from an index, never outside input.
struct BenchQuery: Sendable {
    enum ID: String, CaseIterable, Codable, Sendable {
        case q1 = "Q1", q2 = "Q2", q3 = "Q3", q4 = "Q4", q5 = "Q5", q6 = "Q6"

        var summary: String {
            switch self {
            case .q1: "last point of every field, every device"
            case .q2: "one device, every field, one raw hour"
            case .q3: "one device, max(temperature) and mean(battery) per minute, whole span"
            case .q4: "mean(temperature) per hour per fleet, every device"
            case .q5: "devices whose max(temperature) passes the threshold (a subquery)"
            case .q6: "mean(battery) per fleet over the whole span"
            }
        }
    }

    var id: ID
    /// What a reader of the report sees.
    var text: String
    /// Path and query string below the server's base URL.
    var path: String

    /// InfluxQL's texts, constant: `$device`, `$start`, `$end`, `$from`, `$to` and
    /// `$threshold` are bound by `influxQL(_:database:)`.
    static let influxQLTexts: [(ID, String)] = [
        (.q1, "SELECT last(*) FROM robot GROUP BY device_id"),
        (.q2, "SELECT *::field FROM robot WHERE device_id = $device AND time >= $from AND time < $to"),
        (.q3, "SELECT max(temperature), mean(battery) FROM robot WHERE device_id = $device AND time >= $start AND time < $end "
            + "GROUP BY time(1m)"),
        (.q4, "SELECT mean(temperature) FROM robot WHERE time >= $start AND time < $end GROUP BY time(1h), fleet"),
        (.q5, "SELECT \"max\" FROM (SELECT max(temperature) FROM robot WHERE time >= $start AND time < $end GROUP BY device_id) "
            + "WHERE \"max\" > $threshold GROUP BY device_id"),
        (.q6, "SELECT mean(battery) FROM robot WHERE time >= $start AND time < $end GROUP BY fleet"),
    ]

    /// A bound value: JSON's string or number, as `params` carries it.
    enum Parameter: Encodable {
        case string(String)
        case integer(Int64)
        case float(Double)

        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .string(let s): try container.encode(s)
            case .integer(let n): try container.encode(n)
            case .float(let x): try container.encode(x)
            }
        }
    }

    /// InfluxQL, for Strata and InfluxDB 1.x (`GET /query`), times bound as nanoseconds.
    static func influxQL(_ w: BenchWindow, database: String) -> [BenchQuery] {
        let parameters: [String: Parameter] = [
            "device": .string(w.device), "start": .integer(w.start * 1_000_000_000), "end": .integer(w.end * 1_000_000_000),
            "from": .integer(w.hourFrom * 1_000_000_000), "to": .integer(w.hourTo * 1_000_000_000),
            "threshold": .float(w.threshold),
        ]
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let params = String(decoding: (try? encoder.encode(parameters)) ?? Data("{}".utf8), as: UTF8.self)
        return influxQLTexts.map { id, text in
            BenchQuery(id: id, text: text + "  params=" + params,
                       path: "/query?" + form([("db", database), ("epoch", "ms"), ("q", text), ("params", params)]))
        }
    }

    /// MetricsQL, for VictoriaMetrics, whose `/write` stores field f of measurement m as the
    /// series `m_f`. Its windows are `(t - w, t]`, so each is evaluated 1 ms before the
    /// boundary to read `[from, to)` of millisecond-aligned data, as InfluxQL does.
    static func metricsQL(_ w: BenchWindow) -> [BenchQuery] {
        let eps = 0.001
        let device = "device_id=\"\(w.device)\""
        func instant(_ id: ID, _ q: String, at t: Double) -> BenchQuery {
            BenchQuery(id: id, text: "\(q) @ \(t)", path: "/api/v1/query?" + form([("query", q), ("time", decimal(t)), ("nocache", "1")]))
        }
        func range(_ id: ID, _ q: String, from: Double, to: Double, step: Int64) -> BenchQuery {
            BenchQuery(id: id, text: "\(q) @ [\(from), \(to)] step \(step)s", path: "/api/v1/query_range?" + form([
                ("query", q), ("start", decimal(from)), ("end", decimal(to)), ("step", "\(step)"), ("nocache", "1"),
            ]))
        }
        let start = Double(w.start), end = Double(w.end)
        return [
            instant(.q1, "{__name__=~\"robot_.+\"}", at: end - eps),
            instant(.q2, "{__name__=~\"robot_.+\",\(device)}[1h]", at: Double(w.hourTo) - eps),
            range(.q3, "label_set(max_over_time(robot_temperature{\(device)}[1m]), \"agg\", \"max_temperature\") or "
                + "label_set(avg_over_time(robot_battery{\(device)}[1m]), \"agg\", \"mean_battery\")",
                from: start + 60 - eps, to: start + Double(60 * w.minutes) - eps, step: 60),
            range(.q4, "sum by (fleet) (sum_over_time(robot_temperature[1h])) / sum by (fleet) (count_over_time(robot_temperature[1h]))",
                from: start + 3_600 - eps, to: start + Double(3_600 * w.hours) - eps, step: 3_600),
            instant(.q5, "max_over_time(robot_temperature[\(w.span)s]) > \(w.threshold)", at: end - eps),
            instant(.q6, "sum by (fleet) (sum_over_time(robot_battery[\(w.span)s])) / sum by (fleet) (count_over_time(robot_battery[\(w.span)s]))",
                at: end - eps),
        ]
    }

    private static func decimal(_ x: Double) -> String {
        String(format: "%.3f", x)
    }

    static func form(_ pairs: [(String, String)]) -> String {
        pairs.map { "\($0)=\(QueryConnection.formEncode($1))" }.joined(separator: "&")
    }
}
