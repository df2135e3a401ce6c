import CompressNIO
import Hummingbird
import NIOCore

/// Reads a request body whole, bounded by a byte limit before and after decompression.
struct RequestBodyReader: Sendable {
    var limit: Int
    var dialect: InfluxHTTPError.Dialect

    func read(_ request: Request) async throws -> ByteBuffer {
        // Refuse at once when the client announced too much: no reason to receive it first.
        if let declared = request.headers[.contentLength].flatMap({ Int($0) }), declared > limit {
            throw tooLarge()
        }
        let raw: ByteBuffer
        do {
            raw = try await request.body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw tooLarge()
        }
        switch contentEncoding(request) {
        case nil: return raw
        case "gzip", "x-gzip": return try gunzip(raw)
        case let other?:
            throw InfluxHTTPError(
                .unsupportedMediaType, "unsupported Content-Encoding \"\(other)\" (use gzip or none)", dialect: dialect)
        }
    }

    private func contentEncoding(_ request: Request) -> String? {
        guard let value = request.headers[.contentEncoding] else { return nil }
        let encoding = value.trimmingSpaces().lowercased()
        return encoding.isEmpty || encoding == "identity" ? nil : encoding
    }

    /// Inflates into a buffer grown step by step and stops once it holds more than `limit`
    /// bytes, so a gzip bomb costs at most about twice the limit in memory. (compress-nio's
    /// `decompress(with:maxSize:)` lets ByteBuffer's capacity rounding overshoot its cap.)
    private func gunzip(_ compressed: ByteBuffer) throws -> ByteBuffer {
        guard compressed.readableBytes > 0 else { return compressed }
        var input = compressed
        var output = ByteBufferAllocator().buffer(capacity: min(limit + 1, max(compressed.readableBytes * 4, 64 << 10)))
        let decompressor = CompressionAlgorithm.gzip().decompressor
        do {
            try decompressor.startStream()
            defer { try? decompressor.finishStream() }
            while true {
                let before = (input.readableBytes, output.readableBytes)
                do {
                    try decompressor.streamInflate(from: &input, to: &output)
                } catch let error as CompressNIOError where error == .bufferOverflow {
                    try grow(&output)
                    continue
                } catch let error as CompressNIOError where error == .inputBufferOverflow {
                    throw InfluxHTTPError(.badRequest, "unable to decompress gzip body: unexpected end of data", dialect: dialect)
                }
                // zlib reports the end of the stream again on the call after it: no progress.
                if before == (input.readableBytes, output.readableBytes) { break }
                if output.writableBytes == 0 { try grow(&output) }
            }
        } catch let error as InfluxHTTPError {
            throw error
        } catch {
            throw InfluxHTTPError(.badRequest, "unable to decompress gzip body: \(error)", dialect: dialect)
        }
        guard output.readableBytes <= limit else { throw tooLarge(afterDecompression: true) }
        return output
    }

    /// Doubles the room (up to one byte past the limit, which is how "too large" is detected).
    private func grow(_ output: inout ByteBuffer) throws {
        guard output.readableBytes <= limit else { throw tooLarge(afterDecompression: true) }
        let room = max(1, min(output.readableBytes, limit + 1 - output.readableBytes))
        output.reserveCapacity(minimumWritableBytes: room)
    }

    private func tooLarge(afterDecompression: Bool = false) -> InfluxHTTPError {
        let what = afterDecompression ? "decompressed body" : "body"
        return InfluxHTTPError(
            .contentTooLarge, "request entity too large: \(what) exceeds the limit of \(limit) bytes",
            dialect: dialect)
    }
}

extension String {
    func trimmingSpaces() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { $0 != " " && $0 != "\t" }) else { return "" }
        let last = scalars.lastIndex(where: { $0 != " " && $0 != "\t" })!
        return String(scalars[first...last])
    }
}
