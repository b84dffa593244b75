/**
 * npm run bench:faults — ecs-pilot under seeded faults (docs/simulation.md, "Faults"): every fault kind
 * at 5 % and 20 % (crash 10 %, event delays up to 60 s) × the shipped scenarios (events/scenarios) ×
 * both managed-scaling modes (own, accelerate) × seeds, each run's invariants checked against the
 * same scenario and mode without faults. One table: runs, the runs that violate each invariant, and
 * instance-hours and waits against the fault-free run; then every failing run as a command that
 * reproduces it.
 *
 *   npm run bench:faults -- [--quick] [--scenarios a,b] [--kinds api-error,crash] [--seeds 3 | --seed-list 1,5]
 *                           [--modes own,accelerate] [--consolidation] [--store on|off] [--json]
 *
 * `--quick`: burst and spot-wave, every kind at its higher level, one seed (a few minutes on one core).
 */
import { readdirSync } from 'node:fs';
import { simulate, type SimulationResult } from '../src/sim/run.js';
import { checkInvariants, type InvariantName, type Violation } from '../src/sim/faults/invariants.js';
import { defaultFaultsUntil, FAULT_KINDS, formatFaultRates, type FaultKind, type FaultPlan } from '../src/sim/faults/plan.js';
import { loadScenario, type LoadedScenario } from '../src/sim/scenario.js';

const MODES = { own: 'off', accelerate: 'on' } as const;
type Mode = keyof typeof MODES;

/** The levels the issue names: 5 % and 20 %, crash 10 %, event delays up to 60 s. */
const LEVELS: Record<FaultKind, number[]> = {
  'api-error': [0.05, 0.2],
  throttle: [0.05, 0.2],
  'lost-response': [0.05, 0.2],
  crash: [0.1],
  'event-drop': [0.05, 0.2],
  'event-duplicate': [0.05, 0.2],
  'event-delay': [60],
  overlap: [0.05, 0.2],
};

const INVARIANTS: InvariantName[] = ['busyInstancesTerminated', 'killedByScaleIn', 'desiredOutOfBounds', 'hookTimeouts', 'drainingStranded', 'failedInvocationsAfterRecovery', 'lostTasks', 'tasksNeverPlaced', 'instanceHours'];
const SHORT: Record<InvariantName, string> = {
  busyInstancesTerminated: 'busy',
  killedByScaleIn: 'killed',
  desiredOutOfBounds: 'bounds',
  hookTimeouts: 'hooks',
  drainingStranded: 'strand',
  failedInvocationsAfterRecovery: 'failAfter',
  lostTasks: 'lost',
  tasksNeverPlaced: 'never',
  instanceHours: 'ih>1.25',
};

interface Args {
  scenarios: string[];
  kinds: FaultKind[];
  seeds: number[];
  modes: Mode[];
  quick: boolean;
  consolidation: boolean;
  store: boolean;
  json: boolean;
}

function parseArgs(argv: string[]): Args {
  const value = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    if (i < 0) return undefined;
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new Error(`${flag} needs a value`);
    return v;
  };
  const list = (flag: string): string[] | undefined => value(flag)?.split(',').map((s) => s.trim()).filter(Boolean);
  const known = ['--quick', '--scenarios', '--kinds', '--seeds', '--seed-list', '--modes', '--consolidation', '--store', '--json'];
  for (const a of argv) if (a.startsWith('--') && !known.includes(a)) throw new Error(`unknown flag ${a} (flags: ${known.join(' ')})`);
  const quick = argv.includes('--quick');
  const shipped = readdirSync('events/scenarios').filter((f) => f.endsWith('.yml')).map((f) => f.replace(/\.yml$/, '')).sort();
  const scenarios = list('--scenarios') ?? (quick ? ['burst', 'spot-wave'] : shipped);
  for (const s of scenarios) if (!shipped.includes(s)) throw new Error(`no scenario ${s} (shipped: ${shipped.join(', ')})`);
  const kinds = (list('--kinds') ?? Object.keys(FAULT_KINDS)) as FaultKind[];
  for (const k of kinds) if (!(k in FAULT_KINDS)) throw new Error(`no fault kind ${k} (kinds: ${Object.keys(FAULT_KINDS).join(', ')})`);
  const seedList = list('--seed-list')?.map(Number);
  const count = Number(value('--seeds') ?? (quick ? 1 : 3));
  const seeds = seedList ?? Array.from({ length: count }, (_, i) => i + 1);
  if (seeds.some((s) => !Number.isInteger(s) || s < 0) || seeds.length === 0) throw new Error('--seeds takes a count ≥ 1, --seed-list integers ≥ 0');
  const modes = (list('--modes') ?? Object.keys(MODES)) as Mode[];
  for (const m of modes) if (!(m in MODES)) throw new Error(`no mode ${m} (modes: own, accelerate)`);
  const store = value('--store') ?? 'on';
  if (store !== 'on' && store !== 'off') throw new Error('--store takes on or off');
  return { scenarios, kinds, seeds, modes, quick, consolidation: argv.includes('--consolidation'), store: store === 'on', json: argv.includes('--json') };
}

interface Run {
  scenario: string;
  mode: Mode;
  fault: string;
  seed: number;
  violations: Violation[];
  instanceHoursRatio: number;
  /** The longest wait from submission to RUNNING against the fault-free run's (1 when both are 0). */
  waitRatio: number;
  interrupted: number;
  injected: NonNullable<SimulationResult['faults']>['injected'];
  command: string;
}

const ratio = (a: number, b: number): number => (b === 0 ? (a === 0 ? 1 : Number.POSITIVE_INFINITY) : a / b);
const fmt = (r: number): string => (Number.isFinite(r) ? `×${r.toFixed(2)}` : '∞');

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const runs: Run[] = [];
  const rows: string[][] = [];
  const t0 = performance.now();
  for (const name of args.scenarios) {
    const base = loadScenario(`events/scenarios/${name}.yml`);
    const untilSeconds = defaultFaultsUntil(base.scenario.durationMinutes);
    for (const mode of args.modes) {
      const loaded: LoadedScenario = { ...base, scenario: { ...base.scenario, settings: { ...base.scenario.settings, managedScaling: MODES[mode] } } };
      const options = { store: args.store, consolidation: args.consolidation };
      const run = (plan: FaultPlan) => simulate(loaded, 'ecs-pilot', { ...options, faults: plan });
      const t1 = performance.now();
      const free = await run({ rates: {}, untilSeconds, seed: 0 });
      const freeChecked = { invariants: free.invariants!, metrics: free.metrics };
      const levels = args.kinds.flatMap((kind) => (args.quick ? LEVELS[kind].slice(-1) : LEVELS[kind]).map((level) => ({ [kind]: level }) as FaultPlan['rates']));
      for (const rates of levels) {
        const fault = formatFaultRates(rates);
        const group: Run[] = [];
        for (const seed of args.seeds) {
          const r = await run({ rates, untilSeconds, seed });
          const command = `npm run ecs-pilot -- simulate events/scenarios/${name}.yml --managed-scaling ${MODES[mode]}${args.consolidation ? ' --consolidation' : ''}${args.store ? '' : ' --store off'} --faults ${fault} --seed ${seed}`;
          group.push({
            scenario: name,
            mode,
            fault,
            seed,
            violations: checkInvariants({ invariants: r.invariants!, metrics: r.metrics }, freeChecked),
            instanceHoursRatio: ratio(r.metrics.instanceHours, free.metrics.instanceHours),
            waitRatio: ratio(r.metrics.latencyMax, free.metrics.latencyMax),
            interrupted: r.metrics.interruptedTasks,
            injected: r.faults!.injected,
            command,
          });
        }
        runs.push(...group);
        const lastScenario = runs.length > group.length ? runs[runs.length - group.length - 1]?.scenario : undefined;
        const violating = (inv: InvariantName) => group.filter((g) => g.violations.some((v) => v.invariant === inv)).length;
        rows.push([
          rows.length === 0 || lastScenario !== name ? name : '',
          mode,
          fault,
          String(group.length),
          String(group.filter((g) => g.violations.length > 0).length),
          ...INVARIANTS.map((inv) => String(violating(inv) || '.')),
          fmt(Math.max(...group.map((g) => g.instanceHoursRatio))),
          fmt(Math.max(...group.map((g) => g.waitRatio))),
          `${Math.max(...group.map((g) => g.interrupted))} (${free.metrics.interruptedTasks})`,
        ]);
      }
      process.stderr.write(`${name} ${mode}: ${levels.length * args.seeds.length + 1} runs in ${Math.round((performance.now() - t1) / 1000)} s\n`);
    }
  }
  const failing = runs.filter((r) => r.violations.length > 0);
  if (args.json) {
    console.log(JSON.stringify({ args, runs: runs.length, failing: failing.length, results: runs }, null, 2));
    return;
  }
  const header = ['scenario', 'mode', 'fault', 'runs', 'failing', ...INVARIANTS.map((i) => SHORT[i]), 'ih max', 'wait max', 'interrupted (ff)'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => (i < 3 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  console.log(`Faults until 20 minutes before each scenario's end; each run checked against the same scenario and mode without faults.`);
  console.log(`Columns: runs violating each invariant (${INVARIANTS.map((i) => `${SHORT[i]} = ${i}`).join(', ')}); the worst instance-hours and longest-wait ratios to the fault-free run; the most tasks interrupted by spot (fault-free).\n`);
  console.log(line(header));
  for (const r of rows) console.log(line(r));
  const total = (inv: InvariantName) => failing.filter((r) => r.violations.some((v) => v.invariant === inv)).length;
  console.log(`\n${runs.length} runs, ${failing.length} with a violated invariant (${Math.round((performance.now() - t0) / 1000)} s)`);
  console.log(`by invariant: ${INVARIANTS.map((i) => `${i} ${total(i)}`).join(', ')}`);
  if (failing.length > 0) {
    console.log('\nFailing runs (each reproduces with its command):');
    for (const r of failing) console.log(`  ${r.command}\n      ${r.violations.map((v) => v.message).join('; ')}`);
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
