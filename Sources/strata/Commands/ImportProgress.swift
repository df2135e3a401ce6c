import StrataCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one-line progress bar `strata import` redraws on stderr, only when stderr is a
/// terminal (a log file or CI output would fill with carriage returns otherwise).
struct ImportProgress {
    let enabled: Bool
    private var lastDraw: ContinuousClock.Instant?
    private let clock = ContinuousClock()

    init(enabled: Bool = isatty(STDERR_FILENO) != 0) {
        self.enabled = enabled
    }

    /// Redraws at most five times a second.
    mutating func update(file: String, bytes: Int, totalBytes: Int?, lines: Int, elapsed: Duration) {
        guard enabled else { return }
        let now = clock.now
        if let lastDraw, lastDraw.duration(to: now) < .milliseconds(200) { return }
        lastDraw = now
        let seconds = max(elapsed.seconds, 1e-9)
        var text = "\r\u{1B}[K"
        if let totalBytes, totalBytes > 0 {
            let fraction = min(1, Double(bytes) / Double(totalBytes))
            let width = 30
            let filled = Int(fraction * Double(width))
            text += "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "] "
            text += "\(Int(fraction * 100))% "
        }
        text += "\(Format.bytes(bytes)) \(Format.count(lines)) lines \(Format.count(Int(Double(lines) / seconds)))/s"
        text += "  \(file)"
        StandardError.write(text)
    }

    func finish() {
        guard enabled else { return }
        StandardError.write("\r\u{1B}[K")
    }
}

enum Format {
    static func count(_ n: Int) -> String {
        switch n {
        case ..<10_000: "\(n)"
        case ..<10_000_000: "\(oneDecimal(Double(n) / 1e3))k"
        default: "\(oneDecimal(Double(n) / 1e6))M"
        }
    }

    static func bytes(_ n: Int) -> String {
        switch n {
        case ..<(1 << 10): "\(n) B"
        case ..<(1 << 20): "\(oneDecimal(Double(n) / 1024)) KiB"
        case ..<(1 << 30): "\(oneDecimal(Double(n) / 1_048_576)) MiB"
        default: "\(oneDecimal(Double(n) / 1_073_741_824)) GiB"
        }
    }

    static func oneDecimal(_ x: Double) -> String {
        let tenths = Int((x * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }
}
