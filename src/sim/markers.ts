/**
 * What a scenario's charts mark: its bursts (a service raised by BURST_TASKS or more in one step), third
 * parties' RunTask calls, spot waves, capacity shortages and instances that never register. Small steps
 * of a service are not marked: the demand line shows them. One list for the run's result and the
 * report, so the same happening is never marked twice under two names.
 */
import type { Snapshot } from '../core/model.js';
import type { Scenario } from './scenario.js';
import { burstSteps } from './scenario-services.js';

export interface Marker {
  /** Whole minutes since the start. */
  minute: number;
  label: string;
}

export function scenarioMarkers(scenario: Pick<Scenario, 'timeline' | 'services'>, snapshot: Snapshot): Marker[] {
  const markers: Marker[] = [];
  const minute = (at: number) => Math.round(at / 60);
  for (const step of scenario.timeline) {
    if ('runTasks' in step) markers.push({ minute: minute(step.at), label: `RunTask × ${step.runTasks.count}` });
    else if ('spotInterruption' in step) markers.push({ minute: minute(step.at), label: `spot wave: ${Math.round(step.spotInterruption.fraction * 100)} % of ${step.spotInterruption.group}` });
    else if ('capacityShortage' in step) markers.push({ minute: minute(step.at), label: `${step.capacityShortage.group} short (${step.capacityShortage.error}) ${Math.round(step.capacityShortage.forSeconds / 60)} min` });
    else if ('neverRegister' in step) markers.push({ minute: minute(step.at), label: `${step.neverRegister.count} never register in ${step.neverRegister.group}` });
  }
  for (const b of burstSteps(scenario, snapshot)) markers.push({ minute: minute(b.at), label: `${b.service} ${b.from} → ${b.to}` });
  return markers.sort((a, b) => a.minute - b.minute);
}

/** Markers drawn as one line each: those of one minute together, and a minute within `gapMinutes` of the group's first joins it (labels would overlap). */
export interface MarkerGroup {
  /** The group's first minute, where its line is drawn. */
  minute: number;
  /** Its last minute (the same as `minute` for one minute). */
  lastMinute: number;
  labels: string[];
}

export function groupMarkers(markers: Marker[], gapMinutes: number): MarkerGroup[] {
  const groups: MarkerGroup[] = [];
  for (const m of [...markers].sort((a, b) => a.minute - b.minute)) {
    const last = groups[groups.length - 1];
    if (last && m.minute - last.minute < Math.max(1, gapMinutes)) {
      last.lastMinute = m.minute;
      if (!last.labels.includes(m.label)) last.labels.push(m.label);
    } else groups.push({ minute: m.minute, lastMinute: m.minute, labels: [m.label] });
  }
  return groups;
}
