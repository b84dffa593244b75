/**
 * Scenario simulations shared by the cases of one test file: the same scenario under the same
 * controller and options is simulated once per file (jest gives each file its own module registry, so
 * a file sees only its own runs) and frozen, so no case can change what another case reads.
 * A case that checks determinism must still simulate its second run itself (`simulate`).
 */
import { type ControllerName, type SimulateOptions, type SimulationResult, simulate } from '../../src/sim/run.js';
import { loadScenario } from '../../src/sim/scenario.js';

/** Options that name a run completely (no callbacks, no config object): what a cache key can hold. */
type PlainOptions = Pick<SimulateOptions, 'consolidation' | 'store'>;

const runs = new Map<string, Promise<SimulationResult>>();

/** `events/scenarios/<name>.yml` under `controller`, simulated on first use in this test file. */
export function scenarioRun(name: string, controller: ControllerName, options: PlainOptions = {}): Promise<SimulationResult> {
  const key = JSON.stringify([name, controller, options.consolidation ?? false, options.store ?? false]);
  let run = runs.get(key);
  if (!run) {
    run = simulate(loadScenario(`events/scenarios/${name}.yml`), controller, options).then(deepFreeze);
    runs.set(key, run);
  }
  return run;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
