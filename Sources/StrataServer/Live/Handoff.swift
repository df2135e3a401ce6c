/// A message for a reader that was waiting.
struct Handoff: Sendable {
    var reader: CheckedContinuation<LiveOutbound?, Never>
    var item: LiveOutbound?

    func resume() { reader.resume(returning: item) }
}
