import Foundation

/// What a query returned, reduced so that servers with different answer shapes compare:
/// how many series and numbers, and the numbers' sum (booleans as 0 and 1, strings and
/// times left out).
struct BenchAnswer: Sendable, Codable, Equatable {
    var series = 0
    var values = 0
    var digest = 0.0

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// InfluxDB 1.x JSON: `results[].series[].values`, column 0 being the time.
    static func influx(_ body: Data) throws -> BenchAnswer {
        guard let root = try JSONSerialization.jsonObject(with: body) as? [String: Any] else {
            throw Failure(description: "the answer is not a JSON object")
        }
        if let error = root["error"] as? String { throw Failure(description: error) }
        var answer = BenchAnswer()
        for result in root["results"] as? [[String: Any]] ?? [] {
            if let error = result["error"] as? String { throw Failure(description: error) }
            for series in result["series"] as? [[String: Any]] ?? [] {
                answer.series += 1
                for row in series["values"] as? [[Any]] ?? [] {
                    for cell in row.dropFirst() { answer.add(cell) }
                }
            }
        }
        return answer
    }

    /// Prometheus-style JSON: `data.result[].value` or `.values`, pairs of time and text.
    static func prometheus(_ body: Data) throws -> BenchAnswer {
        guard let root = try JSONSerialization.jsonObject(with: body) as? [String: Any] else {
            throw Failure(description: "the answer is not a JSON object")
        }
        guard root["status"] as? String == "success", let data = root["data"] as? [String: Any] else {
            throw Failure(description: root["error"] as? String ?? "status is not success")
        }
        var answer = BenchAnswer()
        for series in data["result"] as? [[String: Any]] ?? [] {
            answer.series += 1
            let points = series["values"] as? [[Any]] ?? (series["value"] as? [Any]).map { [$0] } ?? []
            for point in points where point.count == 2 {
                if let text = point[1] as? String, let v = Double(text) {
                    answer.values += 1
                    answer.digest += v
                }
            }
        }
        return answer
    }

    /// A cell as a number: booleans count 0 or 1, strings and nulls not at all.
    private mutating func add(_ cell: Any) {
        let number: Double
        if type(of: cell) == Bool.self, let b = cell as? Bool {
            number = b ? 1 : 0
        } else if let n = cell as? NSNumber {
            number = n.doubleValue
        } else if let d = cell as? Double {
            number = d
        } else if let i = cell as? Int {
            number = Double(i)
        } else {
            return
        }
        values += 1
        digest += number
    }

    /// Equal counts and sums within a millionth: sums of the same numbers in another order
    /// differ in the last bits.
    func agrees(with other: BenchAnswer) -> Bool {
        values == other.values && abs(digest - other.digest) <= 1e-6 * max(1, abs(digest))
    }
}
