/// The aggregate functions a windowed subscription may ask for. Each is the InfluxQL
/// function of the same name, so a pushed window equals
/// `SELECT fn(field) … GROUP BY time(every)` over the same data.
enum LiveAggregate: String, Sendable, Equatable, CaseIterable {
    case count, sum, mean, min, max, first, last, spread, median, stddev
}
