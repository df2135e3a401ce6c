import Testing
@testable import StrataQuery

@Test func versionIsSemantic() {
    #expect(StrataQuery.version.split(separator: ".").count == 3)
}
