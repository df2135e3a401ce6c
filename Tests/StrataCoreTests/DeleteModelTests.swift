import Testing
@testable import StrataCore

/// Seeded random writes, deletes (bounded and whole-series), flushes, clean reopens and
/// crashes, checked after every step against a plain dictionary model: per series, time and
/// field, the last write wins; a delete removes what was written before it.
@Suite struct DeleteModelTests {
    typealias Model = [String: [Int64: [String: Double]]]

    static func open(_ fs: any FileSystem) throws -> StorageEngine {
        try StorageEngine.open(directory: "/d", options: .forTests, fileSystem: fs)
    }

    static func check(_ engine: StorageEngine, _ model: Model, live: Set<String>, _ context: String) throws {
        let rows = try engine.scan(database: "db", measurement: "m")
        let withData = model.filter { !$0.value.isEmpty }
        #expect(rows.map { $0.key.tagValue("dev")! } == withData.keys.sorted(), "\(context)")
        for series in rows {
            let expected = withData[series.key.tagValue("dev")!] ?? [:]
            #expect(series.timestamps == expected.keys.sorted(), "\(context) \(series.key)")
            guard series.timestamps == expected.keys.sorted() else { continue }
            for (r, t) in series.timestamps.enumerated() {
                for name in ["x", "y"] {
                    let value = series.columns[name]?.value(at: r)
                    #expect(value == expected[t]?[name].map(FieldValue.float), "\(context) \(series.key) t=\(t) \(name)")
                }
            }
        }
        // Listed: every series with data, no series dropped since it was last written. (A
        // series emptied by bounded deletes may be listed or not; see docs/decisions.md.)
        let listed = Set(engine.seriesKeys(database: "db", measurement: "m").map { $0.tagValue("dev")! })
        #expect(Set(withData.keys).isSubset(of: listed) && listed.isSubset(of: live), "\(context): listed \(listed.sorted())")
        // Summaries and decoded rows together cover every row exactly once.
        var stats = ScanStatistics()
        let chunks = try engine.scanChunks(database: "db", measurement: "m", range: Int64.min...Int64.max, statistics: &stats)
        #expect(chunks.map { $0.chunks.reduce(0) { $0 + $1.rowCount } } == rows.map(\.count), "\(context)")
    }

    @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 8] as [UInt64])
    func writesDeletesFlushesAndReopensMatchTheModel(seed: UInt64) async throws {
        var rng = SplitMix64(seed: seed)
        let fs = FaultInjectingFileSystem()
        var engine = try Self.open(fs)
        var model: Model = [:]
        var live = Set<String>()
        let devices = ["a", "b", "c", "d"]
        for step in 0..<70 {
            let action: String
            switch Int.random(in: 0..<20, using: &rng) {
            case 0..<9:
                var points: [Point] = []
                for _ in 0..<Int.random(in: 1...25, using: &rng) {
                    let dev = devices.randomElement(using: &rng)!
                    let time = Int64.random(in: 0..<80, using: &rng)
                    var fields: [Field] = []
                    for name in ["x", "y"] where Bool.random(using: &rng) {
                        fields.append(Field(name, .float(Double(Int.random(in: 0..<1_000, using: &rng)))))
                    }
                    if fields.isEmpty { fields = [Field("x", .float(Double(step)))] }
                    points.append(Point(measurement: "m", tags: [Tag("dev", dev)], fields: fields, timestamp: time))
                    for field in fields {
                        if case .float(let v) = field.value { model[dev, default: [:]][time, default: [:]][field.key] = v }
                    }
                    live.insert(dev)
                }
                _ = try await engine.write(WriteBatch(database: "db", points: points))
                action = "write \(points.count)"
            case 9..<13:
                let chosen = Set(devices.filter { _ in Bool.random(using: &rng) })
                let range: ClosedRange<Int64>?
                if Int.random(in: 0..<4, using: &rng) == 0 {
                    range = nil
                } else {
                    let a = Int64.random(in: 0..<80, using: &rng)
                    range = a...min(79, a + Int64.random(in: 0..<30, using: &rng))
                }
                _ = try await engine.delete(database: "db", measurement: Bool.random(using: &rng) ? "m" : nil,
                                            where: .isIn("dev", chosen), range: range)
                for dev in chosen {
                    if let range {
                        model[dev] = model[dev]?.filter { !range.contains($0.key) }
                    } else {
                        model[dev] = nil
                        live.remove(dev)
                    }
                }
                action = "delete \(chosen.sorted()) \(String(describing: range))"
            case 13..<16:
                try await engine.flush()
                action = "flush"
            case 16..<18:
                try await engine.close()
                engine = try Self.open(fs)
                action = "reopen"
            default:
                fs.crash()
                engine = try Self.open(fs)
                action = "crash"
            }
            try Self.check(engine, model, live: live, "seed \(seed) step \(step) after \(action)")
        }
        try await engine.close()
    }
}
