/**
 * The run every comparison is made against: ECS managed scaling tuned as the ECS best-practices guide
 * recommends ("Optimize Amazon ECS cluster auto scaling": the instance warm-up period equal to the
 * instance's boot time; the agent's spot draining on, ECS_ENABLE_SPOT_INSTANCE_DRAINING). It is ECS at its
 * best, not at its defaults, so a ratio to it does not flatter ecs-pilot. Used by `simulate --report`
 * (unless --no-baseline) and by bench:scaling.
 */
import { simulate, type SimulationResult } from './run.js';
import type { LoadedScenario } from './scenario.js';

export const BASELINE_LABEL = 'ECS tuned';

/** What the report says of the baseline, under its settings. */
export const BASELINE_DESCRIPTION = 'ECS managed scaling with instanceWarmupPeriod = the instance boot time and ECS_ENABLE_SPOT_INSTANCE_DRAINING=true, as the ECS best-practices guide recommends';

type Settings = LoadedScenario['scenario']['settings'];

/** The scenario settings ECS tuned changes. */
export function ecsTunedSettings(s: Settings): Partial<Settings> {
  return { instanceWarmupSeconds: s.instanceLaunchSeconds, ecsSpotDraining: true };
}

/** The scenario under ECS tuned (its other settings, targetCapacityPercent and the step sizes included, as given). */
export function baselineRun(loaded: LoadedScenario, onProgress?: (doneSeconds: number, totalSeconds: number) => void): Promise<SimulationResult> {
  const settings = { ...loaded.scenario.settings, ...ecsTunedSettings(loaded.scenario.settings) };
  return simulate({ ...loaded, scenario: { ...loaded.scenario, settings } }, 'ecs-managed', { label: BASELINE_LABEL, ...(onProgress ? { onProgress } : {}) });
}
