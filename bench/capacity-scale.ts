/**
 * The scale section of `npm run bench:capacity`: 50 000 and 200 000 waiting tasks of all-distinct
 * shapes (every task its own class), each planned in a child Node process whose heap is capped at
 * 400 MB (`--max-old-space-size=400`): finishing proves the peak heap stayed below the cap. Prints
 * wall time and CPU time (user + system of the plan call; on a shared machine the CPU time is the
 * steadier figure), the heap after a full GC, the peak resident set, and the growth from 50 000 to
 * 200 000 against n log n.
 *
 *   npx tsx bench/capacity-scale.ts            both sizes
 *   npx tsx bench/capacity-scale.ts 50000      one size, in this process (no cap)
 */
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { plan } from '../src/core/capacity/index.js';
import { parseSnapshot, type Snapshot } from '../src/core/model.js';
import { GENERAL_TYPES } from './capacity-types.js';

const TYPES = GENERAL_TYPES;

export const HEAP_CAP_MB = 400;

/** `n` tasks, no two alike (CPU 64–4 063, memory 128–16 127 MiB), 37 services, 6 priced types. */
export function distinctWorkload(n: number): Snapshot {
  let a = 12345;
  const random = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const seen = new Set<string>();
  const pending = [];
  for (let i = 0; pending.length < n; i++) {
    const cpu = 64 + Math.floor(random() * 4000);
    const memoryMiB = 128 + Math.floor(random() * 16000);
    if (seen.has(`${cpu}/${memoryMiB}`)) continue;
    seen.add(`${cpu}/${memoryMiB}`);
    pending.push({ id: `t-${i}`, cpu, memoryMiB, group: `service:s${i % 37}` });
  }
  const instanceTypes = Object.entries(TYPES).map(([type, t]) => ({ type, weight: t.cpu / 2048 }));
  return parseSnapshot({
    version: 1,
    cluster: 'bench-distinct',
    takenAt: '2026-11-24T12:00:00Z',
    instanceTypes: TYPES,
    groups: [{ name: 'general', asg: 'asg-general', min: 0, max: 1000000, desired: 0, instanceTypes }],
    pending,
  });
}

export interface ScaleRow {
  tasks: number;
  wallMs: number;
  cpuMs: number;
  heapAfterGcMB: number;
  maxRssMB: number;
  newInstances: number;
  costPerHour: number;
  lpBound: number;
  ok: boolean;
  error?: string;
}

/** Plans one size in this process and returns the figures. */
export function measureHere(n: number): ScaleRow {
  const s = distinctWorkload(n);
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const p = plan(s);
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  gc?.();
  const heapAfterGcMB = process.memoryUsage().heapUsed / 1e6;
  const g = p.groups[0]!;
  return {
    tasks: n,
    wallMs: Math.round(wallMs),
    cpuMs: Math.round((cpu.user + cpu.system) / 1000),
    heapAfterGcMB: Math.round(heapAfterGcMB),
    maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
    newInstances: g.newInstances.reduce((a, x) => a + x.count, 0),
    costPerHour: Math.round(g.newInstances.reduce((a, x) => a + x.count * TYPES[x.type as keyof typeof TYPES].pricePerHour, 0) * 100) / 100,
    lpBound: Math.round(g.lpBound * 100) / 100,
    ok: p.unplaceable.length === 0,
  };
}

/** Plans one size in a child process with the heap capped. */
export function measureCapped(n: number): ScaleRow {
  const self = fileURLToPath(import.meta.url);
  const r = spawnSync(process.execPath, [`--max-old-space-size=${HEAP_CAP_MB}`, '--expose-gc', '--import', 'tsx', self, '--child', String(n)], { encoding: 'utf8' });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as ScaleRow;
  } catch {
    const oom = /heap out of memory/.test(r.stderr);
    return { tasks: n, wallMs: Number.NaN, cpuMs: Number.NaN, heapAfterGcMB: Number.NaN, maxRssMB: Number.NaN, newInstances: 0, costPerHour: 0, lpBound: 0, ok: false, error: oom ? `out of memory at ${HEAP_CAP_MB} MB` : r.stderr.slice(-300) };
  }
}

export function printScale(rows: ScaleRow[]): void {
  console.log(`\nAll-distinct task shapes (each task its own class), planned in a child process with the heap capped at ${HEAP_CAP_MB} MB:`);
  for (const r of rows) {
    if (r.error) {
      console.log(`  ${String(r.tasks).padStart(7)} tasks  FAILED: ${r.error}`);
      continue;
    }
    console.log(
      `  ${String(r.tasks).padStart(7)} tasks  wall ${String(r.wallMs).padStart(6)} ms  CPU ${String(r.cpuMs).padStart(6)} ms  heap after GC ${r.heapAfterGcMB} MB  peak RSS ${r.maxRssMB} MB  ${r.newInstances} new, $${r.costPerHour}/h (lpBound $${r.lpBound}, efficiency ${(r.lpBound / (r.costPerHour || 1)).toFixed(3)})${r.ok ? '' : ' UNPLACED'}`,
    );
  }
  const [a, b] = [rows[0], rows[rows.length - 1]];
  if (a && b && b.tasks > a.tasks && !a.error && !b.error) {
    const nlogn = (b.tasks * Math.log2(b.tasks)) / (a.tasks * Math.log2(a.tasks));
    console.log(`  growth ${a.tasks} → ${b.tasks}: CPU ×${(b.cpuMs / a.cpuMs).toFixed(2)}, wall ×${(b.wallMs / a.wallMs).toFixed(2)}; n log n ×${nlogn.toFixed(2)} (ratio ${(b.cpuMs / a.cpuMs / nlogn).toFixed(2)} on CPU)`);
  }
}

export function runScale(sizes = [50000, 200000]): ScaleRow[] {
  return sizes.map(measureCapped);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  if (args[0] === '--child') console.log(JSON.stringify(measureHere(Number(args[1]))));
  else if (args[0]) console.log(measureHere(Number(args[0])));
  else printScale(runScale());
}
