import HummingbirdWSClient
import Logging
import NIOCore
import Synchronization

/// One WebSocket connection with one subscription. It records, for every row it receives,
/// the row's time and the monotonic time the message arrived (stamped before parsing).
struct Subscriber: Sendable {
    struct Log: Sendable {
        var device = ""
        var stalled = false
        var times: [Int64] = []
        var receivedAt: [Int64] = []
        var dataMessages = 0
        var conflatedMessages = 0
        var errors: [String] = []
        var subscribed = false
        var closeCode: String?
    }

    enum Mode: Sendable {
        /// Reads every message (the measured subscribers, and the idle ones of the memory run).
        case reading
        /// Subscribes, then never reads again (the slow consumer of the stalled scenario).
        case stalled
    }

    let url: String
    let device: String
    let subscribe: String
    let mode: Mode
    let subscribed: Counter
    let stop: StopSignal
    let logger: Logger

    func run() async -> Log {
        let box = LogBox(Log(device: device, stalled: mode == .stalled))
        // A short close timeout: a stalled subscriber never reads the server's close reply.
        var configuration = WebSocketClientConfiguration(maxFrameSize: 1 << 20, closeTimeout: .seconds(2))
        configuration.additionalHeaders[.secWebSocketProtocol] = "strata.v1"
        do {
            let close = try await WebSocketClient.connect(url: url, configuration: configuration, logger: logger) { inbound, outbound, _ in
                try await outbound.write(.text(subscribe))
                var frames = inbound.makeAsyncIterator()
                guard let first = try await frames.next() else { return }
                record(first.data, at: MonotonicClock.now(), into: box)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        await stop.wait()
                        try? await outbound.close(.normalClosure, reason: "run over")
                    }
                    if mode == .stalled {
                        try await group.next()
                        return
                    }
                    var pending: ByteBuffer?
                    while let frame = try await frames.next() {
                        let now = MonotonicClock.now()
                        guard frame.opcode == .text || frame.opcode == .continuation else { continue }
                        // Server messages larger than one frame arrive as continuations.
                        if !frame.fin || pending != nil {
                            var buffer = pending ?? ByteBuffer()
                            var data = frame.data
                            buffer.writeBuffer(&data)
                            pending = frame.fin ? nil : buffer
                            if frame.fin { record(buffer, at: now, into: box) }
                        } else {
                            record(frame.data, at: now, into: box)
                        }
                    }
                    try await group.next()
                }
            }
            if let close { box.withLock { $0.closeCode = "\(close.closeCode)" } }
        } catch {
            box.withLock { $0.errors.append("connection: \(error)") }
        }
        return box.withLock { $0 }
    }

    private func record(_ buffer: ByteBuffer, at now: Int64, into box: LogBox) {
        buffer.withUnsafeReadableBytes { bytes in
            box.withLock { log in
                if TimeScanner.contains(#""type":"data""#, in: bytes) {
                    log.dataMessages += 1
                    if TimeScanner.contains(#""conflated":"#, in: bytes) { log.conflatedMessages += 1 }
                    let before = log.times.count
                    TimeScanner.appendTimes(in: bytes, to: &log.times)
                    log.receivedAt.append(contentsOf: repeatElement(now, count: log.times.count - before))
                } else if TimeScanner.contains(#""type":"subscribed""#, in: bytes) {
                    log.subscribed = true
                    subscribed.increment()
                } else if TimeScanner.contains(#""type":"error""#, in: bytes), log.errors.count < 5 {
                    log.errors.append(String(decoding: bytes, as: UTF8.self))
                }
            }
        }
    }
}
