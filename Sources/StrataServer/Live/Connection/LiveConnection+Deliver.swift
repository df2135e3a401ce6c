import NIOCore

extension LiveConnection {
    /// A live batch from the fan-out, for `subscription`, at `now` (the live clock's time,
    /// read once per batch). Never waits: queues it, folds it into the subscription's
    /// conflation buffer when the queue is full or lagging (or already conflating), or closes
    /// the connection under policy `disconnect`. True if queued.
    func deliver(_ subscription: Subscription, batch: EncodedBatch, sequence: UInt64, now: Int64) -> Bool {
        let id = subscription.id
        enum Outcome { case queued(Handoff?), folded(Bool), dropped, disconnect(String) }
        let outcome = state.withLock { s -> Outcome in
            // Through the index, so the check reads two fields in place instead of copying
            // the subscription's state (a retain per field, per subscriber, per batch).
            guard !s.closing, let index = s.subscriptions.index(forKey: id),
                  s.subscriptions.values[index].registration === subscription else {
                return .dropped
            }
            if s.subscriptions.values[index].conflation != nil {
                s.subscriptions.values[index].conflation!.fold(batch, sequence: sequence)
                return .folded(false)
            }
            let size = LiveMessage.dataSize(prefixUpToSeq: subscription.dataPrefix, tail: batch.tail)
            let full = s.isFull(adding: size, configuration)
            if full || s.isLagging(now: now, configuration) {
                if subscription.policy == .disconnect {
                    return .disconnect(full
                        ? "slow consumer: \(s.queue.count) messages (\(s.queue.bytes) bytes) queued for subscription \(id)"
                        : "slow consumer: the oldest message queued for subscription \(id) has waited "
                            + "\((now &- (s.queue.oldestQueuedAt ?? now)) / 1_000_000) ms")
                }
                var buffer = ConflationBuffer()
                buffer.fold(batch, sequence: sequence)
                s.subscriptions.values[index].conflation = buffer
                return .folded(true)
            }
            s.subscriptions.values[index].position = sequence
            s.subscriptions.values[index].pointsSent += batch.points
            s.pointsSent += batch.points
            let message = LiveMessage.data(prefixUpToSeq: subscription.dataPrefix, seq: sequence, tail: batch.tail)
            return .queued(s.enqueue(.text(message), at: now))
        }
        switch outcome {
        case .queued(let handoff):
            handoff?.resume()
            return true
        case .folded(let started):
            if started { hub.logger.debug("live connection \(self.id) lags: conflating subscription \(id)") }
            return false
        case .dropped:
            return false
        case .disconnect(let reason):
            hub.metrics.slowDisconnects.increment()
            close(code: LiveCloseCode.slowConsumer, reason: reason)
            return false
        }
    }

    /// Queues one message per conflating subscription: the latest row per series with the
    /// number of points skipped. Called with the lock held when the queue has drained.
    func flushConflated(_ s: inout ConnectionState) {
        let now = configuration.clock.now()
        for id in s.order {
            guard let subscription = s.subscriptions[id], let buffer = subscription.conflation else { continue }
            let skipped = buffer.folded - buffer.rows
            var prefix = LiveMessage.dataPrefix(id: id, seq: buffer.sequence)
            JSONBytes.appendRaw("\"conflated\":", to: &prefix)
            JSONBytes.appendInteger(Int64(skipped), to: &prefix)
            prefix.append(UInt8(ascii: ","))
            s.queue.push(.text(LiveMessage.data(prefix: prefix, tail: buffer.tail(formatter: subscription.shape.formatter))),
                         at: now)
            s.subscriptions[id]!.conflation = nil
            s.subscriptions[id]!.position = buffer.sequence
            s.subscriptions[id]!.conflated += skipped
            s.subscriptions[id]!.pointsSent += buffer.rows
            s.pointsSent += buffer.rows
            s.conflated += skipped
            hub.metrics.pointsConflated.increment(by: Int64(skipped))
            hub.metrics.pointsSent.increment(by: Int64(buffer.rows))
        }
    }
}
