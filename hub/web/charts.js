// The Trends page's charts for the wall page: panneau.hub.charts in plain JS (pure, no DOM).
//
// The same two `history` requests as the Textual kiosk (historyFrames, docs/protocol.md) and
// the same shaping of their `series` answers and of the view's figures into charts
// (buildCharts), so the browser wall draws the numbers the kiosk draws:
// tests/web/test_wall_charts.py runs this module in Node against hub/charts.py on the same
// answers and views. Team (or site, queue) scopes only: an agent's series is never asked for.

export const CHART_DAY_REF = "chart:day";
export const CHART_PERIOD_REF = "chart:period";
export const CHART_REFS = [CHART_DAY_REF, CHART_PERIOD_REF];
export const SERVICE_LEVEL = "service_level_offered_pct";
export const DAY_KPIS = [SERVICE_LEVEL, "abandon_rate_pct", "offered", "answered"];
export const DAY_STEP_S = 1800;
export const PERIOD_DAYS = 7;
const CHANNELS = ["email", "web", "phone", "chat", "api", "social", "other"];
const TICKET_TYPES = ["question", "incident", "problem", "task", "feature_request", "refund", "other",
                      "unspecified"];
const TYPE_NAMES = { feature_request: "feature req", unspecified: "no type" };

const num = (v) => (typeof v === "number" && Number.isFinite(v) ? v : null);

// --- time in the hub's zone ----------------------------------------------------------------

export function zoneOf(name) {
  if (!name) return "UTC";
  try {
    new Intl.DateTimeFormat("en-GB", { timeZone: String(name) });
    return String(name);
  } catch {
    return "UTC";
  }
}

function wallParts(ts, zone) {
  const parts = new Intl.DateTimeFormat("en-GB", {
    timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit", second: "2-digit", weekday: "short",
  }).formatToParts(new Date(ts * 1000));
  const get = (t) => parts.find((p) => p.type === t).value;
  return { year: +get("year"), month: +get("month"), day: +get("day"), hour: +get("hour") % 24,
           minute: +get("minute"), second: +get("second"), weekday: get("weekday") };
}

function offsetAt(ts, zone) {
  const p = wallParts(Math.floor(ts), zone);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) / 1000 - Math.floor(ts);
}

// The epoch of a wall-clock midnight in `zone` (y, m, d as Date.UTC takes them; d may overflow).
function localMidnight(year, month0, day, zone) {
  const wall = Date.UTC(year, month0, day) / 1000;
  let ts = wall - offsetAt(wall, zone);
  ts = wall - offsetAt(ts, zone);
  return ts;
}

export function dayStart(now, zone) {
  const p = wallParts(now, zone);
  return localMidnight(p.year, p.month - 1, p.day, zone);
}

const pad2 = (n) => String(n).padStart(2, "0");
const hhmm = (ts, zone) => { const p = wallParts(ts, zone); return `${pad2(p.hour)}:${pad2(p.minute)}`; };
const dayLabel = (ts, zone) => { const p = wallParts(ts, zone); return `${p.weekday} ${pad2(p.day)}`; };

// The two `history` frames of `scope`'s charts (hub/charts.py history_frames).
export function historyFrames(scope, now, zone) {
  if (String(scope).startsWith("agent:")) {
    throw new Error("charts are drawn for the site, a team or a queue, not an agent");
  }
  const start = dayStart(now, zone);
  const p = wallParts(start, zone);
  const period = localMidnight(p.year, p.month - 1, p.day - PERIOD_DAYS, zone);
  const until = Math.max(now, start + 1);
  return [
    { type: "history", ref: CHART_DAY_REF, since: start, until, step_s: DAY_STEP_S,
      keys: DAY_KPIS.map((kpi) => `${scope}/today/${kpi}`) },
    { type: "history", ref: CHART_PERIOD_REF, since: period, until, step_s: 86400,
      keys: [`${scope}/today/resolution_avg_h`] },
  ];
}

// --- when to ask again (hub/chart_asks.py) -------------------------------------------------

// The last well-formed [ts, value] of a series (the hub sends them oldest first), or null.
function lastSample(samples) {
  const all = Array.isArray(samples) ? samples : [];
  for (let i = all.length - 1; i >= 0; i--) {
    const s = all[i];
    if (Array.isArray(s) && s.length === 2 && num(s[0]) !== null && num(s[1]) !== null) return s;
  }
  return null;
}

// Whether `answers` (by ref) miss what the hub may have sampled by `now` for the figures of
// `scope` the view holds: a series' last sample in a half hour (a day) the hub's clock has
// left, a figure moved off it, no answer yet or another day's (hub/chart_asks.py).
export function chartsBehind(view, scope, answers, now, zone) {
  for (const frame of historyFrames(scope, now, zone)) {
    const answer = answers[frame.ref];
    if (!answer || typeof answer !== "object" || answer.since !== frame.since) return true;
    const series = answer.series && typeof answer.series === "object" ? answer.series : {};
    const since = frame.since, step = num(answer.step_s) || frame.step_s;
    for (const key of frame.keys) {
      const value = num(view[`kpi:${key}`]);
      if (value === null) continue;
      const last = lastSample(series[key]);
      if (last === null || last[1] !== value
          || Math.floor((last[0] - since) / step) < Math.floor((now - since) / step)) return true;
    }
  }
  return false;
}

// Whether to ask for `scope`'s chart series at the hub's `now` and the wall clock's `wall`:
// never asked (askedAt: the wall clock's time of the last ask, or null), or asked `every`
// seconds ago or more (or the wall clock set back since) and the charts are behind. The wall
// clock's seconds, not the hub's: at clock_speed 60 a minute of the hub's was every second.
export function chartsDue(view, scope, answers, now, zone, askedAt, wall, every) {
  if (askedAt === null || askedAt === undefined) return true;
  if (wall - askedAt >= 0 && wall - askedAt < every) return false;
  return chartsBehind(view, scope, answers, now, zone);
}

// --- shaping ---------------------------------------------------------------------------

function chart(kind, title, fields = {}) {
  return { kind, title, labels: [], lines: [], targets: [], unit: "", value: null, state: null,
           n: null, empty: "", short: "", ...fields };
}

function buckets(samples, since, step) {
  const out = new Map();
  for (const s of Array.isArray(samples) ? samples : []) {
    if (!Array.isArray(s) || s.length !== 2) continue;
    const ts = num(s[0]), value = num(s[1]);
    if (ts !== null && value !== null && ts >= since) out.set(Math.floor((ts - since) / step), value);
  }
  return out;
}

function target(view, scope, kpi) {
  const own = view[`target:${scope}/${kpi}`];
  const t = own && (typeof own !== "object" || Object.keys(own).length) ? own : view[`target:site/${kpi}`];
  return t && typeof t === "object" && !Array.isArray(t) ? num(t.target) : null;
}

function seriesOf(answer) {
  if (!answer || typeof answer !== "object") return [{}, 0, 1];
  const s = answer.series;
  return [s && typeof s === "object" && !Array.isArray(s) ? s : {}, num(answer.since) || 0, num(answer.step_s) || 1];
}

const kpiOf = (view, scope, kpi) => num(view[`kpi:${scope}/today/${kpi}`]);

function intraday(view, scope, day, zone, labelOf) {
  const [series, since, step] = seriesOf(day);
  const found = Object.fromEntries(DAY_KPIS.map((k) => [k, buckets(series[`${scope}/today/${k}`], since, step)]));
  const filled = Object.values(found).filter((b) => b.size);
  const last = filled.length ? Math.max(...filled.map((b) => Math.max(...b.keys()))) : -1;
  const first = filled.length ? Math.min(...filled.map((b) => Math.min(...b.keys()))) : 0;
  const slots = [];
  for (let i = first; i <= last; i++) slots.push(i);
  const labels = slots.map((i) => hhmm(since + i * step, zone));
  const empty = labels.length ? "" : "no history yet today";
  const at = (kpi) => slots.map((i) => (found[kpi].has(i) ? found[kpi].get(i) : null));
  const rates = chart("curve", "", {
    labels, unit: "pct", empty,
    lines: [{ label: "SL%", values: at(SERVICE_LEVEL) }, { label: "abandon%", values: at("abandon_rate_pct") }],
    targets: [SERVICE_LEVEL, "abandon_rate_pct"].map((k) => [`${labelOf(k)} target`, target(view, scope, k)]),
  });
  const counts = {};
  for (const kpi of ["offered", "answered"]) {
    let before = 0; // counters restart at midnight
    counts[kpi] = at(kpi).map((v) => {
      const out = v === null ? null : Math.max(0, v - before);
      if (v !== null) before = v;
      return out;
    });
  }
  const missed = counts.offered.map((o, i) => {
    const a = counts.answered[i];
    return o === null || a === null ? null : Math.max(0, o - a);
  });
  const calls = chart("bars", "Calls per ½ h", {
    labels, unit: "count", empty,
    lines: [{ label: "answered", values: counts.answered }, { label: "missed", values: missed }],
  });
  return [rates, calls];
}

function resolution(view, scope, period, zone) {
  const [series, since, step] = seriesOf(period);
  const found = buckets(series[`${scope}/today/resolution_avg_h`], since, step);
  const days = [...Array(PERIOD_DAYS + 1).keys()];
  const t = target(view, scope, "resolution_avg_h");
  return chart("curve", "Resolution h/day", {
    labels: days.map((i) => dayLabel(since + i * step + step / 2, zone)),
    lines: [{ label: "mean", values: days.map((i) => (found.has(i) ? found.get(i) : null)) }],
    targets: t !== null ? [["target", t]] : [], unit: "h",
    empty: found.size ? "" : "no resolution time this week",
  });
}

function csat(view, scope) {
  const value = kpiOf(view, scope, "csat_pct");
  const t = target(view, scope, "csat_pct");
  const state = view[`state:${scope}/today/csat_pct`];
  return chart("gauge", "CSAT today", {
    targets: t ? [["target", t]] : [], unit: "pct", value, state: state === undefined ? null : state,
    n: kpiOf(view, scope, "csat_responses"), empty: value !== null ? "" : "no survey answer today",
  });
}

// Python's round(): ties to even (and round(x, 1) on the decimal text, as format does).
function roundEven(value, decimals = 0) {
  const scaled = value * 10 ** decimals;
  const down = Math.floor(scaled);
  const r = scaled - down === 0.5 ? (down % 2 === 0 ? down : down + 1) : Math.round(scaled);
  return r / 10 ** decimals;
}

// Python's `{:g}` for the counts charts show.
export function formatG(value) {
  if (Number.isInteger(value) && Math.abs(value) < 1e6) return String(value);
  return String(Number(value.toPrecision(6)));
}

function shares(view, scope, by, names) {
  const counts = Object.entries(names).map(([kpi, label]) => [label, kpiOf(view, scope, kpi) || 0])
    .filter(([, v]) => v > 0).sort((a, b) => b[1] - a[1]);
  const total = counts.reduce((sum, [, v]) => sum + v, 0);
  const n = total ? ` (n = ${formatG(total)})` : "";
  return chart("hbars", `Tickets today by ${by}${n}`, {
    labels: counts.map(([c, v]) => `${c} ${roundEven((100 * v) / total)}%`),
    lines: [{ label: "share", values: counts.map(([, v]) => roundEven((100 * v) / total, 1)) }],
    unit: "pct", empty: counts.length ? "" : "no ticket created today", short: `By ${by}${n}`,
  });
}

const CHANNEL_KPIS = Object.fromEntries(CHANNELS.map((c) => [`tickets_via_${c}`, c]));
const TYPE_KPIS = Object.fromEntries(TICKET_TYPES.map((t) => [`tickets_type_${t}`, TYPE_NAMES[t] || t]));

// The charts of `scope` from the view's values and the `series` answers by ref
// (hub/charts.py build_charts, without the managers' per-agent bars).
export function buildCharts(view, scope, answers, labelOf) {
  const zone = zoneOf(view.meta && view.meta.timezone);
  const [rates, calls] = intraday(view, scope, answers[CHART_DAY_REF], zone, labelOf);
  return {
    intraday: rates, per_half_hour: calls, csat: csat(view, scope),
    resolution: resolution(view, scope, answers[CHART_PERIOD_REF], zone),
    channels: shares(view, scope, "channel", CHANNEL_KPIS),
    types: shares(view, scope, "type", TYPE_KPIS),
  };
}
