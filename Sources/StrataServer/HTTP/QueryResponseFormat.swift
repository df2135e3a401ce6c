import HTTPTypes
import StrataQuery

/// How a /query answer is written: InfluxDB 1.x JSON (default) or CSV, chosen by
/// `format=csv` or else by the Accept header, as InfluxDB's NewResponseWriter does.
enum QueryResponseFormat: Equatable, Sendable {
    case json(pretty: Bool)
    /// `contentType` echoes what the client accepted: `text/csv` or `application/csv`.
    case csv(contentType: String)

    var contentType: String {
        switch self {
        case .json: "application/json"
        case .csv(let type): type
        }
    }

    init(format: String?, pretty: Bool, accept: String?) {
        if format?.lowercased() == "csv" {
            self = .csv(contentType: "text/csv")
            return
        }
        for type in Self.acceptedTypes(accept) {
            switch type {
            case "*/*", "application/*", "application/json": self = .json(pretty: pretty); return
            case "application/csv": self = .csv(contentType: "application/csv"); return
            case "text/*", "text/csv": self = .csv(contentType: "text/csv"); return
            // msgpack and anything else: Strata does not write them; try the client's next choice.
            default: continue
            }
        }
        self = .json(pretty: pretty)
    }

    /// Media types of an Accept header, most preferred first (by `q`, ties in the given order).
    static func acceptedTypes(_ header: String?) -> [String] {
        guard let header else { return [] }
        let entries = header.split(separator: ",").enumerated().compactMap { index, item -> (String, Double, Int)? in
            let parts = item.split(separator: ";").map { $0.trimmingSpaces() }
            guard let type = parts.first, !type.isEmpty else { return nil }
            var q = 1.0
            for parameter in parts.dropFirst() where parameter.hasPrefix("q=") {
                q = Double(parameter.dropFirst(2)) ?? 1
            }
            return (type.lowercased(), q, index)
        }
        return entries.filter { $0.1 > 0 }.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.2 < $1.2 }.map(\.0)
    }

    /// A whole-request failure in this format.
    func errorBody(_ message: String) -> String {
        switch self {
        case .json(let pretty): InfluxJSON.encodeError(message, pretty: pretty) + "\n"
        case .csv: InfluxCSV.encodeError(message)
        }
    }
}

extension Substring {
    func trimmingSpaces() -> String { String(self).trimmingSpaces() }
}
