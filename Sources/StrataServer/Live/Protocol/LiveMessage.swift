import NIOCore

/// Server messages as bytes (docs/websocket-protocol.md, "Server messages").
enum LiveMessage {
    static func subscribed(id: String, seq: UInt64, fallbackTime: Bool) -> ByteBuffer {
        var out: [UInt8] = []
        JSONBytes.appendRaw("{\"type\":\"subscribed\",\"id\":", to: &out)
        JSONBytes.appendString(id, to: &out)
        JSONBytes.appendRaw(",\"seq\":", to: &out)
        JSONBytes.appendInteger(seq, to: &out)
        if fallbackTime { JSONBytes.appendRaw(",\"fallback\":\"time\"", to: &out) }
        out.append(UInt8(ascii: "}"))
        return ByteBuffer(bytes: out)
    }

    static func live(id: String, seq: UInt64) -> ByteBuffer {
        idAndSeq("live", id: id, seq: seq)
    }

    static func unsubscribed(id: String) -> ByteBuffer {
        var out: [UInt8] = []
        JSONBytes.appendRaw("{\"type\":\"unsubscribed\",\"id\":", to: &out)
        JSONBytes.appendString(id, to: &out)
        out.append(UInt8(ascii: "}"))
        return ByteBuffer(bytes: out)
    }

    static let pong = ByteBuffer(string: "{\"type\":\"pong\"}")

    static func error(_ message: String, id: String?) -> ByteBuffer {
        var out: [UInt8] = []
        JSONBytes.appendRaw("{\"type\":\"error\",", to: &out)
        if let id {
            JSONBytes.appendRaw("\"id\":", to: &out)
            JSONBytes.appendString(id, to: &out)
            out.append(UInt8(ascii: ","))
        }
        JSONBytes.appendRaw("\"error\":", to: &out)
        JSONBytes.appendString(message, to: &out)
        out.append(UInt8(ascii: "}"))
        return ByteBuffer(bytes: out)
    }

    /// `{"type":"data","id":…,"seq":…,` — the per-subscription start of a data message;
    /// the rest (`DataTail`) is shared by every subscription of one shape.
    static func dataPrefix(id: String, seq: UInt64, extra: StaticString? = nil) -> [UInt8] {
        var out = dataPrefixUpToSeq(id: id)
        JSONBytes.appendInteger(seq, to: &out)
        out.append(UInt8(ascii: ","))
        if let extra { JSONBytes.appendRaw(extra, to: &out) }
        return out
    }

    /// `{"type":"data","id":"…","seq":`: the start of `id`'s data messages, which
    /// `Subscription` keeps so the fan-out does not rebuild it per message.
    static func dataPrefixUpToSeq(id: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(48 + id.utf8.count)
        JSONBytes.appendRaw("{\"type\":\"data\",\"id\":", to: &out)
        JSONBytes.appendString(id, to: &out)
        JSONBytes.appendRaw(",\"seq\":", to: &out)
        return out
    }

    /// The largest size of `data(prefixUpToSeq:seq:tail:)`'s message: 20 digits of seq and a comma.
    static func dataSize(prefixUpToSeq: [UInt8], tail: [UInt8]) -> Int {
        prefixUpToSeq.count + 21 + tail.count
    }

    /// A live data message in one allocation: the subscription's prefix, `seq`, then the
    /// tail shared by every subscriber of the shape. The same bytes as `dataPrefix` + `tail`.
    static func data(prefixUpToSeq: [UInt8], seq: UInt64, tail: [UInt8]) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(dataSize(prefixUpToSeq: prefixUpToSeq, tail: tail))
        buffer.writeBytes(prefixUpToSeq)
        // Up to 15 digits stay in a small String's inline storage: no allocation.
        buffer.writeString(String(seq))
        buffer.writeInteger(UInt8(ascii: ","))
        buffer.writeBytes(tail)
        return buffer
    }

    /// A whole data message: `prefix` then `tail`, in one buffer (one WebSocket frame).
    static func data(prefix: [UInt8], tail: [UInt8]) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(prefix.count + tail.count)
        buffer.writeBytes(prefix)
        buffer.writeBytes(tail)
        return buffer
    }

    /// `"series":[` + `seriesObjects` + `]}`: the shared end of a data message.
    static func tail(seriesObjects: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(seriesObjects.count + 12)
        JSONBytes.appendRaw("\"series\":[", to: &out)
        out.append(contentsOf: seriesObjects)
        JSONBytes.appendRaw("]}", to: &out)
        return out
    }

    private static func idAndSeq(_ type: StaticString, id: String, seq: UInt64) -> ByteBuffer {
        var out: [UInt8] = []
        JSONBytes.appendRaw("{\"type\":\"", to: &out)
        JSONBytes.appendRaw(type, to: &out)
        JSONBytes.appendRaw("\",\"id\":", to: &out)
        JSONBytes.appendString(id, to: &out)
        JSONBytes.appendRaw(",\"seq\":", to: &out)
        JSONBytes.appendInteger(seq, to: &out)
        out.append(UInt8(ascii: "}"))
        return ByteBuffer(bytes: out)
    }
}
