/// What happened to an attempt to register a subscription with the fan-out.
enum RegisterOutcome: Sendable {
    case registered
    /// The fan-out is past the subscription's cursor: catch up further, then retry.
    case behind
    /// The subscription was removed meanwhile.
    case gone
}
