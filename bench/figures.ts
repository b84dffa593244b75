/**
 * The figures the docs quote, and how they get there. Each bench writes its key figures to
 * `docs/figures/<bench>.json` (only on a full run, with the command that produced them); the docs quote
 * them in two ways, both rewritten by `npm run docs:figures` and checked by test/docs/figures.test.ts:
 *
 * - inline: a number followed by its key, `costs 31<!--fig api-calls:burst.batched--> AWS calls`;
 * - a table between `<!--figures scaling-->` and `<!--/figures-->`, rendered by `TABLES` below.
 *
 * So a figure in the docs is either the bench's own output or the test fails.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export type Figures = Record<string, number>;
export interface FiguresFile {
  command: string;
  figures: Figures;
}

export const FIGURES_DIR = 'docs/figures';

/** Writes a bench's figures (keys sorted, so a re-run diffs only where a figure moved). */
export function writeFigures(bench: string, command: string, figures: Figures): void {
  mkdirSync(FIGURES_DIR, { recursive: true });
  const sorted = Object.fromEntries(Object.entries(figures).sort(([a], [b]) => a.localeCompare(b)));
  writeFileSync(join(FIGURES_DIR, `${bench}.json`), `${JSON.stringify({ command, figures: sorted }, null, 2)}\n`);
  console.log(`figures: ${join(FIGURES_DIR, `${bench}.json`)}`);
}

/** Nested objects of numbers as flat `a.b.c` keys (non-numbers are dropped). */
export function flatten(prefix: string, value: unknown, into: Figures = {}): Figures {
  if (typeof value === 'number') into[prefix] = value;
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) flatten(prefix ? `${prefix}.${k}` : k, v, into);
  return into;
}

export function readFigures(dir = FIGURES_DIR): Record<string, FiguresFile> {
  return Object.fromEntries(
    readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => [f.replace(/\.json$/, ''), JSON.parse(readFileSync(join(dir, f), 'utf8')) as FiguresFile]),
  );
}

/** As the docs write numbers: thousands grouped by a space, decimals as the key's precision asks. */
export function formatFigure(value: number, decimals?: number): string {
  const fixed = decimals === undefined ? String(value) : value.toFixed(decimals);
  const [int = '', frac] = fixed.split('.');
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
  return frac === undefined ? grouped : `${grouped}.${frac}`;
}

type Lookup = (key: string) => number;

/** `bench:key` → its value; an unknown key throws, naming it. */
function lookupIn(files: Record<string, FiguresFile>): Lookup {
  return (ref) => {
    const [bench = '', key = ''] = ref.split(':');
    const value = files[bench]?.figures[key];
    if (value === undefined) throw new Error(`no figure ${ref} in ${FIGURES_DIR}/${bench}.json`);
    return value;
  };
}

// A quoted number (grouped thousands, optional decimals) right before its marker; `/n` in the key
// gives the decimals shown (`…instanceHours/2`), otherwise the value is shown as stored.
const INLINE = /-?\d{1,3}(?: \d{3})*(?:\.\d+)?(<!--fig ([\w-]+:[\w.+-]+)(?:\/(\d))?-->)/g;
const BLOCK = /(<!--figures ([\w-]+)-->\n)[\s\S]*?(<!--\/figures-->)/g;

/** A page with every quoted figure and generated table rewritten from the figures files. */
export function renderPage(text: string, files: Record<string, FiguresFile>): string {
  const fig = lookupIn(files);
  // A marker with no number right before it would be skipped silently: name it instead.
  const orphans = [...text.matchAll(/(.{0,20})<!--fig ([^>]*)-->/g)].filter((m) => !/-?\d{1,3}(?: \d{3})*(?:\.\d+)?$/.test(m[1] ?? '')).map((m) => m[2]);
  if (orphans.length > 0) throw new Error(`no number right before <!--fig ${orphans.join('-->, <!--fig ')}-->`);
  return text
    .replace(INLINE, (_m, marker: string, ref: string, decimals?: string) => `${formatFigure(fig(ref), decimals === undefined ? undefined : Number(decimals))}${marker}`)
    .replace(BLOCK, (_m, open: string, table: string, close: string) => {
      const render = TABLES[table];
      if (!render) throw new Error(`no table renderer "${table}" in bench/figures.ts`);
      return `${open}${render(fig)}\n${close}`;
    });
}

/** The pages that quote figures: README.md and docs/*.md. */
export function quotingPages(): string[] {
  return ['README.md', ...readdirSync('docs').filter((f) => f.endsWith('.md')).map((f) => join('docs', f))];
}

const row = (cells: string[]): string => `| ${cells.join(' | ')} |`;
const n = (v: number, d?: number): string => formatFigure(v, d);

/** bench:scaling's comparison (simulation.md): all placed / instance-hours, or one figure per row. */
function scalingTable(fig: Lookup): string {
  const variants = ['own', 'own-cons', 'accelerate', 'accelerate-cons', 'ecs-defaults', 'ecs-tuned'];
  const at = (scenario: string, v: string, m: string): number => fig(`scaling:${scenario}.${v}.${m}`);
  const lines = [row(['scenario', 'own', 'own +cons.', 'accelerate', 'accel. +cons.', 'ECS defaults', 'ECS tuned']), row(Array(7).fill('---'))];
  const placedAndHours = (label: string, s: string) => lines.push(row([label, ...variants.map((v) => `${n(at(s, v, 'allPlacedSeconds'))} / ${n(at(s, v, 'instanceHours'), 1)}`)]));
  const one = (label: string, s: string, m: string, d?: number) => lines.push(row([label, ...variants.map((v) => n(at(s, v, m), d))]));
  const interrupted = (label: string, s: string) => lines.push(row([label, ...variants.map((v) => `${n(at(s, v, 'interruptedTasks'))} / ${n(at(s, v, 'missingTaskSeconds'))}`)]));
  placedAndHours('burst (300 tasks, 3 services)', 'burst');
  placedAndHours('burst-2000 (4 services)', 'burst-2000');
  placedAndHours('nightly batch (200 RunTask)', 'nightly-batch');
  placedAndHours('spread-distinct (39 tasks)', 'spread-distinct');
  one(`diurnal (instance-hours; floor ${n(fig('scaling:diurnal.floor.instanceHours'), 1)})`, 'diurnal', 'instanceHours', 1);
  one('rolling deployment (instance-hours)', 'rolling-deployment', 'instanceHours', 1);
  one('trickle (instance-hours)', 'trickle', 'instanceHours', 2);
  interrupted('spot wave: interrupted / missing task-s', 'spot-wave');
  interrupted('spot-mixed: interrupted / missing task-s', 'spot-mixed');
  one('spot wave: instance-hours', 'spot-wave', 'instanceHours', 2);
  one('spot-mixed: instance-hours', 'spot-mixed', 'instanceHours', 2);
  return lines.join('\n');
}

/** bench:scale with the store (api-budget.md). */
function scaleTable(fig: Lookup): string {
  const sizes: Array<[string, string]> = [['100', '1x100'], ['500', '1x500'], ['1 000', '1x1000'], ['2 000', '1x2000'], ['5 000', '1x5000'], ['3 × 5 000', '3x5000']];
  const f = (size: string, key: string): number => fig(`scale:${size}.${key}`);
  const s = (v: number): string => `${(v / 1000).toFixed(1)} s`;
  const big = (v: number): string => (v >= 1e6 ? `${(v / 1e6).toFixed(2)} M` : `${Math.round(v / 1000)} k`);
  const lines = [
    row(['instances', 'full-read tick (1 an hour): reads, in process, heap', 'store tick: reads, in process, heap', 'capacity SQS batch / draining event / hook reads', 'day average per cluster', 'share of 20/s', 'state events a day', 'DynamoDB requests a day']),
    row(Array(8).fill('---')),
  ];
  for (const [label, k] of sizes) {
    const perCluster = f(k, 'readCallsPerSecondPerCluster');
    const account = f(k, 'readCallsPerSecond');
    lines.push(
      row([
        label,
        k === '3x5000' ? 'per cluster as 5 000, one invocation each' : `${n(f(k, 'fullReadTick.reads'))}, ${s(f(k, 'fullReadTick.ms'))}, ${f(k, 'fullReadTick.heapMB')} MB`,
        k === '3x5000' ? 'as 5 000' : `${f(k, 'storeTick.reads')}, ${s(f(k, 'storeTick.ms'))}, ${f(k, 'storeTick.heapMB')} MB`,
        `${f(k, 'perEventReads.capacityBatch')} / ${f(k, 'perEventReads.drainingInstanceEvent')} / ${f(k, 'perEventReads.lifecycleHook')}`,
        account === perCluster ? `${perCluster}/s` : `${perCluster}/s (${account.toFixed(2)}/s for the account)`,
        `${(f(k, 'bucketShare') * 100).toFixed(1)} %`,
        big(f(k, 'stateEventsPerDay')),
        big(f(k, 'dynamoRequestsPerDay')),
      ]),
    );
  }
  return lines.join('\n');
}

/** bench:scale -- --no-store (api-budget.md). */
function scaleNoStoreTable(fig: Lookup): string {
  const sizes: Array<[string, string]> = [['100', '1x100'], ['500', '1x500'], ['1 000', '1x1000'], ['2 000', '1x2000'], ['5 000', '1x5000'], ['3 × 5 000', '3x5000']];
  const f = (size: string, key: string): number => fig(`scale-no-store:${size}.${key}`);
  const lines = [row(['instances', 'tick reads', 'tick in process (steady)', 'tick heap', 'capacity SQS batch reads', 'day average', 'share of 20/s']), row(Array(7).fill('---'))];
  for (const [label, k] of sizes) {
    const many = k === '3x5000';
    lines.push(
      row([
        label,
        many ? `${n(f(k, 'reconcileReads'))} per cluster` : n(f(k, 'reconcileReads')),
        many ? 'as 5 000' : `${(f(k, 'reconcileMs') / 1000).toFixed(1)} s (${(f(k, 'steadyReconcileMs') / 1000).toFixed(1)} s)`,
        many ? 'as 5 000' : `${f(k, 'reconcileHeapMB')} MB`,
        n(f(k, 'perEventReads.capacityBatch')),
        `${f(k, 'readCallsPerSecond')}/s`,
        `${(f(k, 'bucketShare') * 100).toFixed(1)} %`,
      ]),
    );
  }
  return lines.join('\n');
}

/** bench:scaling in `own` mode, with and without consolidation (consolidation.md). */
function consolidationTable(fig: Lookup): string {
  const h = (s: string, v: string): number => fig(`scaling:${s}.${v}.instanceHours`);
  const saving = (s: string): string => `${(((h(s, 'own-cons') - h(s, 'own')) / h(s, 'own')) * 100).toFixed(1).replace('-', '−')} %`;
  const i = (s: string, v: string): number => fig(`scaling:${s}.${v}.interruptedTasks`);
  return [
    row(['scenario (`own` mode)', 'ecs-pilot', 'ecs-pilot + consolidation', 'ECS managed scaling tuned']),
    row(Array(4).fill('---')),
    row(['diurnal, 24 h (instance-hours)', n(h('diurnal', 'own'), 1), `${n(h('diurnal', 'own-cons'), 1)} (${saving('diurnal')})`, n(h('diurnal', 'ecs-tuned'), 1)]),
    row(['after a 20 % spot wave (instance-hours)', n(h('spot-wave', 'own'), 1), `${n(h('spot-wave', 'own-cons'), 1)} (${saving('spot-wave')})`, n(h('spot-wave', 'ecs-tuned'), 1)]),
    row([
      'spot-mixed, 50 % of spot in 2 minutes (instance-hours; tasks interrupted)',
      `${n(h('spot-mixed', 'own'), 1)}; ${i('spot-mixed', 'own')}`,
      `${n(h('spot-mixed', 'own-cons'), 1)}; ${i('spot-mixed', 'own-cons')}`,
      `${n(h('spot-mixed', 'ecs-tuned'), 1)}; ${i('spot-mixed', 'ecs-tuned')}`,
    ]),
  ].join('\n');
}

/** bench:api's calls per event (api-budget.md, controller.md). */
function apiCallsTable(fig: Lookup): string {
  const sizes = [100, 1000, 3000];
  const events: Array<[string, string]> = [
    ['spot warning, cold container', 'spotWarningCold'],
    ['spot warning, warm container', 'spotWarningWarm'],
    ['lifecycle hook', 'lifecycleHook'],
    ['reconcile run (no state store)', 'reconcile'],
    ['job attempt STOPPED, success', 'jobSucceeded'],
    ['job attempt STOPPED, retried', 'jobRetried'],
  ];
  return [
    row(['event', ...sizes.map((s) => `${n(s)} instances`)]),
    row(Array(sizes.length + 1).fill('---')),
    ...events.map(([label, key]) => row([label, ...sizes.map((s) => n(fig(`api-calls:${s}.${key}`)))])),
  ].join('\n');
}

/** bench:capacity's generated bursts of 50 000 tasks, 6 instance types (capacity.md). */
function capacityTable(fig: Lookup): string {
  const mixes: Array<[string, string]> = [['small/large', 'small-large'], ['memory-heavy', 'memory-heavy'], ['awsvpc-heavy', 'awsvpc-heavy'], ['host-port', 'host-port'], ['GPU', 'gpu']];
  const f = (mix: string, key: string): number => fig(`capacity:50000.${mix}.6.${key}`);
  return [
    row(['mix (50 000 tasks, 6 types)', 'plan (ms)', 'new instances', 'lowerBound', 'capacity / lowerBound', 'cost / its lower bound', 'plain FFD: new instances']),
    row(Array(7).fill('---')),
    ...mixes.map(([label, k]) => row([label, n(Math.round(f(k, 'planMs'))), n(f(k, 'newInstances')), n(f(k, 'lowerBound')), f(k, 'capacityRatio').toFixed(3), f(k, 'costRatio').toFixed(3), n(f(k, 'ffdInstances'))])),
  ].join('\n');
}

export const TABLES: Record<string, (fig: Lookup) => string> = {
  capacity: capacityTable,
  scaling: scalingTable,
  consolidation: consolidationTable,
  scale: scaleTable,
  'scale-no-store': scaleNoStoreTable,
  'api-calls': apiCallsTable,
};
