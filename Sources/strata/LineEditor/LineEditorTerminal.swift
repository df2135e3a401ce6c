#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The terminal under the line editor: raw mode, and unbuffered reads and writes.
enum Terminal {
    /// The terminal in raw mode for as long as this lives: bytes arrive one by one, unechoed,
    /// and Ctrl-C is a byte rather than a signal. Output post-processing stays on.
    struct RawMode {
        private let original: termios

        init?() {
            var attributes = termios()
            guard tcgetattr(STDIN_FILENO, &attributes) == 0 else { return nil }
            original = attributes
            attributes.c_iflag &= ~tcflag_t(BRKINT | ICRNL | INPCK | ISTRIP | IXON)
            attributes.c_cflag |= tcflag_t(CS8)
            attributes.c_lflag &= ~tcflag_t(ECHO | ICANON | IEXTEN | ISIG)
            withUnsafeMutableBytes(of: &attributes.c_cc) { cc in
                cc[Int(VMIN)] = 1
                cc[Int(VTIME)] = 0
            }
            guard tcsetattr(STDIN_FILENO, TCSAFLUSH, &attributes) == 0 else { return nil }
        }

        func restore() {
            var attributes = original
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &attributes)
        }
    }

    static func readByte() -> UInt8? {
        var byte: UInt8 = 0
        while true {
            let n = read(STDIN_FILENO, &byte, 1)
            if n == 1 { return byte }
            if n < 0, errno == EINTR { continue }
            return nil
        }
    }

    /// write(2) on stdout, bypassing stdio's buffer (flushed first by the caller).
    static func write(_ s: String) {
        StandardError.writeAll(s, to: STDOUT_FILENO)
    }
}
