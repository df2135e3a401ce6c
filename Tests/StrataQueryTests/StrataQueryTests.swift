import Testing
@testable import StrataQuery

@Test func placeholder() {
    #expect(QueryParseError("x").description == "error parsing query: x")
}
