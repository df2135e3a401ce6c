import NIOWebSocket
@testable import StrataServer
import Testing

@Suite("Stream socket")
struct StreamSocketTests {
    /// The code a client's close is answered with: its own, unless the wire may not carry it.
    @Test(arguments: [
        (UInt16?(1000), UInt16(1000)), (1001, 1001), (1008, 1008), (4001, 4001), (4999, 4999),
        (1004, 1000), (1005, 1000), (1006, 1000), (1015, 1000), (999, 1000), (5000, 1000), (nil, 1000),
    ])
    func aClientsCloseIsEchoedWithACodeTheWireMayCarry(received: UInt16?, echoed: UInt16) {
        #expect(StreamSocket.echoable(received) == WebSocketErrorCode(codeNumber: Int(echoed)))
    }
}
