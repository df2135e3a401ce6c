extension LiveHub {
    /// Closes (code 1008) every connection whose principal `isValid` no longer accepts: a
    /// token revoked or expired since the connection's handshake, or an open server that
    /// got its first token. Returns how many were closed.
    @discardableResult
    public func closeInvalid(where isValid: (Principal) -> Bool) -> Int {
        let open = state.withLock { Array($0.connections.values) }
        // Principals repeat across connections (one token, many tabs): ask once each.
        var verdicts: [Principal: Bool] = [:]
        var closed = 0
        for connection in open {
            let principal = connection.principal
            let valid = verdicts[principal] ?? isValid(principal)
            verdicts[principal] = valid
            guard !valid else { continue }
            let reason = principal.tokenID.map { "token \($0) revoked or expired" } ?? "the server now requires a token"
            connection.close(code: LiveCloseCode.policyViolation, reason: reason)
            closed += 1
        }
        return closed
    }

    /// Sweeps with `authenticator.isStillValid` every `interval` until cancelled. The
    /// authenticator re-reads the token file at most once a second (docs/auth.md), so a
    /// revoked token's streams end within about two seconds.
    public func runRevocationSweeps(authenticator: Authenticator, interval: Duration = .seconds(1)) async {
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            guard !Task.isCancelled else { return }
            closeInvalid(where: authenticator.isStillValid)
        }
    }
}
