/// Where a connection's queued messages go out: the transport's writer (`StreamFrameWriter`
/// on the socket's event loop; tests use their own).
///
/// Call order: the connection calls `outboundReady` once when a message is queued after
/// the writer last found the queue empty (`LiveConnection.popOutbound` returned nil), and
/// not again until the writer has drained it. The writer then pops until nil, or stops
/// early (its socket is full) and pops the rest later without another call. Called outside
/// the connection's lock, from any thread; it must return at once.
protocol OutboundSink: AnyObject, Sendable {
    func outboundReady()
}
