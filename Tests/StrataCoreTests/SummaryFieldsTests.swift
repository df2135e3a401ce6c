import StrataTestSupport
@testable import StrataCore
import Testing

/// `SummaryFields` (one field boxed, more in a dictionary) behaves as the dictionary it
/// replaced: seeded runs of sets and removals agree with a `[String: BlockStats]` model on
/// every read, whichever storage they pass through.
@Suite struct SummaryFieldsTests {
    static func stats(_ n: Int) -> BlockStats {
        BlockStats(count: n, first: .float(Double(n)), firstTime: Int64(n), last: .integer(Int64(n)), lastTime: Int64(n) + 1)
    }

    @Test(arguments: [1, 2, 3, 4, 5] as [UInt64])
    func agreesWithADictionary(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        let names = ["a", "b", "c", "a_field_name_longer_than_fifteen_bytes"]
        var model: [String: BlockStats] = [:]
        var fields = SummaryFields()
        for step in 0..<400 {
            let name = names[Int(rng.next() % UInt64(names.count))]
            let value: BlockStats? = rng.next() % 3 == 0 ? nil : Self.stats(step)
            model[name] = value
            fields[name] = value
            #expect(fields.count == model.count)
            #expect(fields.isEmpty == model.isEmpty)
            for n in names { #expect(fields[n] == model[n], "\(n) after step \(step)") }
            #expect(Dictionary(uniqueKeysWithValues: fields.map { ($0.key, $0.value) }) == model)
            #expect(fields == SummaryFields(model), "equal whatever the storage")
        }
    }

    @Test func equalityIgnoresHowTheyWereBuilt() {
        var grown = SummaryFields()
        grown["x"] = Self.stats(1)
        grown["y"] = Self.stats(2)
        grown["y"] = nil  // a dictionary of one now
        #expect(grown == ["x": Self.stats(1)])
        #expect(grown != ["x": Self.stats(2)])
        #expect(grown != ["y": Self.stats(1)])
        #expect(SummaryFields() == [:])
        #expect(Array(SummaryFields()).isEmpty)
    }
}
