/// Where a subscription starts (`start` in `subscribe`).
enum StartPosition: Sendable, Equatable {
    /// Live only, from the sequence the hub has reached.
    case now
    /// History from this time (ns) on, then live; live points before it are not sent either.
    case time(Int64)
    /// Resume after this WAL sequence; `fallbackTime` replays history from that time when the
    /// sequence is older than the retained WAL.
    case sequence(UInt64, fallbackTime: Int64?)
    /// The last n rows of each series, then live.
    case last(Int)

    /// As the registry shows it.
    var description: String {
        switch self {
        case .now: "now"
        case .time(let t): "time:\(t)"
        case .sequence(let s, let t): t.map { "seq:\(s),time:\($0)" } ?? "seq:\(s)"
        case .last(let n): "last:\(n)"
        }
    }
}
