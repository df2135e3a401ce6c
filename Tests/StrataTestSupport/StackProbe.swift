#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
import Synchronization

/// Runs work on a thread of a chosen stack size: to check that hostile input cannot overflow
/// the small stacks some threads have (512 KiB: secondary threads on macOS, Swift concurrency's
/// there), and to measure how much stack a piece of work really takes. The caller's thread is
/// never blocked waiting (tests share Swift concurrency's few threads).
public enum StackProbe {
    /// Runs `body` on a new thread with a `stackBytes` stack, with the usual guard page, so an
    /// overflow is a crash, as in a server.
    public static func run<T: Sendable>(stackBytes: Int, _ body: @escaping @Sendable () -> T) async -> T {
        let slot = Slot<T>()
        let thread = ProbeThread(stackBytes: stackBytes, painted: false) { slot.value = body() }
        await thread.finished()
        thread.join()
        return slot.value!
    }

    /// Written by the probe thread before it signals that it finished, read after.
    private final class Slot<T>: @unchecked Sendable {
        var value: T?
    }

    /// Runs `body` on a thread whose `stackBytes` stack (no guard page: make it large) was
    /// painted first, and returns how many bytes of it were written: the high-water mark.
    public static func measure(stackBytes: Int = 64 << 20, _ body: @escaping @Sendable () -> Void) async -> Int {
        let thread = ProbeThread(stackBytes: stackBytes, painted: true, body)
        await thread.finished()
        return thread.join()
    }

    /// The stack size of the calling thread.
    public static func currentStackBytes() -> Int {
        #if canImport(Glibc)
        // pthread_getattr_np is a GNU extension the Glibc module does not export.
        typealias GetAttr = @convention(c) (pthread_t, UnsafeMutablePointer<pthread_attr_t>) -> Int32
        guard let symbol = dlsym(nil, "pthread_getattr_np") else { return -1 }
        let getattr = unsafeBitCast(symbol, to: GetAttr.self)
        var attributes = pthread_attr_t()
        guard getattr(pthread_self(), &attributes) == 0 else { return -1 }
        defer { pthread_attr_destroy(&attributes) }
        var size = 0
        pthread_attr_getstacksize(&attributes, &size)
        return size
        #else
        return pthread_get_stacksize_np(pthread_self())
        #endif
    }
}

/// One thread running one closure, on a stack of a given size, optionally painted.
public final class ProbeThread: @unchecked Sendable {
    private var thread: pthread_t?
    private let stack: UnsafeMutableRawPointer?
    private let stackBytes: Int
    private let body: @Sendable () -> Void
    private let done = Mutex<(finished: Bool, waiter: CheckedContinuation<Void, Never>?)>((false, nil))

    public init(stackBytes: Int, painted: Bool, _ body: @escaping @Sendable () -> Void) {
        self.stackBytes = stackBytes
        self.body = body
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        if painted {
            let stack = mmap(nil, stackBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)!
            memset(stack, 0xA5, stackBytes)
            pthread_attr_setstack(&attributes, stack, stackBytes)
            self.stack = stack
        } else {
            pthread_attr_setstacksize(&attributes, stackBytes)
            stack = nil
        }
        let argument = Unmanaged.passRetained(self).toOpaque()
        #if canImport(Glibc)
        var thread = pthread_t()
        #else
        var thread: pthread_t?
        #endif
        let status = pthread_create(&thread, &attributes, { argument in
            let probe = Unmanaged<ProbeThread>.fromOpaque(argument!).takeRetainedValue()
            probe.body()
            let waiter = probe.done.withLock { state -> CheckedContinuation<Void, Never>? in
                state.finished = true
                return state.waiter
            }
            waiter?.resume()
            return nil
        }, argument)
        precondition(status == 0, "pthread_create: \(status)")
        self.thread = thread
    }

    /// Returns once the closure has returned.
    public func finished() async {
        await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
            let finished = done.withLock { state -> Bool in
                if !state.finished { state.waiter = waiter }
                return state.finished
            }
            if finished { waiter.resume() }
        }
    }

    /// Waits for the thread to exit (it is about to, once `finished()` returned) and returns
    /// the bytes of a painted stack that were written, 0 if not painted.
    @discardableResult
    public func join() -> Int {
        #if canImport(Glibc)
        pthread_join(thread!, nil)
        #else
        pthread_join(thread!, nil)
        #endif
        guard let stack else { return 0 }
        defer { munmap(stack, stackBytes) }
        let bytes = stack.assumingMemoryBound(to: UInt8.self)
        var untouched = 0
        while untouched < stackBytes, bytes[untouched] == 0xA5 { untouched += 1 }
        return stackBytes - untouched
    }
}

/// A task executor with one thread of a chosen stack size, so async work (the query executor)
/// runs on a small stack, or on a painted one to measure it.
public final class SmallStackExecutor: TaskExecutor, @unchecked Sendable {
    private let jobs = Mutex<(queue: [UnownedJob], done: Bool)>(([], false))
    private let available = DispatchSemaphore(value: 0)

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        jobs.withLock { $0.queue.append(job) }
        available.signal()
    }

    private func serve() {
        while true {
            available.wait()
            let (job, done) = jobs.withLock { state -> (UnownedJob?, Bool) in
                state.queue.isEmpty ? (nil, state.done) : (state.queue.removeFirst(), false)
            }
            if let job { job.runSynchronously(on: asUnownedTaskExecutor()) } else if done { return }
        }
    }

    private func finish() {
        jobs.withLock { $0.done = true }
        available.signal()
    }

    /// Runs `body` with a new executor of this kind preferred, served by a thread of
    /// `stackBytes` (painted when `measure`), and returns its result and, when measured, the
    /// stack it took.
    public static func run<T: Sendable>(stackBytes: Int, measure: Bool = false,
                                        _ body: @escaping @Sendable () async -> T) async -> (value: T, used: Int) {
        let executor = SmallStackExecutor()
        let thread = ProbeThread(stackBytes: stackBytes, painted: measure) { executor.serve() }
        let value = await withTaskExecutorPreference(executor) { await body() }
        executor.finish()
        await thread.finished()
        return (value, thread.join())
    }
}
