import NIOCore
import StrataCore
import Testing
@testable import StrataServer

/// From a message to points: the mapping rules of docs/mqtt.md, one case each.
struct MQTTMessageMapperTests {
    static func map(_ rules: String, topic: String = "robots/r7/telemetry", _ payload: String,
                    arrival: Int64 = 5_000) throws -> MQTTMessageMapper.Mapped {
        MQTTMessageMapper(rules: try MQTTRules(parsing: rules)).map(topic: topic, payload: ByteBuffer(string: payload),
                                                                    arrival: arrival)
    }

    static func points(_ mapped: MQTTMessageMapper.Mapped) -> [Point] { mapped.points.flatMap(\.points) }

    @Test func theSeedMessage() throws {
        let mapped = try Self.map(MQTTRulesTests.seed, #"""
            {"device_id": "r7", "timestamp": 1796000000123, "battery": 98, "pose": {"x": 1.5, "y": -2},
             "ok": true, "mode": "auto", "note": null, "cells": [3.7, 3.8]}
            """#)
        #expect(mapped.errors.isEmpty, "\(mapped.errors)")
        let point = try #require(Self.points(mapped).first)
        #expect(point.measurement == "robot")
        // device_id is in the topic and the body: a tag only.
        #expect(point.tags == [Tag("device_id", "r7")])
        #expect(point.timestamp == 1_796_000_000_123_000_000)
        #expect(point.fields == [Field("battery", .float(98)), Field("pose.x", .float(1.5)), Field("pose.y", .float(-2)),
                                 Field("ok", .boolean(true)), Field("mode", .string("auto")),
                                 Field("cells.0", .float(3.7)), Field("cells.1", .float(3.8))])
    }

    @Test func anArrayIsSeveralPointsAndTheArrivalTimeKeepsThemApart() throws {
        let rules = #"[{"topic": "robots/+/telemetry", "db": "d", "measurement": "m", "tags": {"id": "{json.id}"}}]"#
        let mapped = try Self.map(rules, #"[{"id": "a", "v": 1}, {"id": "a", "v": 2}, {"id": "b", "v": 3}]"#)
        let points = Self.points(mapped)
        #expect(points.map(\.timestamp) == [5_000, 5_001, 5_002])
        #expect(points.map { $0.tags } == [[Tag("id", "a")], [Tag("id", "a")], [Tag("id", "b")]])
    }

    @Test(arguments: [
        (#""integer""#, "7", FieldValue.integer(7)),
        (#""integer""#, "7.0", .integer(7)),
        (#""unsigned""#, "18446744073709551615", .unsigned(.max)),
        (#""float""#, "7", .float(7)),
        (#""string""#, #""x""#, .string("x")),
        (#""boolean""#, "false", .boolean(false)),
    ])
    func declaredTypes(_ type: String, _ json: String, _ expected: FieldValue) throws {
        let rules = #"[{"topic": "robots/#", "db": "d", "measurement": "m", "fields": {"v": \#(type)}}]"#
        let mapped = try Self.map(rules, #"{"v": \#(json)}"#)
        #expect(Self.points(mapped).first?.fields == [Field("v", expected)], "\(mapped.errors)")
    }

    @Test(arguments: [
        (#"{"topic": "robots/#", "db": "d", "measurement": "m", "fields": {"v": "integer"}}"#, #"{"v": 1.5}"#,
         #"field "v": 1.5 is not a 64-bit integer"#),
        (#"{"topic": "robots/#", "db": "d", "measurement": "m", "fields": {"v": "boolean"}}"#, #"{"v": 1}"#,
         #"field "v": a number, but the rule types it boolean"#),
        (#"{"topic": "robots/#", "db": "d", "measurement": "m", "tags": {"id": "{json.id}"}}"#, #"{"v": 1}"#,
         #"tag "id": the record has no "id""#),
        (#"{"topic": "robots/#", "db": "d", "measurement": "m", "tags": {"id": "{json.id}"}}"#, #"{"id": {"a": 1}, "v": 1}"#,
         "is an object or array, not a tag value"),
        (#"{"topic": "robots/#", "db": "d", "measurement": "m", "time": {"field": "t", "unit": "s"}}"#, #"{"v": 1}"#,
         #"time "t" is absent"#),
        (#"{"topic": "robots/#", "db": "d", "measurement": "m", "time": {"field": "t", "unit": "s"}}"#, #"{"t": "soon", "v": 1}"#,
         "is not an RFC 3339 time"),
        (#"{"topic": "robots/#", "db": "d", "measurement": "m", "time": {"field": "t", "unit": "ms"}}"#, #"{"t": 1e300, "v": 1}"#,
         "out of range"),
        (#"{"topic": "robots/#", "db": "d", "measurement": "m", "tags": {"id": "{json.id}"}}"#, #"{"id": "x"}"#, "no fields"),
    ])
    func recordsThatMakeNoPoint(_ rule: String, _ payload: String, _ expected: String) throws {
        let mapped = try Self.map("[\(rule)]", payload)
        #expect(Self.points(mapped).isEmpty)
        #expect(mapped.errors.count == 1)
        #expect(mapped.errors.first?.hasPrefix("rule 1: ") == true, "\(mapped.errors)")
        #expect(mapped.errors.first?.contains(expected) == true, "\(mapped.errors)")
    }

    @Test(arguments: [("not json", "not JSON"), ("42", "a number, not a JSON object"), ("[]", "an empty array"),
                      (#"[{"v": 1}, 2]"#, "record 2 is a number")])
    func payloadsThatAreNotRecords(_ payload: String, _ expected: String) throws {
        let mapped = try Self.map(MQTTRulesTests.seed, payload)
        #expect(mapped.matchedRules == 1 && mapped.points.isEmpty)
        #expect(mapped.errors.first?.contains(expected) == true, "\(mapped.errors)")
    }

    @Test func timesInEveryUnitAndRFC3339() throws {
        for (unit, value, expected) in [("s", "1796000000", Int64(1_796_000_000_000_000_000)), ("s", "1.5", 1_500_000_000),
                                        ("us", "12", 12_000), ("ns", "12", 12),
                                        ("ms", #""2026-12-05T10:00:00.5Z""#, 1_796_464_800_500_000_000)] {
            let rules = #"[{"topic": "robots/#", "db": "d", "measurement": "m", "time": {"field": "at.t", "unit": "\#(unit)"}}]"#
            let mapped = try Self.map(rules, #"{"at": {"t": \#(value)}, "v": 1}"#)
            #expect(Self.points(mapped).first?.timestamp == expected, "\(unit) \(value): \(mapped.errors)")
            // The time is not also a field.
            #expect(Self.points(mapped).first?.fields == [Field("v", .float(1))])
        }
    }

    @Test func everyMatchingRuleMakesItsPointsAndUnmatchedTopicsNone() throws {
        let rules = """
            [{"topic": "robots/#", "db": "a", "measurement": "all"},
             {"topic": "robots/+/telemetry", "db": "b", "measurement": "{topic.1}-{json.kind}"}]
            """
        let mapped = try Self.map(rules, #"{"kind": "arm", "v": 1}"#)
        #expect(mapped.matchedRules == 2)
        #expect(mapped.points.map(\.rule) == [0, 1])
        #expect(Self.points(mapped).map(\.measurement) == ["all", "r7-arm"])
        #expect(try Self.map(rules, topic: "elsewhere", "{}").matchedRules == 0)
    }

    /// In a small record and in a large one (where duplicates are found through an index).
    @Test(arguments: [0, 30])
    func aLaterDuplicateKeyWins(otherKeys: Int) throws {
        let others = (0..<otherKeys).map { #""k\#($0)": \#($0), "# }.joined()
        let mapped = try Self.map(#"[{"topic": "robots/#", "db": "d", "measurement": "m"}]"#,
                                  #"{\#(others)"a.b": 1, "a": {"b": 2}}"#)
        let fields = try #require(Self.points(mapped).first?.fields)
        #expect(fields.count == otherKeys + 1)
        #expect(fields.last == Field("a.b", .float(2)))
    }
}
