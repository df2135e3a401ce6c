/// A client message the hub refuses; `message` goes to the client verbatim in an `error`
/// message, so it names what was wrong and what was expected.
struct LiveProtocolError: Error, Sendable, Equatable {
    var message: String
    /// The subscription the message was about, when it could be read.
    var id: String?

    init(_ message: String, id: String? = nil) {
        self.message = message
        self.id = id
    }
}
