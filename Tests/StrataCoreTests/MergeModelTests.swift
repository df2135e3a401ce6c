import Testing
@testable import StrataCore

/// Seeded random writes with colliding timestamps, random field subsets and random flushes,
/// checked against a plain dictionary model of InfluxDB's rule (per timestamp and field, the
/// last write wins).
@Suite struct MergeModelTests {
    @Test(arguments: [1, 2, 3, 4, 5] as [UInt64])
    func scanEqualsTheLastWriteWinsModel(seed: UInt64) async throws {
        var rng = SplitMix64(seed: seed)
        let engine = try await StorageEngine.open(directory: "/d", options: .forTests, fileSystem: InMemoryFileSystem())
        var model: [Int64: [String: FieldValue]] = [:]
        let names = ["a", "b", "c"]
        for round in 0..<30 {
            var points: [Point] = []
            for _ in 0..<Int.random(in: 1...40, using: &rng) {
                let time = Int64.random(in: 0..<60, using: &rng)
                var fields: [Field] = []
                for name in names where Bool.random(using: &rng) {
                    fields.append(Field(name, .float(Double(Int.random(in: 0..<1_000, using: &rng)))))
                }
                if fields.isEmpty { fields = [Field("a", .float(Double(round)))] }
                points.append(Point(measurement: "m", tags: [Tag("k", "v")], fields: fields, timestamp: time))
                for field in fields { model[time, default: [:]][field.key] = field.value }
            }
            _ = try await engine.write(WriteBatch(database: "db", points: points))
            if Int.random(in: 0..<5, using: &rng) == 0 { try await engine.flush() }
        }
        let rows = try await #require(try engine.scan(database: "db", measurement: "m").first)
        #expect(rows.timestamps == model.keys.sorted())
        for (row, time) in rows.timestamps.enumerated() {
            for name in names {
                #expect(rows.columns[name]?.value(at: row) == model[time]?[name], "time \(time) field \(name)")
            }
        }
        let window = try await #require(try engine.scan(database: "db", measurement: "m", fields: ["b"], range: 10...19).first)
        #expect(window.timestamps == model.keys.filter { (10...19).contains($0) }.sorted())
        for (row, time) in window.timestamps.enumerated() {
            #expect(window.columns["b"]?.value(at: row) == model[time]?["b"])
        }
    }
}
