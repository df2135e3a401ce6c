@testable import StrataCore
// SplitMix64, for every file of this target.
@_exported import StrataTestSupport

/// A robot-like point: a few tags, float/int/bool fields, 1 s apart.
func robotPoint(device: Int, second: Int64, battery: Double, status: Int64 = 1, charging: Bool = false) -> Point {
    Point(
        measurement: "robot",
        tags: [Tag("device_id", "robot-\(device)"), Tag("fleet", device % 2 == 0 ? "north" : "south")],
        fields: [Field("battery", .float(battery)), Field("status", .integer(status)), Field("charging", .boolean(charging))],
        timestamp: 1_704_067_200_000_000_000 + second * 1_000_000_000)
}

extension EngineOptions {
    /// Small thresholds so tests exercise rotation and flushing with little data.
    static var forTests: EngineOptions {
        var options = EngineOptions()
        options.walSegmentBytes = 4_096
        options.flushThresholdBytes = 1 << 30
        options.flushMaxAgeSeconds = 1e9
        // Tests crash an engine and reopen the directory without closing it: a background
        // compaction of the old engine must not write beside the new one.
        options.backgroundCompaction = false
        // Test data is thin: exercise tiers wherever they can answer.
        options.tierMinRowsPerBucket = 0
        return options
    }
}
