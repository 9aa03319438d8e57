// Panneau wall page: a team's kiosk in a browser, speaking protocol v1 (docs/protocol.md).
//
// Two parts: HubConnection (the protocol: hello, snapshot, delta, resume, backoff — usable on
// its own as a client in any page or in Node with a WebSocket and @msgpack/msgpack), and the
// wall (pages, tiles, banners, rotation), which draws what the Textual kiosk draws for the
// same view: the same figures, states, symbols, stale marks and banners — and its Trends page
// (charts.js, chartview.js) and Objectives and Scorecard pages (with the team's pulse).

import { buildCharts, CHART_REFS, chartsDue, historyFrames, zoneOf } from "./charts.js";
import { drawChart, drawGauge } from "./chartview.js";
import { drawGoals, goalsOf } from "./goals.js";

const MsgPack = globalThis.MessagePack;

// --- protocol ---------------------------------------------------------------------------

export class HubConnection {
  // url: ws://host:port or wss://host:port; token: a kiosk token.
  // onView(view, kind): after a snapshot or a delta; onLink({connected, since, rejected}).
  constructor(url, token, { onView = () => {}, onLink = () => {}, onFrame = () => {},
                            WebSocketImpl = globalThis.WebSocket } = {}) {
    Object.assign(this, { url, token, onView, onLink, onFrame, WebSocketImpl });
    this.view = null;
    this.epoch = null;
    this.seq = null;
    this.delay = 0.5;
    this.closed = false;
    this.link = { connected: false, since: null, everConnected: false, rejected: null };
  }

  start() {
    this.closed = false;
    this._open();
  }

  stop() {
    this.closed = true;
    if (this.ws) this.ws.close(1000);
  }

  // Send a request frame (history…) on the open connection; false when there is none.
  send(frame) {
    if (!this.ws || this.ws.readyState !== 1 || !this.link.connected) return false;
    this.ws.send(MsgPack.encode(frame));
    return true;
  }

  // Send `frame` (with a `ref`) and resolve with the hub's answer to it (series, ok or error).
  request(frame) {
    return new Promise((resolve, reject) => {
      const before = this.onFrame;
      this.onFrame = (answer) => {
        before(answer);
        if (answer.ref === frame.ref && ["series", "ok", "error"].includes(answer.type)) {
          this.onFrame = before;
          resolve(answer);
        }
      };
      if (!this.send(frame)) { this.onFrame = before; reject(new Error("not connected")); }
    });
  }

  _open() {
    const ws = new this.WebSocketImpl(this.url);
    ws.binaryType = "arraybuffer";
    this.ws = ws;
    ws.onopen = () => {
      const hello = { type: "hello", v: 1, token: this.token };
      if (this.epoch !== null && this.seq !== null) Object.assign(hello, { epoch: this.epoch, seq: this.seq });
      ws.send(MsgPack.encode(hello));
    };
    ws.onmessage = (event) => {
      if (typeof event.data === "string") return; // the hub sends binary frames only
      this._frame(MsgPack.decode(new Uint8Array(event.data)));
    };
    ws.onclose = (event) => this._closed(event);
    ws.onerror = () => {}; // onclose follows
  }

  _frame(frame) {
    if (!frame || typeof frame !== "object") return;
    this.onFrame(frame);
    if (frame.type === "snapshot") {
      this.view = frame.view || {};
      this.epoch = frame.epoch;
      this.seq = frame.seq;
      this._up();
      this.onView(this.view, "snapshot");
    } else if (frame.type === "delta") {
      if (this.view === null || frame.epoch !== this.epoch || frame.seq !== this.seq + 1) {
        // out of step: start again from a fresh snapshot
        this.epoch = this.seq = null;
        this.ws.close(1000);
        return;
      }
      Object.assign(this.view, frame.set || {});
      for (const key of frame.unset || []) delete this.view[key];
      this.seq = frame.seq;
      this._up();
      this.onView(this.view, "delta");
    } else if (frame.type === "status") {
      this._up(); // a resume with nothing missed answers with status only
    }
  }

  _up() {
    this.delay = 0.5;
    if (!this.link.connected) {
      this.link = { connected: true, since: null, everConnected: true, rejected: null };
      this.onLink(this.link);
    }
  }

  _closed(event) {
    const wasUp = this.link.connected;
    const rejected = [4001, 4004, 4005].includes(event.code)
      ? (event.reason || `closed ${event.code}`) : null;
    this.link = { connected: false, since: wasUp ? Date.now() / 1000 : this.link.since,
                  everConnected: this.link.everConnected, rejected,
                  rejectedCode: rejected ? event.code : null };
    this.onLink(this.link);
    if (this.closed) return;
    // exponential backoff with jitter; slower after a refused token or version
    const base = rejected ? Math.max(this.delay, 10) : this.delay;
    const wait = base * (0.5 + Math.random() / 2);
    this.delay = Math.min(base * 2, 30);
    setTimeout(() => { if (!this.closed) this._open(); }, wait * 1000);
  }
}

// --- how a figure reads (as panneau.hub.display) ---------------------------------------------

// A tile's word after its symbol, as the kiosk's (kiosk/widgets/tile.py): none for ok.
export const STATE_WORDS = { ok: "", warn: "WARN", alert: "ALERT", none: "", nodata: "no data" };
// What a tile says of its state under its figure: the kiosk's tile head without the label
// ("✖ ALERT", "✓", "✖ ◌ STALE": a stale figure keeps its state's symbol).
export function tileMark(tile) {
  const words = tile.stale ? `${SYMBOLS.stale} STALE` : STATE_WORDS[tile.state];
  return `${SYMBOLS[tile.state]} ${words}`.trim();
}

export const SYMBOLS = { ok: "✓", warn: "▲", alert: "✖", none: "·", nodata: "—", stale: "◌" };
const NO_DATA = "-";
const WINDOW_ORDER = ["now", "15m", "30m", "60m", "today"];

export function fixed(value, decimals) {
  // Python's format and JS's toFixed both round the number's exact binary value; on an exact
  // tie Python goes to even, JS up. A tie is told from the exact digits (4.35 is
  // 4.34999…: no tie, "4.3"; 0.25 is one: "0.2"), not from value * 10 ** decimals, which
  // rounds 4.35 * 10 to 43.5.
  let text = value.toFixed(decimals);
  const digits = Math.abs(value).toPrecision(100).split(".")[1] || "";
  if (/^50*$/.test(digits.slice(decimals))) {  // exactly half way: then scaled is exact
    const scaled = Math.abs(value) * 10 ** decimals;
    const down = Math.floor(scaled);
    text = (Math.sign(value) * (down % 2 === 0 ? down : down + 1) / 10 ** decimals).toFixed(decimals);
  }
  return text === "-0" || text === "-0.0" ? "0" : text;
}

function duration(seconds) {
  const total = roundHalfEven(seconds);
  const abs = Math.abs(total);
  const hours = Math.floor(abs / 3600), minutes = Math.floor((abs % 3600) / 60), secs = abs % 60;
  const sign = total < 0 ? "-" : "";
  const pad = (n) => String(n).padStart(2, "0");
  return hours ? `${sign}${hours}:${pad(minutes)}:${pad(secs)}` : `${sign}${minutes}:${pad(secs)}`;
}

function roundHalfEven(value) {
  const down = Math.floor(value);
  const diff = value - down;
  if (diff === 0.5) return down % 2 === 0 ? down : down + 1;
  return Math.round(value);
}

export function formatValue(info, value) {
  if (typeof value !== "number" || !Number.isFinite(value)) return NO_DATA;
  const unit = info ? info.unit : "count";
  if (unit === "s") return duration(value);
  if (unit === "pct") return fixed(value, Math.abs(value) < 10 ? 1 : 0) + "%";
  if (unit === "min" || unit === "h") return fixed(value, Math.abs(value) < 10 ? 1 : 0) + unit[0];
  if (unit === "money") return fixed(value, Math.abs(value) < 100 ? 2 : 0);
  if (unit === "score") {
    const n = roundHalfEven(value);
    return n ? (n > 0 ? `+${n}` : `${n}`) : "0";
  }
  return fixed(value, Number.isInteger(value) || Math.abs(value) >= 10 ? 0 : 1);
}

// A signed difference in the KPI's unit: "+0:12", "-3%", "+2" (as panneau.hub.display).
export function formatDelta(info, delta) {
  return (delta >= 0 ? "+" : "-") + formatValue(info, Math.abs(delta)).replace(/^\++/, "");
}

// [direction (-1, 0, 1), better]: better is null when the KPI has no preferred direction or
// nothing moved (panneau.hub.display.compare).
export function compare(info, value, ref) {
  const direction = (value > ref) - (value < ref);
  const higher = info ? info.higher_is_better : null;
  if (direction === 0 || typeof higher !== "boolean") return [direction, null];
  return [direction, (direction > 0) === higher];
}

export function labelOf(catalogue, kpi) {
  const info = catalogue[kpi];
  return info ? info.label : kpi.replaceAll("_", " ");
}

// --- what the panel shows (as panneau.kiosk.model) -------------------------------------------

const isNumber = (v) => typeof v === "number" && Number.isFinite(v);

export function scopeOf(meta) {
  if (!meta || typeof meta !== "object") return "site";
  if (meta.scope) return String(meta.scope);
  return meta.team ? `team:${meta.team}` : "site";
}

// What the top bar names: the team, else the site (kiosk/model.py panel_title).
export function panelTitle(meta) {
  if (!meta || typeof meta !== "object") return "";
  if (meta.team_name || meta.team) return String(meta.team_name || meta.team);
  const scope = String(meta.scope || "");
  if (scope === "site") return "All sites";
  return scope.startsWith("site:") ? `Site ${scope.slice(5)}` : "";
}

// The site:<name> scopes the view has figures of, sorted (a group hub's, docs/scale-out.md).
export function siteScopes(view) {
  const found = new Set();
  for (const key of Object.keys(view)) {
    if (!key.startsWith("kpi:site:")) continue;
    const figure = parseFigure(key.slice(4));
    if (figure) found.add(figure[0]);
  }
  return [...found].sort();
}

// On a group hub each site is a nats_site source named after it: a scope of one site waits on
// that site's source only (hub/freshness.py scope_sources).
export function scopeSources(stale, scope) {
  const [kind, ...rest] = scope.split(":");
  const name = rest.join(":");
  const site = kind === "site" ? name : name.includes(":") ? name.split(":")[0] : "";
  return stale.filter(([n, s]) => !site || n === site || s.plugin !== "nats_site");
}

function parseFigure(id) {
  // split on the last two "/": an agent's name may hold one (Agent/1127; docs/protocol.md)
  const text = String(id);
  const k = text.lastIndexOf("/");
  const w = k > 0 ? text.lastIndexOf("/", k - 1) : -1;
  const parts = [text.slice(0, w), text.slice(w + 1, k), text.slice(k + 1)];
  return w > 0 && parts.every(Boolean) ? parts : null;
}

// One figure, one state (kiosk/model.py): an active alert's figure shows its own state: key.
export function activeAlerts(view) {
  const found = {};
  for (const key of Object.keys(view).sort()) {
    if (!key.startsWith("alert:")) continue;
    const alert = view[key];
    if (!alert || !["warn", "alert"].includes(alert.state)) continue;
    const figure = parseFigure(alert.key || key.slice(6));
    if (!figure) continue;
    const [scope, window, kpi] = figure;
    const own = view[`state:${scope}/${window}/${kpi}`];
    const state = ["ok", "warn", "alert"].includes(own) ? own : alert.state;
    if (state === "ok") continue;
    found[key.slice(6)] = { scope, window, kpi, state, since: isNumber(alert.since) ? alert.since : null };
  }
  return found;
}

export function alertFigures(view, home) {
  const best = new Map();
  const rank = (w) => (WINDOW_ORDER.includes(w) ? WINDOW_ORDER.indexOf(w) : WINDOW_ORDER.length);
  for (const a of Object.values(activeAlerts(view))) {
    const id = `${a.scope}\u0000${a.kpi}`;
    const held = best.get(id);
    if (!held || rank(a.window) < rank(held.window)) best.set(id, a);
  }
  const queues = view.meta && Array.isArray(view.meta.queues) ? view.meta.queues.map((q) => `queue:${q}`) : [];
  const sameAsHome = (a) => {
    const team = best.get(`${home}\u0000${a.kpi}`);
    return queues.includes(a.scope) && team !== undefined && team.window === a.window
      && view[`kpi:${home}/${a.window}/${a.kpi}`] === view[`kpi:${a.scope}/${a.window}/${a.kpi}`];
  };
  return [...best.values()].filter((a) => !sameAsHome(a))
    .sort((a, b) => (a.scope !== home) - (b.scope !== home) || (a.scope < b.scope ? -1 : a.scope > b.scope ? 1 : 0));
}

export function figureLabel(catalogue, kpi, scope, window, home) {
  const where = scope === home ? "" : ` ${scope.split(":").slice(1).join(":") || scope}`;
  return `${labelOf(catalogue, kpi)} ·${where} ${window}`;
}

const PAGE_KINDS = ["figures", "objectives", "scorecard", "trends"];

function pageOf(raw, defaultDwell, sites = []) {
  if (!raw || typeof raw !== "object") return null;
  const kind = raw.kind || "figures";
  if (!PAGE_KINDS.includes(kind)) return null;
  let kpis = kind !== "figures" && !(Array.isArray(raw.kpis) && raw.kpis.length) ? [] : raw.kpis;
  if (!Array.isArray(kpis) || !kpis.every((k) => typeof k === "string")) return null;
  const window = raw.window || "today";
  let scopes = [];
  if (raw.by_site === true && kind === "figures") {  // a group wall's page
    if (!sites.length) return null;
    const where = [["", window], ...sites.map((s) => [s, window])];  // "": the panel's own
    kpis = raw.kpis.flatMap((k) => where.map(() => k));
    scopes = raw.kpis.flatMap(() => where);
  }
  return { title: String(raw.title ?? ""), kpis, window,
           dwell_s: isNumber(raw.dwell_s) && raw.dwell_s > 0 ? raw.dwell_s : defaultDwell,
           trend: typeof raw.trend === "string" ? raw.trend : null, scopes, isAlert: false,
           bySite: scopes.length > 0, kind };
}

export function pageSpecs(view) {
  const meta = view.meta || {};
  const dwell = isNumber(meta.dwell_s) && meta.dwell_s > 0 ? meta.dwell_s : 15;
  const sites = siteScopes(view);
  const specs = (Array.isArray(meta.pages) ? meta.pages : []).map((p) => pageOf(p, dwell, sites)).filter(Boolean);
  const alerts = alertFigures(view, scopeOf(meta)).slice(0, 6);
  if (alerts.length) {
    specs.unshift({ title: "Alert", kpis: alerts.map((a) => a.kpi), window: alerts[0].window, dwell_s: dwell,
                    trend: null, scopes: alerts.map((a) => [a.scope, a.window]), isAlert: true,
                    kind: "figures" });
  }
  return specs;
}

export function staleSources(view) {
  return Object.keys(view).sort().filter((k) => k.startsWith("source:"))
    .map((k) => [k.slice(7), view[k]])
    .filter(([, s]) => s && ["stale", "down"].includes(s.status));
}

function isStale(catalogue, kpi, stale, link) {
  if (!link.connected) return true;
  const info = catalogue[kpi];
  return stale.some(([, s]) => {
    const feeds = Array.isArray(s.feeds) && s.feeds.length ? s.feeds : null;
    if (feeds === null && Array.isArray(s.feeds) && s.last_event === null) return false;  // never delivered: fed nothing
    return feeds === null || feeds.includes(kpi) || (info && feeds.includes(info.family));
  });
}

// A figure against the same time yesterday and last week (the hub's ref: value), as the
// kiosk's tile shows them: [name, direction, better, delta] (kiosk/model.py _refs).
export function refsOf(info, value, ref) {
  if (value === null || !ref || typeof ref !== "object" || Array.isArray(ref)) return [];
  return ["yesterday", "last_week"].filter((name) => isNumber(ref[name])).map((name) => {
    const [direction, better] = compare(info, value, ref[name]);
    return [name, direction, better, formatDelta(info, value - ref[name])];
  });
}

const REF_NAMES = { yesterday: "yesterday", last_week: "last week" };
const ARROWS = { 1: "↑", "-1": "↓", 0: "=" };

// "↑+2 yesterday", as under the kiosk's tile (kiosk/widgets/tile.py).
export function refText([name, direction, , delta]) {
  return `${ARROWS[direction]}${delta} ${REF_NAMES[name] || name}`;
}

export function buildPage(view, spec, link, catalogue) {
  const home = scopeOf(view.meta);
  const stale = staleSources(view);
  const tiles = spec.kpis.map((kpi, index) => {
    let scope = home, window = spec.window, label = labelOf(catalogue, kpi);
    if (index < spec.scopes.length) {
      [scope, window] = spec.scopes[index];
      scope = scope || home;
      label = !spec.bySite ? figureLabel(catalogue, kpi, scope, window, home)
        : scope === home ? label : `${label} · ${scope.split(":").slice(1).join(":")}`;
    }
    let value = view[`kpi:${scope}/${window}/${kpi}`];
    value = isNumber(value) ? value : null;
    let state = view[`state:${scope}/${window}/${kpi}`];
    if (value === null) state = "nodata";
    else if (!["ok", "warn", "alert"].includes(state)) state = "none";
    const note = view[`annotation:${scope}/${window}/${kpi}`];
    return { kpi, label, text: formatValue(catalogue[kpi], value), state,
             stale: isStale(catalogue, kpi, scopeSources(stale, scope), link),
             refs: refsOf(catalogue[kpi], value, view[`ref:${scope}/${window}/${kpi}`]),
             note: note && typeof note.text === "string" ? note.text : "" };
  });
  let trend = [];
  if (spec.trend) {
    const samples = view[`trend:${home}/${spec.window}/${spec.trend}`];
    trend = (Array.isArray(samples) ? samples : []).filter((s) => Array.isArray(s) && s.length === 2 && isNumber(s[1])).map((s) => s[1]);
  }
  // greyed and said "(stale)" by the tiles' rule, as the kiosk's trend line
  const staleTrend = Boolean(spec.trend) && isStale(catalogue, spec.trend, scopeSources(stale, home), link);
  return { spec, tiles, trend, staleTrend };
}

// The roles the wall is made for (as the kiosk's HubApp.ROLES), and the rejectedCode of a
// token the hub took for another role: the page's refusal, no close code of the protocol
// (as panneau.hub.freshness.WRONG_ROLE).
export const WALL_ROLES = ["kiosk"];
export const WRONG_ROLE = -1;

const withArticle = (word) => `${"aeiou".includes(word.slice(0, 1)) ? "an" : "a"} ${word}`;

// Why a page made for `roles` cannot show `view` (as panneau.hub.freshness.wrong_role): the
// hub took its token, for another role (an agent's token drew that agent's team as a wall);
// null when the role is one of `roles`, or not known yet (no snapshot).
export function wrongRole(view, roles = WALL_ROLES) {
  const meta = (view && view.meta) || {};
  if (typeof meta.role !== "string" || roles.includes(meta.role)) return null;
  const who = meta.identity ? ` (${meta.identity})` : "";
  return `${withArticle(meta.role)} token${who}, not ${roles.map(withArticle).join(" or ")} token`;
}

// How to fix a refusal, by the hub's close code (as kiosk/model.py's _REFUSAL_FIX).
const REFUSAL_FIX = {
  4001: "give this screen a kiosk token of the hub's [[tokens]]",
  4005: "give this screen a kiosk token of the hub's [[tokens]]",
  4004: "update this screen or the hub: they speak different protocol versions",
  [WRONG_ROLE]: "give it one of the hub's [[tokens]]",
};

export function refusalText(link) {
  const fix = REFUSAL_FIX[link.rejectedCode];
  const why = link.rejectedCode === WRONG_ROLE
    ? link.rejected.slice(0, 1).toUpperCase() + link.rejected.slice(1)
    : `The hub refused this screen: ${link.rejected}`;
  return `${why}${fix ? ` — ${fix}` : ""}`;
}

export function notices(view, link, now, fmtTime) {
  const out = [];
  const hhmm = (ts) => (isNumber(ts) && ts ? fmtTime(ts) : "?");
  if (link.rejected) {  // no token at all: the page never asked the hub, nothing refused it
    out.push(["stale", link.noToken ? link.rejected : refusalText(link)]);
    // a token of another role: nothing of its view (an agent's messages, the manager's
    // alerts of every team) on a wall
    if (link.rejectedCode === WRONG_ROLE) return out;
  }
  else if (!link.everConnected) out.push(["stale", "Connecting to the hub…"]);
  else if (!link.connected) out.push(["stale", `Hub connection lost since ${hhmm(link.since)} — figures greyed show the last known values`]);
  const home = scopeOf(view.meta);
  // a wall of one site of a group hub is not told of another site's cut
  for (const [name, s] of scopeSources(staleSources(view), home)) {
    const detail = s.detail ? `: ${s.detail}` : "";
    const last = isNumber(s.last_event) && s.last_event ? `, last event ${fmtTime(s.last_event)}` : "";
    const what = s.plugin === "nats_site" ? "Site" : "Source";
    out.push(["stale", `${what} ${name} ${s.status} since ${hhmm(s.since)}${last}${detail}`]);
  }
  const figures = alertFigures(view, home);
  for (const state of ["alert", "warn"]) { // one line per state: each figure under its own word
    const alerts = figures.filter((a) => a.state === state);
    if (!alerts.length) continue;
    const catalogue = view.__catalogue || {};
    let names = alerts.slice(0, 4).map((a) => figureLabel(catalogue, a.kpi, a.scope, a.window, home)).join(", ");
    if (alerts.length > 4) names += ` and ${alerts.length - 4} more`; // as kiosk/model.py
    const sinces = alerts.map((a) => a.since).filter(isNumber);
    out.push([state, `${names} (since ${hhmm(sinces.length ? Math.min(...sinces) : null)})`]);
  }
  const messages = Object.keys(view).filter((k) => k.startsWith("message:")).map((k) => view[k])
    .filter((m) => m && typeof m === "object")
    .sort((a, b) => (isNumber(b.sent) ? b.sent : 0) - (isNumber(a.sent) ? a.sent : 0));
  for (const m of messages) {
    if (isNumber(m.expires) && m.expires <= now) continue;
    out.push(["message", `${m.sender ? `${m.sender}: ` : ""}${m.text ?? ""}`]);
  }
  // the team's insights (hub/insights.py; the hub sends a kiosk only its team's), as the kiosk
  for (const key of Object.keys(view).sort()) {
    const insight = view[key];
    if (!key.startsWith("insight:") || !insight || typeof insight !== "object" || !insight.text) continue;
    out.push(["insight", `${insight.text}${insight.period ? ` (${insight.period})` : ""}`]);
  }
  return out;
}

// The word a banner line starts with, per kind (kiosk/widgets/banner.py).
export const BANNER_WORDS = { stale: "STALE", alert: "ALERT", warn: "WARN", message: "MESSAGE", insight: "NOTE" };

// The banner's lines as the kiosk's (kiosk/widgets/banner.py), [kind, word, text] each: at
// most `most`, the last then saying what it leaves out ("+3 more: 2 MESSAGE, NOTE"), so that
// the team's insights never push the figures off the screen.
// An alert line's parts kept whole on screen: "Abandon rate · 15m," "Calls waiting · now"
// "(since 11:53)" (kiosk/widgets/pack.py figure_parts); joined by spaces they are the line.
export function figureParts(text) {
  return text.split(/(?<=,) | (?=and \d+ more)| (?=\(since )/).filter((p) => p);
}

export function bannerLines(found, most = 3) {
  const wordOf = (kind) => BANNER_WORDS[kind] || kind.toUpperCase();
  const shown = found.length > most ? found.slice(0, most - 1) : found;
  const lines = shown.map(([kind, text]) => [kind, wordOf(kind), text]);
  const hidden = found.slice(shown.length);
  if (hidden.length) {
    const counts = new Map();
    for (const [kind] of hidden) counts.set(wordOf(kind), (counts.get(wordOf(kind)) || 0) + 1);
    const kinds = [...counts].map(([word, n]) => (n === 1 ? word : `${n} ${word}`)).join(", ");
    lines.push(["more", "", `+${hidden.length} more: ${kinds}`]);
  }
  return lines;
}

// The panel's timezone (meta.timezone), or undefined (the browser's own) when missing or
// unknown, as the kiosk falls back to the machine's (kiosk/schedule.py zone).
export function zoneName(name) {
  if (typeof name !== "string" || !name) return undefined;
  try {
    clockFormat(name);
    return name;
  } catch {
    return undefined;
  }
}

// One formatter a zone, made once: the wall writes the time at every redraw.
const CLOCK_FORMATS = new Map();
function clockFormat(zone) {
  if (!CLOCK_FORMATS.has(zone)) {
    CLOCK_FORMATS.set(zone, new Intl.DateTimeFormat("en-US", { weekday: "short", month: "numeric", day: "2-digit", hour: "2-digit",
                                                             minute: "2-digit", second: "2-digit", hourCycle: "h23", timeZone: zone }));
  }
  return CLOCK_FORMATS.get(zone);
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

// An instant in `zone` as the kiosk writes it: hhmm "14:03", hms "14:03:09", date
// "Mon 30 Nov" (kiosk/schedule.py clock_text), and the weekday and minutes the schedule reads.
export function localTime(ts, zone) {
  const parts = clockFormat(zone).formatToParts(new Date(ts * 1000));
  const get = (t) => parts.find((p) => p.type === t).value;
  const hhmm = `${get("hour")}:${get("minute")}`;
  return { hhmm, hms: `${hhmm}:${get("second")}`, date: `${get("weekday")} ${get("day")} ${MONTHS[Number(get("month")) - 1]}`,
           day: get("weekday").toLowerCase(), minutes: Number(get("hour")) * 60 + Number(get("minute")) };
}

const DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

export function scheduleOn(schedule, parts) {
  // parts: {day: "mon", minutes: minutes since midnight} in the hub's timezone
  if (!schedule || !schedule.on || !schedule.off) return true;
  const toMin = (hhmm) => { const [h, m] = String(hhmm).split(":").map(Number); return h * 60 + m; };
  if (Array.isArray(schedule.days) && schedule.days.length && !schedule.days.includes(parts.day)) return false;
  const on = toMin(schedule.on), off = toMin(schedule.off);
  return on <= off ? parts.minutes >= on && parts.minutes < off : parts.minutes >= on || parts.minutes < off;
}

// "Outside opening hours (Mon–Fri 07:30–19:00)", as kiosk/schedule.py says it.
export function closedText(schedule) {
  if (!schedule || typeof schedule !== "object" || !Object.keys(schedule).length) return "Outside opening hours";
  const week = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
  const days = Array.isArray(schedule.days) && schedule.days.length ? week.filter((d) => schedule.days.includes(d)) : week;
  const runs = [];
  for (const i of days.map((d) => week.indexOf(d))) {
    if (runs.length && i === runs[runs.length - 1].at(-1) + 1) runs[runs.length - 1].push(i);
    else runs.push([i]);
  }
  const name = (i) => week[i][0].toUpperCase() + week[i].slice(1);
  const when = days.length === 7 ? "every day" : runs.flatMap((r) => (r.length > 2 ? [`${name(r[0])}–${name(r.at(-1))}`] : r.map(name))).join(", ");
  return `Outside opening hours (${when} ${schedule.on ?? "00:00"}–${schedule.off ?? "24:00"})`;
}

// How many times faster than the wall clock the hub's runs (meta.clock_speed: a demo, a
// trial); 1 when it does not say (kiosk/schedule.py hub_speed).
export function hubSpeed(meta) {
  const speed = meta && meta.clock_speed;
  return isNumber(speed) && speed > 0 ? speed : 1;
}

// What goes before the time of day the wall shows: "hub clock ×60 · " when it is a sped
// hub's, else nothing (kiosk/schedule.py clock_label).
export function clockLabel(meta) {
  const speed = hubSpeed(meta);
  return speed === 1 ? "" : `hub clock ×${speed} · `;
}

// How far back a new as_of may put the hub's time before the page follows it, in the hub's
// seconds: HOLD_BACK_S plus HOLD_BACK_WALL_S wall seconds of its clock (hub/freshness.py).
export const HOLD_BACK_S = 60;
export const HOLD_BACK_WALL_S = 5;

// The hub's time at the wall clock's `wall`: the wall's own, or with a hub whose clock runs
// faster, the figures' time (meta.as_of) moved on at that speed since the wall clock's time
// it was first seen, as the Textual screens' (hub/freshness.py hub_time). The speed is
// hubSpeed's, the one rule: the hub says clock_speed only when it is not 1 (a clock_speed of
// 1 read here on its own took the figures' time for the clock). Never back while the hub's
// clock goes on: a late frame's as_of is held (the last time again until the estimate passes
// it), a step back past the bound (a hub restarted with another clock) followed.
// Returns [time, seen]; seen: [as_of, the wall clock when it came, the time last given].
export function hubTime(meta, seen, wall) {
  const speed = hubSpeed(meta), asOf = meta && meta.as_of;
  if (speed === 1 || !isNumber(asOf)) return [wall, seen];
  const mark = seen && seen[0] === asOf ? seen[1] : wall;
  let time = asOf + (wall - mark) * speed;
  if (seen && seen[2] - (HOLD_BACK_S + HOLD_BACK_WALL_S * speed) <= time && time < seen[2]) time = seen[2];
  return [time, [asOf, mark, time]];
}

// Where the night clock stands this minute, in steps across and down (0-3, 0-2): the
// kiosk's ClockScreen offset (kiosk/screens/clock.py), so a TV does not burn in.
export function nightShift(minutes) {
  return [minutes % 4, minutes % 3];
}

// The trend line's bars, as the kiosk's sparkline (Textual's): the samples split into at most
// `most` buckets, each drawn at its highest, as a share (0-1) of the samples' range.
export function sparkBars(values, most = 120) {
  if (values.length < 2) return values.map(() => 1);
  const n = Math.min(values.length, most);
  const lo = Math.min(...values), extent = (Math.max(...values) - lo) || 1;
  const bars = [];
  for (let i = 0; i < n; i++) {
    const part = values.slice(Math.floor((i * values.length) / n), Math.floor(((i + 1) * values.length) / n));
    if (part.length) bars.push((Math.max(...part) - lo) / extent);
  }
  return bars;
}

// Tiles a row, as the kiosk's grid (kiosk/screens/panel.py _columns): 2×2 for four,
// otherwise up to three a row.
export function columnsOf(count) {
  return count === 2 || count === 4 ? 2 : Math.min(Math.max(count, 1), 3);
}

// --- the page ---------------------------------------------------------------------------

export class Wall {
  constructor(doc, catalogue) {
    Object.assign(this, { doc, catalogue, view: {}, link: { connected: false, everConnected: false, since: null, rejected: null } });
    this.pageIndex = 0;
    this.pageTitle = null;  // the page on screen stays when the Alert page comes or goes
    this.seenAlerts = new Map();  // alert id -> since, as last seen
    this.pagesBeforeJump = 0;  // other pages to show before a new alert may jump again
    this.flashKpis = new Set();
    this.flashUntil = 0;
    this.pageSince = 0;
    this.hub = null;  // a HubConnection: the Trends page asks it for its series
    this.chartAnswers = {};
    this.chartsAskedAt = null;  // on the wall clock
    this.chartsEvery = 60;
    this.asOfSeen = null;  // what hubTime carries between readings: the hub's time
    this.lostAt = null;  // when the link was lost, on the hub's clock
  }

  // Keep the answers to the Trends page's requests (an error leaves its charts empty).
  onFrame(frame) {
    if (frame.type === "series" && CHART_REFS.includes(frame.ref)) {
      this.chartAnswers[frame.ref] = frame;
      this.render();
    }
  }

  // Ask for the team's series when the Trends page is up, then when they can have changed, at
  // most once a minute of the wall clock (chartsDue, as the kiosk): `now` the hub's time.
  askCharts(now, wall) {
    if (!this.hub || !this.link.connected) return;
    const meta = this.view.meta || {}, scope = scopeOf(meta), zone = zoneOf(meta.timezone);
    if (!chartsDue(this.view, scope, this.chartAnswers, now, zone, this.chartsAskedAt, wall, this.chartsEvery)) return;
    const frames = historyFrames(scope, now, zone);
    if (frames.every((f) => this.hub.send(f))) this.chartsAskedAt = wall;
  }

  drawCharts(now, wall) {
    this.askCharts(now, wall);
    const d = this.doc;
    const charts = buildCharts(this.view, scopeOf(this.view.meta), this.chartAnswers, (k) => labelOf(this.catalogue, k));
    const height = (d.defaultView && d.defaultView.innerHeight) || 720;
    const box = d.getElementById("charts").getBoundingClientRect();
    const drawn = JSON.stringify([charts, box.width, box.height, height]);
    if (drawn === this.chartsDrawn) return;  // nothing new to draw, at the same size
    this.chartsDrawn = drawn;
    const side = Math.min(height, (d.defaultView && d.defaultView.innerWidth) || 1280);
    const fs = Math.round(Math.min(36, Math.max(12, side * 0.024)));  // as 2.4vmin
    d.getElementById("charts").style.setProperty("--fs", `${fs}px`);
    drawGauge(d, d.getElementById("chart-csat"), charts.csat,
              { format: (v) => formatValue(this.catalogue.csat_pct, v), symbols: SYMBOLS });
    for (const name of ["intraday", "per_half_hour", "resolution", "channels", "types"]) {
      drawChart(d, d.getElementById(`chart-${name.replaceAll("_", "-")}`), charts[name], fs);
    }
  }

  drawGoals(kind) {
    const home = scopeOf(this.view.meta), stale = staleSources(this.view);
    drawGoals(this.doc, this.doc.getElementById("goals"), kind, goalsOf(this.view, kind, home), {
      fmt: (kpi, v) => formatValue(this.catalogue[kpi], v), fixed, symbols: SYMBOLS,
      short: (kpi) => (this.catalogue[kpi] && this.catalogue[kpi].short) || labelOf(this.catalogue, kpi),
      stale: (kpi, scope = home) => isStale(this.catalogue, kpi, scopeSources(stale, scope), this.link),
    });
  }

  zone() { return zoneName(this.view.meta && this.view.meta.timezone); }

  fmtTime(ts) { return localTime(ts, this.zone()).hhmm; }

  // The hub's time at the wall clock's `wall` (see hubTime): what every time of day on the
  // page, an expiry and the Trends page's day are on; the dwells stay the wall's seconds.
  hubNow(wall) {
    const [time, seen] = hubTime(this.view.meta, this.asOfSeen, wall);
    this.asOfSeen = seen;
    return time;
  }

  setView(view) { this.view = view; this.render(); }

  // Bring the page titled `title` up now (it then stays its dwell); false when there is none.
  showPage(title, now = Date.now() / 1000) {
    const index = pageSpecs(this.view).findIndex((s) => s.title === title);
    if (index < 0) return false;
    Object.assign(this, { pageIndex: index, pageTitle: title, pageSince: now });
    this.render(now);
    return true;
  }

  // The link lost "since" the hub's time then, taken when it is lost (as the Textual screens'
  // Link.lost_at): worked out again at each redraw, it went through hubTime's hold.
  setLink(link) {
    if (isNumber(link.since) && link.since !== this.link.since) this.lostAt = this.hubNow(link.since);
    this.link = link;
    this.render();
  }

  // The link as the page shows it: a view of a role the wall is not made for is refused as
  // the hub's refusals are (no figure, why and how to fix it), until a snapshot of the right
  // role comes (the hub's config gave the token another role).
  shownLink() {
    const problem = this.link.rejected ? null : wrongRole(this.view);
    return problem ? { ...this.link, rejected: problem, rejectedCode: WRONG_ROLE } : this.link;
  }

  // The page on screen among `specs`, found by its title as the kiosk does (kiosk/app.py
  // _current): the Alert page coming or going shifts the others without changing the page.
  current(specs, now) {
    if (this.pageTitle === null) this.pageSince = now;  // the first page too stays its dwell
    const index = specs.findIndex((s) => s.title === this.pageTitle);
    if (index >= 0) this.pageIndex = index;
    this.pageIndex %= specs.length;
    this.pageTitle = specs[this.pageIndex].title;
    return specs[this.pageIndex];
  }

  // A new alert jumps to the Alert page and its tiles flash for three seconds, at most once a
  // rotation: after a jump every other page is shown once before another (kiosk/app.py
  // _note_alerts). Meanwhile new alerts are in the banner at once, on the Alert page in turn.
  // New: an id not seen, or a new since (an alert eased to warn, then worse again: raised anew).
  noteAlerts(specs, now) {
    const active = activeAlerts(this.view);
    const seen = this.seenAlerts;
    const fresh = Object.keys(active).filter((id) => !seen.has(id) || seen.get(id) !== active[id].since);
    this.seenAlerts = new Map(Object.entries(active).map(([id, a]) => [id, a.since]));
    if (!(fresh.length && specs.length && specs[0].isAlert) || this.pagesBeforeJump > 0) return;
    this.pagesBeforeJump = specs.length - 1;
    Object.assign(this, { pageIndex: 0, pageTitle: specs[0].title, pageSince: now,
                          flashKpis: new Set(fresh.map((id) => active[id].kpi)), flashUntil: now + 3 });
  }

  tick(now) {
    const specs = pageSpecs(this.view);
    if (!specs.length) return;
    const spec = this.current(specs, now);
    if (now - this.pageSince >= spec.dwell_s) {
      this.pageIndex = (this.pageIndex + 1) % specs.length;
      this.pageTitle = specs[this.pageIndex].title;
      this.pageSince = now;
      if (!specs[this.pageIndex].isAlert) this.pagesBeforeJump -= 1;
    }
    this.render(now);
  }

  render(now = Date.now() / 1000) {
    const d = this.doc, meta = this.view.meta || {}, hubNow = this.hubNow(now);
    const link = this.shownLink(), label = clockLabel(meta);
    // a refused screen names no team either: not even the team of a token of another role
    d.getElementById("team").textContent = (!link.rejected && panelTitle(meta)) || "Panneau";
    // the hub's time of day, as the figures' and the alerts' (the kiosk's top bar)
    const when = localTime(hubNow, this.zone());
    d.getElementById("clock").textContent = `${label}${when.date}  ${when.hhmm}`;
    const on = scheduleOn(meta.schedule, when);
    d.body.classList.toggle("night", !on);
    d.getElementById("night").hidden = on;
    if (!on) {
      const [dx, dy] = nightShift(when.minutes);  // moves each minute, as the kiosk's
      d.getElementById("night").style.setProperty("--dx", dx);
      d.getElementById("night").style.setProperty("--dy", dy);
      d.getElementById("night-clock").textContent = when.hhmm;
      d.getElementById("night-date").textContent = `${label}${when.date}`;
      d.getElementById("night-hours").textContent = closedText(meta.schedule);
    }
    d.body.classList.toggle("connecting", !this.link.everConnected);
    d.body.classList.toggle("stale", !this.link.connected);
    const banner = d.getElementById("banner");
    // the link lost "since" the hub's time then (setLink), as every time on the page
    const lost = isNumber(link.since) ? { ...link, since: this.lostAt } : link;
    banner.replaceChildren(...bannerLines(notices({ ...this.view, __catalogue: this.catalogue }, lost, hubNow, (ts) => this.fmtTime(ts)))
      .map(([kind, word, text]) => {  // each line under its kind's word, as the kiosk's banner
        const line = Object.assign(d.createElement("div"), { className: kind });
        if (word) line.append(Object.assign(d.createElement("span"), { className: "word", textContent: word }), "  ");
        // an alert line breaks between its figures, never inside one (as the kiosk's)
        // and no line breaks between a number and the word after it ("15 min", "79 %")
        if (!["alert", "warn"].includes(kind)) {
          text.split(/(\S*\d \S+)/).forEach((bit, i) => line.append(i % 2
            ? Object.assign(d.createElement("span"), { className: "glued", textContent: bit }) : bit));
          return line;
        }
        figureParts(text).forEach((part, i) => line.append(...(i ? [" "] : []),
          Object.assign(d.createElement("span"), { className: "part", textContent: part })));
        return line;
      }));
    // a refused screen shows no figure, only why and how to fix it (as the kiosk)
    const specs = link.rejected ? [] : pageSpecs(this.view);
    const tiles = d.getElementById("tiles");
    if (!specs.length) {
      d.getElementById("page-title").textContent = "";
      d.getElementById("trend").hidden = true;
      for (const id of ["charts", "goals"]) d.getElementById(id).hidden = true;
      for (const id of ["dots", "as-of"]) d.getElementById(id).textContent = "";
      tiles.replaceChildren();
      return;
    }
    this.noteAlerts(specs, now);
    const spec = this.current(specs, now);
    const kind = spec.kind || "figures";
    d.getElementById("page-title").textContent = spec.title;
    d.body.dataset.page = spec.title;
    d.body.dataset.kind = kind;
    tiles.hidden = kind !== "figures";
    if (kind !== "figures") d.getElementById("trend").hidden = true;
    d.getElementById("charts").hidden = kind !== "trends";
    d.getElementById("goals").hidden = !["objectives", "scorecard"].includes(kind);
    d.getElementById("dots").textContent = specs.map((_, i) => (i === this.pageIndex ? "●" : "○")).join("") + ` ${this.pageIndex + 1}/${specs.length}`;
    d.getElementById("as-of").textContent = isNumber(meta.as_of) && meta.as_of > 0
      ? `as of ${localTime(meta.as_of, this.zone()).hms}` : "as of —";
    if (kind === "trends") this.drawCharts(hubNow, now);
    else if (kind !== "figures") this.drawGoals(kind);
    else this.drawTiles(spec, now);
  }

  drawTiles(spec, now) {
    const d = this.doc;
    const page = buildPage(this.view, spec, this.link, this.catalogue);
    d.getElementById("tiles").replaceChildren(...page.tiles.map((t) => {
      const el = d.createElement("div");
      const flash = spec.isAlert && now < this.flashUntil && this.flashKpis.has(t.kpi);
      el.className = `tile ${t.state}${t.stale ? " stale" : ""}${flash ? " flash" : ""}`;
      Object.assign(el.dataset, { kpi: t.kpi, state: t.state, stale: String(t.stale) });
      el.innerHTML = '<div class="label"></div><div class="value"></div><div class="symbol"></div>';
      el.querySelector(".label").textContent = t.label;
      el.querySelector(".value").textContent = t.text === NO_DATA ? "—" : t.text;
      el.querySelector(".value").dataset.text = t.text;
      el.querySelector(".symbol").textContent = tileMark(t);
      // against yesterday and last week, as under the kiosk's tile; a blank line without
      // any, so that the figures of a row of tiles stand level
      el.append(Object.assign(d.createElement("div"), { className: "refs" }));
      el.lastChild.append(...t.refs.map((r) => Object.assign(d.createElement("span"), {
        className: `ref ${r[2] === null ? "even" : r[2] ? "better" : "worse"}`, textContent: refText(r) })));
      if (t.note) {  // a manager's comment on this figure, as under the kiosk's tile
        el.append(Object.assign(d.createElement("div"), { className: "note", textContent: `✎ ${t.note}` }));
      }
      const refs = t.refs.map((r) => `, ${refText(r)}${r[2] === null ? "" : r[2] ? " (better)" : " (worse)"}`).join("");
      el.setAttribute("aria-label", `${t.label}: ${t.text === NO_DATA ? "no data" : t.text}, ${t.stale ? "stale" : t.state}${refs}${t.note ? `, note: ${t.note}` : ""}`);
      return el;
    }));
    d.getElementById("tiles").style.gridTemplateColumns = `repeat(${columnsOf(page.tiles.length)}, minmax(0, 1fr))`;
    this.drawTrend(spec, page);
    this.fitValues();
  }

  // The page's trend across the bottom, as the kiosk's: its label, then its sparkline.
  drawTrend(spec, page) {
    const box = this.doc.getElementById("trend");
    box.hidden = !spec.trend;
    if (!spec.trend) return;
    box.classList.toggle("stale", page.staleTrend);
    box.querySelector(".trend-label").textContent = `${labelOf(this.catalogue, spec.trend)} trend${page.staleTrend ? " (stale)" : ""}`;
    box.querySelector(".spark").replaceChildren(...sparkBars(page.trend).map((share) => {
      const bar = this.doc.createElement("i");
      bar.style.height = `${Math.max(share, 1 / 8) * 100}%`;  // the lowest as the kiosk's ▁
      bar.style.opacity = String(0.3 + 0.7 * share);  // from 30% of the colour to all of it
      return bar;
    }));
  }

  /** The page's figures in one size (as on the kiosk), the CSS one unless the widest figure
   * would run out of its tile ("100%" or "1:02:03" in a third of a TV ran over the next
   * tile), or the tallest out of the height its tile keeps for it under banner lines and a
   * trend (as the kiosk's figure takes the rows its tile has left): then smaller, so that it
   * fits. */
  fitValues() {
    const values = [...this.doc.querySelectorAll("#tiles .tile .value")];
    for (const v of values) v.style.fontSize = "";
    let scale = 1;
    for (const v of values) {
      const tile = v.parentElement, style = getComputedStyle(tile);
      const room = tile.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
      const others = [...tile.children].filter((c) => c !== v).reduce((sum, c) => sum + c.getBoundingClientRect().height, 0);
      const height = tile.clientHeight - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom) - others;
      const box = v.getBoundingClientRect();
      scale = Math.min(scale, room / box.width, Math.max(height, 0) / box.height);
    }
    if (scale >= 1) return;
    const size = parseFloat(getComputedStyle(values[0]).fontSize) * scale * 0.96;
    for (const v of values) v.style.fontSize = `${size}px`;
  }
}

async function main() {
  const params = new URLSearchParams(location.hash.slice(1));
  const token = params.get("token");
  const config = await (await fetch("config.json", { cache: "no-store" })).json();
  const wall = new Wall(document, config.catalogue);
  if (!token) {
    wall.setLink({ connected: false, everConnected: false, since: null, noToken: true,
                   rejected: "No token in this page's address: open it as …/wall/#token=YOUR-KIOSK-TOKEN" });
    return;
  }
  const scheme = config.tls ? "wss" : "ws";
  const url = params.get("hub") || `${scheme}://${location.hostname}:${config.ws_port}`;
  const hub = new HubConnection(url, token, { onView: (view) => wall.setView(view), onLink: (link) => wall.setLink(link),
                                             onFrame: (frame) => wall.onFrame(frame) });
  wall.hub = hub;
  globalThis.panneauWall = { wall, hub };
  hub.start();
  setInterval(() => wall.tick(Date.now() / 1000), 1000);
  addEventListener("resize", () => wall.render());
}

if (globalThis.document && !globalThis.PANNEAU_WALL_NO_MAIN) main();
