import Dispatch
import StrataCore

extension LiveHub {
    /// Batches read from the feed per step. 256: enough to drain a burst in a few steps, few
    /// enough that a lagging hub does not hold tens of MB of batches at once.
    static let feedBatchLimit = 256

    /// The fan-out loop: one task, in sequence order, never waiting on a client.
    func followFeed() async {
        var position = dispatchedSequence
        while !Task.isCancelled {
            let batches: [CommittedBatch]?
            do {
                batches = try await engine.readChanges(after: position, limit: Self.feedBatchLimit)
            } catch {
                logger.error("live fan-out cannot read the change feed: \(error)")
                batches = nil
            }
            guard let batches else {
                // Older than the retained WAL (the hub fell hours behind) or unreadable:
                // skip to the present rather than stall every subscriber; counted and logged.
                let skipTo = engine.appliedSequence
                logger.error("live fan-out lost batches \(position + 1)...\(skipTo)")
                metrics.messagesDropped.increment(by: Int64(skipTo - position))
                skip(to: skipTo)
                position = skipTo
                continue
            }
            if batches.isEmpty {
                await engine.waitForChanges(after: position)
                continue
            }
            for batch in batches { dispatch(batch) }
            position = batches.last!.sequence
        }
    }

    private func skip(to sequence: UInt64) {
        state.withLock { s in s.dispatched = max(s.dispatched, sequence) }
        delivered.store(sequence, ordering: .releasing)
    }

    /// Sends one batch to every subscription it concerns: shapes are matched through the
    /// index under the lock, encoded once each outside it, and queued per subscription.
    func dispatch(_ batch: CommittedBatch) {
        let started = DispatchTime.now().uptimeNanoseconds
        let now = configuration.clock.now()
        let work = match(batch)
        var points = 0
        for (shape, seriesIndices, subscriptions) in work {
            if shape.window != nil {
                let times = seriesIndices.flatMap { batch.series[$0].timestamps }
                for subscription in subscriptions {
                    subscription.connection.noteWindowPoints(subscription, times: times, sequence: batch.sequence)
                }
                continue
            }
            guard let encoded = EncodedBatch(seriesIndices.map { batch.series[$0] }, formatter: shape.formatter) else {
                continue
            }
            for subscription in subscriptions {
                if subscription.connection.deliver(subscription, batch: encoded, sequence: batch.sequence, now: now) {
                    points += encoded.points
                }
            }
        }
        delivered.store(batch.sequence, ordering: .releasing)
        metrics.pointsSent.increment(by: Int64(points))
        metrics.fanoutDuration.recordNanoseconds(Int64(DispatchTime.now().uptimeNanoseconds - started))
    }

    /// The shapes `batch` concerns, with the indices of its series each matches and the
    /// subscriptions not already past it; moves the fan-out position to the batch.
    private func match(_ batch: CommittedBatch) -> [(SubscriptionShape, [Int], [Subscription])] {
        state.withLock { s in
            defer { s.dispatched = max(s.dispatched, batch.sequence) }
            guard let measurements = s.index.measurements(of: batch.database) else { return [] }
            var matched: [String: [Int]] = [:]
            for (i, series) in batch.series.enumerated() {
                guard let bucket = measurements[series.key.measurement] else { continue }
                bucket.forEachCandidate(series.key) { key in
                    if s.shapes[key]?.shape.predicate.evaluate(series.key) == true {
                        matched[key, default: []].append(i)
                    }
                }
            }
            return matched.compactMap { key, indices in
                guard let entry = s.shapes[key] else { return nil }
                let due = entry.subscriptions.filter { $0.cursor < batch.sequence }
                return due.isEmpty ? nil : (entry.shape, indices, due)
            }
        }
    }
}
