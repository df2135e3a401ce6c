extension LivePage {
    /// The Content-Security-Policy keeps the browser itself from loading anything from
    /// elsewhere: scripts and styles only inline, requests only to this server (ws:/wss: are
    /// listed because older browsers do not match WebSockets with 'self').
    static let markupHead = #"""
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self' ws: wss:; img-src data:; base-uri 'none'; form-action 'none'">
        <title>Strata live</title>
        """#

    /// Element ids are the page's interface to tests too (docs/live-page.md lists them).
    static let markupBody = #"""
        <body>
        <header>
          <h1>Strata live</h1>
          <span id="state" class="state" data-state="idle">idle</span>
          <span id="reason" class="reason"></span>
          <form id="token-form" autocomplete="off">
            <input id="token" type="password" placeholder="token (not needed on an open server)" spellcheck="false">
            <button id="save-token" type="submit">Use token</button>
            <button id="clear-token" type="button">Forget</button>
          </form>
        </header>
        <section class="pickers">
          <label>Database <select id="db"></select></label>
          <label>Measurement <select id="measurement"></select></label>
          <label>Device <select id="device"></select></label>
          <label>Field <select id="field"></select></label>
          <button id="refresh" type="button" title="Read the lists again from the server">Refresh lists</button>
          <button id="reconnect" type="button" title="Close the stream and resume from the last sequence">Reconnect</button>
        </section>
        <section class="stats">
          <div><span class="k">points</span><span id="points">0</span></div>
          <div><span class="k">last value</span><span id="last-value">–</span></div>
          <div><span class="k">last point</span><span id="last-time">–</span></div>
          <div><span class="k">lag</span><span id="lag">–</span></div>
          <div><span class="k">since last message</span><span id="idle">–</span></div>
          <div><span class="k">last seq</span><span id="seq">–</span></div>
          <div><span class="k">resumes</span><span id="resumes">0</span></div>
          <div><span class="k">conflated</span><span id="conflated">0</span></div>
          <div><span class="k">repeated times</span><span id="repeats">0</span></div>
        </section>
        <div class="chart-box"><canvas id="chart" data-times="" data-values="" data-series="0"></canvas></div>
        <section class="log-box">
          <h2>Messages</h2>
          <ol id="log"></ol>
        </section>
        """#
}
