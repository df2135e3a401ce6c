@testable import StrataCore

/// SplitMix64: a tiny seeded generator, so test data is the same on every run and platform
/// (SystemRandomNumberGenerator is neither reproducible nor fast). The one generator of
/// every StrataCore test.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

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
        return options
    }
}
