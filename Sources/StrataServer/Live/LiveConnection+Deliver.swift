import NIOCore

extension LiveConnection {
    /// A live batch from the fan-out, for `subscription`. Never waits: queues it, folds it
    /// into the subscription's conflation buffer when the queue is full (or already
    /// conflating), or closes the connection under policy `disconnect`. True if queued.
    func deliver(_ subscription: Subscription, batch: EncodedBatch, sequence: UInt64) -> Bool {
        let id = subscription.id
        let message = LiveMessage.data(prefix: LiveMessage.dataPrefix(id: id, seq: sequence), tail: batch.tail)
        enum Outcome { case queued(Handoff?), folded(Bool), dropped, disconnect(String) }
        let outcome = state.withLock { s -> Outcome in
            guard !s.closing, let current = s.subscriptions[id], current.registration === subscription else {
                return .dropped
            }
            if current.conflation != nil {
                s.subscriptions[id]!.conflation!.fold(batch, sequence: sequence)
                return .folded(false)
            }
            if s.isFull(adding: message.readableBytes, configuration) {
                if subscription.policy == .disconnect {
                    return .disconnect("slow consumer: \(s.queue.count) messages (\(s.queue.bytes) bytes) queued "
                        + "for subscription \(id)")
                }
                var buffer = ConflationBuffer()
                buffer.fold(batch, sequence: sequence)
                s.subscriptions[id]!.conflation = buffer
                return .folded(true)
            }
            s.subscriptions[id]!.position = sequence
            s.subscriptions[id]!.pointsSent += batch.points
            s.pointsSent += batch.points
            return .queued(s.enqueue(.text(message)))
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
        for id in s.order {
            guard let subscription = s.subscriptions[id], let buffer = subscription.conflation else { continue }
            let skipped = buffer.folded - buffer.rows
            var prefix = LiveMessage.dataPrefix(id: id, seq: buffer.sequence)
            JSONBytes.appendRaw("\"conflated\":", to: &prefix)
            JSONBytes.appendInteger(Int64(skipped), to: &prefix)
            prefix.append(UInt8(ascii: ","))
            s.queue.push(.text(LiveMessage.data(prefix: prefix, tail: buffer.tail(formatter: subscription.shape.formatter))))
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
