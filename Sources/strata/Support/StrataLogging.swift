import Logging
import Synchronization

/// swift-log set up once per process: key=value lines on stderr, so stdout stays for the
/// output a command is asked for.
enum StrataLogging {
    private static let bootstrapped = Mutex(false)

    static func logger(_ label: String) -> Logger {
        bootstrapped.withLock { done in
            guard !done else { return }
            LoggingSystem.bootstrap { label in StreamLogHandler.standardError(label: label) }
            done = true
        }
        var logger = Logger(label: label)
        logger.logLevel = Environment.value("STRATA_LOG_LEVEL").flatMap(Logger.Level.init(rawValue:)) ?? .info
        return logger
    }
}
