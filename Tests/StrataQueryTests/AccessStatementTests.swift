import Testing
import StrataQuery

/// What each statement needs (docs/auth.md, "/query statements").
@Suite struct AccessStatementTests {
    @Test(arguments: [
        ("SELECT v FROM m", StatementPrivilege.read, "SELECT"), ("EXPLAIN ANALYZE SELECT v FROM m", .read, "EXPLAIN"),
        ("SHOW DATABASES", .read, "SHOW DATABASES"), ("SHOW MEASUREMENTS", .read, "SHOW MEASUREMENTS"),
        ("SHOW SERIES", .read, "SHOW SERIES"), ("SHOW TAG KEYS", .read, "SHOW TAG KEYS"),
        ("SHOW TAG VALUES WITH KEY = k", .read, "SHOW TAG VALUES"), ("SHOW FIELD KEYS", .read, "SHOW FIELD KEYS"),
        ("SHOW RETENTION POLICIES ON db", .read, "SHOW RETENTION POLICIES"),
        ("DELETE FROM m", .write, "DELETE"), ("DROP SERIES FROM m", .write, "DROP SERIES"),
        ("CREATE DATABASE db", .admin, "CREATE DATABASE"),
    ])
    func privilege(_ text: String, _ privilege: StatementPrivilege, _ keyword: String) throws {
        let statements = try QueryParser.parse(text)
        #expect(statements.count == 1)
        #expect(statements.first?.privilege == privilege)
        #expect(statements.first?.keyword == keyword)
    }
}
