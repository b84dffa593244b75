/**
 * The HTML report of `simulate --report` and `bench:scaling`: per scenario, the runs' comparison table
 * (with ratios to a baseline run) and charts drawn with Apache ECharts' server-side SVG renderer. The
 * page is static: no script, no stylesheet or font to fetch, so it opens with no network.
 */
import * as echarts from 'echarts';
import pkg from '../../package.json' with { type: 'json' };
import type { SeriesPoint, SimulationMetrics } from './run.js';
import type { Scenario } from './scenario.js';

type Setting = string | number | boolean;

/** What the report draws of one run: structurally a SimulationResult (label, settings, markers optional). */
export interface ReportRun {
  controller: string;
  /** Legend name, e.g. "ecs-pilot own +consolidation"; the controller's name when absent. */
  label?: string;
  /** The run's metrics (src/sim/run.ts); the report draws those it has a row for. */
  metrics: Omit<SimulationMetrics, 'tasksNeverPlaced' | 'missingTaskSeconds' | 'provisioningSeen' | 'controllerErrors'> & Partial<Pick<SimulationMetrics, 'controllerErrors'>>;
  series: SeriesPoint[];
  settings?: Record<string, Setting>;
  markers?: Array<{ minute: number; label: string }>;
}

export interface ReportSection {
  scenario: string;
  description: string;
  results: ReportRun[];
  /** Events of the scenario drawn as vertical lines (bursts, spot waves), besides the runs' own. */
  markers?: Array<{ minute: number; label: string }>;
}

/** About the whole run: the tool's version (default: package.json's) and the settings it ran with (shown under the title). */
export interface ReportInfo {
  version?: string;
  settings?: Record<string, Setting>;
}

const esc = (s: string): string => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);

export const legendName = (r: ReportRun): string => r.label ?? r.controller;

/** Distinct colours and dash patterns, so a line drawn over another still shows (colour-blind safe palette). */
const COLORS = ['#0072b2', '#009e73', '#d55e00', '#cc79a7', '#e69f00', '#56b4e9'];
const DASHES: Array<'solid' | 'dashed' | 'dotted'> = ['solid', 'dashed', 'dotted'];

/** The scenario's timeline as chart markers: bursts of RunTask, spot waves, service scaling. */
export function timelineMarkers(scenario: Pick<Scenario, 'timeline'>): Array<{ minute: number; label: string }> {
  const byMinute = new Map<number, string[]>();
  for (const step of scenario.timeline) {
    const minute = Math.round((step.at / 60) * 10) / 10;
    let label: string;
    if ('runTasks' in step) label = `RunTask × ${step.runTasks.count}`;
    else if ('spotInterruption' in step) label = `spot wave: ${Math.round(step.spotInterruption.fraction * 100)} % of ${step.spotInterruption.group}`;
    else label = 'services scaled';
    const labels = byMinute.get(minute) ?? [];
    if (!labels.includes(label)) labels.push(label);
    byMinute.set(minute, labels);
  }
  return [...byMinute].map(([minute, labels]) => ({ minute, label: labels.join(', ') }));
}

function markersOf(section: ReportSection): Array<{ minute: number; label: string }> {
  const all = [...(section.markers ?? []), ...section.results.flatMap((r) => r.markers ?? [])];
  const seen = new Set<string>();
  return all.filter((m) => {
    const key = `${m.minute}|${m.label}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** One line chart as static SVG; it scales to the page's width (viewBox kept). */
function lineChart(opts: { title: string; yName: string; runs: ReportRun[]; value: (p: ReportRun['series'][number]) => number; demand?: boolean; markers: Array<{ minute: number; label: string }> }): string {
  const width = 900;
  const height = 380;
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  const maxMinute = Math.max(1, ...opts.runs.flatMap((r) => r.series.map((p) => p.minute)));
  const series: echarts.SeriesOption[] = opts.runs.map((r, k) => ({
    name: legendName(r),
    type: 'line',
    showSymbol: false,
    // Wider lines first: one drawn on top of another leaves the lower one visible at its edges.
    lineStyle: { width: Math.max(1.5, 4.5 - k * 1.2), type: DASHES[k % DASHES.length], color: COLORS[k % COLORS.length] },
    itemStyle: { color: COLORS[k % COLORS.length] },
    z: 2 + k,
    data: r.series.map((p) => [p.minute, opts.value(p)]),
  }));
  const first = opts.runs[0];
  if (opts.demand && first) {
    series.push({ name: 'demand (tasks asked for)', type: 'line', showSymbol: false, lineStyle: { width: 1.5, type: 'dashed', color: '#555' }, itemStyle: { color: '#555' }, z: 1, areaStyle: { color: 'rgba(120,120,120,0.12)' }, data: first.series.map((p) => [p.minute, p.demandVcpu]) });
  }
  if (opts.markers.length > 0 && series[0]) {
    (series[0] as echarts.LineSeriesOption).markLine = {
      symbol: 'none',
      silent: true,
      lineStyle: { color: '#999', type: 'dashed', width: 1 },
      label: { formatter: '{b}', position: 'insideEndTop', color: '#333', fontSize: 11 },
      data: opts.markers.map((m) => ({ xAxis: m.minute, name: m.label })),
    };
  }
  chart.setOption({
    animation: false,
    title: { text: opts.title, left: 'center', top: 4, textStyle: { fontSize: 14 } },
    legend: { top: 36, type: 'plain', itemGap: 24 },
    grid: { left: 70, right: 30, top: 84, bottom: 60 },
    xAxis: { type: 'value', name: 'minutes since the start', nameLocation: 'middle', nameGap: 32, min: 0, max: maxMinute, axisTick: { show: true }, axisLabel: { formatter: '{value} min' } },
    yAxis: { type: 'value', name: opts.yName, nameLocation: 'middle', nameGap: 50, min: 0, axisTick: { show: true }, axisLine: { show: true } },
    series,
  });
  const svg = chart.renderToSVGString();
  chart.dispose();
  return svg.replace(`width="${width}" height="${height}"`, `width="100%" role="img" aria-label="${esc(opts.title)}"`);
}

/** `lowerIsBetter` undefined: a count that describes the run, coloured neither way. */
type Metric = [name: string, unit: string, value: (r: ReportRun) => number, decimals: number, lowerIsBetter: boolean | undefined];

const METRICS: Metric[] = [
  ['tasks asked for', 'tasks', (r) => r.metrics.tasksSubmitted, 0, undefined],
  ['tasks running at the end', 'tasks', (r) => r.metrics.tasksRunning, 0, undefined],
  ['submission → RUNNING p50', 's', (r) => r.metrics.latencyP50, 0, true],
  ['submission → RUNNING p95', 's', (r) => r.metrics.latencyP95, 0, true],
  ['submission → RUNNING max', 's', (r) => r.metrics.latencyMax, 0, true],
  ['last task RUNNING, after the first submission', 's', (r) => r.metrics.allPlacedSeconds, 0, true],
  ['instance-hours', 'h', (r) => r.metrics.instanceHours, 2, true],
  ['cost', '$', (r) => r.metrics.cost, 2, true],
  ['scaling actions', 'calls', (r) => r.metrics.scalingActions, 0, true],
  ['tasks moved by drains', 'tasks', (r) => r.metrics.tasksMoved, 0, true],
  ['tasks interrupted by spot', 'tasks', (r) => r.metrics.interruptedTasks, 0, true],
  ['tasks lost', 'tasks', (r) => r.metrics.lostTasks, 0, true],
  ['tasks killed by scale-in', 'tasks', (r) => r.metrics.killedByScaleIn, 0, true],
];

/**
 * `a` relative to the baseline `b`: `×0.12` (two significant digits below 1, never rounded to ×0.00),
 * `=` when equal, `none` when a is 0, `n/a` when only the baseline is 0.
 */
export function ratio(a: number, b: number): string {
  if (a === b) return '=';
  if (b === 0) return 'n/a';
  if (a === 0) return 'none';
  const r = a / b;
  return `×${r >= 1 ? r.toFixed(2) : r.toPrecision(2)}`;
}

/** The baseline of the ratios: the ECS managed scaling run when there is one, else the first. */
function baselineOf(results: ReportRun[]): ReportRun | undefined {
  return results.find((r) => r.controller === 'ecs-managed') ?? results[0];
}

function comparisonTable(results: ReportRun[]): string {
  const base = baselineOf(results);
  const others = results.length > 1 && base ? results.filter((r) => r !== base) : [];
  const head = `<tr><th>metric</th><th>unit</th>${results.map((r) => `<th>${esc(legendName(r))}</th>`).join('')}${others.map((r) => `<th>${esc(legendName(r))} / ${esc(legendName(base as ReportRun))}</th>`).join('')}</tr>`;
  const rows = METRICS.map(([name, unit, f, decimals, lowerIsBetter]) => {
    const cells = results.map((r) => `<td>${f(r).toFixed(decimals)}</td>`).join('');
    const ratios = others
      .map((r) => {
        const a = f(r);
        const b = f(base as ReportRun);
        const better = lowerIsBetter ? a < b : a > b;
        const tone = a === b || b === 0 || lowerIsBetter === undefined ? '' : better ? ' class="better"' : ' class="worse"';
        return `<td${tone}>${ratio(a, b)}</td>`;
      })
      .join('');
    return `<tr><td>${esc(name)}</td><td>${esc(unit)}</td>${cells}${ratios}</tr>`;
  });
  return `<table>${head}\n${rows.join('\n')}</table>`;
}

function settingsList(settings: Record<string, Setting>): string {
  const entries = Object.entries(settings);
  if (entries.length === 0) return '';
  return `<dl>${entries.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(String(v))}</dd>`).join('')}</dl>`;
}

function section(s: ReportSection): string {
  const markers = markersOf(s);
  const names = s.results.map(legendName);
  const intro =
    s.results.length === 1
      ? `<p>One run, under ${esc(names[0] ?? '')}. Run the other controllers (or <code>npm run bench:scaling</code>) to compare.</p>`
      : `<p>${s.results.length} runs on the same scenario: ${names.map(esc).join(', ')}. Ratios are each run over ${esc(legendName(baselineOf(s.results) as ReportRun))}: green better, red worse.</p>`;
  const runSettings = s.results
    .filter((r) => r.settings && Object.keys(r.settings).length > 0)
    .map((r) => `<h4>${esc(legendName(r))}</h4>${settingsList(r.settings ?? {})}`)
    .join('');
  return [
    `<section><h2>${esc(s.scenario)}</h2>`,
    s.description ? `<p>${esc(s.description)}</p>` : '',
    intro,
    comparisonTable(s.results),
    `<figure>${lineChart({ title: `${s.scenario}: registered capacity of ACTIVE instances and demand`, yName: 'vCPU', runs: s.results, value: (p) => p.capacityVcpu, demand: true, markers })}</figure>`,
    `<figure>${lineChart({ title: `${s.scenario}: instances (launching, running or draining)`, yName: 'instances', runs: s.results, value: (p) => p.instances, markers })}</figure>`,
    markers.length > 0 ? `<p class="note">Dashed vertical lines: ${markers.map((m) => `${m.minute} min ${esc(m.label)}`).join('; ')}.</p>` : '',
    runSettings ? `<details open><summary>Settings of each run</summary>${runSettings}</details>` : '',
    '</section>',
  ].join('\n');
}

/** The whole page. `htmlReport(title, sections)` as before; `info` adds the version and run settings. */
export function htmlReport(title: string, byScenario: ReportSection[], info: ReportInfo = {}): string {
  const about = `ecs-pilot ${esc(info.version ?? pkg.version)}, simulated with the scenario simulator (docs/simulation.md)`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(title)}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:1em 0;font-variant-numeric:tabular-nums}
td,th{border:1px solid #ccc;padding:4px 10px;text-align:right}td:first-child,td:nth-child(2){text-align:left}
td.better{color:#006d2c}td.worse{color:#a50f15}
figure{margin:1em 0}section{margin-bottom:3em}.note{color:#555;font-size:.9em}
dl{display:grid;grid-template-columns:max-content auto;gap:2px 1em}dt{font-family:monospace}dd{margin:0}
</style>
</head><body><h1>${esc(title)}</h1>
<p>${about}.</p>
${info.settings && Object.keys(info.settings).length > 0 ? `<details open><summary>Settings of this run</summary>${settingsList(info.settings)}</details>` : ''}
${byScenario.map(section).join('\n')}
</body></html>
`;
}
