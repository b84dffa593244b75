/**
 * The HTML report of `simulate --report` and `bench:scaling`: per scenario, the runs' comparison table
 * (with ratios to a baseline run) and charts drawn with Apache ECharts' server-side SVG renderer. The
 * page is static: no script, no stylesheet or font to fetch, so it opens with no network.
 */
import * as echarts from 'echarts';
import pkg from '../../package.json' with { type: 'json' };
import type { Snapshot } from '../core/model.js';
import { groupMarkers, type Marker, type MarkerGroup, scenarioMarkers } from './markers.js';
import type { SeriesPoint, SimulationMetrics } from './run.js';
import type { Scenario } from './scenario.js';

type Setting = string | number | boolean;

/** What the report draws of one run: structurally a SimulationResult (label, settings, markers optional). */
export interface ReportRun {
  controller: string;
  /** Legend name, e.g. "ecs-pilot own +consolidation"; the controller's name when absent. */
  label?: string;
  /** The run the others are compared with (ratios); else the first ECS managed run, else the first. */
  baseline?: boolean;
  /** The run's metrics (src/sim/run.ts); the report draws those it has a row for. */
  metrics: Omit<SimulationMetrics, 'provisioningSeen' | 'controllerErrors'> & Partial<Pick<SimulationMetrics, 'controllerErrors'>>;
  series: SeriesPoint[];
  settings?: Record<string, Setting>;
  markers?: Marker[];
}

export interface ReportSection {
  scenario: string;
  description: string;
  results: ReportRun[];
  /** Events of the scenario drawn as vertical lines (bursts, spot waves), besides the runs' own. */
  markers?: Marker[];
  /** Said under the intro, e.g. what the baseline run is. */
  notes?: string[];
  /**
   * The same runs again under another condition (bench:scaling: with the state store), neither drawn
   * nor given columns of their own: the report names only the figures that differ.
   */
  again?: { condition: string; runs: Array<{ of: ReportRun; run: ReportRun }> };
}

/** About the whole run: the tool's version (default: package.json's) and the settings it ran with (shown under the title). */
export interface ReportInfo {
  version?: string;
  settings?: Record<string, Setting>;
}

const esc = (s: string): string => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);

export const legendName = (r: ReportRun): string => r.label ?? r.controller;

/** Distinct colours and dash patterns, so a line drawn over another still shows (Okabe–Ito, colour-blind safe). */
const COLORS = ['#0072b2', '#009e73', '#d55e00', '#cc79a7', '#e69f00', '#56b4e9', '#000000', '#999999'];
const DASHES: Array<'solid' | 'dashed' | 'dotted'> = ['solid', 'dashed', 'dotted'];

/** The name of the demand line: what the scenario asks for, not what ECS has created. */
export const DEMAND_NAME = 'asked for (desired tasks)';

/** The scenario's markers (src/sim/markers.ts): bursts, RunTask calls, spot waves, shortages. */
export function timelineMarkers(scenario: Pick<Scenario, 'timeline' | 'services'>, snapshot: Snapshot): Marker[] {
  return scenarioMarkers(scenario, snapshot);
}

/** The section's markers and its runs', grouped so that no two labels share a place on the axis (1/50 of it). */
export function markerGroups(section: Pick<ReportSection, 'markers' | 'results'>): MarkerGroup[] {
  const all = [...(section.markers ?? []), ...section.results.flatMap((r) => r.markers ?? [])];
  return groupMarkers(all, maxMinuteOf(section.results) / 50);
}

const maxMinuteOf = (runs: ReportRun[]): number => Math.max(1, ...runs.flatMap((r) => r.series.map((p) => p.minute)));

/** Ticks that end on the last minute (no "80 min" crowding "90 min"), at most 10 of them. */
export function minuteInterval(maxMinute: number): number {
  const nice = [1, 2, 5, 10, 15, 20, 30, 60, 120, 180, 240, 360, 720];
  return nice.find((n) => maxMinute / n <= 10 && maxMinute % n === 0) ?? nice.find((n) => maxMinute / n <= 10) ?? Math.ceil(maxMinute / 10);
}

const minutes = (g: MarkerGroup): string => (g.lastMinute === g.minute ? `${g.minute} min` : `${g.minute}–${g.lastMinute} min`);

/** Pixels of a legend line of `chars` characters at 12 px (ECharts' default font), with its symbol. */
const legendWidth = (chars: number): number => Math.ceil(chars * 6.8) + 40;

/**
 * One line chart as static SVG; it scales to the page's width (viewBox kept). The legend stands right of
 * the plot, so it never covers a line; markers are numbered at the top of their line and listed under
 * the charts.
 */
function lineChart(opts: { title: string; yName: string; runs: ReportRun[]; value: (p: SeriesPoint) => number; demand?: boolean; markers: MarkerGroup[] }): string {
  const width = 1000;
  const names = [...opts.runs.map(legendName), ...(opts.demand ? [DEMAND_NAME] : [])];
  // The same room for the legend on every chart of a section (the demand's name included), so their x axes line up.
  const legend = legendWidth(Math.max(DEMAND_NAME.length, ...names.map((n) => n.length)));
  const height = Math.max(380, 110 + names.length * 24);
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  const series: echarts.SeriesOption[] = opts.runs.map((r, k) => ({
    name: legendName(r),
    type: 'line',
    showSymbol: false,
    // Wider lines first: one drawn on top of another leaves the lower one visible at its edges.
    lineStyle: { width: Math.max(1.5, 4.5 - k * 0.6), type: DASHES[k % DASHES.length], color: COLORS[k % COLORS.length] },
    itemStyle: { color: COLORS[k % COLORS.length] },
    z: 2 + k,
    data: r.series.map((p) => [p.minute, opts.value(p)]),
  }));
  const first = opts.runs[0];
  if (opts.demand && first) {
    series.push({ name: DEMAND_NAME, type: 'line', showSymbol: false, step: 'end', lineStyle: { width: 1.5, type: 'dashed', color: '#555' }, itemStyle: { color: '#555' }, z: 1, areaStyle: { color: 'rgba(120,120,120,0.12)' }, data: first.series.map((p) => [p.minute, p.askedVcpu]) });
  }
  if (opts.markers.length > 0 && series[0]) {
    (series[0] as echarts.LineSeriesOption).markLine = {
      symbol: 'none',
      silent: true,
      lineStyle: { color: '#999', type: 'dashed', width: 1 },
      label: { formatter: '{b}', position: 'end', color: '#222', fontSize: 11, backgroundColor: '#fff', borderColor: '#999', borderWidth: 1, borderRadius: 3, padding: [1, 4] },
      data: opts.markers.map((m, i) => ({ xAxis: m.minute, name: String(i + 1) })),
    };
  }
  chart.setOption({
    animation: false,
    title: { text: opts.title, left: 'center', top: 4, textStyle: { fontSize: 14 } },
    legend: { orient: 'vertical', left: width - legend, top: 60, type: 'plain', itemGap: 10, textStyle: { fontSize: 12 } },
    grid: { left: 70, right: legend + 20, top: 60, bottom: 60 },
    xAxis: { type: 'value', name: 'minutes since the start', nameLocation: 'middle', nameGap: 32, min: 0, max: maxMinuteOf(opts.runs), interval: minuteInterval(maxMinuteOf(opts.runs)), axisTick: { show: true }, axisLabel: { formatter: '{value} min' } },
    yAxis: { type: 'value', name: opts.yName, nameLocation: 'middle', nameGap: 50, min: 0, axisTick: { show: true }, axisLine: { show: true } },
    series,
  });
  const svg = chart.renderToSVGString();
  chart.dispose();
  return svg.replace(`width="${width}" height="${height}"`, `width="100%" role="img" aria-label="${esc(opts.title)}"`);
}

/**
 * One row of the table. `value` undefined: not known for this run (`text` says why). `lowerIsBetter`
 * undefined: a count that describes the run, coloured neither way.
 */
interface Metric {
  name: string;
  unit: string;
  value: (r: ReportRun) => number | undefined;
  text?: (r: ReportRun) => string;
  decimals: number;
  lowerIsBetter: boolean | undefined;
}

const metric = (name: string, unit: string, value: Metric['value'], decimals: number, lowerIsBetter: boolean | undefined, text?: Metric['text']): Metric => ({ name, unit, value, decimals, lowerIsBetter, ...(text ? { text } : {}) });

/** The cost is known only where the snapshot prices every instance type the run launched. */
function costText(r: ReportRun): string {
  const { cost, unpricedInstanceHours } = r.metrics;
  if (unpricedInstanceHours <= 0) return cost.toFixed(2);
  return cost === 0 ? 'n/a (no prices)' : `${cost.toFixed(2)} + ${unpricedInstanceHours.toFixed(2)} h with no price`;
}

export const METRICS: Metric[] = [
  metric('tasks asked for during the run (scale-ups, RunTask, restarts of lost tasks)', 'tasks', (r) => r.metrics.tasksSubmitted, 0, undefined),
  metric('… of which reached RUNNING', 'tasks', (r) => r.metrics.tasksRunning, 0, undefined),
  metric('tasks never placed (wanted at the end, never RUNNING)', 'tasks', (r) => r.metrics.tasksNeverPlaced, 0, true),
  metric('tasks running at the end', 'tasks', (r) => r.metrics.tasksRunningAtEnd, 0, undefined),
  metric('missing task-seconds (wanted, not running)', 'task-s', (r) => r.metrics.missingTaskSeconds, 0, true),
  metric('submission → RUNNING p50', 's', (r) => r.metrics.latencyP50, 0, true),
  metric('submission → RUNNING p95', 's', (r) => r.metrics.latencyP95, 0, true),
  metric('submission → RUNNING max', 's', (r) => r.metrics.latencyMax, 0, true),
  metric('last task RUNNING, after the first submission', 's', (r) => r.metrics.allPlacedSeconds, 0, true),
  metric('instance-hours', 'h', (r) => r.metrics.instanceHours, 2, true),
  metric('cost', '$', (r) => (r.metrics.unpricedInstanceHours > 0 ? undefined : r.metrics.cost), 2, true, costText),
  metric('scaling actions', 'calls', (r) => r.metrics.scalingActions, 0, true),
  metric('tasks moved by drains', 'tasks', (r) => r.metrics.tasksMoved, 0, true),
  metric('tasks interrupted by spot', 'tasks', (r) => r.metrics.interruptedTasks, 0, true),
  metric('tasks lost', 'tasks', (r) => r.metrics.lostTasks, 0, true),
  metric('tasks killed by scale-in', 'tasks', (r) => r.metrics.killedByScaleIn, 0, true),
];

const cellText = (m: Metric, r: ReportRun): string => {
  const v = m.value(r);
  return m.text ? m.text(r) : v === undefined ? 'n/a' : v.toFixed(m.decimals);
};

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

/** The baseline of the ratios: the run marked so, else the ECS managed scaling run when there is one, else the first. */
export function baselineOf(results: ReportRun[]): ReportRun | undefined {
  return results.find((r) => r.baseline) ?? results.find((r) => r.controller === 'ecs-managed') ?? results[0];
}

/** One column per run; each figure followed by its ratio to the baseline's (green better, red worse). */
function comparisonTable(results: ReportRun[]): string {
  const base = results.length > 1 ? baselineOf(results) : undefined;
  const head = `<tr><th>metric</th><th>unit</th>${results.map((r) => `<th>${esc(legendName(r))}${r === base ? '<br><span class="base">baseline</span>' : ''}</th>`).join('')}</tr>`;
  const rows = METRICS.map((m) => {
    const cells = results.map((r) => {
      const a = m.value(r);
      const b = base ? m.value(base) : undefined;
      // A count that describes the run (no better or worse) gets no ratio.
      if (!base || r === base || m.lowerIsBetter === undefined) return `<td>${esc(cellText(m, r))}</td>`;
      if (a === undefined || b === undefined) return `<td>${esc(cellText(m, r))} <span class="ratio">n/a</span></td>`;
      const better = m.lowerIsBetter ? a < b : a > b;
      const tone = a === b || b === 0 ? '' : better ? ' better' : ' worse';
      return `<td>${esc(cellText(m, r))} <span class="ratio${tone}">${ratio(a, b)}</span></td>`;
    });
    return `<tr><td>${esc(m.name)}</td><td>${esc(m.unit)}</td>${cells.join('')}</tr>`;
  });
  return `<table>${head}\n${rows.join('\n')}</table>`;
}

/** The same runs under another condition: only the figures that differ, each with the run's own in brackets. */
function againList(again: NonNullable<ReportSection['again']>): string {
  const items = again.runs.map(({ of, run }) => {
    const diff = METRICS.filter((m) => cellText(m, run) !== cellText(m, of)).map((m) => `${m.name} ${cellText(m, run)} (${cellText(m, of)})`);
    return `<li>${esc(legendName(of))}: ${diff.length === 0 ? 'the same figures' : esc(diff.join('; '))}</li>`;
  });
  return `<p>${esc(again.condition)} — each run again, the figures that differ (without it in brackets):</p><ul>${items.join('')}</ul>`;
}

function settingsList(settings: Record<string, Setting>): string {
  const entries = Object.entries(settings);
  if (entries.length === 0) return '';
  return `<dl>${entries.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(String(v))}</dd>`).join('')}</dl>`;
}

function section(s: ReportSection): string {
  const groups = markerGroups(s);
  const names = s.results.map(legendName);
  const intro =
    s.results.length === 1
      ? `<p>One run, under ${esc(names[0] ?? '')}. Run the other controllers (or <code>npm run bench:scaling</code>) to compare.</p>`
      : `<p>${s.results.length} runs on the same scenario: ${names.map(esc).join(', ')}. After each figure, its ratio to ${esc(legendName(baselineOf(s.results) as ReportRun))} (the baseline): green better, red worse.</p>`;
  const runSettings = s.results
    .filter((r) => r.settings && Object.keys(r.settings).length > 0)
    .map((r) => `<h4>${esc(legendName(r))}</h4>${settingsList(r.settings ?? {})}`)
    .join('');
  const key = groups.map((g, i) => `<li><span class="mk">${i + 1}</span> ${minutes(g)}: ${esc(g.labels.join(', '))}</li>`).join('');
  return [
    `<section><h2>${esc(s.scenario)}</h2>`,
    s.description ? `<p>${esc(s.description)}</p>` : '',
    intro,
    ...(s.notes ?? []).map((n) => `<p class="note">${esc(n)}</p>`),
    comparisonTable(s.results),
    s.again ? againList(s.again) : '',
    `<figure>${lineChart({ title: `${s.scenario}: vCPU registered by ACTIVE instances, and vCPU of the tasks asked for`, yName: 'vCPU', runs: s.results, value: (p) => p.capacityVcpu, demand: true, markers: groups })}</figure>`,
    `<figure>${lineChart({ title: `${s.scenario}: instances (launching, running or draining)`, yName: 'instances', runs: s.results, value: (p) => p.instances, markers: groups })}</figure>`,
    groups.length > 0 ? `<div class="note">Numbered dashed lines:<ul class="markers">${key}</ul></div>` : '',
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
td,th{border:1px solid #ccc;padding:4px 10px;text-align:right}th:first-child{text-align:left}td:first-child,td:nth-child(2){text-align:left}
td{white-space:nowrap}td:first-child{white-space:normal}.ratio{font-size:.85em;color:#555}.ratio.better{color:#006d2c}.ratio.worse{color:#a50f15}.base{font-weight:normal;font-size:.85em;color:#555}
ul.markers{list-style:none;padding-left:0}.mk{display:inline-block;min-width:1.2em;text-align:center;border:1px solid #999;border-radius:3px;font-size:.85em;margin-right:.3em}
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
