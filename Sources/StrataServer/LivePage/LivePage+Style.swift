extension LivePage {
    /// System fonts only: a web font would be a request to somewhere else.
    static let style = #"""
        :root { color-scheme: light dark; --bg: #f6f7f9; --fg: #1d232b; --muted: #5d6875; --card: #fff;
          --line: #d5dae0; --live: #1a7f37; --warn: #b35900; --bad: #c62828; --info: #1f5fbf; }
        @media (prefers-color-scheme: dark) {
          :root { --bg: #14181d; --fg: #e3e7ec; --muted: #96a1ad; --card: #1c2128; --line: #333b45;
            --live: #3fb950; --warn: #e3a008; --bad: #f0645c; --info: #6ea8fe; }
        }
        * { box-sizing: border-box; }
        body { margin: 0; padding: 12px 16px; font: 14px/1.4 system-ui, sans-serif; background: var(--bg); color: var(--fg); }
        header { display: flex; flex-wrap: wrap; align-items: center; gap: 10px; }
        h1 { font-size: 18px; margin: 0 8px 0 0; }
        h2 { font-size: 14px; margin: 8px 0 4px; color: var(--muted); }
        .state { padding: 2px 10px; border-radius: 10px; font-weight: 600; color: #fff; background: var(--muted); }
        .state[data-state="live"] { background: var(--live); }
        .state[data-state="history"], .state[data-state="connecting"] { background: var(--info); }
        .state[data-state="reconnecting"] { background: var(--warn); }
        .state[data-state="refused"], .state[data-state="closed"], .state[data-state="error"] { background: var(--bad); }
        .reason { color: var(--muted); max-width: 50ch; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
        #token-form { margin-left: auto; display: flex; gap: 6px; }
        input, select, button { font: inherit; color: inherit; background: var(--card); border: 1px solid var(--line);
          border-radius: 6px; padding: 3px 8px; }
        button { cursor: pointer; }
        #token { width: 22ch; }
        .pickers { display: flex; flex-wrap: wrap; gap: 10px; align-items: end; margin: 10px 0; }
        .pickers label { display: flex; flex-direction: column; font-size: 12px; color: var(--muted); }
        .pickers select { min-width: 12ch; max-width: 30ch; color: var(--fg); }
        .stats { display: flex; flex-wrap: wrap; gap: 6px 18px; margin-bottom: 8px; }
        .stats div { display: flex; flex-direction: column; }
        .stats .k { font-size: 11px; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
        .stats span:not(.k) { font-variant-numeric: tabular-nums; }
        .chart-box { background: var(--card); border: 1px solid var(--line); border-radius: 8px; height: 360px; }
        #chart { display: block; width: 100%; height: 100%; }
        .log-box ol { margin: 0; padding-left: 22px; max-height: 160px; overflow: auto; font-size: 12px;
          font-family: ui-monospace, monospace; color: var(--muted); }
        .log-box li.error { color: var(--bad); }
        .log-box li.warn { color: var(--warn); }
        """#
}
