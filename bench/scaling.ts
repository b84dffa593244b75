/**
 * npm run bench:scaling — the shipped scenarios (events/scenarios) under ecs-pilot and under the model
 * of ECS managed scaling, side by side with ratios; writes an HTML report with a chart per scenario
 * (bench/out/scaling.html, or -- --report <file>).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { htmlReport } from '../src/sim/report.js';
import { simulate, type SimulationResult } from '../src/sim/run.js';
import { loadScenario } from '../src/sim/scenario.js';

const SCENARIOS = ['burst', 'diurnal', 'spot-wave', 'nightly-batch'];

function ratio(a: number, b: number): string {
  if (b === 0) return a === 0 ? '—' : '∞';
  return `×${(a / b).toFixed(2)}`;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const reportAt = args.indexOf('--report');
  const report = reportAt >= 0 ? args[reportAt + 1] : 'bench/out/scaling.html';
  if (!report) throw new Error('--report needs a file');
  const sections: Array<{ scenario: string; description: string; results: SimulationResult[] }> = [];
  const rows: string[][] = [];
  for (const name of SCENARIOS) {
    const loaded = loadScenario(`events/scenarios/${name}.yml`);
    const t0 = performance.now();
    const pilot = await simulate(loaded, 'ecs-pilot');
    const consolidating = await simulate(loaded, 'ecs-pilot', { consolidation: true });
    const managed = await simulate(loaded, 'ecs-managed');
    const ms = Math.round(performance.now() - t0);
    sections.push({ scenario: name, description: loaded.scenario.description, results: [pilot, consolidating, managed] });
    const p = pilot.metrics;
    const c = consolidating.metrics;
    const m = managed.metrics;
    rows.push(
      [name, 'all placed (s)', String(p.allPlacedSeconds), String(c.allPlacedSeconds), String(m.allPlacedSeconds), ratio(p.allPlacedSeconds, m.allPlacedSeconds), ratio(c.allPlacedSeconds, m.allPlacedSeconds)],
      ['', 'p95 to RUNNING (s)', String(p.latencyP95), String(c.latencyP95), String(m.latencyP95), ratio(p.latencyP95, m.latencyP95), ratio(c.latencyP95, m.latencyP95)],
      ['', 'instance-hours', p.instanceHours.toFixed(2), c.instanceHours.toFixed(2), m.instanceHours.toFixed(2), ratio(p.instanceHours, m.instanceHours), ratio(c.instanceHours, m.instanceHours)],
      ['', 'cost ($)', p.cost.toFixed(2), c.cost.toFixed(2), m.cost.toFixed(2), ratio(p.cost, m.cost), ratio(c.cost, m.cost)],
      ['', 'scaling actions', String(p.scalingActions), String(c.scalingActions), String(m.scalingActions), '', ''],
      ['', 'tasks moved by drains', String(p.tasksMoved), String(c.tasksMoved), String(m.tasksMoved), '', ''],
      ['', 'interrupted by spot', String(p.interruptedTasks), String(c.interruptedTasks), String(m.interruptedTasks), '', ''],
      ['', 'lost / killed by scale-in', `${p.lostTasks} / ${p.killedByScaleIn}`, `${c.lostTasks} / ${c.killedByScaleIn}`, `${m.lostTasks} / ${m.killedByScaleIn}`, '', ''],
      ['', `(simulated in ${ms} ms)`, '', '', '', '', ''],
    );
  }
  const header = ['scenario', 'metric', 'ecs-pilot', '+consolidation', 'ecs-managed', 'pilot/managed', '+cons./managed'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => (i < 2 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  console.log(line(header));
  for (const r of rows) console.log(line(r));
  mkdirSync(dirname(report), { recursive: true });
  writeFileSync(report, htmlReport('ecs-pilot vs ECS managed scaling', sections));
  console.log(`\nreport: ${report}`);
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
