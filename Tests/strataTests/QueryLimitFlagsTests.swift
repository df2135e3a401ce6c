import ArgumentParser
import StrataCore
import StrataQuery
import Testing
@testable import strata

/// The query and ingest limit flags of `strata serve` (docs/limits.md).
@Suite struct QueryLimitFlagsTests {
    @Test func noFlagsKeepTheServerDefaults() throws {
        #expect(try QueryLimitFlags.parse([]).limits() == .serverDefaults)
    }

    @Test func everyQueryFlagSetsItsLimit() throws {
        let limits = try QueryLimitFlags.parse([
            "--max-select-point", "1", "--max-select-series", "2", "--max-select-buckets", "3", "--query-timeout", "4s",
            "--max-concurrent-queries", "5", "--max-queued-queries", "6", "--log-queries-after", "0",
            "--max-row-limit", "7", "--query-memory-bytes", "8", "--query-max-memory-bytes", "9",
        ]).limits()
        #expect(limits == QueryLimits(maxSelectPoint: 1, maxSelectSeries: 2, maxSelectBuckets: 3, timeout: .seconds(4),
                                      maxConcurrentQueries: 5, maxQueuedQueries: 6, logQueriesAfter: nil,
                                      maxRowLimit: 7, queryMemoryBytes: 8, queryMaxMemoryBytes: 9))
    }

    @Test(arguments: ["--query-memory-bytes", "--max-row-limit", "--max-select-point"])
    func aNegativeCountIsRefusedNamingTheFlag(_ flag: String) throws {
        #expect { try QueryLimitFlags.parse(["\(flag)=-1"]).limits() } throws: { error in
            "\(error)".contains(flag) && "\(error)".contains("must not be negative")
        }
    }
}
