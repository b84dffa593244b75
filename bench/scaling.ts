/**
 * npm run bench:scaling — every shipped scenario (events/scenarios/*.yml) under ecs-pilot `own` and
 * `accelerate`, each with and without consolidation, ECS managed scaling at its defaults, and ECS
 * tuned as the ECS best-practices guide recommends (warm-up = the instance boot time, the agent's spot
 * draining on). One table, ratios against ECS tuned, the floors the acceptance names; an HTML report
 * (bench/out/scaling.html, or -- --report <file>).
 *
 * Every ecs-pilot variant runs twice: without the state store (the table above, the duties read the APIs
 * in full) and with it (as deployed: duties read the store fed by the simulated events); a second table
 * prints the store's runs and one line per scenario says whether they are the same or better.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { BASELINE_DESCRIPTION, BASELINE_LABEL, ecsTunedSettings } from '../src/sim/baseline.js';
import { htmlReport, type ReportSection, timelineMarkers } from '../src/sim/report.js';
import { simulate, type SimulationResult } from '../src/sim/run.js';
import { loadScenario, type LoadedScenario } from '../src/sim/scenario.js';
import { burstSteps, scenarioServices } from '../src/sim/world.js';
import { configForSnapshot } from '../src/config/load.js';
import { type Figures, flatten, writeFigures } from './figures.js';

interface Variant {
  label: string;
  controller: 'ecs-pilot' | 'ecs-managed';
  consolidation?: boolean;
  settings: (s: LoadedScenario['scenario']['settings']) => Partial<LoadedScenario['scenario']['settings']>;
}

const VARIANTS: Variant[] = [
  { label: 'own', controller: 'ecs-pilot', settings: () => ({ managedScaling: 'off' }) },
  { label: 'own +cons.', controller: 'ecs-pilot', consolidation: true, settings: () => ({ managedScaling: 'off' }) },
  { label: 'accelerate', controller: 'ecs-pilot', settings: () => ({ managedScaling: 'on' }) },
  { label: 'accel. +cons.', controller: 'ecs-pilot', consolidation: true, settings: () => ({ managedScaling: 'on' }) },
  { label: 'ECS defaults', controller: 'ecs-managed', settings: () => ({}) },
  { label: BASELINE_LABEL, controller: 'ecs-managed', settings: ecsTunedSettings },
];

/** The figures the store must not make worse (lower is better for each). */
const COMPARED: Array<[string, (m: SimulationResult['metrics']) => number]> = [
  ['allPlacedSeconds', (m) => m.allPlacedSeconds],
  ['instanceHours', (m) => m.instanceHours],
  ['interrupted', (m) => m.interruptedTasks],
  ['lost', (m) => m.lostTasks],
  ['killed', (m) => m.killedByScaleIn],
  ['neverPlaced', (m) => m.tasksNeverPlaced],
  ['missingTaskSeconds', (m) => m.missingTaskSeconds],
];

const ratio = (a: number, b: number): string => (b === 0 ? (a === 0 ? '—' : '∞') : `×${(a / b).toFixed(2)}`);

/** Detection + one instance boot + task start, as modelled (ecs-pilot's side of the queue included). */
function physicalFloor(s: LoadedScenario['scenario']['settings']): number {
  const detect = s.controllerLatencySeconds ?? s.eventBridgeSeconds + s.sqsBatchWindowSeconds + s.lambdaStartSeconds;
  return detect + s.instanceLaunchSeconds + s.taskStartSeconds;
}

/**
 * A full shortage (every pool of a group short) during a burst: the floor with the failed activity's
 * delay. The group's first attempt fails; it launches nothing more — the on-demand base ecs-pilot
 * raises on the first failure included — until its retry `asgRetrySeconds` later (AWS publishes no
 * retry figure; observed 2–4 min). So no controller places tasks pinned to that group before
 * detection + that retry + boot + task start. Undefined when no step is a full shortage.
 */
function shortageFloor(s: LoadedScenario['scenario']): { group: string; seconds: number; retry: number } | undefined {
  const full = s.timeline.flatMap((st) => ('capacityShortage' in st && !st.capacityShortage.types && !st.capacityShortage.azs ? [st.capacityShortage] : []))[0];
  if (!full || !s.timeline.some((st) => 'setDesired' in st || 'runTasks' in st)) return undefined;
  return { group: full.group, seconds: physicalFloor(s.settings) + s.settings.asgRetrySeconds, retry: s.settings.asgRetrySeconds };
}

/**
 * Instances that never register: the target is the registration timeout + the physical floor. What
 * the model adds on top, whoever the controller: the timeout is noticed at a reconcile tick (up to
 * `reconcileSeconds` after it), and with managed scaling off the service scheduler places on its next
 * retry (up to `serviceRetryMaxSeconds` after the replacement registers). Undefined without such a step.
 */
function neverRegisterBound(loaded: LoadedScenario): { target: number; timeout: number; tick: number; retry: number } | undefined {
  const step = loaded.scenario.timeline.find((st) => 'neverRegister' in st);
  if (!step || !('neverRegister' in step)) return undefined;
  const group = configForSnapshot(loaded.snapshot).clusters[0]?.groups.find((g) => g.name === step.neverRegister.group);
  const timeout = (group?.registrationTimeoutMinutes ?? 15) * 60;
  const st = loaded.scenario.settings;
  return { target: timeout + physicalFloor(st), timeout, tick: st.reconcileSeconds, retry: st.serviceRetryMaxSeconds };
}

/** The fewest instance-hours the demand allows: each minute, the instances its vCPU needs (one type). */
function instanceHoursFloor(loaded: LoadedScenario, r: SimulationResult): number {
  const type = loaded.snapshot.groups[0]?.instanceTypes[0]?.type ?? '';
  const vcpu = (loaded.snapshot.instanceTypes[type]?.cpu ?? 1024) / 1024;
  return r.series.reduce((a, p) => a + Math.ceil(p.demandVcpu / vcpu - 1e-9), 0) / 60;
}

/**
 * A lower bound on the instance-hours of ANY controller that gets every task a service asks for
 * RUNNING within `withinSeconds` of the ask (services-only scenarios; undefined otherwise). An
 * instance must be requested `instanceLaunchSeconds + taskStartSeconds` before its tasks run, so from
 * `withinSeconds − launch − start` after a raise the raised demand needs instances, and none can go
 * before the demand drops. Each tick: demand / the largest type, per dimension (vCPU, memory), rounded up.
 */
function speedBoundInstanceHours(loaded: LoadedScenario, withinSeconds: number): number | undefined {
  const { scenario, snapshot } = loaded;
  if (scenario.timeline.some((st) => !('setDesired' in st))) return undefined;
  const st = scenario.settings;
  const types = snapshot.groups.flatMap((g) => g.instanceTypes.map((t) => snapshot.instanceTypes[t.type])).filter((t) => t !== undefined);
  const cpuCap = Math.max(...types.map((t) => t.cpu));
  const memCap = Math.max(...types.map((t) => t.memoryMiB));
  const steps = [...scenario.timeline].sort((a, b) => a.at - b.at) as Array<{ at: number; setDesired: { service: string; count: number } }>;
  const services = scenarioServices(scenario, snapshot);
  const demandAt = (seconds: number): [number, number] => {
    const desired = new Map(services.map((sv) => [sv.name, sv.desired]));
    for (const step of steps) if (step.at <= seconds) desired.set(step.setDesired.service, step.setDesired.count);
    let cpu = 0;
    let mem = 0;
    for (const sv of services) {
      cpu += (desired.get(sv.name) ?? 0) * sv.cpu;
      mem += (desired.get(sv.name) ?? 0) * sv.memoryMiB;
    }
    return [cpu, mem];
  };
  const lead = Math.max(0, withinSeconds - st.instanceLaunchSeconds - st.taskStartSeconds);
  let hours = 0;
  for (let t = 0; t < scenario.durationMinutes * 60; t += st.tickSeconds) {
    const [c0, m0] = demandAt(t);
    const [c1, m1] = demandAt(Math.max(0, t - lead));
    const instances = Math.max(Math.ceil(Math.min(c0, c1) / cpuCap - 1e-9), Math.ceil(Math.min(m0, m1) / memCap - 1e-9));
    hours += (instances * st.tickSeconds) / 3600;
  }
  return hours;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const reportAt = args.indexOf('--report');
  const report = reportAt >= 0 ? args[reportAt + 1] : 'bench/out/scaling.html';
  if (!report) throw new Error('--report needs a file');
  const only = args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--report');
  const names = readdirSync('events/scenarios')
    .filter((f) => f.endsWith('.yml'))
    .map((f) => f.replace(/\.yml$/, ''))
    .filter((n) => only.length === 0 || only.includes(n))
    .sort();
  const sections: ReportSection[] = [];
  const rows: string[][] = [];
  const storeRows: string[][] = [];
  const verdicts: string[] = [];
  const floors: string[] = [];
  const pilotVariants = VARIANTS.filter((v) => v.controller === 'ecs-pilot');
  const figures: Figures = {};
  const figureKey = (label: string): string => label.replace('accel.', 'accelerate').replace(/ \+cons\./, '-cons').replace(' ', '-').toLowerCase();
  for (const name of names) {
    const base = loadScenario(`events/scenarios/${name}.yml`);
    const results: SimulationResult[] = [];
    const t0 = performance.now();
    for (const v of VARIANTS) {
      const loaded = { ...base, scenario: { ...base.scenario, settings: { ...base.scenario.settings, ...v.settings(base.scenario.settings) } } };
      results.push(await simulate(loaded, v.controller, { consolidation: v.consolidation === true, label: v.controller === 'ecs-pilot' ? `ecs-pilot ${v.label}` : v.label }));
    }
    const ms = Math.round(performance.now() - t0);
    const t1 = performance.now();
    const stored: SimulationResult[] = [];
    for (const v of pilotVariants) {
      const loaded = { ...base, scenario: { ...base.scenario, settings: { ...base.scenario.settings, ...v.settings(base.scenario.settings) } } };
      stored.push(await simulate(loaded, v.controller, { consolidation: v.consolidation === true, store: true, label: `ecs-pilot ${v.label} (store)` }));
    }
    const storeMs = Math.round(performance.now() - t1);
    // The store's runs are the same runs again: the page names only where they differ (no columns nor lines of their own).
    sections.push({
      scenario: name,
      description: base.scenario.description,
      results: results.map((r) => (r.label === BASELINE_LABEL ? { ...r, baseline: true } : r)),
      markers: timelineMarkers(base.scenario, base.snapshot),
      again: { condition: 'With the state store (as deployed)', runs: stored.map((run, i) => ({ of: results.filter((r) => r.controller !== 'ecs-managed')[i]!, run })) },
    });
    storeRows.push([name, `(${storeMs} ms)`, ...pilotVariants.map(() => '')]);
    const without = results.filter((r) => r.controller !== 'ecs-managed');
    for (const [title, f] of COMPARED) storeRows.push(['', title, ...stored.map((r, i) => `${f(r.metrics)} (${f(without[i]!.metrics)})`)]);
    const e = stored[0]?.metrics.stateEvents;
    if (e) storeRows.push(['', 'state events', ...stored.map((r) => { const c = r.metrics.stateEvents!; return `${c.applied}/${c.duplicates + c.stale}/${c.gaps}`; })]);
    const worse = stored.flatMap((r, i) => COMPARED.filter(([, f]) => f(r.metrics) > f(without[i]!.metrics)).map(([title, f]) => `${pilotVariants[i]!.label} ${title} ${f(r.metrics)} > ${f(without[i]!.metrics)}`));
    const better = stored.flatMap((r, i) => COMPARED.filter(([, f]) => f(r.metrics) < f(without[i]!.metrics)).map(([title, f]) => `${pilotVariants[i]!.label} ${title} ${f(r.metrics)} < ${f(without[i]!.metrics)}`));
    verdicts.push(`${name}: ${worse.length === 0 ? (better.length === 0 ? 'the same with the store' : `the same or better with the store (${better.join('; ')})`) : `WORSE with the store: ${worse.join('; ')}`}`);
    const tuned = results[results.length - 1]!.metrics;
    const metric = (title: string, f: (r: SimulationResult) => number, digits = 0, withRatio = true): void => {
      rows.push([rows.length === 0 || rows[rows.length - 1]?.[0] === '' || title !== 'all placed (s)' ? '' : '', title, ...results.map((r) => f(r).toFixed(digits)), ...(withRatio ? [results.slice(0, 4).map((r) => ratio(f(r), f(results[results.length - 1]!))).join(' ')] : [''])]);
    };
    rows.push([name, `(${ms} ms)`, ...results.map(() => ''), '']);
    metric('all placed (s)', (r) => r.metrics.allPlacedSeconds);
    metric('p95 to RUNNING (s)', (r) => r.metrics.latencyP95);
    metric('missing task-s', (r) => r.metrics.missingTaskSeconds);
    metric('instance-hours', (r) => r.metrics.instanceHours, 2);
    metric('interrupted', (r) => r.metrics.interruptedTasks, 0, false);
    metric('lost/killed/never', () => 0, 0, false);
    rows[rows.length - 1] = ['', 'lost/killed/never', ...results.map((r) => `${r.metrics.lostTasks}/${r.metrics.killedByScaleIn}/${r.metrics.tasksNeverPlaced}`), ''];
    metric('PROVISIONING seen', (r) => r.metrics.provisioningSeen, 0, false);
    const floor = physicalFloor(base.scenario.settings);
    const ihFloor = instanceHoursFloor(base, results[1]!);
    floors.push(
      `${name}: physical floor ${floor} s (own ×${(results[0]!.metrics.allPlacedSeconds / floor).toFixed(2)}, accelerate ×${(results[2]!.metrics.allPlacedSeconds / floor).toFixed(2)}); ` +
        `instance-hours floor ${ihFloor.toFixed(2)} (own +cons. ${(((results[1]!.metrics.instanceHours - ihFloor) / ihFloor) * 100).toFixed(1)} % above, accel. +cons. ${(((results[3]!.metrics.instanceHours - ihFloor) / ihFloor) * 100).toFixed(1)} % above); ` +
        `ECS tuned all placed ${tuned.allPlacedSeconds} s, interrupted ${tuned.interruptedTasks}, missing ${tuned.missingTaskSeconds} task-s`,
    );
    const short = shortageFloor(base.scenario);
    if (short) {
      const st = base.scenario.settings;
      const x = (r: SimulationResult) => (r.metrics.allPlacedSeconds / short.seconds).toFixed(2);
      floors.push(
        `${name}: full shortage of ${short.group}: floor with the failed activity's delay ${short.seconds} s = detection ${floor - st.instanceLaunchSeconds - st.taskStartSeconds} + the group's retry after its failed activity ${short.retry} ` +
          `(asgRetrySeconds; nothing launches in the group before it, the raised on-demand base included) + boot ${st.instanceLaunchSeconds} + task start ${st.taskStartSeconds}; ` +
          `own ×${x(results[0]!)} (target ≤ 2), accelerate ×${x(results[2]!)} (target ≤ 1.5); against the ${floor} s floor without that delay no controller can do better than ×${(short.seconds / floor).toFixed(2)}`,
      );
    }
    const stuck = neverRegisterBound(base);
    if (stuck) {
      const own = results[0]!.metrics.allPlacedSeconds;
      const acc = results[2]!.metrics.allPlacedSeconds;
      floors.push(
        `${name}: never-registering instances: target = registration timeout ${stuck.timeout} + floor ${floor} = ${stuck.target} s; ` +
          `the model adds up to the reconcile tick that notices the timeout (${stuck.tick} s) and, managed scaling off, the service scheduler's next placement retry (${stuck.retry} s): ` +
          `own bound ${stuck.target + stuck.tick + stuck.retry} s, accelerate bound ${stuck.target + stuck.tick} s; measured own ${own} s (×${(own / stuck.target).toFixed(2)} of the target), accelerate ${acc} s (×${(acc / stuck.target).toFixed(2)})`,
      );
    }
    // Bursts: what the speed targets alone cost, against ECS tuned's instance-hours.
    const burst = burstSteps(base.scenario, base.snapshot).length > 0;
    const own2 = speedBoundInstanceHours(base, 2 * floor);
    const acc15 = speedBoundInstanceHours(base, 1.5 * floor);
    if (burst && own2 !== undefined && acc15 !== undefined) {
      const verdict = (b: number) => (b > tuned.instanceHours ? 'above ECS tuned: no controller meets both targets here' : 'not above ECS tuned');
      floors.push(
        `${name}: any controller placing every task within 2 × the floor (${2 * floor} s, own's target) needs ≥ ${own2.toFixed(2)} instance-hours (${verdict(own2)}), ` +
          `within 1.5 × (${1.5 * floor} s, accelerate's) ≥ ${acc15.toFixed(2)} (${verdict(acc15)}); ECS tuned ${tuned.instanceHours} (all placed ${tuned.allPlacedSeconds} s)`,
      );
    }
    // The figures the docs quote (bench/figures.ts): every run's metrics, the floors and bounds.
    for (const [i, r] of results.entries()) flatten(`${name}.${figureKey(VARIANTS[i]!.label)}`, r.metrics, figures);
    for (const [i, r] of stored.entries()) flatten(`${name}.store.${figureKey(pilotVariants[i]!.label)}`, r.metrics, figures);
    flatten(`${name}.floor`, { seconds: floor, instanceHours: Number(ihFloor.toFixed(2)), ...(short ? { shortageSeconds: short.seconds } : {}), ...(stuck ? { neverRegisterTarget: stuck.target, neverRegisterOwnBound: stuck.target + stuck.tick + stuck.retry } : {}), ...(burst && own2 !== undefined && acc15 !== undefined ? { ownBound: Number(own2.toFixed(2)), accelerateBound: Number(acc15.toFixed(2)) } : {}) }, figures);
  }
  if (only.length === 0) writeFigures('scaling', 'npm run bench:scaling', figures);
  const header = ['scenario', 'metric', ...VARIANTS.map((v) => v.label), 'own / own+c / acc / acc+c vs ECS tuned'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => (i < 2 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  console.log(line(header));
  for (const r of rows) console.log(line(r));
  const storeHeader = ['scenario', 'with the store (without)', ...pilotVariants.map((v) => v.label)];
  const sw = storeHeader.map((h, i) => Math.max(h.length, ...storeRows.map((r) => (r[i] ?? '').length)));
  const storeLine = (r: string[]) => r.map((c, i) => (i < 2 ? c.padEnd(sw[i] ?? 0) : c.padStart(sw[i] ?? 0))).join('  ');
  console.log('\nWith the state store (as deployed): each figure with the store, without it in brackets; state events applied/duplicate or stale/gaps');
  console.log(storeLine(storeHeader));
  for (const r of storeRows) console.log(storeLine(r));
  console.log('\nStore vs no store:');
  for (const v of verdicts) console.log(`  ${v}`);
  console.log('\nFloors:');
  for (const f of floors) console.log(`  ${f}`);
  mkdirSync(dirname(report), { recursive: true });
  writeFileSync(report, htmlReport('ecs-pilot (own, accelerate) vs ECS managed scaling (defaults, tuned)', sections, { settings: { variants: VARIANTS.map((v) => v.label).join(', '), [BASELINE_LABEL]: `the baseline: ${BASELINE_DESCRIPTION}` } }));
  console.log(`\nreport: ${report}`);
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
