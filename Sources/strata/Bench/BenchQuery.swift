import Foundation

/// One query of the set, as each kind of server is asked it. The text is made from the
/// workload's own numbers and names, never from outside input.
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

    /// InfluxQL, for Strata and InfluxDB 1.x (`GET /query`).
    static func influxQL(_ w: BenchWindow, database: String) -> [BenchQuery] {
        let span = "time >= \(w.start)s AND time < \(w.end)s"
        let device = "device_id = '\(w.device)'"
        let texts: [(ID, String)] = [
            (.q1, "SELECT last(*) FROM robot GROUP BY device_id"),
            (.q2, "SELECT *::field FROM robot WHERE \(device) AND time >= \(w.hourFrom)s AND time < \(w.hourTo)s"),
            (.q3, "SELECT max(temperature), mean(battery) FROM robot WHERE \(device) AND \(span) GROUP BY time(1m)"),
            (.q4, "SELECT mean(temperature) FROM robot WHERE \(span) GROUP BY time(1h), fleet"),
            (.q5, "SELECT \"max\" FROM (SELECT max(temperature) FROM robot WHERE \(span) GROUP BY device_id) "
                + "WHERE \"max\" > \(w.threshold) GROUP BY device_id"),
            (.q6, "SELECT mean(battery) FROM robot WHERE \(span) GROUP BY fleet"),
        ]
        return texts.map { id, text in
            BenchQuery(id: id, text: text, path: "/query?" + form([("db", database), ("epoch", "ms"), ("q", text)]))
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
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return pairs.map { "\($0)=\($1.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }.joined(separator: "&")
    }
}
