/// PLACEHOLDER (issue 4 skeleton): the self-contained live page served at `/`.
enum LivePage {
    static let html = """
        <!doctype html><html><head><meta charset="utf-8"><title>Strata live</title></head>
        <body><p>Strata live page (placeholder)</p></body></html>
        """
}
