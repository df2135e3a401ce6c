extension LivePage {
    /// Pickers over `/query`, the `/v1/stream` subscription (docs/websocket-protocol.md), the
    /// point store, reconnection and the status line. docs/live-page.md says why it works so.
    static let script = #"""
        (() => {
          // 300 recent points fill the chart at once without a long history replay.
          const HISTORY_POINTS = 300;
          // Per series: ~one point per pixel of a wide chart; older points are let go.
          const MAX_POINTS = 2000;
          // Lines one chart can tell apart; further series are counted, not drawn.
          const MAX_SERIES = 20;
          // Reconnect delays: quick after a blip, at most 15 s so a restarted server is found soon.
          const BACKOFF_MIN_MS = 500, BACKOFF_MAX_MS = 15000;
          // The server pings idle sockets every 30 s; our own ping every 15 s shows the link is
          // alive, and 3 silent periods (45 s) mean it is dead.
          const PING_MS = 15000, DEAD_MS = 45000;
          const RECENT = 20, LOG_LINES = 50, DEVICE_TAG = "device_id";
          const $ = id => document.getElementById(id);
          const params = new URLSearchParams(location.search);

          const S = {
            token: localStorage.getItem("strata.token") || "",
            want: null,          // {db, measurement, device, field} being shown
            ws: null, opened: false,
            subId: 0, activeId: null,
            live: false, lastSeq: null,   // the resume point: seq of `live` or of the last live data
            lastTime: null,               // newest point time held (BigInt ns)
            resuming: false,
            series: new Map(), hiddenSeries: 0,
            points: 0, repeats: 0, conflated: 0, resumes: 0,
            recent: [], lastValue: null, lagMs: null,
            lastMessageAt: 0, backoff: BACKOFF_MIN_MS, retryTimer: null, stopped: false,
            drawPending: false,
          };

          // ---- status line and log ----
          function setState(state, reason) {
            const el = $("state");
            el.textContent = state; el.dataset.state = state;
            $("reason").textContent = reason || "";
            $("reason").title = reason || "";
          }
          function log(text, level) {
            const li = document.createElement("li");
            li.textContent = new Date().toLocaleTimeString() + "  " + text;
            if (level) li.className = level;
            const list = $("log");
            list.prepend(li);
            while (list.children.length > LOG_LINES) list.lastChild.remove();
          }
          function formatTime(ns) {
            const ms = Number(ns / 1000000n);
            const rest = (ns % 1000000000n + 1000000000n) % 1000000000n;
            return new Date(ms).toISOString().slice(0, 19) + "." + rest.toString().padStart(9, "0") + "Z";
          }
          function formatDuration(ms) {
            if (ms == null) return "–";
            const a = Math.abs(ms);
            return a < 1000 ? Math.round(ms) + " ms" : a < 120000 ? (ms / 1000).toFixed(1) + " s" : Math.round(ms / 60000) + " min";
          }
          function updateStats() {
            $("points").textContent = String(S.points);
            $("repeats").textContent = String(S.repeats);
            $("conflated").textContent = String(S.conflated);
            $("resumes").textContent = String(S.resumes);
            $("seq").textContent = S.lastSeq == null ? "–" : String(S.lastSeq);
            $("last-value").textContent = S.lastValue == null ? "–" : String(S.lastValue);
            $("last-time").textContent = S.lastTime == null ? "–" : formatTime(S.lastTime);
            $("lag").textContent = formatDuration(S.lagMs);
            const chart = $("chart");
            chart.dataset.times = S.recent.map(r => r.time).join(",");
            chart.dataset.values = S.recent.map(r => r.value).join(",");
            chart.dataset.series = String(S.series.size);
          }
          setInterval(() => {
            $("idle").textContent = S.lastMessageAt ? formatDuration(Date.now() - S.lastMessageAt) : "–";
          }, 250);

          // ---- HTTP: the pickers ----
          function authHeaders() { return S.token ? { Authorization: "Bearer " + S.token } : {}; }

          class Refused extends Error {}

          // Names from the server (measurements, the device tag) go in `params`, which the
          // server binds as tokens: never pasted into the query text.
          async function query(q, db, params) {
            const args = new URLSearchParams({ q });
            if (db) args.set("db", db);
            if (params) args.set("params", JSON.stringify(params));
            const res = await fetch("query?" + args, { headers: authHeaders(), cache: "no-store" });
            const body = await res.json().catch(() => ({}));
            if (res.status === 401 || res.status === 403) throw new Refused("HTTP " + res.status + ": " + (body.error || res.statusText));
            if (!res.ok) throw new Error("HTTP " + res.status + ": " + (body.error || res.statusText));
            const result = (body.results || [])[0] || {};
            if (result.error) throw new Error(result.error);
            return (result.series || []).flatMap(s => s.values || []);
          }

          // `preferred`: {value, keep}. Only a URL preselection is kept when the server does not
          // list it (it may be a device that has not written yet); a stale choice is not.
          function setOptions(select, items, preferred) {
            select.replaceChildren();
            for (const item of items) {
              const o = document.createElement("option");
              o.value = item.value; o.textContent = item.label || item.value;
              select.append(o);
            }
            const { value, keep } = preferred;
            if (keep && value && !items.some(i => i.value === value)) {
              const o = document.createElement("option");
              o.value = value; o.textContent = value + " (not listed)";
              select.append(o);
            }
            if (value != null && [...select.options].some(o => o.value === value)) select.value = value;
            select.dataset.loaded = "1";
          }
          // The URL's choice on the first load, the current one after.
          const preference = (name, select) =>
            select.dataset.loaded ? { value: select.value, keep: false } : { value: params.get(name), keep: true };

          async function loadLists() {
            try {
              const dbSelect = $("db");
              const dbs = (await query("SHOW DATABASES")).map(r => ({ value: String(r[0]) }));
              setOptions(dbSelect, dbs, preference("db", dbSelect));
              await loadMeasurements();
            } catch (e) { listFailed(e); }
          }
          async function loadMeasurements() {
            const db = $("db").value, select = $("measurement");
            const names = db ? (await query("SHOW MEASUREMENTS", db)).map(r => ({ value: String(r[0]) })) : [];
            setOptions(select, names, preference("measurement", select));
            await loadSeriesChoices();
          }
          async function loadSeriesChoices() {
            const db = $("db").value, m = $("measurement").value;
            const devSelect = $("device"), fieldSelect = $("field");
            let devices = [], fields = [];
            if (db && m) {
              [devices, fields] = await Promise.all([
                query("SHOW TAG VALUES FROM $m WITH KEY = $k", db, { m: { identifier: m }, k: { identifier: DEVICE_TAG } }),
                query("SHOW FIELD KEYS FROM $m", db, { m: { identifier: m } }),
              ]);
            }
            // Without a choice, the first device rather than every series at once.
            const devicePref = preference("device", devSelect);
            const deviceItems = devices.map(r => ({ value: String(r[1]) }));
            const listed = devicePref.value === "" || deviceItems.some(i => i.value === devicePref.value);
            if (devicePref.value == null || (!devicePref.keep && !listed)) {
              devicePref.value = deviceItems.length ? deviceItems[0].value : "";
            }
            setOptions(devSelect, [{ value: "", label: "(all series)" }, ...deviceItems], devicePref);
            // The chart draws numbers: strings and booleans are not offered.
            const numeric = fields.filter(r => ["float", "integer", "unsigned"].includes(r[1])).map(r => ({ value: String(r[0]) }));
            setOptions(fieldSelect, numeric, preference("field", fieldSelect));
            if (db && m && numeric.length === 0) log("measurement " + m + " has no numeric field to chart", "warn");
            selectionChanged();
          }
          function listFailed(e) {
            if (e instanceof Refused) {
              stop("refused", e.message + (S.token ? "" : " (enter a token)"));   // stop() logs it
            } else {
              setState("error", e.message);
              log("lists: " + e.message, "error");
            }
          }

          // ---- the point store ----
          function resetStore() {
            S.series = new Map(); S.hiddenSeries = 0;
            S.points = 0; S.repeats = 0; S.conflated = 0; S.recent = [];
            S.lastValue = null; S.lastTime = null; S.lagMs = null;
            S.live = false; S.lastSeq = null;
          }
          function seriesKey(s) {
            const tags = s.tags || {};
            return s.name + "," + Object.keys(tags).sort().map(k => k + "=" + tags[k]).join(",");
          }
          function toNanos(t) {
            if (typeof t === "bigint") return t;
            if (typeof t === "number") return BigInt(Math.round(t));
            if (typeof t === "string" && /^-?\d+$/.test(t)) return BigInt(t);
            return null;
          }
          function toNumber(v) {
            if (typeof v === "number") return v;
            if (typeof v === "bigint") return Number(v);
            if (typeof v === "boolean") return v ? 1 : 0;
            return null;
          }
          // Insert in time order; a time already held is the same point written again (a later
          // write replaces it, as in storage): replaced and counted, never drawn twice.
          function insert(line, t, v) {
            const times = line.times;
            let lo = 0, hi = times.length;
            if (hi === 0 || times[hi - 1] < t) { lo = hi; }
            else {
              while (lo < hi) { const mid = (lo + hi) >> 1; if (times[mid] < t) lo = mid + 1; else hi = mid; }
              if (lo < times.length && times[lo] === t) { line.values[lo] = v; S.repeats++; return false; }
            }
            times.splice(lo, 0, t); line.values.splice(lo, 0, v);
            if (times.length > MAX_POINTS) { times.splice(0, times.length - MAX_POINTS); line.values.splice(0, line.values.length - MAX_POINTS); }
            return true;
          }
          function addSeries(list, isLive) {
            const field = S.want.field;
            let newest = null;
            for (const s of list || []) {
              const key = seriesKey(s);
              let line = S.series.get(key);
              if (!line) {
                if (S.series.size >= MAX_SERIES) { S.hiddenSeries++; continue; }
                const tags = s.tags || {};
                line = { label: tags[DEVICE_TAG] || key, times: [], values: [] };
                S.series.set(key, line);
              }
              const cols = s.columns || [];
              const ti = Math.max(0, cols.indexOf("time"));
              const vi = cols.indexOf(field) >= 0 ? cols.indexOf(field) : 1;
              for (const row of s.values || []) {
                const t = toNanos(row[ti]), v = toNumber(row[vi]);
                if (t == null || v == null) continue;   // a row without this field
                if (insert(line, t, v)) S.points++;
                S.lastValue = row[vi];
                if (S.lastTime == null || t > S.lastTime) S.lastTime = t;
                newest = newest == null || t > newest ? t : newest;
                S.recent.push({ time: t.toString(), value: String(row[vi]) });
              }
            }
            if (S.recent.length > RECENT) S.recent.splice(0, S.recent.length - RECENT);
            if (isLive && newest != null) S.lagMs = Date.now() - Number(newest / 1000000n);
            scheduleDraw();
          }
          function scheduleDraw() {
            updateStats();
            if (S.drawPending) return;
            S.drawPending = true;
            // ~10 frames a second is plenty for telemetry and leaves the CPU to the socket.
            setTimeout(() => { S.drawPending = false; StrataChart.draw($("chart"), [...S.series.values()]); }, 100);
          }
          window.addEventListener("resize", scheduleDraw);

          // ---- the stream ----
          function streamURL() {
            const url = new URL("v1/stream", location.href);
            url.protocol = location.protocol === "https:" ? "wss:" : "ws:";
            return url.href;
          }
          // Times are int64 nanoseconds, beyond a double's 53 bits: read them from the JSON
          // source text where the browser offers it (exact), else as doubles (±256 ns).
          function parseMessage(text) {
            return JSON.parse(text, function (key, value, context) {
              if (typeof value === "number" && Number.isInteger(value) && !Number.isSafeInteger(value)
                  && context && typeof context.source === "string" && /^-?\d+$/.test(context.source)) {
                return BigInt(context.source);
              }
              return value;
            });
          }
          function send(ws, text) { if (ws.readyState === WebSocket.OPEN) ws.send(text); }

          function subscribe(ws) {
            const w = S.want;
            S.activeId = "s" + (++S.subId);
            const msg = { action: "subscribe", id: S.activeId, db: w.db, measurement: w.measurement, fields: [w.field] };
            if (w.device) msg.where = { [DEVICE_TAG]: [w.device] };
            let text;
            S.resuming = S.lastSeq != null;
            if (S.resuming) {
              // Resume after the last data message seen live: no gap, no duplicate. No "time":
              // with one the server would also drop every later row older than it (late points
              // from a robot that was offline); a seq it no longer keeps is an error, answered
              // by starting over from recent history (see the "error" case).
              msg.start = { seq: S.lastSeq };
              text = JSON.stringify(msg);
              log("resuming " + w.measurement + " from seq " + S.lastSeq);
            } else {
              resetStore();
              msg.start = { last: HISTORY_POINTS };
              text = JSON.stringify(msg);
            }
            send(ws, text);
          }

          function connect() {
            clearTimeout(S.retryTimer);
            if (!S.want) return;
            closeSocket();
            S.stopped = false;
            setState(S.lastSeq != null ? "reconnecting" : "connecting", "opening " + streamURL());
            const protocols = ["strata.v1"];
            if (S.token) protocols.push("bearer." + S.token);
            let ws;
            try { ws = new WebSocket(streamURL(), protocols); }
            catch (e) { stop("refused", "cannot open the stream: " + e.message); return; }
            S.ws = ws; S.opened = false;
            ws.onopen = () => { if (S.ws !== ws) return; S.opened = true; S.lastMessageAt = Date.now(); subscribe(ws); };
            ws.onmessage = ev => { if (S.ws === ws) onMessage(ev.data); };
            ws.onclose = ev => { if (S.ws === ws) { S.ws = null; onClosed(ev); } };
          }
          function closeSocket() {
            const ws = S.ws;
            S.ws = null;
            if (ws) { ws.onclose = null; ws.onmessage = null; try { ws.close(1000, "page closed it"); } catch (e) { /* closed already */ } }
            S.live = false;
          }

          function onMessage(text) {
            S.lastMessageAt = Date.now();
            let msg;
            try { msg = parseMessage(text); } catch (e) { log("unreadable message: " + e.message, "error"); return; }
            if (msg.id != null && msg.id !== S.activeId && msg.type !== "error") return;   // an old subscription
            switch (msg.type) {
              case "subscribed":
                setState("history", "replaying to seq " + msg.seq);
                break;
              case "data":
                if (msg.conflated) { S.conflated += msg.conflated; log(msg.conflated + " points conflated: the page fell behind", "warn"); }
                addSeries(msg.series, !msg.history);
                if (S.live && !msg.history && msg.seq != null) S.lastSeq = msg.seq;
                updateStats();
                break;
              case "live":
                S.live = true; S.lastSeq = msg.seq; S.backoff = BACKOFF_MIN_MS;
                if (S.resuming) { S.resumes++; log("resumed: live at seq " + msg.seq + ", " + S.points + " points, " + S.repeats + " repeated"); }
                setState("live", S.hiddenSeries ? S.hiddenSeries + " series not drawn (over " + MAX_SERIES + ")" : "");
                updateStats();
                break;
              case "error":
                log("server: " + msg.error, "error");
                if (msg.id === S.activeId && S.resuming && !S.live && S.ws) {
                  // A resume the server cannot serve (its WAL no longer holds the seq): start
                  // over from recent history, once.
                  log("cannot resume from seq " + S.lastSeq + ": reloading recent history", "warn");
                  S.lastSeq = null;
                  subscribe(S.ws);
                } else if (msg.id === S.activeId) setState("error", msg.error);
                break;
              case "pong": case "unsubscribed":
                break;
              default:
                log("unknown message type " + msg.type, "warn");
            }
          }

          async function onClosed(ev) {
            S.live = false;
            const reason = ev.reason ? ": " + ev.reason : "";
            if (ev.code === 1008) return stop("refused", "token revoked or expired" + reason);
            if (ev.code === 4001) return stop("closed", "closed by an admin" + reason + " (press Reconnect)");
            if (ev.code === 4000) log("server closed the stream: slow consumer" + reason, "warn");
            else if (ev.code === 1001) log("server shutting down" + reason, "warn");
            if (!S.opened) {
              // A refused upgrade reaches a browser only as close 1006: ask over plain HTTP why.
              const why = await refusalReason();
              if (why && why.final) return stop("refused", why.text);
              return retry(why ? why.text : "cannot connect");
            }
            retry("connection lost (" + ev.code + reason + ")");
          }
          async function refusalReason() {
            try {
              const res = await fetch(new URL("v1/stream", location.href), { headers: authHeaders(), cache: "no-store" });
              const body = await res.json().catch(() => ({}));
              const final = res.status === 401 || res.status === 403;
              const text = final ? "HTTP " + res.status + (body.error ? ": " + body.error : "")
                : "the stream did not open (a plain GET /v1/stream answers " + res.status + ")";
              return { final, text };
            } catch (e) { return { final: false, text: "server unreachable" }; }
          }
          function retry(why) {
            if (S.stopped || !S.want) return;
            const delay = Math.round(S.backoff * (0.75 + Math.random() * 0.5));   // jitter spreads a herd
            S.backoff = Math.min(S.backoff * 2, BACKOFF_MAX_MS);
            setState("reconnecting", why + "; retry in " + formatDuration(delay));
            log(why + "; retry in " + formatDuration(delay), "warn");
            S.retryTimer = setTimeout(connect, delay);
          }
          function stop(state, why) {
            S.stopped = true;
            clearTimeout(S.retryTimer);
            closeSocket();
            setState(state, why);
            log(why, "error");
          }
          setInterval(() => {
            const ws = S.ws;
            if (!ws || ws.readyState !== WebSocket.OPEN) return;
            if (Date.now() - S.lastMessageAt > DEAD_MS) { log("no message for " + formatDuration(DEAD_MS), "warn"); ws.close(4002, "silent"); return; }
            send(ws, '{"action":"ping"}');
          }, PING_MS);

          // ---- selection ----
          function selectionChanged() {
            const w = { db: $("db").value, measurement: $("measurement").value, device: $("device").value, field: $("field").value };
            if (!w.db || !w.measurement || !w.field) {
              S.want = null; closeSocket(); resetStore(); scheduleDraw();
              setState("idle", "pick a database, measurement and field");
              return;
            }
            if (S.want && JSON.stringify(S.want) === JSON.stringify(w)) return;
            S.want = w;
            const url = new URL(location.href);
            for (const [k, v] of Object.entries(w)) url.searchParams.set(k, v);
            history.replaceState(null, "", url);
            resetStore(); scheduleDraw();
            const ws = S.ws;
            if (ws && ws.readyState === WebSocket.OPEN) {
              if (S.activeId) send(ws, JSON.stringify({ action: "unsubscribe", id: S.activeId }));
              subscribe(ws);
            } else {
              S.backoff = BACKOFF_MIN_MS;
              connect();
            }
          }

          $("db").addEventListener("change", () => loadMeasurements().catch(listFailed));
          $("measurement").addEventListener("change", () => loadSeriesChoices().catch(listFailed));
          $("device").addEventListener("change", selectionChanged);
          $("field").addEventListener("change", selectionChanged);
          $("refresh").addEventListener("click", loadLists);
          $("reconnect").addEventListener("click", () => {
            S.backoff = BACKOFF_MIN_MS;
            if (S.want) { log("reconnecting on request"); connect(); } else loadLists();
          });
          $("token").value = S.token;
          $("token-form").addEventListener("submit", ev => {
            ev.preventDefault();
            S.token = $("token").value.trim();
            if (S.token) localStorage.setItem("strata.token", S.token); else localStorage.removeItem("strata.token");
            S.want = null; closeSocket();
            log(S.token ? "token saved in this browser" : "token cleared");
            loadLists();
          });
          $("clear-token").addEventListener("click", () => { $("token").value = ""; $("token-form").requestSubmit(); });

          updateStats();
          scheduleDraw();
          loadLists();
        })();
        """#
}
