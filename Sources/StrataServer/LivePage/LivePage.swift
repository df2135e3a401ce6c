/// The self-contained live page served at `/` (docs/live-page.md).
///
/// One HTML document with its CSS and JavaScript inline: nothing is fetched from anywhere but
/// the server that served it (`/query` for the pickers, `/v1/stream` for the data), so it works
/// on a machine with no internet access and leaks no request to a third party. Its parts live
/// in `LivePage+Markup.swift`, `LivePage+Style.swift`, `LivePage+Script.swift` and
/// `LivePage+Chart.swift`, joined once here.
enum LivePage {
    static let html: String = [
        markupHead,
        "<style>", style, "</style>",
        "</head>",
        markupBody,
        "<script>", chartScript, script, "</script>",
        "</body></html>",
    ].joined(separator: "\n")
}
