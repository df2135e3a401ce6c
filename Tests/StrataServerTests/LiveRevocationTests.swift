import Foundation
import StrataCore
@testable import StrataServer
import Testing

@Suite("Live revocation")
struct LiveRevocationTests {
    static let kept = Principal(tokenID: "aaaa0001", scopes: [.read])
    static let revoked = Principal(tokenID: "bbbb0002", scopes: [.read])

    @Test func aSweepClosesOnlyTheConnectionsOfInvalidTokensWith1008() async throws {
        let fixture = try LiveFixture()
        let keep = fixture.client(Self.kept)
        let drop = fixture.client(Self.revoked)
        let dropToo = fixture.client(Self.revoked)
        var asked: [String?] = []
        let closed = fixture.hub.closeInvalid { principal in
            asked.append(principal.tokenID)
            return principal != Self.revoked
        }
        #expect(closed == 2)
        #expect(asked.sorted { ($0 ?? "") < ($1 ?? "") } == ["aaaa0001", "bbbb0002"], "one question per principal")
        for client in [drop, dropToo] {
            guard case .close(let code, let reason)? = await client.next() else {
                Issue.record("expected a close")
                continue
            }
            #expect(code == 1008)
            #expect(reason == "token bbbb0002 revoked or expired")
        }
        #expect(await keep.next(within: 0.2) == nil)
        try await fixture.shutdown()
    }

    @Test func anOpenConnectionClosesWhenTheServerGetsItsFirstToken() async throws {
        let fixture = try LiveFixture()
        let client = fixture.client(.open)
        #expect(fixture.hub.closeInvalid { _ in false } == 1)
        guard case .close(let code, let reason)? = await client.next() else {
            Issue.record("expected a close")
            return
        }
        #expect(code == 1008)
        #expect(reason == "the server now requires a token")
        try await fixture.shutdown()
    }
}
