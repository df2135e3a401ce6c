import StrataQuery
@testable import StrataServer
import Testing

/// `params` JSON to bound values (docs/http-api.md, "Bound parameters"): the values are
/// exactly the JSON's, whatever they hold, since the parser binds them as tokens.
@Suite struct QueryBoundParametersTests {
    @Test(arguments: [
        (#"{"s":"it's \\ /x/ \"q\" -- ;"}"#, "s", BoundParameter.string(#"it's \ /x/ "q" -- ;"#)),
        (#"{"i":-7}"#, "i", .integer(-7)),
        (#"{"f":1.5}"#, "f", .float(1.5)),
        (#"{"b":true}"#, "b", .boolean(true)),
        (#"{"n":{"identifier":"bat\"tery"}}"#, "n", .identifier(#"bat"tery"#)),
        (#"{"r":{"regex":"a\\"}}"#, "r", .regex(#"a\"#)),
        (#"{"r":{"regex":"^a/b$"}}"#, "r", .regex("^a/b$")),
        (#"{"d":{"duration":"1h30m"}}"#, "d", .duration(5_400_000_000_000)),
        (#"{"x":{"integer":42}}"#, "x", .integer(42)),
        (#"{"x":{"string":"\u0000"}}"#, "x", .string("\u{0}")),
    ])
    func valuesAreTheJSONsOwn(_ json: String, _ name: String, _ expected: BoundParameter) throws {
        #expect(try QueryBoundParameters.parse(json)[name] == expected)
    }

    @Test(arguments: [
        (#"{"x":{"duration":"soon"}}"#, "error parsing query parameters: unable to bind parameter x"),
        (#"{"x":[1]}"#, "error parsing query parameters: unable to bind parameter x"),
        (#"{"x":{"regex":1}}"#, "error parsing query parameters: unable to bind parameter x"),
        (#"{"x":99999999999999999999}"#, "error parsing query parameters: unable to bind parameter x"),
        ("[1]", "error parsing query parameters: not a JSON object"),
    ])
    func unbindableValuesAreNamed(_ json: String, _ message: String) {
        #expect {
            _ = try QueryBoundParameters.parse(json)
        } throws: { error in
            (error as? InfluxHTTPError)?.message == message
        }
    }
}
