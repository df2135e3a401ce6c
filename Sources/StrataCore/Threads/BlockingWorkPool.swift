#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
import Foundation
import Synchronization

/// A few threads of their own for blocking or CPU-heavy work reached from async code, so
/// that work never holds a thread of Swift's cooperative pool (one per core: two on the
/// reference machine), which serves every HTTP connection, the live fan-out and `/ping`.
///
/// A `TaskExecutor`: a task started with `Task(executorPreference: pool)` or code inside
/// `withTaskExecutorPreference(pool)` runs its nonisolated code here, and suspends (a
/// `Task.sleep`, an `await` on the WAL) without holding a thread. `run` hands one synchronous
/// closure to the pool and awaits it; APIs marked `noasync` may be called inside it.
///
/// Also the query threads (`StrataQuery`'s `QueryManager`); StrataCore's own pools are in `EngineThreads`.
public final class BlockingWorkPool: TaskExecutor, @unchecked Sendable {
    public let name: String
    public let threadCount: Int
    private let stackSize: Int

    private enum Work {
        case job(UnownedJob)
        case closure(@Sendable () -> Void)
    }

    private struct State {
        var queue: [Work] = []
        var head = 0
        var closed = false
    }

    private let state = Mutex(State())
    private let available = DispatchSemaphore(value: 0)
    private let threadIDs = Mutex<[ThreadID]>([])

    /// `threads` workers named `<name>-<i>`, started now. `niceness` (Linux) lowers their
    /// CPU priority: under contention the kernel then favours every other thread, the
    /// cooperative pool's included (0: as the rest of the process; 10: about a tenth of
    /// the share of a normal thread). `stackSize` in bytes.
    public init(threads: Int, name: String, niceness: Int32 = 0, stackSize: Int = 1 << 20) {
        self.name = name
        self.threadCount = max(1, threads)
        self.stackSize = stackSize
        for i in 0..<threadCount {
            let thread = Thread { [self] in
                #if os(Linux)
                // On Linux the nice value is per thread; `who` 0 is the calling thread.
                if niceness != 0 { _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, niceness) }
                #endif
                threadIDs.withLock { $0.append(ThreadID(pthread_self())) }
                work()
            }
            thread.name = "\(name)-\(i)"
            thread.stackSize = stackSize
            thread.start()
        }
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        submit(.job(UnownedJob(job)))
    }

    private func submit(_ work: Work) {
        let accepted = state.withLock { s -> Bool in
            guard !s.closed else { return false }
            s.queue.append(work)
            return true
        }
        guard accepted else {
            // After `shutdown()`: a task that outlived the pool (a sleeping watcher woken by
            // its cancellation) still runs, on a thread of its own.
            let thread = Thread { [self] in perform(work) }
            thread.name = "\(name)-late"
            thread.stackSize = stackSize
            thread.start()
            return
        }
        available.signal()
    }

    private func perform(_ work: Work) {
        switch work {
        case .job(let job): job.runSynchronously(on: asUnownedTaskExecutor())
        case .closure(let closure): closure()
        }
    }

    /// Runs `body` on one of the pool's threads and returns its result; the calling task
    /// waits suspended, holding no thread.
    public func run<T: Sendable, E: Error>(_ body: @Sendable () throws(E) -> T) async throws(E) -> T {
        try await withTaskExecutorPreference(self) { () async throws(E) -> T in try body() }
    }

    /// Calls `body(i)` for every `i` in `0..<n`, on the calling thread and on up to
    /// `threadCount` of the pool's threads, and returns once all calls returned (blocking the
    /// caller, which works too). A pool thread busy elsewhere simply joins late or not at all:
    /// the caller never waits for a thread that has not started, only for calls in progress
    /// (so it cannot deadlock, even called from the pool's own threads).
    public func forEach(_ n: Int, _ body: (Int) -> Void) {
        guard n > 1 else {
            if n == 1 { body(0) }
            return
        }
        withoutActuallyEscaping(body) { body in
            let batch = ParallelBatch(count: n, body: body)
            for _ in 0..<min(threadCount, n - 1) {
                submit(.closure { batch.help() })
            }
            batch.runAndWait()
        }
    }

    /// True on one of this pool's threads.
    public var isCurrentThread: Bool {
        let me = ThreadID(pthread_self())
        return threadIDs.withLock { $0.contains(me) }
    }

    /// Lets the threads finish the jobs queued, then exit. For pools that do not live as
    /// long as the process (tests); work that comes later runs on a thread started for it.
    public func shutdown() {
        state.withLock { $0.closed = true }
        for _ in 0..<threadCount { available.signal() }
    }

    private func work() {
        while true {
            available.wait()
            let next = state.withLock { s -> Work?? in
                guard s.head < s.queue.count else { return s.closed ? .none : .some(nil) }
                let job = s.queue[s.head]
                s.head += 1
                // Drop the consumed prefix now and then, so the array does not grow forever.
                if s.head >= 64 && s.head * 2 >= s.queue.count {
                    s.queue.removeFirst(s.head)
                    s.head = 0
                }
                return .some(job)
            }
            guard let next else { return }
            guard let work = next else { continue }
            perform(work)
        }
    }
}

/// `pthread_t` made comparable and Sendable (an integer on Linux, a pointer on Darwin).
private struct ThreadID: Equatable, @unchecked Sendable {
    let raw: pthread_t
    init(_ raw: pthread_t) { self.raw = raw }
    static func == (a: ThreadID, b: ThreadID) -> Bool { pthread_equal(a.raw, b.raw) != 0 }
}

/// One `forEach`: items are claimed from a shared counter by the caller and the helpers that
/// start before the caller has claimed the last one; the body is dropped before `forEach`
/// returns, so a helper that starts later finds nothing to call.
private final class ParallelBatch: @unchecked Sendable {
    private let count: Int
    private let next = Atomic<Int>(0)
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var active = 0
    private var closed = false
    private var body: ((Int) -> Void)?

    init(count: Int, body: @escaping (Int) -> Void) {
        self.count = count
        self.body = body
    }

    func help() {
        do {
            // Scoped: the helper's reference to the body is gone before it reports done
            // (`withoutActuallyEscaping` checks that none is left when `forEach` returns).
            condition.lock()
            guard !closed, let body else {
                condition.unlock()
                return
            }
            active += 1
            condition.unlock()
            drain(body)
        }
        condition.lock()
        active -= 1
        if active == 0 { condition.broadcast() }
        condition.unlock()
    }

    func runAndWait() {
        condition.lock()
        let body = self.body!
        condition.unlock()
        drain(body)
        condition.lock()
        closed = true
        while active > 0 { condition.wait() }
        self.body = nil
        condition.unlock()
    }

    private func drain(_ body: (Int) -> Void) {
        while true {
            let i = next.wrappingAdd(1, ordering: .relaxed).oldValue
            if i >= count { return }
            body(i)
        }
    }
}
