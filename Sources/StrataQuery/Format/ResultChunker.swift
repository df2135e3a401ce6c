/// Splits results into the chunks of a `chunked=true` /query answer, the way InfluxDB 1.x
/// emits them: each chunk is one series, or a part of at most `size` rows of a longer one.
/// Every chunk of a statement but its last has `partial: true`; a series part followed by
/// more of the same series has the series' `partial: true`. A statement with no series (or
/// an error) is one chunk as it is.
public enum ResultChunker {
    public static func chunks(_ results: [StatementResult], size: Int) -> [StatementResult] {
        let size = max(1, size)
        var out: [StatementResult] = []
        for result in results {
            guard !result.series.isEmpty else {
                out.append(result)
                continue
            }
            for series in result.series {
                var start = 0
                repeat {
                    let end = min(start + size, series.values.count)
                    var part = series
                    part.values = Array(series.values[start..<end])
                    part.partial = end < series.values.count || series.partial
                    out.append(StatementResult(
                        statementID: result.statementID, series: [part], partial: true))
                    start = end
                } while start < series.values.count
            }
            // Messages and the error travel with the statement's last chunk.
            out[out.count - 1].partial = result.partial
            out[out.count - 1].messages = result.messages
            out[out.count - 1].error = result.error
        }
        return out
    }
}
