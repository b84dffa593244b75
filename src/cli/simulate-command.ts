/**
 * `ecs-pilot simulate <scenario> --controller ecs-pilot|ecs-managed [--consolidation]
 * [--managed-scaling on|off] [--ecs-warmup <s>] [--ecs-target <percent>] [--ecs-spot-draining on|off]
 * [--json] [--report out.html]` — flags override the scenario's settings.
 */
import { writeFileSync } from 'node:fs';
import { htmlReport } from '../sim/report.js';
import { CONTROLLERS, simulate, type ControllerName, type SimulationResult } from '../sim/run.js';
import { loadScenario, type LoadedScenario } from '../sim/scenario.js';
import { CliError, EXIT } from './errors.js';

export interface SimulateOptions {
  controller: string;
  consolidation?: boolean;
  managedScaling?: string;
  ecsWarmup?: string;
  ecsTarget?: string;
  ecsSpotDraining?: string;
  json?: boolean;
  report?: string;
}

export function renderResult(r: SimulationResult): string {
  const m = r.metrics;
  return [
    `Scenario ${r.scenario} under ${r.label ?? r.controller}:`,
    ...(r.settings ? [`  settings                      ${Object.entries(r.settings).map(([k, v]) => `${k}=${v}`).join(', ')}`] : []),
    `  tasks running / asked for     ${m.tasksRunning} / ${m.tasksSubmitted}`,
    `  tasks never placed            ${m.tasksNeverPlaced}`,
    `  submission → RUNNING          p50 ${m.latencyP50} s, p95 ${m.latencyP95} s, max ${m.latencyMax} s`,
    `  all placed after              ${m.allPlacedSeconds} s`,
    `  missing task-seconds          ${m.missingTaskSeconds}`,
    `  instance-hours                ${m.instanceHours.toFixed(2)} ($${m.cost.toFixed(2)})`,
    `  scaling actions               ${m.scalingActions}`,
    `  tasks moved by drains         ${m.tasksMoved}`,
    `  tasks interrupted by spot     ${m.interruptedTasks}`,
    `  tasks lost                    ${m.lostTasks}`,
    `  tasks killed by scale-in      ${m.killedByScaleIn}`,
    ...(m.controllerErrors > 0 ? [`  controller errors             ${m.controllerErrors}`] : []),
  ].join('\n');
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

export async function runSimulateCommand(path: string, options: SimulateOptions, write: (t: string) => void): Promise<void> {
  if (!(CONTROLLERS as readonly string[]).includes(options.controller)) {
    throw new CliError(`--controller must be one of ${CONTROLLERS.join(', ')} (got "${options.controller}")`, EXIT.usage);
  }
  if (options.consolidation && options.controller !== 'ecs-pilot') throw new CliError('--consolidation applies to --controller ecs-pilot', EXIT.usage);
  if (options.managedScaling === 'off' && options.controller === 'ecs-managed') throw new CliError('--controller ecs-managed is ECS managed scaling: --managed-scaling off does not apply', EXIT.usage);
  const loaded = withFlags(loadScenario(path), options);
  const result = await simulate(loaded, options.controller as ControllerName, { consolidation: options.consolidation === true });
  if (options.report) {
    writeFileSync(options.report, htmlReport(`ecs-pilot simulate: ${loaded.scenario.name}`, [{ scenario: loaded.scenario.name, description: loaded.scenario.description, results: [result] }]));
  }
  write(options.json ? JSON.stringify(result, null, 2) : renderResult(result));
}
