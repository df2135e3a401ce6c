import NIOCore
@testable import StrataServer
import Testing

@Suite("Live message encoding")
struct LiveMessageEncodingTests {
    /// The fan-out's one-allocation message against the general builder.
    @Test(arguments: [
        ("s", UInt64(0)), ("s", 9), ("s", 10), ("chart-1", 1_234_567), ("a\"b\\c\u{1}é", 42), ("x", UInt64.max),
    ])
    func aDataMessageFromTheSubscriptionsPrefixIsTheSameBytes(id: String, seq: UInt64) {
        let tail = LiveMessage.tail(seriesObjects: Array(#"{"name":"robot"}"#.utf8))
        let general = LiveMessage.data(prefix: LiveMessage.dataPrefix(id: id, seq: seq), tail: tail)
        let prefix = LiveMessage.dataPrefixUpToSeq(id: id)
        let fast = LiveMessage.data(prefixUpToSeq: prefix, seq: seq, tail: tail)
        #expect(Array(fast.readableBytesView) == Array(general.readableBytesView))
        #expect(fast.readableBytes <= LiveMessage.dataSize(prefixUpToSeq: prefix, tail: tail))
    }
}
