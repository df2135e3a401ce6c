/// An `every` subscription's progress through its windows (epoch-aligned, `every` long).
struct WindowTracker: Sendable {
    var spec: WindowSpec
    /// The first window it covers (the one holding its start).
    var first: Int64
    /// The start of the next window to push: every window before it was pushed (or was
    /// empty, or came in history).
    var next: Int64
    /// Windows before `next` that late points changed: to push again as corrections.
    var dirty: Set<Int64> = []
    /// Late windows beyond `maxPendingCorrections` were dropped; the client is told once.
    var overflowed = false
    /// History is done: the window loop may push.
    var live = false

    init(spec: WindowSpec, first: Int64, next: Int64) {
        self.spec = spec
        self.first = first
        self.next = next
    }

    /// The start of the window holding `time`.
    static func windowStart(_ time: Int64, every: Int64) -> Int64 {
        let (q, r) = time.quotientAndRemainder(dividingBy: every)
        return (r < 0 ? q - 1 : q) &* every
    }

    /// The end of the last window closed at `now` (end + grace ≤ now).
    func closedEnd(at now: Int64) -> Int64 {
        Self.windowStart(now &- spec.grace, every: spec.every)
    }

    /// Records points at `times`: those in windows already pushed mark them for correction.
    mutating func note(_ times: [Int64], minTime: Int64, limit: Int) {
        for time in times where time >= minTime {
            let window = Self.windowStart(time, every: spec.every)
            guard window >= first, window < next, !dirty.contains(window) else { continue }
            if dirty.count >= limit {
                overflowed = true
                return
            }
            dirty.insert(window)
        }
    }

    /// When the window loop next has something to push for this subscription.
    var nextDeadline: Int64 { next &+ spec.every &+ spec.grace }
}
