/** The HTML report of `simulate --report` and `bench:scaling`: a table and a chart per scenario, no dependencies. */
import type { SimulationResult } from './run.js';

const esc = (s: string): string => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);

/** Capacity (vCPU) of each controller and the demand over time, as an inline SVG line chart. */
function chart(results: SimulationResult[]): string {
  const w = 760;
  const h = 260;
  const pad = 40;
  const maxMinute = Math.max(1, ...results.flatMap((r) => r.series.map((p) => p.minute)));
  const maxY = Math.max(1, ...results.flatMap((r) => r.series.flatMap((p) => [p.capacityVcpu, p.demandVcpu])));
  const x = (m: number): number => pad + ((w - 2 * pad) * m) / maxMinute;
  const y = (v: number): number => h - pad - ((h - 2 * pad) * v) / maxY;
  const line = (pts: Array<[number, number]>, color: string, dash = ''): string =>
    `<polyline fill="none" stroke="${color}" stroke-width="2" ${dash ? `stroke-dasharray="${dash}"` : ''} points="${pts.map(([a, b]) => `${x(a).toFixed(1)},${y(b).toFixed(1)}`).join(' ')}"/>`;
  const colors: Record<string, string> = { 'ecs-pilot': '#1f77b4', 'ecs-pilot+consolidation': '#2ca02c', 'ecs-managed': '#d62728' };
  const demand = results[0]?.series.map((p) => [p.minute, p.demandVcpu] as [number, number]) ?? [];
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" role="img">`,
    `<line x1="${pad}" y1="${h - pad}" x2="${w - pad}" y2="${h - pad}" stroke="#999"/><line x1="${pad}" y1="${pad}" x2="${pad}" y2="${h - pad}" stroke="#999"/>`,
    `<text x="${w / 2}" y="${h - 8}" text-anchor="middle" font-size="12">minutes</text>`,
    `<text x="12" y="${h / 2}" font-size="12" transform="rotate(-90 12 ${h / 2})" text-anchor="middle">vCPU</text>`,
    `<text x="${pad - 4}" y="${y(maxY) + 4}" text-anchor="end" font-size="11">${Math.round(maxY)}</text>`,
    `<text x="${w - pad}" y="${h - pad + 14}" text-anchor="end" font-size="11">${maxMinute}</text>`,
    line(demand, '#555', '4 3'),
    ...results.map((r) => line(r.series.map((p) => [p.minute, p.capacityVcpu]), colors[r.controller] ?? '#2ca02c')),
    `<text x="${w - pad}" y="${pad - 8}" text-anchor="end" font-size="12">${results.map((r) => `<tspan fill="${colors[r.controller] ?? '#2ca02c'}">${esc(r.controller)}</tspan>`).join('  ')}  <tspan fill="#555">demand (dashed)</tspan></text>`,
    '</svg>',
  ];
  return parts.join('\n');
}

const COLUMNS: Array<[string, (r: SimulationResult) => string]> = [
  ['tasks running / asked', (r) => `${r.metrics.tasksRunning} / ${r.metrics.tasksSubmitted}`],
  ['to RUNNING p50 / p95 / max (s)', (r) => `${r.metrics.latencyP50} / ${r.metrics.latencyP95} / ${r.metrics.latencyMax}`],
  ['all placed after (s)', (r) => String(r.metrics.allPlacedSeconds)],
  ['instance-hours', (r) => r.metrics.instanceHours.toFixed(2)],
  ['cost ($)', (r) => r.metrics.cost.toFixed(2)],
  ['scaling actions', (r) => String(r.metrics.scalingActions)],
  ['tasks interrupted by spot', (r) => String(r.metrics.interruptedTasks)],
  ['tasks moved (drains)', (r) => String(r.metrics.tasksMoved)],
  ['tasks lost', (r) => String(r.metrics.lostTasks)],
  ['killed by scale-in', (r) => String(r.metrics.killedByScaleIn)],
];

export function htmlReport(title: string, byScenario: Array<{ scenario: string; description: string; results: SimulationResult[] }>): string {
  const sections = byScenario.map(({ scenario, description, results }) => {
    const head = `<tr><th></th>${results.map((r) => `<th>${esc(r.controller)}</th>`).join('')}</tr>`;
    const rows = COLUMNS.map(([name, f]) => `<tr><td>${esc(name)}</td>${results.map((r) => `<td>${esc(f(r))}</td>`).join('')}</tr>`).join('\n');
    return `<section><h2>${esc(scenario)}</h2><p>${esc(description)}</p><table>${head}\n${rows}</table>\n${chart(results)}</section>`;
  });
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:860px;margin:2em auto;color:#222}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 10px;text-align:right}td:first-child{text-align:left}section{margin-bottom:3em}</style>
</head><body><h1>${esc(title)}</h1>
<p>Simulated with <code>ecs-pilot simulate</code> (docs/simulation.md): the same scenario under ecs-pilot (its real handlers) and under a model of ECS managed scaling.</p>
${sections.join('\n')}
</body></html>
`;
}
