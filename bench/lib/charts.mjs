// SVG charts of a bench run, drawn here (no gnuplot needed): server RSS against idle
// connections, latency against the delivered rate (the fixed-rate run and the
// saturating run, which is where each server's curve ends), and latency against the
// offered rate (the rate sweep).
import { writeFileSync } from 'node:fs';
import path from 'node:path';

const COLORS = { Flow: '#1f77b4', peer: '#d62728' };
const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;');

function niceTicks(max, n = 5) {
  if (!(max > 0)) return [0, 1];
  const raw = max / n;
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * p).find((s) => s >= raw);
  const ticks = [];
  for (let v = 0; v <= max + step * 0.001; v += step) ticks.push(Number(v.toPrecision(6)));
  if (ticks[ticks.length - 1] < max) ticks.push(Number((ticks[ticks.length - 1] + step).toPrecision(6)));
  return ticks;
}

const label = (v) => (v >= 1000 ? `${v / 1000}k` : v < 1 ? String(Number(v.toPrecision(3))) : String(v));

/** series: [{name, color, dash, points: [[x, y, note?]]}] */
function lineChart({ title, xLabel, yLabel, series, logY = false, legend = 'top-left' }) {
  const W = 720;
  const H = 420;
  const m = { l: 70, r: 20, t: 40, b: 60 };
  const pts = series.flatMap((s) => s.points);
  const xt = niceTicks(Math.max(...pts.map((p) => p[0]), 1));
  const xMax = xt[xt.length - 1];
  let yt;
  let Y;
  if (logY) {
    const ys = pts.map((p) => p[1]).filter((y) => y > 0);
    const lo = Math.floor(Math.log10(Math.min(...ys, 1)));
    const hi = Math.ceil(Math.log10(Math.max(...ys, 1.0001)));
    yt = [];
    for (let e = lo; e <= hi; e++) yt.push(10 ** e);
    Y = (y) => H - m.b - ((Math.log10(Math.max(y, 10 ** lo)) - lo) / (hi - lo || 1)) * (H - m.t - m.b);
  } else {
    yt = niceTicks(Math.max(...pts.map((p) => p[1]), 0.001));
    const yMax = yt[yt.length - 1];
    Y = (y) => H - m.b - (y / yMax) * (H - m.t - m.b);
  }
  const X = (x) => m.l + (x / xMax) * (W - m.l - m.r);
  const out = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  out.push(`<text x="${W / 2}" y="22" text-anchor="middle" font-size="15">${esc(title)}</text>`);
  for (const t of yt) {
    out.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${Y(t)}" y2="${Y(t)}" stroke="#ddd"/>`);
    out.push(`<text x="${m.l - 6}" y="${Y(t) + 4}" text-anchor="end">${label(t)}</text>`);
  }
  for (const t of xt) {
    out.push(`<line x1="${X(t)}" x2="${X(t)}" y1="${m.t}" y2="${H - m.b}" stroke="#eee"/>`);
    out.push(`<text x="${X(t)}" y="${H - m.b + 16}" text-anchor="middle">${label(t)}</text>`);
  }
  out.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${H - m.b}" y2="${H - m.b}" stroke="#333"/>`);
  out.push(`<line x1="${m.l}" x2="${m.l}" y1="${m.t}" y2="${H - m.b}" stroke="#333"/>`);
  out.push(`<text x="${(m.l + W - m.r) / 2}" y="${H - 18}" text-anchor="middle">${esc(xLabel)}</text>`);
  out.push(`<text transform="translate(16 ${(m.t + H - m.b) / 2}) rotate(-90)" text-anchor="middle">${esc(yLabel)}</text>`);
  series.forEach((s, i) => {
    const p = [...s.points].sort((a, b) => a[0] - b[0]);
    if (!p.length) return;
    out.push(
      `<polyline fill="none" stroke="${s.color}" stroke-width="2"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''} points="${p
        .map(([x, y]) => `${X(x).toFixed(1)},${Y(y).toFixed(1)}`)
        .join(' ')}"/>`,
    );
    for (const [x, y, note] of p) {
      out.push(`<circle cx="${X(x).toFixed(1)}" cy="${Y(y).toFixed(1)}" r="3.5" fill="${s.color}"/>`);
      if (note) {
        const right = X(x) > W * 0.75;
        out.push(
          `<text x="${(X(x) + (right ? -6 : 6)).toFixed(1)}" y="${(Y(y) - 6).toFixed(1)}" fill="${s.color}" font-size="10"${right ? ' text-anchor="end"' : ''}>${esc(note)}</text>`,
        );
      }
    }
    const bottom = legend === 'bottom-right';
    const ly = bottom ? H - m.b - 12 - (series.length - 1 - i) * 16 : m.t + 8 + i * 16;
    const lx = bottom ? W - m.r - 130 : m.l + 12;
    out.push(`<line x1="${lx}" x2="${lx + 24}" y1="${ly}" y2="${ly}" stroke="${s.color}" stroke-width="2"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`);
    out.push(`<text x="${lx + 30}" y="${ly + 4}">${esc(s.name)}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

export async function writeCharts(dir, stamp, summary) {
  const written = [];
  const servers = [
    ['flow', 'Flow'],
    ['peer', 'peer'],
  ];
  const idle = summary.idle?.medians;
  if (idle) {
    const series = [];
    for (const [k, name] of servers) {
      const m = idle[k] || {};
      const points = Object.keys(m)
        .filter((f) => f.startsWith('rss_mb@'))
        .map((f) => {
          const n = Number(f.split('@')[1]);
          const per = m[`rss_per_conn_kb@${n}`];
          return [n, m[f], typeof per === 'number' ? `${per.toFixed(1)} KiB/conn` : ''];
        });
      if (points.length) series.push({ name, color: COLORS[name], points });
    }
    if (series.length) {
      const f = path.join(dir, `${stamp}-rss.svg`);
      writeFileSync(f, lineChart({ title: 'Server RSS against idle authenticated connections', xLabel: 'connections', yLabel: 'RSS (MiB)', series }));
      written.push(f);
    }
  }
  const series = [];
  for (const [k, name] of servers) {
    for (const [q, dash] of [
      ['p50_ms', '5,4'],
      ['p99_ms', null],
    ]) {
      const points = [];
      for (const sc of ['rate', 'pairs']) {
        const m = summary[sc]?.medians?.[k];
        if (m && typeof m.delivered_per_s === 'number' && typeof m[q] === 'number') {
          points.push([m.delivered_per_s, m[q], sc === 'pairs' && q === 'p99_ms' ? 'saturated' : '']);
        }
      }
      if (points.length) series.push({ name: `${name} ${q.replace('_ms', '')}`, color: COLORS[name], dash, points });
    }
  }
  if (series.length) {
    const f = path.join(dir, `${stamp}-latency.svg`);
    writeFileSync(f, lineChart({ title: 'Latency (send to message:new) against delivered rate', xLabel: 'delivered messages/s', yLabel: 'latency (ms, log scale)', series, logY: true, legend: 'bottom-right' }));
    written.push(f);
  }
  const sweep = sweepSeries(summary.rate?.medians, servers);
  if (sweep.length) {
    const f = path.join(dir, `${stamp}-rate.svg`);
    writeFileSync(f, lineChart({ title: 'Latency (send to message:new) against offered rate', xLabel: 'offered messages/s', yLabel: 'latency (ms, log scale)', series: sweep, logY: true, legend: 'bottom-right' }));
    written.push(f);
  }
  return written;
}

/**
 * p50 and p99 of each server at each offered rate (`p50_ms@RATE`, and the --rate run's
 * own), the p99 point noting the delivered rate where the server fell behind.
 */
function sweepSeries(medians, servers) {
  const series = [];
  for (const [k, name] of servers) {
    const m = medians?.[k];
    if (!m) continue;
    const behind = (q, rate, delivered) => (q === 'p99_ms' && delivered < 0.95 * rate ? `${Math.round(delivered).toLocaleString('en-US')}/s delivered` : '');
    for (const [q, dash] of [
      ['p50_ms', '5,4'],
      ['p99_ms', null],
    ]) {
      const points = Object.keys(m)
        .filter((f) => f.startsWith(`${q}@`) && typeof m[f] === 'number')
        .map((f) => {
          const rate = Number(f.split('@')[1]);
          return [rate, m[f], behind(q, rate, m[`delivered_per_s@${rate}`])];
        });
      if (typeof m.offered_per_s === 'number' && typeof m[q] === 'number') points.push([m.offered_per_s, m[q], behind(q, m.offered_per_s, m.delivered_per_s)]);
      if (points.length > 1) series.push({ name: `${name} ${q.replace('_ms', '')}`, color: COLORS[name], dash, points });
    }
  }
  return series;
}
