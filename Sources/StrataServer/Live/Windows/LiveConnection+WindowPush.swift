extension LiveConnection {
    /// Computes and queues one subscription's closed windows and corrections. Window
    /// messages are few (one per window) and go out like replies, outside the data bounds.
    func push(_ work: WindowWork, now: Int64) async {
        let query = windowQuery(work.shape, spec: work.spec)
        let sequence = hub.dispatchedSequence
        do {
            for (start, series) in try await query.run(executor, windows: work.closed, now: now) {
                send(LiveMessage.window(id: work.id, seq: sequence, start: start, end: start + work.spec.every,
                                        history: false, correction: false, series: series, format: work.format))
                countWindowPoints(work.id, series.count)
            }
            for start in work.corrections {
                for (window, series) in try await query.run(executor, windows: start..<(start + work.spec.every), now: now) {
                    send(LiveMessage.window(id: work.id, seq: sequence, start: window, end: window + work.spec.every,
                                            history: false, correction: true, series: series, format: work.format))
                    countWindowPoints(work.id, series.count)
                }
            }
        } catch {
            fail(work.id, error.message)
        }
        if work.overflowed {
            send(LiveMessage.error("more than \(configuration.maxPendingCorrections) late windows at once: "
                + "some corrections were not sent; resubscribe with {\"time\":…} to recompute them", id: work.id))
        }
    }

    private func countWindowPoints(_ id: String, _ points: Int) {
        state.withLock { s in
            s.subscriptions[id]?.pointsSent += points
            s.pointsSent += points
        }
        hub.metrics.pointsSent.increment(by: Int64(points))
    }
}
