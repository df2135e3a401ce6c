import NIOCore
import StrataQuery

extension LiveConnection {
    /// An `every` subscription: registers first (so late points after this moment mark
    /// windows for correction), then sends the closed windows since its start as history,
    /// then `live`; the hub's window loop pushes each later window as it closes.
    func startWindowed(_ request: SubscribeRequest, shape: SubscriptionShape, window: WindowSpec) async throws {
        let id = request.id
        let now = configuration.clock.now()
        let startTime: Int64
        if case .time(let t) = request.start { startTime = t } else { startTime = now }
        let first = WindowTracker.windowStart(startTime, every: window.every)
        var tracker = WindowTracker(spec: window, first: first, next: first)
        tracker.next = max(first, tracker.closedEnd(at: now))
        let historyEnd = tracker.next
        let historyWindows = (historyEnd - first) / window.every
        guard historyWindows <= LiveLimits.maxHistoryWindows else {
            throw LiveProtocolError("\"start\": \(historyWindows) windows of history; at most "
                + "\(LiveLimits.maxHistoryWindows) (start later or use a longer \"every\")")
        }
        // The cursor skips batches already applied, even if the fan-out has not reached them:
        // the history query below runs later and counts them, so noting them would only push
        // needless corrections.
        guard let registration = hub.registerNow({ cursor in
            Subscription(id: id, connection: self, shape: shape, policy: request.policy,
                         cursor: max(cursor, engine.appliedSequence))
        }, attach: { subscription in
            attachWindows(subscription, tracker: tracker)
        }) else { throw CancellationError() }
        let sequence = registration.cursor
        try await sendWaiting(LiveMessage.subscribed(id: id, seq: sequence, fallbackTime: false), for: id)
        let query = windowQuery(shape, spec: window)
        let windows = try await query.run(executor, windows: first..<historyEnd, now: now)
        for (start, series) in windows {
            let message = LiveMessage.window(id: id, seq: sequence, start: start, end: start + window.every,
                                             history: true, correction: false, series: series, format: request.timeFormat)
            try await sendWaiting(message, for: id, points: series.count)
        }
        // Live from the moment `live` is queued, in one step: no window is pushed before it.
        try await sendWaiting(LiveMessage.live(id: id, seq: sequence), for: id, position: sequence) { subscription in
            subscription.phase = .live
            subscription.windows?.live = true
        }
        hub.windowBell.ring()
    }

    func windowQuery(_ shape: SubscriptionShape, spec: WindowSpec) -> WindowQuery {
        WindowQuery(database: shape.database, measurement: shape.measurement, condition: shape.queryCondition,
                    fields: shape.formatter.fields, spec: spec, minTime: shape.formatter.minTime)
    }

    private func attachWindows(_ subscription: Subscription, tracker: WindowTracker) -> Bool {
        state.withLock { s in
            guard !s.closing, s.subscriptions[subscription.id] != nil else { return false }
            s.subscriptions[subscription.id]!.registration = subscription
            s.subscriptions[subscription.id]!.windows = tracker
            s.subscriptions[subscription.id]!.position = subscription.cursor
            return true
        }
    }

    /// Points of a batch for an `every` subscription: late ones (in a window already
    /// pushed) mark that window for a correction, once per window however many points.
    func noteWindowPoints(_ subscription: Subscription, times: [Int64], sequence: UInt64) {
        let limit = configuration.maxPendingCorrections
        let marked = state.withLock { s -> Bool in
            guard !s.closing, let current = s.subscriptions[subscription.id], current.registration === subscription,
                  current.windows != nil else { return false }
            s.subscriptions[subscription.id]!.position = sequence
            let before = current.windows!.dirty.count
            s.subscriptions[subscription.id]!.windows!.note(times, minTime: subscription.shape.formatter.minTime, limit: limit)
            let after = s.subscriptions[subscription.id]!.windows!
            return after.dirty.count > before || after.overflowed
        }
        if marked { hub.windowBell.ring() }
    }

    /// What the window loop must compute for this connection at `now`: per live `every`
    /// subscription, the closed windows not yet pushed and the windows to correct. Marks
    /// them taken (so late points from here on mark them again).
    func takeWindowWork(now: Int64) -> [WindowWork] {
        state.withLock { s in
            var work: [WindowWork] = []
            for id in s.order {
                guard let sub = s.subscriptions[id], var tracker = sub.windows, tracker.live else { continue }
                let end = max(tracker.next, tracker.closedEnd(at: now))
                let item = WindowWork(id: id, shape: sub.shape, spec: tracker.spec, format: sub.request.timeFormat,
                                      closed: tracker.next..<end, corrections: tracker.dirty.sorted(),
                                      overflowed: tracker.overflowed)
                tracker.next = end
                tracker.dirty = []
                tracker.overflowed = false
                s.subscriptions[id]!.windows = tracker
                if !item.closed.isEmpty || !item.corrections.isEmpty || item.overflowed { work.append(item) }
            }
            return work
        }
    }

    /// The earliest time a window of this connection closes.
    func nextWindowDeadline() -> Int64? {
        state.withLock { s in
            s.subscriptions.values.compactMap { $0.windows?.live == true ? $0.windows!.nextDeadline : nil }.min()
        }
    }
}
