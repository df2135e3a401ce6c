/// A wake-up for the transport's writer: the queue went from drained to holding a message.
struct Handoff: Sendable {
    var sink: any OutboundSink

    func resume() { sink.outboundReady() }
}
