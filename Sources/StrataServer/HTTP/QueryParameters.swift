import Hummingbird

/// The parameters of a /query request: from the URL, or from an
/// `application/x-www-form-urlencoded` POST body (InfluxDB clients POST long queries that
/// way). A name in the URL wins over the same name in the body.
struct QueryParameters: Sendable {
    var url: FormParameters
    var form: FormParameters?

    static func read(_ request: Request, limit: Int) async throws -> QueryParameters {
        let url = FormParameters(query: request.uri.query)
        let isForm = request.headers[.contentType].map {
            $0.lowercased().hasPrefix("application/x-www-form-urlencoded")
        } ?? false
        guard request.method == .post, isForm else { return QueryParameters(url: url) }
        let body = try await RequestBodyReader(limit: limit, dialect: .v1).read(request)
        return QueryParameters(url: url, form: FormParameters(body.readableBytesView))
    }

    subscript(name: String) -> String? {
        url[name] ?? form?[name]
    }
}
