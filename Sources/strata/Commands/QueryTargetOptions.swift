import ArgumentParser

/// Where `strata query` and `strata shell` send statements: a data directory opened in this
/// process or a server, and the database statements default to.
struct QueryTargetOptions: ParsableArguments {
    @Option(name: .customLong("data-dir"), help: "Query this data directory directly (no server may be running on it).")
    var dataDir: String?

    @Option(help: "Server to query (default \(QueryConnection.defaultURL)).")
    var url: String?

    @Option(help: "Token for a server that requires one (default: STRATA_TOKEN; the variable keeps it out of ps).")
    var token: String?

    @Option(help: "Default database for statements that do not name one.")
    var db: String?

    func validate() throws {
        if dataDir != nil, url != nil { throw ValidationError("give --data-dir or --url, not both") }
    }

    func open() throws -> QueryConnection {
        try QueryConnection.open(dataDir: dataDir, url: url, token: token)
    }
}
