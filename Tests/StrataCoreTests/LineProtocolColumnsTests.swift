import Testing
@testable import StrataCore

/// `parseColumns`, the write path's parse, against `parse`: the same errors and, read back in
/// line order, the same points (fields compared by name: a column has no order within a row).
@Suite struct LineProtocolColumnsTests {
    static func agree(_ bytes: [UInt8], precision: TimeUnit = .nanoseconds, sourceLocation: SourceLocation = #_sourceLocation) {
        let parser = LineProtocolParser(precision: precision)
        let points = parser.parse(bytes, defaultTimestamp: LineProtocolCases.now)
        let columns = parser.parseColumns(bytes, defaultTimestamp: LineProtocolCases.now)
        #expect(columns.errors == points.errors, sourceLocation: sourceLocation)
        let (got, lines) = columns.pointsInLineOrder()
        #expect(lines == points.lineNumbers, sourceLocation: sourceLocation)
        #expect(got.count == points.points.count, sourceLocation: sourceLocation)
        func byName(_ p: Point) -> Point {
            var p = p
            p.fields.sort { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            return p
        }
        for (a, b) in zip(got, points.points) where !LineProtocolCases.identical(byName(a), byName(b)) {
            Issue.record("columns gave \(a), points \(b), in \(String(decoding: bytes, as: UTF8.self).debugDescription)",
                         sourceLocation: sourceLocation)
        }
        #expect(Set(columns.series.map(\.key)).count == columns.series.count, sourceLocation: sourceLocation)
    }

    @Test(arguments: LineProtocolCases.validCases)
    func validBodiesAgree(_ c: LineProtocolValidCase) {
        Self.agree(Array(c.body.utf8))
    }

    @Test(arguments: LineProtocolCases.invalidCases)
    func invalidLinesAgree(_ c: LineProtocolInvalidCase) {
        Self.agree(c.line + Array("\nm v=1\n".utf8))
    }

    @Test func rowsOfOneSeriesShareColumnsAcrossSpellingsAndGaps() throws {
        let body = "m,a=1,b=2 v=1,w=1i 1\nm,b=2,a=1 v=2 2\nm,a=1,b=2 w=3i,v=3 3\nm,a=1,b=2 v=4,v=5 4"
        let columns = LineProtocolParser().parseColumns(Array(body.utf8), defaultTimestamp: LineProtocolCases.now)
        let rows = try #require(columns.series.first)
        #expect(columns.series.count == 1)
        #expect(columns.lines == [[1, 2, 3, 4]])
        #expect(rows.timestamps == [1, 2, 3, 4])
        #expect(rows.columns["v"]?.floats == [1, 2, 3, 5])
        #expect(rows.columns["w"]?.valid == [true, false, true, false])
        #expect(columns.mixedTypeLines.isEmpty)
    }

    @Test func aBadLineLeavesNoColumnBehind() {
        // `a` parses before `b` fails: no column may claim a type for a value never stored.
        let columns = LineProtocolParser().parseColumns(Array("m a=1,b=bad 1\nm c=1 2\nn x=1,y=\"open 3".utf8), defaultTimestamp: LineProtocolCases.now)
        #expect(columns.errors.map(\.line) == [1, 3])
        #expect(columns.series.map { Array($0.columns.keys) } == [["c"]])
        #expect(columns.lines == [[2]])
    }

    @Test func aLineThatChangesAFieldsTypeStaysAPoint() {
        let columns = LineProtocolParser().parseColumns(Array("m v=1 1\nm v=2i 2\nm v=3 3\nm v=4,v=5i 4".utf8), defaultTimestamp: LineProtocolCases.now)
        #expect(columns.lines == [[1, 3]])
        #expect(columns.mixedTypeLines.map(\.line) == [2, 4])
        #expect(columns.mixedTypeLines.map { $0.point.fields } == [[Field("v", .integer(2))], [Field("v", .integer(5))]])
        #expect(columns.pointsInLineOrder().lines == [1, 2, 3, 4])
    }

    /// Each line gives the series one more field: shared layouts would hold n²/2 names, so
    /// past their budget the series extends a layout of its own. A line that adds a field
    /// and then fails leaves no trace in it.
    @Test func aSeriesThatKeepsGainingFieldsParsesLikePoints() throws {
        var body = ""
        for k in 0..<400 { body += "m " + (0...k).map { "f\($0)=\($0)i" }.joined(separator: ",") + " \(k)\n" }
        body += "m f0=1i,f999=1i,f1=bad 999\nm f0=2i 1000\n"
        Self.agree(Array(body.utf8))
        let columns = LineProtocolParser().parseColumns(Array(body.utf8), defaultTimestamp: LineProtocolCases.now)
        let rows = try #require(columns.series.first)
        #expect(rows.columns.count == 400 && rows.columns["f999"] == nil)
        #expect(rows.columns["f399"]?.valid.filter { $0 }.count == 1)
    }

    /// Wide rows whose fields come in another order each line: columns are found by name
    /// (through the layout's index past 16 columns), repeated keys keep the last value.
    @Test func wideRowsInChangingOrderParseLikePoints() {
        var rng = SplitMix64(seed: 0x0D_D0)
        var body = ""
        for k in 0..<60 {
            var names = (0..<40).map { "f\($0)" }
            names.shuffle(using: &rng)
            body += "m " + (names + ["f\(k % 40)"]).enumerated().map { "\($1)=\($0)i" }.joined(separator: ",") + " \(k)\n"
        }
        Self.agree(Array(body.utf8))
    }

    @Test(arguments: 0..<4)
    func mutatedBodiesAgree(_ seedIndex: Int) {
        var rng = SplitMix64(seed: 0xC01_0000 + UInt64(seedIndex))
        for _ in 0..<1_000 {
            let bytes = LineProtocolCases.mutated(LineProtocolCases.fuzzSeeds[seedIndex] + "\n" + LineProtocolCases.fuzzSeeds[(seedIndex + 1) % LineProtocolCases.fuzzSeeds.count], rng: &rng)
            Self.agree(bytes, precision: .microseconds)
        }
    }

    @Test(arguments: 0..<2)
    func randomBodiesAgree(_ seed: Int) {
        var rng = SplitMix64(seed: 0xC0DE_0000 + UInt64(seed))
        var body = ""
        for _ in 0..<500 {
            let point = LineProtocolCases.randomPoint(rng: &rng)
            body += LineProtocolCases.serialize(point, withTimestamp: Bool.random(using: &rng), rng: &rng) + "\n"
        }
        Self.agree(Array(body.utf8))
    }
}
