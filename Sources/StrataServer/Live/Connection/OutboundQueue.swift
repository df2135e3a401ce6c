import NIOCore

/// A connection's outgoing messages, oldest first, with their total size and when each was
/// queued: what the slow-consumer bounds are checked against.
struct OutboundQueue: Sendable {
    private var items: [(item: LiveOutbound, queuedAt: Int64)] = []
    private var head = 0
    private(set) var bytes = 0

    var count: Int { items.count - head }
    var isEmpty: Bool { count == 0 }

    /// When the oldest message was queued (the live clock's nanoseconds); nil when empty.
    var oldestQueuedAt: Int64? { head < items.count ? items[head].queuedAt : nil }

    mutating func push(_ item: LiveOutbound, at now: Int64) {
        items.append((item, now))
        bytes += item.size
    }

    mutating func pop() -> LiveOutbound? {
        guard head < items.count else { return nil }
        let item = items[head].item
        items[head].item = .close(code: 0, reason: "")
        head += 1
        bytes -= item.size
        // Compact once the consumed prefix is half the array: amortized O(1), and an idle
        // connection ends with an empty array (its capacity is released).
        if head == items.count {
            items = []
            head = 0
        } else if head * 2 >= items.count {
            items.removeFirst(head)
            head = 0
        }
        return item
    }

    mutating func removeAll() {
        items = []
        head = 0
        bytes = 0
    }
}

extension LiveOutbound {
    var size: Int {
        switch self {
        case .text(let buffer): buffer.readableBytes
        case .close(_, let reason): reason.utf8.count
        }
    }
}
