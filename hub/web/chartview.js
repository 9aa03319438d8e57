// The Trends page drawn in SVG: the charts of charts.js (panneau.hub.chartview's rules).
//
// Each chart is drawn at its box's size in pixels, its text sized from the window's height
// (readable at 3 m on a TV), so nothing is stretched. Series are told apart by marker and
// legend as well as colour (● SL on the left axis, ■ abandon rate on the right; answered
// solid, missed hatched), targets are dashed lines in their series' colour. The half-hour bars
// keep to the latest that fit, at least six slots wide (the day still to come). No animation.

import { formatG } from "./charts.js";

const COLORS = ["var(--ok)", "var(--alert)"];
const MARKERS = ["●", "■"];
const MIN_SLOTS = 6;

const esc = (text) => String(text).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);

// Whole-number bounds around `values` with a little room, from 0 for small ones (_nice_range).
export function niceRange(values) {
  const low = Math.min(...values), high = Math.max(...values);
  const pad = Math.max((high - low) * 0.1, 1);
  const lo = low - pad < 0 || low < high - low ? 0 : Math.trunc(low - pad);
  return [lo, Math.trunc(high + pad) + 1];
}

// Three or four round ticks between low and high (_ticks).
export function ticks(low, high) {
  const step = [1, 2, 5, 10, 20, 25, 50, 100, 200, 500, 1000, 1e9].find((s) => (high - low) / s <= 4);
  const first = Math.ceil(low / step) * step;
  const out = [];
  for (let v = first; v <= high + 1e-9; v += step) out.push(v);
  return out;
}

// At most `room` evenly spread x labels: [index, label] (_every).
function every(labels, room) {
  const step = Math.max(1, Math.ceil(labels.length / Math.max(1, room)));
  const out = [];
  for (let i = 0; i < labels.length; i += step) out.push([i, labels[i]]);
  return out;
}

const suffix = (unit) => (unit === "pct" ? "%" : unit === "h" ? "h" : "");

function frame(width, height, fs, body) {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-size="${fs}" role="img">${body}</svg>`;
}

// A curve chart: each line on its own axis (the first left, the second right) scaled to its
// values and its target.
function curve(chart, width, height, fs) {
  const twoAxes = chart.lines.length > 1;
  const left = fs * 3.2, right = twoAxes ? fs * 3.2 : fs, top = fs * 0.8, bottom = fs * 1.8;
  const plotW = Math.max(10, width - left - right), plotH = Math.max(10, height - top - bottom);
  const n = Math.max(1, chart.labels.length);
  const x = (i) => left + ((i + 0.5) / n) * plotW;
  let body = `<line class="axis" x1="${left}" y1="${top + plotH}" x2="${left + plotW}" y2="${top + plotH}"/>`;
  chart.lines.forEach((line, i) => {
    const t = i < chart.targets.length ? chart.targets[i][1] : null;
    const values = line.values.filter((v) => v !== null).concat(t !== null ? [t] : []);
    if (!values.length) return;
    const [lo, hi] = niceRange(values);
    const y = (v) => top + plotH - ((v - lo) / (hi - lo)) * plotH;
    const side = i === 0 ? "left" : "right";
    for (const tick of ticks(lo, hi)) {
      const tx = side === "left" ? left - fs * 0.3 : left + plotW + fs * 0.3;
      body += `<text class="tick s${i}" x="${tx}" y="${y(tick) + fs * 0.35}" text-anchor="${side === "left" ? "end" : "start"}">${tick}${suffix(chart.unit)}</text>`;
      if (i === 0) body += `<line class="grid" x1="${left}" y1="${y(tick)}" x2="${left + plotW}" y2="${y(tick)}"/>`;
    }
    if (t !== null) {
      body += `<line class="target s${i}" data-target="${t}" x1="${left}" y1="${y(t)}" x2="${left + plotW}" y2="${y(t)}" stroke="${COLORS[i]}"/>`;
    }
    let path = "", pen = false;
    line.values.forEach((v, k) => {
      if (v === null) { pen = false; return; }  // a gap, not a zero
      path += `${pen ? "L" : "M"}${x(k).toFixed(1)},${y(v).toFixed(1)}`;
      pen = true;
    });
    body += `<path class="line s${i}" d="${path}" stroke="${COLORS[i]}"/>`;
    line.values.forEach((v, k) => {
      if (v === null) return;
      const r = fs * 0.28;
      body += i === 0
        ? `<circle class="point s${i}" data-value="${v}" cx="${x(k)}" cy="${y(v)}" r="${r}" fill="${COLORS[i]}"/>`
        : `<rect class="point s${i}" data-value="${v}" x="${x(k) - r}" y="${y(v) - r}" width="${2 * r}" height="${2 * r}" fill="${COLORS[i]}"/>`;
    });
  });
  for (const [i, label] of every(chart.labels, Math.floor(plotW / (fs * 3.6)))) {
    body += `<text class="xlabel" x="${x(i)}" y="${top + plotH + fs * 1.3}" text-anchor="middle">${esc(label)}</text>`;
  }
  return frame(width, height, fs, body);
}

// Stacked bars, one a slot, the first series at the bottom; the latest slots that fit.
function bars(chart, width, height, fs) {
  const left = fs * 2.8, top = fs * 0.8, bottom = fs * 1.8;
  const plotW = Math.max(10, width - left - fs), plotH = Math.max(10, height - top - bottom);
  const fit = Math.max(3, Math.floor(plotW / (fs * 1.6)));
  const start = Math.max(0, chart.labels.length - fit);
  const labels = chart.labels.slice(start);
  const values = chart.lines.map((line) => line.values.slice(start).map((v) => v || 0));
  const slots = Math.max(labels.length, MIN_SLOTS);
  const slot = plotW / slots;
  const topValue = Math.max(0, ...labels.map((_, k) => values.reduce((s, col) => s + col[k], 0)));
  const hi = niceRange([0, topValue])[1];
  const y = (v) => top + plotH - (v / hi) * plotH;
  let body = `<defs><pattern id="hatch" width="8" height="8" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="8" height="8" fill="${COLORS[1]}"/><line x1="0" y1="0" x2="0" y2="8" stroke="#111" stroke-width="3"/></pattern></defs>`;
  for (const tick of ticks(0, hi)) {
    body += `<text class="tick" x="${left - fs * 0.3}" y="${y(tick) + fs * 0.35}" text-anchor="end">${tick}</text>`;
    body += `<line class="grid" x1="${left}" y1="${y(tick)}" x2="${left + plotW}" y2="${y(tick)}"/>`;
  }
  labels.forEach((label, k) => {
    let base = 0;
    values.forEach((col, s) => {
      const v = col[k];
      if (v > 0) {
        body += `<rect class="bar s${s}" data-slot="${esc(label)}" data-value="${v}" x="${left + k * slot + slot * 0.2}" y="${y(base + v)}" width="${slot * 0.6}" height="${y(base) - y(base + v)}" fill="${s === 0 ? COLORS[0] : "url(#hatch)"}"/>`;
      }
      base += v;
    });
  });
  body += `<line class="axis" x1="${left}" y1="${top + plotH}" x2="${left + plotW}" y2="${top + plotH}"/>`;
  const step = Math.max(1, Math.ceil((fs * 3.6) / slot));  // labels never closer than a label
  for (const [k, label] of labels.map((l, k) => [k, l]).filter(([k]) => k % step === 0)) {
    body += `<text class="xlabel" x="${left + (k + 0.5) * slot}" y="${top + plotH + fs * 1.3}" text-anchor="middle">${esc(label)}</text>`;
  }
  return frame(width, height, fs, body);
}

// Shares out of 100 %: a line each, `name n%` then a bar whose length is its share; the
// largest that fit.
function shareRows(doc, chart, height, fs) {
  const rows = Math.max(1, Math.floor(height / (fs * 1.7)));
  const list = doc.createElement("div");
  list.className = "shares";
  chart.labels.slice(0, rows).forEach((label, i) => {
    const row = doc.createElement("div");
    row.className = "share";
    const name = Object.assign(doc.createElement("span"), { className: "name", textContent: label });
    const track = Object.assign(doc.createElement("span"), { className: "track" });
    const fill = Object.assign(doc.createElement("span"), { className: "fill" });
    fill.style.width = `${Math.min(100, chart.lines[0].values[i] || 0)}%`;
    track.append(fill);
    row.append(name, track);
    list.append(row);
  });
  return list;
}

// The title with its keys, each in its series' colour: [text, class] parts.
function legend(chart) {
  if (chart.kind === "bars") {
    return [[`${chart.title}: `, ""], ...chart.lines.flatMap((l, i) => [[i ? " + " : "", ""], [`${l.label} ${i ? "▨" : "█"}`, `key s${i}`]])];
  }
  if (chart.kind !== "curve") return [[chart.title, ""]];
  const keys = chart.lines.length > 1
    ? chart.lines.map((l, i) => [`${l.label} ${MARKERS[i]}${i ? " right" : " left"}`, `key s${i}`]) : [];
  if (chart.targets.some(([, t]) => t !== null)) keys.push(["┄ target", "key"]);
  return [chart.title ? [chart.title, ""] : null, ...keys].filter(Boolean)
    .flatMap((part, i) => (i ? [[" · ", ""], part] : [part]));
}

// Draw one chart into `box` (its title, then its plot, or why it has none).
export function drawChart(doc, box, chart, fs) {
  const title = Object.assign(doc.createElement("div"), { className: "chart-title" });
  const parts = chart.empty ? [[chart.title || "SL% · abandon%", ""]] : legend(chart);
  title.append(...parts.map(([text, cls]) => Object.assign(doc.createElement("span"), { className: cls, textContent: text })));
  box.replaceChildren(title);
  if (chart.short && title.scrollWidth > title.clientWidth) title.textContent = chart.short;  // too narrow
  box.dataset.empty = chart.empty;
  if (chart.empty) {
    box.append(Object.assign(doc.createElement("div"), { className: "chart-empty", textContent: chart.empty }));
    return;
  }
  const plot = Object.assign(doc.createElement("div"), { className: "plot" });
  box.append(plot);
  const { width, height } = plot.getBoundingClientRect();
  if (chart.kind === "hbars") plot.append(shareRows(doc, chart, height, fs));
  else plot.innerHTML = (chart.kind === "bars" ? bars : curve)(chart, Math.floor(width), Math.floor(height), fs);
}

// The CSAT gauge: the value with its state, target and n, then a 0–100 bar with the target mark.
export function drawGauge(doc, box, chart, { format, symbols }) {
  box.replaceChildren();
  if (chart.value === null) {
    box.append(Object.assign(doc.createElement("span"), { className: "gauge-head", textContent: `${chart.title} · ${chart.empty}` }));
    box.dataset.state = "nodata";
    return;
  }
  const state = ["ok", "warn", "alert"].includes(chart.state) ? chart.state : "none";
  const t = chart.targets.length ? chart.targets[0][1] : null;
  const head = doc.createElement("div");
  head.className = "gauge-head";
  const parts = [[chart.title, "name"], [`${state === "none" ? "" : `${symbols[state]} `}${format(chart.value)}`, `value ${state}`]];
  if (t !== null) parts.push([`target ${format(t)}`, "target"]);
  if (chart.n !== null) parts.push([`n = ${formatG(chart.n)}`, "n"]);
  head.append(...parts.map(([text, cls]) => Object.assign(doc.createElement("span"), { className: cls, textContent: text })));
  const bar = Object.assign(doc.createElement("div"), { className: "gauge-bar" });
  const fill = Object.assign(doc.createElement("span"), { className: `fill ${state}` });
  fill.style.width = `${Math.min(100, Math.max(0, chart.value))}%`;
  bar.append(fill);
  if (t !== null) {
    const mark = Object.assign(doc.createElement("span"), { className: "mark" });
    mark.style.left = `${Math.min(100, Math.max(0, t))}%`;
    bar.append(mark);
  }
  box.dataset.state = state;
  box.append(head, bar);
}
