import NIOCore
import Testing
@testable import StrataServer

/// The pieces of the connection limits that need no socket: finding the end of a request
/// head in bytes as they arrive, and when memory is trimmed after closes.
@Suite struct ConnectionSlotTests {
    static func scan(_ chunks: [String]) -> ConnectionSlot.HeadScan {
        var scan = ConnectionSlot.HeadScan()
        for chunk in chunks where !scan.complete { scan.feed(ByteBuffer(string: chunk)) }
        return scan
    }

    @Test(arguments: [
        ["GET /ping HTTP/1.1\r\nHost: a\r\n\r\n"],
        ["GET /ping HTTP/1.1\r\nHost: a\r", "\n", "\r", "\n"],
        ["GET /ping HTTP/1.1\nHost: a\n\n"],
        ["\r\n\r\nGET / HTTP/1.1\r\n\r\n"],
        ["POST /write HTTP/1.1\r\nContent-Length: 5\r\n\r\nab\r\n\r\n"],
    ])
    func aCompleteHeadIsFound(_ chunks: [String]) {
        #expect(Self.scan(chunks).complete)
    }

    @Test(arguments: [
        ["GET /ping HTTP/1.1\r\nHost: a\r\n"],
        ["\r\n\r\n\r\n"],
        ["\r\n", "\r\n", "G"],
        ["GET /ping HTTP/1.1\r\nX-Slow: a", "a", "a"],
    ])
    func anIncompleteHeadIsNot(_ chunks: [String]) {
        #expect(!Self.scan(chunks).complete)
    }

    @Test func emptyLinesBeforeARequestDoNotStartIt() {
        #expect(!Self.scan(["\r\n\r\n"]).started)
        #expect(Self.scan(["\r\nG"]).started)
    }

    @Test func memoryIsTrimmedOnlyOnceABurstOfClosesIsOver() {
        let trimmer = MemoryTrimmer(burst: 3, quiet: .seconds(2), interval: .seconds(10))
        let t0 = ContinuousClock.now
        trimmer.connectionClosed(now: t0)
        trimmer.connectionClosed(now: t0)
        #expect(!trimmer.trimIfDue(now: t0 + .seconds(5)), "fewer closes than a burst")
        trimmer.connectionClosed(now: t0 + .seconds(5))
        #expect(!trimmer.trimIfDue(now: t0 + .seconds(6)), "still closing")
        #expect(trimmer.trimIfDue(now: t0 + .seconds(7)))
        for _ in 0..<3 { trimmer.connectionClosed(now: t0 + .seconds(8)) }
        #expect(!trimmer.trimIfDue(now: t0 + .seconds(11)), "within the interval of the last trim")
        #expect(trimmer.trimIfDue(now: t0 + .seconds(17)))
        #expect(trimmer.trims == 2)
    }
}
