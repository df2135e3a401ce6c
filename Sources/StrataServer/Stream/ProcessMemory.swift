#if canImport(Glibc)
import Glibc
#endif

/// Settings of the process's C allocator; `MemoryTrimmer` gives freed pages back.
public enum ProcessMemory {
    /// Caps glibc's malloc arenas at one per core (its default is eight per core). Each
    /// thread that meets contention gets an arena of its own and keeps what it freed there;
    /// on the shared benchmark (2 cores) the cap took the server's peak RSS from 158 to
    /// 135 MiB, most of it in the settle after ingest, where flush, mapping and HTTP threads
    /// all allocate; ingest per CPU-second stayed within the run-to-run spread (1.25 M
    /// values, against 1.21 and 1.36 M in the runs before). Called once by `strata serve`,
    /// before the engine's threads start.
    public static func limitArenas() {
        #if canImport(Glibc)
        // An operator's MALLOC_ARENA_MAX stands.
        guard getenv("MALLOC_ARENA_MAX") == nil else { return }
        guard let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, "mallopt") else { return }
        let mallopt = unsafeBitCast(symbol, to: (@convention(c) (Int32, Int32) -> Int32).self)
        let mArenaMax: Int32 = -8  // M_ARENA_MAX in glibc's malloc.h
        _ = mallopt(mArenaMax, Int32(max(2, sysconf(Int32(_SC_NPROCESSORS_ONLN)))))
        #endif
    }
}
