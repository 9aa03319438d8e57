// The wall page's Objectives and Scorecard pages (kiosk/model.py goals_of and
// panneau.hub.goals_display), the scorecard with its team's satisfaction pulse under it.
//
// What a wall gets is the hub's to decide: its team's and site objectives, its own scope's
// scorecard, and `pulse:<scope>` — the team's aggregate only, whose answers and mean stay null
// until the team has kpi.small_n answers (docs/hub.md). No comment, no single answer is read.

const PERSPECTIVES = [["cost", "Cost"], ["customer", "Customer"], ["process", "Internal process"],
                      ["people", "People & learning"]];
const STATUS_STATES = { achieved: "ok", "on track": "ok", "at risk": "warn", "no data": "nodata" };
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const isMap = (v) => v !== null && typeof v === "object" && !Array.isArray(v);

// The objectives (in config order), or the panel's own scorecard and its team's pulse.
export function goalsOf(view, kind, scope) {
  if (kind === "scorecard") {
    const card = view[`scorecard:${scope}`];
    if (!isMap(card)) return [];
    const pulse = view[`pulse:${scope}`];
    return isMap(pulse) ? [card, pulse] : [card];
  }
  const found = Object.keys(view).filter((k) => k.startsWith("objective:") && isMap(view[k]))
    .map((k) => [k.slice(10), view[k]]);
  const digits = (id) => /^[0-9]+$/.test(id);
  found.sort(([a], [b]) => (digits(a) === digits(b) ? (digits(a) ? Number(a) - Number(b) : 0) : digits(a) ? -1 : 1));
  return found.map(([, v]) => v);
}

// "Team pulse (anonymous) 3.6 / 5 from 12 answers · 2026-W48" (goals_display.pulse_line).
export function pulseLine(value, fixed) {
  const what = value.answers === null || value.answers === undefined
    ? "too few answers yet" : `${fixed(value.mean, 1)} / 5 from ${value.answers} answers`;
  return `Team pulse (anonymous) ${what} · ${value.period ?? ""}`;
}

function deadline(text) {
  const [, month, day] = String(text).split("-").map(Number);
  return `${day} ${MONTHS[month - 1]}`;
}

// "2026-11 · support · 1 Nov – 30 Nov": the period a scorecard covers, whose, and its days
// (goals_display.scorecard_period).
export function scorecardPeriod(card) {
  const scope = typeof card.scope === "string" ? card.scope : "";
  const owner = scope.startsWith("team:") ? scope.slice(5) : scope;
  const days = card.first && card.last ? `${deadline(card.first)} – ${deadline(card.last)}` : "";
  return [card.period ? String(card.period) : "", owner, days].filter((p) => p).join(" · ");
}

function siteOwner(objective) {
  const scopes = new Set((objective.key_results || []).map((kr) => kr.scope));
  const [one] = scopes.size === 1 ? [...scopes] : [null];
  return typeof one === "string" && one.startsWith("site:") ? one : "site";
}

// Draw the page into `el`. `fmt(kpi, value)` formats a figure, `short(kpi)` names it,
// `fixed(value, decimals)` rounds as Python does, `symbols` are the state marks,
// `stale(kpi, scope)` whether a figure is doubtful (hub link lost, or a source feeding it stale
// or down: the tiles' rule). A doubtful figure's row is greyed and its state reads "◌ stale",
// as a tile's does; an objective is doubtful when one of its key results is.
export function drawGoals(doc, el, kind, goals, { fmt, short, fixed, symbols, stale = () => false }) {
  // A figure in a line of text: the no-data mark as the kiosk's goals tables (not the digits' "-").
  const figure = (kpi, value) => { const text = fmt(kpi, value); return text === "-" ? symbols.nodata : text; };
  const cell = (text, cls = "") => Object.assign(doc.createElement("td"), { className: cls, textContent: text });
  const stateCell = (state, text) => cell(`${symbols[state || "none"]} ${text}`.trimEnd(), state || "none");
  const staleCell = (text) => cell(`${symbols.stale} ${text}`.trimEnd(), "stale");
  const bar = (pct) => {
    if (typeof pct !== "number") return cell(symbols.nodata, "nodata");
    const filled = Math.round((Math.max(0, Math.min(100, pct)) / 100) * 10);
    return cell(`${"█".repeat(filled)}${"░".repeat(10 - filled)} ${fixed(pct, 0).padStart(3)}%`, "num");
  };
  const row = (...cells) => { const tr = doc.createElement("tr"); tr.append(...cells); return tr; };
  const marked = (tr, doubtful) => {
    tr.dataset.stale = String(doubtful);
    if (doubtful) tr.classList.add("stale");
    return tr;
  };
  const table = (title, rows) => {
    const block = doc.createElement("div");
    if (title) block.append(Object.assign(doc.createElement("h3"), { textContent: title }));
    const t = doc.createElement("table");
    t.append(...rows);
    block.append(t);
    return block;
  };
  el.replaceChildren();
  el.dataset.kind = kind;
  if (kind === "scorecard") {
    if (!goals.length) {
      el.append(Object.assign(doc.createElement("p"), { className: "empty", textContent: "No scorecard figures yet." }));
      return;
    }
    const card = goals[0];
    const scope = typeof card.scope === "string" ? card.scope : undefined;
    el.append(Object.assign(doc.createElement("p"), { className: "period", textContent: scorecardPeriod(card) }));
    const grid = Object.assign(doc.createElement("div"), { className: "perspectives" });
    for (const [perspective, title] of PERSPECTIVES) {
      const rows = (card.rows || []).filter((r) => r.perspective === perspective).map((r) => {
        const has = r.value !== null && r.value !== undefined;
        const doubtful = stale(r.kpi, scope);
        const value = has ? fmt(r.kpi, r.value) : "";  // no value: the nodata mark alone
        return marked(row(cell(r.label || short(r.kpi), "what"), cell(r.role === "leading" ? "lead" : "lag", "muted"),
                          doubtful ? staleCell(`${value} stale`.trimStart()) : stateCell(has ? r.state : "nodata", value),
                          cell(r.previous === null || r.previous === undefined ? "" : `was ${fmt(r.kpi, r.previous)}`, "muted num"),
                          cell(r.target === null || r.target === undefined ? "" : `→ ${fmt(r.kpi, r.target)}`, "num")), doubtful);
      });
      grid.append(table(title, rows.length ? rows : [row(cell("—", "muted"))]));
    }
    el.append(grid, table("Cause → effect", (card.links || []).map((link) => {
      const what = cell(`${short(link.cause)} → ${short(link.effect)}`, "what");
      if (link.warning) {
        what.append(Object.assign(doc.createElement("span"), { className: "warn", textContent: `  ${symbols.warn} ${link.warning}` }));
      }
      return row(what, cell(`${figure(link.cause, link.cause_value)} → ${figure(link.effect, link.effect_value)}`, "num"));
    })));
    if (goals.length > 1) {
      el.append(Object.assign(doc.createElement("div"), { className: "pulse", textContent: pulseLine(goals[1], fixed) }));
    }
    return;
  }
  if (!goals.length) {
    el.append(Object.assign(doc.createElement("p"), { className: "empty", textContent: "No objective set for this team yet." }));
    return;
  }
  const rows = [];
  for (const obj of goals) {
    const owner = obj.team ? String(obj.team) : siteOwner(obj);
    const title = cell(String(obj.title), "what");
    title.style.fontWeight = "700";
    const results = (obj.key_results || []).map((kr) => [kr, stale(kr.kpi, typeof kr.scope === "string" ? kr.scope : undefined)]);
    const doubtful = results.some(([, d]) => d);
    rows.push(marked(row(title, cell(`${obj.period} · ${owner}`, "muted"),
                         doubtful ? staleCell("stale") : stateCell(STATUS_STATES[obj.status] || "none", String(obj.status ?? "")),
                         bar(obj.progress_pct)), doubtful));
    for (const [kr, d] of results) {
      rows.push(marked(row(cell(`${kr.label || short(kr.kpi)}`, "what kr"),
                           cell(`${figure(kr.kpi, kr.value)} → ${fmt(kr.kpi, kr.target)} by ${deadline(kr.deadline)}`),
                           d ? staleCell("stale") : stateCell(STATUS_STATES[kr.status] || "none", String(kr.status ?? "")),
                           bar(kr.progress_pct)), d));
    }
  }
  el.append(table("", rows));
}
