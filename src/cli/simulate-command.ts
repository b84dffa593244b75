/**
 * `ecs-pilot simulate <scenario> --controller ecs-pilot|ecs-managed [--consolidation]
 * [--managed-scaling on|off] [--ecs-warmup <s>] [--ecs-target <percent>] [--ecs-spot-draining on|off]
 * [--store on|off] [--faults <kind>=<rate>[,…] [--faults-until <s>] [--seed <n>]] [--json] [--report out.html [--no-baseline]]`
 * — flags override the scenario's settings. `--store` (default on, as deployed): ecs-pilot's duties read
 * the in-memory cluster-state store fed by the simulated events. `--faults`: ecs-pilot under a seeded
 * fault plan (docs/simulation.md, "Faults"), its invariants checked against the same run without faults.
 * `--report`: the run beside a baseline run, ECS tuned (src/sim/baseline.ts), unless `--no-baseline`.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { loadConfigFile } from '../config/load.js';
import type { ControllerConfig } from '../config/schema.js';
import { BASELINE_DESCRIPTION, BASELINE_LABEL, baselineRun } from '../sim/baseline.js';
import { htmlReport, timelineMarkers } from '../sim/report.js';
import { CONTROLLERS, simulate, type ControllerName, type SimulationResult } from '../sim/run.js';
import { loadScenario, type LoadedScenario } from '../sim/scenario.js';
import { checkInvariants, type Violation } from '../sim/faults/invariants.js';
import { defaultFaultsUntil, FAULT_KINDS, FaultSpecError, parseFaultRates, type FaultPlan } from '../sim/faults/plan.js';
import { CliError, EXIT } from './errors.js';
import type { Progress } from './progress.js';
import { VERSION } from './version.js';

export interface SimulateOptions {
  controller: string;
  consolidation?: boolean;
  managedScaling?: string;
  ecsWarmup?: string;
  ecsTarget?: string;
  ecsSpotDraining?: string;
  /** on (default) | off: ecs-pilot with its state store. */
  store?: string;
  json?: boolean;
  report?: string;
  /** false (`--no-baseline`): the report shows the run alone, without ECS tuned beside it. */
  baseline?: boolean;
  /** `<kind>=<rate>[,…]` (FAULT_KINDS): ecs-pilot under a fault plan. */
  faults?: string;
  /** Seconds from the start after which no fault is injected (default: 20 minutes before the end). */
  faultsUntil?: string;
  /** The fault plan's seed (default 1). */
  seed?: string;
  /** Controller config path, and whether it was given on the command line (then it must name the scenario's cluster). */
  config?: string;
  configGiven?: boolean;
}

export function renderResult(r: SimulationResult & { label?: string }, notes: string[] = []): string {
  const m = r.metrics;
  return [
    ...notes.map((n) => `note: ${n}`),
    `Scenario ${r.scenario} under ${r.label ?? r.controller}:`,
    ...(r.settings ? [`  settings                      ${Object.entries(r.settings).map(([k, v]) => `${k}=${v}`).join(', ')}`] : []),
    `  tasks asked for               ${m.tasksSubmitted} (${m.tasksRunning} reached RUNNING)`,
    `  tasks never placed            ${m.tasksNeverPlaced}`,
    `  tasks running at the end      ${m.tasksRunningAtEnd}`,
    `  submission → RUNNING          p50 ${m.latencyP50} s, p95 ${m.latencyP95} s, max ${m.latencyMax} s`,
    `  last task RUNNING             ${m.allPlacedSeconds} s after the first submission${m.latencyMax < m.allPlacedSeconds ? ` (tasks kept arriving: the longest wait was ${m.latencyMax} s)` : ''}`,
    `  missing task-seconds          ${m.missingTaskSeconds}`,
    `  instance-hours                ${m.instanceHours.toFixed(2)} (${m.unpricedInstanceHours > 0 ? (m.cost === 0 ? 'cost n/a: no prices' : `$${m.cost.toFixed(2)} + ${m.unpricedInstanceHours.toFixed(2)} h with no price`) : `$${m.cost.toFixed(2)}`})`,
    `  scaling actions               ${m.scalingActions}`,
    `  tasks moved by drains         ${m.tasksMoved}`,
    `  tasks interrupted by spot     ${m.interruptedTasks}`,
    `  tasks lost                    ${m.lostTasks}`,
    `  tasks killed by scale-in      ${m.killedByScaleIn}`,
    ...(m.controllerErrors > 0 ? [`  controller errors             ${m.controllerErrors}`] : []),
    ...(m.stateEvents ? [`  state store events            ${m.stateEvents.applied} applied, ${m.stateEvents.duplicates + m.stateEvents.stale} duplicate or stale, ${m.stateEvents.gaps} gaps`] : []),
  ].join('\n');
}

/** What `--help` says of `--faults`: the kinds and the unit of each rate. */
export const FAULTS_HELP = `ecs-pilot under injected faults, seeded and repeatable: <kind>=<rate>[,…], a rate a fraction (0.05) or a percentage (5%); kinds: ${Object.entries(
  FAULT_KINDS,
)
  .map(([k, v]) => `${k === 'event-delay' ? 'event-delay=<max seconds>' : k} — ${v}`)
  .join('; ')}. --json adds faults (injected, per kind), invariants and violations (against the same run without faults)`;

/** The fault plan the flags give (undefined without --faults); bad values are usage errors. */
export function faultPlanOf(options: Pick<SimulateOptions, 'faults' | 'faultsUntil' | 'seed' | 'controller'>, durationMinutes: number): FaultPlan | undefined {
  if (options.faults === undefined) {
    const stray = options.faultsUntil !== undefined ? '--faults-until' : options.seed !== undefined ? '--seed' : undefined;
    if (stray) throw new CliError(`${stray} applies with --faults`, EXIT.usage);
    return undefined;
  }
  if (options.controller !== 'ecs-pilot') throw new CliError('--faults applies to --controller ecs-pilot (faults are injected on its side)', EXIT.usage);
  let rates: FaultPlan['rates'];
  try {
    rates = parseFaultRates(options.faults);
  } catch (e) {
    if (e instanceof FaultSpecError) throw new CliError(e.message, EXIT.usage);
    throw e;
  }
  const untilSeconds = integer('--faults-until', options.faultsUntil, 0, durationMinutes * 60) ?? defaultFaultsUntil(durationMinutes);
  const seed = integer('--seed', options.seed, 0, 0xffffffff) ?? 1;
  return { rates, untilSeconds, seed };
}

function onOff(flag: string, value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  if (value !== 'on' && value !== 'off') throw new CliError(`${flag} must be on or off (got "${value}")`, EXIT.usage);
  return value === 'on';
}

function integer(flag: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new CliError(`${flag} must be an integer from ${min} to ${max} (got "${value}")`, EXIT.usage);
  return n;
}

/** The scenario with the command line's settings over its own. */
export function withFlags(loaded: LoadedScenario, options: SimulateOptions): LoadedScenario {
  const settings = { ...loaded.scenario.settings };
  const managed = onOff('--managed-scaling', options.managedScaling);
  if (managed !== undefined) settings.managedScaling = managed ? 'on' : 'off';
  const draining = onOff('--ecs-spot-draining', options.ecsSpotDraining);
  if (draining !== undefined) settings.ecsSpotDraining = draining;
  const warmup = integer('--ecs-warmup', options.ecsWarmup, 0, 10_000);
  if (warmup !== undefined) settings.instanceWarmupSeconds = warmup;
  const target = integer('--ecs-target', options.ecsTarget, 1, 100);
  if (target !== undefined) settings.targetCapacityPercent = target;
  return { ...loaded, scenario: { ...loaded.scenario, settings } };
}

/**
 * The config ecs-pilot runs with in the simulation: the given file's entry for the scenario's cluster
 * (an error when it has none), else the default file when it names that cluster, else defaults.
 * Always acting: a dry run (or a shadowed duty) would simulate a controller that does nothing.
 */
export function simulationConfig(loaded: LoadedScenario, path: string | undefined, given: boolean): { config?: ControllerConfig; source: string; notes: string[] } {
  const cluster = loaded.snapshot.cluster;
  if (!path || !existsSync(path)) {
    if (given) throw new CliError(`cannot read config ${path}: no such file`, EXIT.rejected);
    return { source: "defaults (the scenario's groups)", notes: [] };
  }
  const config = loadConfigFile(path);
  const entry = config.clusters.find((c) => c.name === cluster);
  if (!entry) {
    if (given) throw new CliError(`${path} has no cluster "${cluster}" (the scenario's cluster; configured: ${config.clusters.map((c) => c.name).join(', ') || 'none'})`, EXIT.rejected);
    return { source: "defaults (the scenario's groups)", notes: [] };
  }
  const notes = [
    ...(config.dryRun ? [`${path} sets dryRun: the simulation runs ecs-pilot acting`] : []),
    ...(config.shadow.length > 0 ? [`${path} shadows ${config.shadow.join(', ')}: the simulation runs every duty acting`] : []),
  ];
  return { config: { ...config, dryRun: false, shadow: [], clusters: [entry] }, source: path, notes };
}

/** `--report` takes a file: a bare format name such as `html` is a mistake, not a file to write. */
function reportPath(value: string): string {
  if (!/\.html?$/i.test(value)) throw new CliError(`--report takes the HTML file to write, e.g. --report out/${value.replace(/[^\w.-]/g, '') || 'report'}.html (got "${value}")`, EXIT.usage);
  return value;
}

/** `progress`: a bar for the run, given only for text output on a terminal. */
export async function runSimulateCommand(path: string, options: SimulateOptions, write: (t: string) => void, progress?: (label: string) => Progress): Promise<void> {
  if (!(CONTROLLERS as readonly string[]).includes(options.controller)) {
    throw new CliError(`--controller must be one of ${CONTROLLERS.join(', ')} (got "${options.controller}")`, EXIT.usage);
  }
  const report = options.report === undefined ? undefined : reportPath(options.report);
  if (options.baseline === false && !report) throw new CliError('--no-baseline applies with --report', EXIT.usage);
  if (options.consolidation && options.controller !== 'ecs-pilot') throw new CliError('--consolidation applies to --controller ecs-pilot', EXIT.usage);
  const store = onOff('--store', options.store) ?? true;
  if (options.store !== undefined && options.store !== 'on' && options.controller !== 'ecs-pilot') throw new CliError('--store applies to --controller ecs-pilot', EXIT.usage);
  if (options.managedScaling === 'off' && options.controller === 'ecs-managed') throw new CliError('--controller ecs-managed is ECS managed scaling: --managed-scaling off does not apply', EXIT.usage);
  const loaded = withFlags(loadScenario(path), options);
  const plan = faultPlanOf(options, loaded.scenario.durationMinutes);
  const { config, source, notes } = simulationConfig(loaded, options.config, options.configGiven === true);
  const bar = progress?.(`${loaded.scenario.name} (${options.controller}${plan ? ', faults' : ''})`);
  const common = { consolidation: options.consolidation === true, store: store && options.controller === 'ecs-pilot', ...(config ? { config } : {}) };
  let result: SimulationResult;
  try {
    result = await simulate(loaded, options.controller as ControllerName, { ...common, ...(plan ? { faults: plan } : {}), ...(bar ? { onProgress: (done: number, total: number) => bar.update(done, total) } : {}) });
  } finally {
    bar?.stop();
  }
  // The invariants compare with the same run without faults (the same delivery model, an empty plan).
  let violations: Violation[] | undefined;
  let faultFree: SimulationResult | undefined;
  if (plan && result.invariants) {
    faultFree = await simulate(loaded, options.controller as ControllerName, { ...common, faults: { ...plan, rates: {} } });
    violations = faultFree.invariants ? checkInvariants({ invariants: result.invariants, metrics: result.metrics }, { invariants: faultFree.invariants, metrics: faultFree.metrics }) : [];
  }
  if (report) {
    mkdirSync(dirname(report), { recursive: true });
    const settings = { scenario: path, controller: options.controller, consolidation: options.consolidation === true, config: options.controller === 'ecs-pilot' ? source : 'not used (ECS managed scaling model)', ...result.settings };
    let baseline: SimulationResult | undefined;
    if (options.baseline !== false) {
      const baseBar = progress?.(`${loaded.scenario.name} (baseline: ${BASELINE_LABEL})`);
      try {
        baseline = await baselineRun(loaded, baseBar ? (done, total) => baseBar.update(done, total) : undefined);
      } finally {
        baseBar?.stop();
      }
    }
    const results = baseline ? [result, { ...baseline, baseline: true }] : [result];
    const about = baseline ? [`${BASELINE_LABEL}, the baseline: ${BASELINE_DESCRIPTION} (--no-baseline leaves it out).`] : [];
    writeFileSync(report, htmlReport(`ecs-pilot simulate: ${loaded.scenario.name}`, [{ scenario: loaded.scenario.name, description: loaded.scenario.description, results, markers: timelineMarkers(loaded.scenario, loaded.snapshot), notes: about }], { version: VERSION, settings }));
    notes.push(`report written to ${report}`);
  }
  const checked = violations && faultFree ? { violations, faultFree: { metrics: faultFree.metrics, invariants: faultFree.invariants } } : {};
  write(options.json ? JSON.stringify({ ...result, config: source, ...checked }, null, 2) : [renderResult(result, notes), ...(violations ? [renderFaults(result, violations)] : [])].join('\n'));
}

/** The faults injected and the invariants, for a person. */
function renderFaults(r: SimulationResult, violations: Violation[]): string {
  const injected = Object.entries(r.faults?.injected ?? {}).filter(([, n]) => n > 0);
  return [
    `  faults (seed ${r.faults?.plan.seed}, until ${r.faults?.plan.untilSeconds} s)  ${injected.map(([k, n]) => `${k} ${n}`).join(', ') || 'none injected'}`,
    `  invariants                    ${Object.entries(r.invariants ?? {}).map(([k, n]) => `${k} ${n}`).join(', ')}`,
    violations.length === 0 ? '  violations                    none (against the same run without faults)' : `  VIOLATIONS                    ${violations.map((v) => v.message).join('; ')}`,
  ].join('\n');
}
