import Foundation
import Synchronization

/// Threads of their own for query execution, so a heavy scan never holds one of the
/// cooperative pool's threads (one per core: two here), which serve every connection, the
/// live fan-out, `/ping` and `KILL QUERY`. Entered with `withTaskExecutorPreference`.
public final class QueryThreadPool: TaskExecutor, @unchecked Sendable {
    private let jobs = Mutex<(queue: [UnownedJob], closed: Bool)>(([], false))
    private let available: DispatchSemaphore
    private let threads: Int

    /// `threads` workers, started now; they live as long as the process (the server's).
    public init(threads: Int, name: String = "strata-query") {
        self.threads = max(1, threads)
        available = DispatchSemaphore(value: 0)
        for i in 0..<self.threads {
            let thread = Thread { [unowned self] in self.work() }
            thread.name = "\(name)-\(i)"
            // Queries materialize rows recursively in places: more than the 512 KiB default.
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        jobs.withLock { $0.queue.append(unowned) }
        available.signal()
    }

    private func work() {
        while true {
            available.wait()
            guard let job = jobs.withLock({ $0.queue.isEmpty ? nil : $0.queue.removeFirst() }) else { continue }
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}
