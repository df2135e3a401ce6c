import Foundation
import StrataServer
import StrataTestSupport
import Testing

@Suite struct AuthTokenStoreTests {
    @Test func createdTokenReadsBackAndAuthenticates() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = TokenStore(directory: dir.path)
        let created = try store.create(
            scopes: [.write, .read], devices: ["robot-1"], deviceTag: "robot", description: "line 4 robots")
        #expect(try store.load() == [created.record])
        #expect(created.record.scopes == [.read, .write])
        #expect(TokenSecret.id(of: created.token) == created.record.id)

        let authenticator = try Authenticator(store: store, allowOpen: true)
        #expect(!authenticator.isOpen)
        #expect(authenticator.authenticate(token: created.token) == .granted(
            Principal(tokenID: created.record.id, scopes: [.read, .write], devices: ["robot-1"], deviceTag: "robot")))
        #expect(authenticator.authenticate(token: nil) == .missing)
    }

    @Test func theFileHoldsNoSecretAndOnlyItsOwnerMayReadIt() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = TokenStore(directory: dir.path)
        let created = try store.create(scopes: [.admin])
        let text = try String(contentsOfFile: store.path, encoding: .utf8)
        let secret = String(created.token.split(separator: "_", maxSplits: 2)[2])
        #expect(!text.contains(secret))
        #expect(!text.contains(created.token))
        #expect(text.contains(created.record.id))
        #expect(text.contains(created.record.hash))
        let mode = try FileManager.default.attributesOfItem(atPath: store.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(!FileManager.default.fileExists(atPath: store.path + ".tmp"))
    }

    @Test func tokensAreSubprotocolSafeAndDistinct() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = TokenStore(directory: dir.path)
        let tokens = try (0..<20).map { _ in try store.create(scopes: [.read]).token }
        #expect(Set(tokens).count == 20)
        let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
        for token in tokens {
            #expect(token.count == 59, "strata_ + 8 + _ + 43: \(token.count)")
            #expect(token.hasPrefix("strata_"))
            #expect(token.allSatisfy { allowed.contains($0) })
        }
    }

    @Test(arguments: [
        "", "strata_", "strata_0123abcd", "bearer.strata_0123abcd_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "strata_0123ABCD_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "strata_0123abcd_aaaa",
        "strata_0123abcd_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa=", "strata_0123abcd-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    ])
    func malformedTokensHaveNoID(_ text: String) {
        #expect(TokenSecret.id(of: text) == nil)
    }

    @Test func concurrentCreatesKeepEveryToken() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = TokenStore(directory: dir.path)
        // Each task opens the lock file itself, so flock serializes them as it does processes.
        let ids = try await withThrowingTaskGroup(of: [String].self) { group in
            for _ in 0..<8 {
                group.addTask { try (0..<5).map { _ in try store.create(scopes: [.read]).record.id } }
            }
            var all: [String] = []
            for try await batch in group { all += batch }
            return all
        }
        #expect(ids.count == 40)
        #expect(Set(try store.load().map(\.id)) == Set(ids))
    }

    @Test func expiredTokenIsRefusedWithoutItsSecret() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = TokenStore(directory: dir.path)
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let created = try store.create(scopes: [.read], expires: start.addingTimeInterval(3_600), now: start)
        let before = try Authenticator(store: store, allowOpen: false, now: { start.addingTimeInterval(3_599) })
        #expect(before.authenticate(token: created.token) == .granted(created.record.principal))
        let after = try Authenticator(store: store, allowOpen: false, now: { start.addingTimeInterval(3_600) })
        #expect(after.authenticate(token: created.token) == .invalid(reason: "token \(created.record.id) has expired"))
        #expect(!after.isStillValid(created.record.principal))
    }

    @Test func revokeIsSeenByARunningAuthenticator() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = TokenStore(directory: dir.path)
        let kept = try store.create(scopes: [.read])
        let revoked = try store.create(scopes: [.write])
        let authenticator = try Authenticator(store: store, allowOpen: true, refreshInterval: .zero)
        #expect(authenticator.authenticate(token: revoked.token) == .granted(revoked.record.principal))
        #expect(try store.revoke(id: revoked.record.id).alreadyRevoked == false)
        #expect(authenticator.authenticate(token: revoked.token) == .invalid(reason: "token \(revoked.record.id) was revoked"))
        #expect(!authenticator.isStillValid(revoked.record.principal))
        #expect(authenticator.authenticate(token: kept.token) == .granted(kept.record.principal))
        #expect(try store.revoke(id: revoked.record.id).alreadyRevoked == true)
        #expect(throws: TokenStoreError.unknownID("ffffffff")) { try store.revoke(id: "ffffffff") }
    }

    @Test func revokeTakesEffectWithinTheDefaultInterval() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = TokenStore(directory: dir.path)
        let created = try store.create(scopes: [.read])
        let authenticator = try Authenticator(store: store, allowOpen: false)
        #expect(authenticator.authenticate(token: created.token) == .granted(created.record.principal))
        try store.revoke(id: created.record.id)
        // Bounded: the promise is about a second; give it three.
        var refused = false
        for _ in 0..<30 where !refused {
            try await Task.sleep(for: .milliseconds(100))
            refused = authenticator.authenticate(token: created.token) != .granted(created.record.principal)
        }
        #expect(refused)
    }

    @Test func aTokenCreatedWhileRunningIsKnownAtOnceAndEndsTheOpenMode() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = TokenStore(directory: dir.path)
        // The default interval: an unknown id triggers a re-read by itself.
        let authenticator = try Authenticator(store: store, allowOpen: true)
        #expect(authenticator.isOpen)
        #expect(authenticator.authenticate(token: nil) == .granted(.open))
        let created = try store.create(scopes: [.admin])
        #expect(authenticator.authenticate(token: created.token) == .granted(created.record.principal))
        #expect(!authenticator.isOpen)
        #expect(authenticator.authenticate(token: nil) == .missing)
        #expect(!authenticator.isStillValid(.open))
    }

    @Test func unknownAndWrongTokensAreRefused() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = TokenStore(directory: dir.path)
        let created = try store.create(scopes: [.read])
        let authenticator = try Authenticator(store: store, allowOpen: false)
        var forged = created.token
        forged.removeLast()
        forged.append(created.token.last == "A" ? "B" : "A")
        #expect(authenticator.authenticate(token: forged) == .invalid(reason: "unknown token \(created.record.id)"))
        #expect(authenticator.authenticate(token: "strata_00000000_" + String(repeating: "a", count: 43))
            == .invalid(reason: "unknown token 00000000"))
        guard case .invalid(let reason) = authenticator.authenticate(token: "hunter2") else {
            Issue.record("a malformed token was not refused")
            return
        }
        #expect(!reason.contains("hunter2"))
    }

    @Test func anEmptyStoreIsOpenOnlyWhereAllowed() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let closed = try Authenticator(store: TokenStore(directory: dir.path), allowOpen: false)
        #expect(!closed.isOpen)
        #expect(closed.authenticate(token: nil) == .missing)
        let open = try Authenticator(store: TokenStore(directory: dir.path), allowOpen: true)
        #expect(open.authenticate(token: nil) == .granted(.open))
    }

    @Test func aDamagedFileIsAnErrorAtStartAndFailsClosedLater() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = TokenStore(directory: dir.path)
        let created = try store.create(scopes: [.read])
        let authenticator = try Authenticator(store: store, allowOpen: true, refreshInterval: .zero)
        try "{ not json".write(toFile: store.path, atomically: true, encoding: .utf8)
        #expect(throws: TokenStoreError.self) { try Authenticator(store: store, allowOpen: true) }
        guard case .invalid(let reason) = authenticator.authenticate(token: created.token) else {
            Issue.record("a damaged token file still granted a token")
            return
        }
        #expect(reason.hasPrefix("the token store cannot be read"))
        #expect(!authenticator.isOpen)
    }

    @Test func invalidCreationsAreRefused() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = TokenStore(directory: dir.path)
        #expect(throws: TokenStoreError.self) { try store.create(scopes: []) }
        #expect(throws: TokenStoreError.self) { try store.create(scopes: [.read], devices: []) }
        #expect(throws: TokenStoreError.self) { try store.create(scopes: [.read], devices: ["a", ""]) }
        #expect(throws: TokenStoreError.self) { try store.create(scopes: [.read], deviceTag: "") }
        #expect(try store.load().isEmpty)
    }
}
