import Testing
@testable import StrataQuery

@Suite struct FormatTableTests {
    @Test func alignsColumnsUnderNameAndTags() {
        let text = ResultTable.format([StatementResult(statementID: 0, series: [robotSeries])])
        #expect(text == """
            name: robot
            tags: device_id=robot-0001, fleet=north
            time                   battery moving
            ----                   ------- ------
            2024-01-01T00:00:00Z   81.5    true
            2024-01-01T00:00:00.5Z 80

            """)
    }

    @Test func epochTimesAndSeveralSeriesAndStatements() {
        let results = [
            StatementResult(statementID: 0, series: [
                ResultSeries(name: "a", columns: ["time", "value"], values: [[.time(1_000_000_000), .integer(12345678)]]),
                ResultSeries(name: "b", columns: ["time", "value"], values: [[.time(2_000_000_000), .string("x")]]),
            ]),
            StatementResult(statementID: 1, messages: ["note this"], error: "database not found: nope"),
        ]
        #expect(ResultTable.format(results, epoch: .seconds) == """
            name: a
            time value
            ---- -----
            1    12345678

            name: b
            time value
            ---- -----
            2    x

            warning: note this
            ERR: database not found: nope

            """)
        #expect(ResultTable.rowCount(results) == 2)
    }

    @Test func emptyResultsPrintNothing() {
        #expect(ResultTable.format([]) == "")
        #expect(ResultTable.format([StatementResult(statementID: 0)]) == "")
        let noRows = ResultTable.format([StatementResult(statementID: 0, series: [ResultSeries(name: "databases", columns: ["name"], values: [])])])
        #expect(noRows == "name: databases\nname\n----\n")
    }

    @Test(arguments: [
        (QueryValue.null, ""), (.float(1e-7), "1e-7"), (.float(.nan), "NaN"), (.float(.infinity), "+Inf"),
        (.unsigned(7), "7"), (.boolean(false), "false"), (.time(0), "1970-01-01T00:00:00Z"),
    ])
    func cells(_ value: QueryValue, _ text: String) {
        #expect(ResultTable.cell(value, epoch: nil) == text)
    }
}
