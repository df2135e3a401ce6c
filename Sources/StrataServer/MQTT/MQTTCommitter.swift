import Logging
import StrataCore

/// Writes a batch of mapped messages to the engine and says which to acknowledge
/// (docs/mqtt.md, "Delivery"): a message is acknowledged only after the WAL fsync that holds
/// its points, or, when the rules or the engine refuse it, after it was counted and logged,
/// so the broker never redelivers it forever.
struct MQTTCommitter: Sendable {
    let engine: StorageEngine
    let rules: MQTTRules
    let metrics: MQTTMetrics
    let log: MQTTIngestLog

    /// How long to wait before writing again a batch the engine refused whole because its
    /// in-memory head was full (a flush frees it within seconds).
    var headFullRetry: Duration = .milliseconds(250)

    /// The packet ids to acknowledge, in the order the messages came. Throws when the batch
    /// could not be written (an I/O error, cancellation): then none may be acknowledged.
    func commit(_ batch: [MQTTMessage]) async throws -> [UInt16] {
        var stores: [Int: Result<String, EngineError>] = [:]
        var byStore: [String: (points: [Point], owners: [Int])] = [:]
        var accepted = [Int](repeating: 0, count: batch.count)
        var refusals = [String?](repeating: nil, count: batch.count)
        for (m, message) in batch.enumerated() {
            for (ruleIndex, points) in message.mapped.points {
                let rule = rules.rules[ruleIndex]
                let store = stores[ruleIndex] ?? Result { () throws(EngineError) in
                    try engine.store(database: rule.database, policy: rule.policy)
                }
                stores[ruleIndex] = store
                switch store {
                case .success(let name):
                    byStore[name, default: ([], [])].points += points
                    byStore[name, default: ([], [])].owners += repeatElement(m, count: points.count)
                case .failure(let error):
                    refusals[m] = "rule \(rule.number): \(error)"
                }
            }
        }
        for (store, work) in byStore.sorted(by: { $0.key < $1.key }) {
            let result = try await write(WriteBatch(database: store, points: work.points))
            var rejected = Set<Int>()
            for rejection in result.rejected {
                rejected.insert(rejection.index)
                let owner = work.owners[rejection.index]
                if refusals[owner] == nil { refusals[owner] = rejection.reason }
            }
            var values = 0
            for (i, point) in work.points.enumerated() where !rejected.contains(i) {
                accepted[work.owners[i]] += 1
                values += point.fields.count
            }
            metrics.points.increment(by: result.accepted)
            metrics.values.increment(by: values)
        }
        return account(batch, accepted: accepted, refusals: refusals)
    }

    /// The engine's write, again after a pause while its head is full; nothing of a refused
    /// batch was written, so writing it again duplicates nothing.
    private func write(_ batch: WriteBatch) async throws -> WriteResult {
        while true {
            do {
                return try await engine.write(batch)
            } catch EngineError.headFull {
                log.headFull()
                try await Task.sleep(for: headFullRetry)
            }
        }
    }

    /// Counts and logs each message's outcome; returns the ids to acknowledge.
    private func account(_ batch: [MQTTMessage], accepted: [Int], refusals: [String?]) -> [UInt16] {
        var acks: [UInt16] = []
        acks.reserveCapacity(batch.count)
        for (m, message) in batch.enumerated() {
            if let id = message.packetID { acks.append(id) }
            if message.tooLarge {
                metrics.count(.tooLarge)
                log.problem(.tooLarge, topic: message.topic, "\(message.payloadBytes) bytes, over the message limit")
            } else if message.mapped.matchedRules == 0 {
                metrics.count(.unmatched)
                log.problem(.unmatched, topic: message.topic, "no rule matches this topic")
            } else if accepted[m] > 0 {
                metrics.count(.stored)
                if let error = message.mapped.errors.first ?? refusals[m] {
                    log.problem(.invalid, topic: message.topic, "some records were left out: \(error)")
                }
            } else if message.mapped.pointCount > 0 {
                metrics.count(.refused)
                log.problem(.refused, topic: message.topic, refusals[m] ?? "refused")
            } else {
                metrics.count(.invalid)
                log.problem(.invalid, topic: message.topic, message.mapped.errors.first ?? "no points")
            }
        }
        return acks
    }
}
