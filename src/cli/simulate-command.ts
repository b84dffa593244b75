/** `ecs-pilot simulate <scenario> --controller ecs-pilot|ecs-managed [--json] [--report out.html]` */
import { writeFileSync } from 'node:fs';
import { htmlReport } from '../sim/report.js';
import { CONTROLLERS, simulate, type ControllerName, type SimulationResult } from '../sim/run.js';
import { loadScenario } from '../sim/scenario.js';
import { CliError, EXIT } from './errors.js';

export interface SimulateOptions {
  controller: string;
  consolidation?: boolean;
  json?: boolean;
  report?: string;
}

export function renderResult(r: SimulationResult): string {
  const m = r.metrics;
  return [
    `Scenario ${r.scenario} under ${r.controller}:`,
    `  tasks running / asked for     ${m.tasksRunning} / ${m.tasksSubmitted}`,
    `  submission → RUNNING          p50 ${m.latencyP50} s, p95 ${m.latencyP95} s, max ${m.latencyMax} s`,
    `  all placed after              ${m.allPlacedSeconds} s`,
    `  instance-hours                ${m.instanceHours.toFixed(2)} ($${m.cost.toFixed(2)})`,
    `  scaling actions               ${m.scalingActions}`,
    `  tasks moved by drains         ${m.tasksMoved}`,
    `  tasks interrupted by spot     ${m.interruptedTasks}`,
    `  tasks lost                    ${m.lostTasks}`,
    `  tasks killed by scale-in      ${m.killedByScaleIn}`,
    ...(m.controllerErrors > 0 ? [`  controller errors             ${m.controllerErrors}`] : []),
  ].join('\n');
}

export async function runSimulateCommand(path: string, options: SimulateOptions, write: (t: string) => void): Promise<void> {
  if (!(CONTROLLERS as readonly string[]).includes(options.controller)) {
    throw new CliError(`--controller must be one of ${CONTROLLERS.join(', ')} (got "${options.controller}")`, EXIT.usage);
  }
  const loaded = loadScenario(path);
  if (options.consolidation && options.controller !== 'ecs-pilot') throw new CliError('--consolidation applies to --controller ecs-pilot', EXIT.usage);
  const result = await simulate(loaded, options.controller as ControllerName, { consolidation: options.consolidation === true });
  if (options.report) {
    writeFileSync(options.report, htmlReport(`ecs-pilot simulate: ${loaded.scenario.name}`, [{ scenario: loaded.scenario.name, description: loaded.scenario.description, results: [result] }]));
  }
  write(options.json ? JSON.stringify(result, null, 2) : renderResult(result));
}
