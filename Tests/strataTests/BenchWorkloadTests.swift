import StrataCore
import Testing
@testable import strata

/// The workload of `strata bench`: the same seed gives the same bytes, every line is valid
/// line protocol with the fleet's fields, and jitter moves timestamps only.
@Suite struct BenchWorkloadTests {
    static func bytes(_ p: RobotFleet.Parameters) -> [UInt8] {
        var fleet = RobotFleet(p)
        var out: [UInt8] = []
        while !fleet.isFinished { fleet.appendTick(to: &out) }
        return out
    }

    /// FNV-1a, 64 bits: a fingerprint of the bytes that needs no library.
    static func fingerprint(_ bytes: [UInt8]) -> UInt64 {
        bytes.reduce(0xcbf2_9ce4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
    }

    static let small = RobotFleet.Parameters(devices: 3, ticks: 5, seed: 42)

    @Test func aSeedGivesTheSameBytes() {
        let text = String(decoding: Self.bytes(Self.small), as: UTF8.self)
        // Pinned: a change to the generator changes every published benchmark's data.
        #expect(Self.fingerprint(Self.bytes(Self.small)) == Self.pinned, "\(text)")
        #expect(text.hasPrefix("robot,device_id=robot-0000,fleet="), "\(text)")
        #expect(Self.bytes(Self.small) == Self.bytes(Self.small))
        var other = Self.small
        other.seed = 43
        #expect(Self.bytes(other) != Self.bytes(Self.small))
    }

    static let pinned: UInt64 = 1_772_771_677_706_122_212

    @Test func everyLineParsesWithTheFleetsFieldsInTimeOrder() {
        var p = Self.small
        p.devices = 20
        p.ticks = 50
        let parsed = LineProtocolParser().parse(Self.bytes(p), defaultTimestamp: 0)
        #expect(parsed.errors.isEmpty, "\(parsed.errors.prefix(3))")
        #expect(parsed.points.count == 1_000)
        #expect(parsed.points.allSatisfy { $0.fields.count == 10 && $0.tags.count == 3 })
        #expect(Set(parsed.points.map { $0.fields.map(\.key).sorted() }).count == 1)
        #expect(parsed.points.map(\.timestamp) == parsed.points.map(\.timestamp).sorted())
        #expect(parsed.points.first?.timestamp == 1_704_067_200_000_000_000)
        let kinds = Dictionary(uniqueKeysWithValues: parsed.points[0].fields.map { ($0.key, $0.value) })
        if case .float = kinds["battery"], case .integer = kinds["status"], case .boolean = kinds["charging"] {} else {
            Issue.record("field types: \(kinds)")
        }
    }

    @Test func jitterMovesTimestampsOnlyAndKeepsEachDeviceInOrder() {
        var jittered = Self.small
        jittered.jitterNanoseconds = 250_000_000
        let plain = LineProtocolParser().parse(Self.bytes(Self.small), defaultTimestamp: 0).points
        let late = LineProtocolParser().parse(Self.bytes(jittered), defaultTimestamp: 0).points
        #expect(plain.count == late.count)
        for (a, b) in zip(plain, late) {
            #expect(a.fields.map(\.value) == b.fields.map(\.value) && a.tags == b.tags)
            #expect(b.timestamp >= a.timestamp && b.timestamp < a.timestamp + 250_000_000)
        }
        #expect(zip(plain, late).contains { $0.timestamp != $1.timestamp })
    }

    @Test(arguments: [(87.2, 2, "x=87.20"), (-0.5, 3, "x=-0.500"), (0.04, 1, "x=0.0"), (123.45, 1, "x=123.5"), (-12.0, 2, "x=-12.00")])
    func fieldsHaveExactlyTheirDecimals(_ value: Double, _ decimals: Int, _ text: String) {
        var out: [UInt8] = []
        RobotFleet.field("x", value, decimals: decimals, to: &out, first: true)
        #expect(String(decoding: out, as: UTF8.self) == text)
    }

    @Test func batchesCarryEveryLineOnce() {
        var p = Self.small
        p.ticks = 100
        var fleet = RobotFleet(p)
        let batches = fleet.batches(lines: 40)
        #expect(batches.map { $0.filter { $0 == UInt8(ascii: "\n") }.count }.reduce(0, +) == 300)
        #expect(batches.flatMap { $0 } == Self.bytes(p))
    }
}
