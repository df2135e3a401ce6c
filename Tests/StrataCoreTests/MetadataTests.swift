import StrataTestSupport
import Testing
@testable import StrataCore

@Suite struct MetadataTests {
    @Test func tagKeysValuesAndSeriesComeFromTheIndex() async throws {
        let engine = try await StorageEngine.open(directory: "/d", options: .forTests, fileSystem: InMemoryFileSystem())
        var points = (0..<6).map { robotPoint(device: $0, second: 0, battery: 1) }
        points.append(Point(measurement: "robot", tags: [Tag("site", "lab")], fields: [Field("battery", .float(1))], timestamp: 0))
        points.append(Point(measurement: "other", tags: [Tag("x", "y")], fields: [Field("v", .integer(1))], timestamp: 0))
        _ = try await engine.write(WriteBatch(database: "db", points: points))
        try await engine.flush()
        _ = try await engine.write(WriteBatch(database: "db", points: [robotPoint(device: 10, second: 1, battery: 1)]))

        #expect(engine.tagKeys(database: "db", measurement: "robot") == ["device_id", "fleet", "site"])
        #expect(engine.tagKeys(database: "db", measurement: "nope") == [])
        #expect(engine.tagValues(database: "db", measurement: "robot", key: "fleet") == ["north", "south"])
        #expect(engine.tagValues(database: "db", measurement: "robot", key: "device_id", where: .equals("fleet", "north"))
            == ["robot-0", "robot-10", "robot-2", "robot-4"])
        #expect(engine.tagValues(database: "db", measurement: "robot", key: "site", where: .all) == ["lab"])
        #expect(engine.tagValues(database: "db", measurement: "robot", key: "site", where: .equals("fleet", "north")) == [])
        let keys = engine.seriesKeys(database: "db", measurement: "robot", where: .not(.equals("fleet", "north")))
        #expect(keys.map(\.description) == ["robot,device_id=robot-1,fleet=south", "robot,device_id=robot-3,fleet=south",
                                            "robot,device_id=robot-5,fleet=south", "robot,site=lab"])
        #expect(engine.seriesKeys(database: "db", measurement: "robot").count == 8)
        #expect(engine.measurements(database: "db") == ["other", "robot"])
    }
}
