/**
 * ECS's service scheduler and placement in time (docs/simulation.md): each tick it keeps every
 * service of the one service model (ecs-services.ts) at its desired count — replacing tasks on
 * instances that are leaving within maximumPercent, stopping those tasks while minimumHealthyPercent
 * holds, scaling in by the placement strategy — then places waiting tasks, fails the unplaced ones
 * when managed scaling is off (the scheduler then backs off), and moves placed tasks to RUNNING (and
 * standalone ones to their end).
 */
import type { Task } from '../../core/model.js';
import type { EcsService, EcsServices } from '../ecs-services.js';
import type { Placement } from '../placement.js';
import type { Scenario } from '../scenario.js';
import { take, type ClusterState, type SimInstance, type SimTask } from '../state.js';
import type { Sequence } from './clock.js';
import type { WorldCounters } from './counters.js';
import type { EcsEvents } from './ecs-events.js';

/** ECS looks at no more than 500 PROVISIONING tasks per cluster. */
const PROVISIONING_QUOTA = 500;

export interface SchedulerParts {
  state: ClusterState;
  services: EcsServices;
  placement: Placement;
  events: EcsEvents;
  ids: Sequence;
  counters: WorldCounters;
  settings: Scenario['settings'];
  /** Managed scaling on: unplaced tasks wait in PROVISIONING; off: they fail and the scheduler retries. */
  managedScaling: boolean;
}

/** What a task asks for when ECS creates it (its id and defaults filled in). */
export type NewTask = Omit<Task, 'id' | 'constraints' | 'daemon'> & { constraints?: Task['constraints'] };

export class ServiceScheduler {
  /** When each placed task was placed: it runs `taskStartSeconds` later. */
  private readonly pendingSince = new Map<string, number>();

  public constructor(private readonly w: SchedulerParts) {}

  /**
   * A task ECS creates. With managed scaling on it waits in PROVISIONING (and ECS says so in an
   * event); off, it exists only if placement finds room in this same tick (`failUnplaced`).
   */
  public createTask(t: NewTask, askedAt: number = this.w.state.now): SimTask {
    const { state } = this.w;
    const id = state.arn('ecs', 'task', `${state.cluster}/sim${this.w.ids.next().toString(16).padStart(29, '0')}`);
    const task = state.addTask({ id, constraints: t.constraints ?? [], daemon: false, ...t }, undefined, 'PROVISIONING');
    task.submittedAt = askedAt;
    state.taskChanged(task, undefined);
    return task;
  }

  /** Every service to its desired count: tasks started, tasks on leaving instances stopped, extra tasks stopped. */
  public keepDesired(): void {
    const { state, services } = this.w;
    let provisioning = [...state.tasks.values()].filter((t) => t.lastStatus === 'PROVISIONING').length;
    const onLeaving = (t: SimTask): boolean => {
      const i = t.containerInstanceArn ? state.instances.get(t.containerInstanceArn) : undefined;
      return i !== undefined && (i.status !== 'ACTIVE' || i.lifecycleState !== 'InService');
    };
    for (const s of services.all()) {
      const desired = services.desired(s.name);
      const tasks = services.members(s.name);
      const healthy = tasks.filter((t) => !onLeaving(t));
      const leaving = tasks.filter(onLeaving);
      // Since when each missing task has been missing: its latency counts from then, across retries.
      const missing = Math.max(0, desired - healthy.length);
      while (s.missingSince.length < missing) s.missingSince.push(state.now);
      if (s.missingSince.length > missing) s.missingSince.length = missing;
      // Start replacements up to maximumPercent (and the PROVISIONING quota); with managed scaling
      // off, only when the scheduler's back-off has passed.
      const cap = Math.max(desired, Math.floor((desired * s.maximumPercent) / 100));
      let start = this.w.managedScaling || s.nextTryAt <= state.now ? Math.min(desired - healthy.length, cap - tasks.length) : 0;
      // The first ones started stand in for tasks on leaving instances: replacements, not new work.
      let replacements = Math.min(start, leaving.length);
      while (start > 0 && provisioning < PROVISIONING_QUOTA) {
        const created = this.createTask({ cpu: s.cpu, memoryMiB: s.memoryMiB, gpus: s.gpus, awsvpc: s.awsvpc, hostPorts: s.hostPorts, group: `service:${s.name}`, startedBy: `ecs-svc/${s.name}`, ...(s.capacityProvider ? { capacityProvider: s.capacityProvider } : {}), constraints: [...s.constraints] }, s.missingSince.shift() ?? state.now);
        if (replacements > 0) {
          created.replacement = true;
          replacements -= 1;
        }
        s.created += 1;
        provisioning += 1;
        start -= 1;
      }
      // Stop tasks on leaving instances while minimumHealthyPercent stays met.
      const running = (list: SimTask[]): number => list.filter((t) => t.lastStatus === 'RUNNING').length;
      let stoppable = running(healthy) + running(leaving) - Math.ceil((desired * s.minimumHealthyPercent) / 100);
      for (const t of leaving.sort((a, b) => Number(a.lastStatus === 'RUNNING') - Number(b.lastStatus === 'RUNNING'))) {
        if (t.lastStatus === 'RUNNING' && stoppable <= 0) continue;
        if (t.lastStatus === 'RUNNING') stoppable -= 1;
        state.stopTask(t, { stopCode: 'ServiceSchedulerInitiated', reason: 'Container instance is draining' });
      }
      this.scaleIn(s, healthy, healthy.length - desired);
    }
  }

  /** Scale in: waiting tasks first (newest first); then running ones by the service's placement strategy. */
  private scaleIn(s: EcsService, healthy: SimTask[], extra: number): void {
    const stop = (t: SimTask) => this.w.state.stopTask(t, { stopCode: 'ServiceSchedulerInitiated', reason: 'Scaling activity initiated by deployment' });
    const order = { PROVISIONING: 0, PENDING: 1 } as Record<string, number>;
    for (const t of healthy.filter((x) => x.lastStatus in order).sort((a, b) => (order[a.lastStatus] ?? 2) - (order[b.lastStatus] ?? 2) || b.submittedAt - a.submittedAt)) {
      if (extra <= 0) break;
      stop(t);
      extra -= 1;
    }
    const runningTasks = healthy.filter((x) => x.lastStatus === 'RUNNING');
    while (extra > 0 && runningTasks.length > 0) {
      const victim = s.placementStrategy === 'binpack' ? this.binpackVictim(runningTasks) : this.spreadVictim(runningTasks);
      if (!victim) break;
      stop(victim);
      extra -= 1;
    }
  }

  /** ECS's binpack scale-in: the task on the instance with the most memory left (taken out of the list). */
  private binpackVictim(runningTasks: SimTask[]): SimTask | undefined {
    const { state, placement } = this.w;
    const instanceOf = (t: SimTask) => state.instances.get(t.containerInstanceArn ?? '');
    const used = placement.usageOf([...new Set(runningTasks.map(instanceOf).filter((i): i is SimInstance => i !== undefined))]);
    const freeMem = (t: SimTask): number => (instanceOf(t)?.registered.memoryMiB ?? 0) - (used.get(t.containerInstanceArn ?? '')?.mem ?? 0);
    runningTasks.sort((a, b) => freeMem(b) - freeMem(a) || (a.containerInstanceArn ?? '').localeCompare(b.containerInstanceArn ?? '') || b.submittedAt - a.submittedAt);
    return runningTasks.shift();
  }

  /** ECS's spread scale-in keeps AZs balanced: from the AZ with the most of the service's tasks, the instance with the most of them. */
  private spreadVictim(runningTasks: SimTask[]): SimTask | undefined {
    const { state } = this.w;
    const perAz = new Map<string, number>();
    const perInstance = new Map<string, number>();
    for (const t of runningTasks) {
      const i = state.instances.get(t.containerInstanceArn ?? '');
      perAz.set(i?.az ?? '', (perAz.get(i?.az ?? '') ?? 0) + 1);
      perInstance.set(t.containerInstanceArn ?? '', (perInstance.get(t.containerInstanceArn ?? '') ?? 0) + 1);
    }
    runningTasks.sort((a, b) => {
      const ia = state.instances.get(a.containerInstanceArn ?? '');
      const ib = state.instances.get(b.containerInstanceArn ?? '');
      return (
        (perAz.get(ib?.az ?? '') ?? 0) - (perAz.get(ia?.az ?? '') ?? 0) ||
        (perInstance.get(b.containerInstanceArn ?? '') ?? 0) - (perInstance.get(a.containerInstanceArn ?? '') ?? 0) ||
        (ia?.arn ?? '').localeCompare(ib?.arn ?? '') ||
        b.submittedAt - a.submittedAt
      );
    });
    return runningTasks.shift();
  }

  /**
   * Places PROVISIONING tasks, oldest first: binpack on memory, or for `spread` services the AZ with
   * the fewest of the service's tasks first. A service task without a capacity provider that finds no
   * room makes ECS emit SERVICE_TASK_PLACEMENT_FAILURE (at most once a minute per service).
   */
  public place(): void {
    const { state, services, placement } = this.w;
    const waiting = [...state.tasks.values()].filter((t) => t.lastStatus === 'PROVISIONING').sort((a, b) => a.submittedAt - b.submittedAt);
    if (waiting.length === 0) return;
    const active = placement.activeInstances();
    const usage = placement.usageOf(active);
    const perAz = new Map<string, number>();
    const azCount = (group: string | undefined, az: string): number => perAz.get(`${group}|${az}`) ?? 0;
    for (const t of state.tasks.values()) {
      const i = t.containerInstanceArn ? state.instances.get(t.containerInstanceArn) : undefined;
      if (i && t.lastStatus !== 'STOPPED') perAz.set(`${t.group}|${i.az}`, azCount(t.group, i.az) + 1);
    }
    for (const t of waiting) {
      const service = t.group?.startsWith('service:') ? services.get(t.group.slice('service:'.length)) : undefined;
      const spread = service?.placementStrategy === 'spread';
      let best: { i: SimInstance; freeMem: number; az: number } | undefined;
      for (const i of active) {
        if (t.capacityProvider && i.group !== t.capacityProvider) continue;
        const u = usage.get(i.arn);
        const freeMem = u ? placement.fitsOn(t, i, u) : undefined;
        if (freeMem === undefined) continue;
        const az = spread ? azCount(t.group, i.az) : 0;
        if (!best || az < best.az || (az === best.az && (freeMem < best.freeMem || (freeMem === best.freeMem && i.arn < best.i.arn)))) best = { i, freeMem, az };
      }
      if (!best) {
        if (service && !service.capacityProvider && this.w.managedScaling) this.w.events.placementFailure(service.name);
        continue;
      }
      perAz.set(`${t.group}|${best.i.az}`, azCount(t.group, best.i.az) + 1);
      const u = usage.get(best.i.arn);
      if (u) take(u, t);
      t.containerInstanceArn = best.i.arn;
      t.lastStatus = 'PENDING';
      this.pendingSince.set(t.arn, state.now);
      state.taskChanged(t, 'PROVISIONING');
    }
  }

  /** Managed scaling off: service tasks that found no room were never created; the scheduler backs off. */
  public failUnplaced(): void {
    const { state, services, settings } = this.w;
    const failedBy = new Map<string, SimTask[]>();
    for (const t of [...state.tasks.values()]) {
      if (t.lastStatus !== 'PROVISIONING' || !t.group?.startsWith('service:')) continue;
      state.discardTask(t.arn);
      const list = failedBy.get(t.group) ?? [];
      list.push(t);
      failedBy.set(t.group, list);
    }
    for (const s of services.all()) {
      const failed = failedBy.get(`service:${s.name}`);
      if (!failed) {
        if (s.nextTryAt <= state.now) s.backoffMs = 0;
        continue;
      }
      s.created -= failed.filter((t) => !t.replacement).length;
      s.missingSince = [...failed.map((t) => t.submittedAt), ...s.missingSince].sort((a, b) => a - b);
      s.backoffMs = Math.min(settings.serviceRetryMaxSeconds * 1000, s.backoffMs === 0 ? settings.serviceRetryFirstSeconds * 1000 : s.backoffMs * 2);
      s.nextTryAt = state.now + s.backoffMs;
      this.w.events.placementFailure(s.name);
    }
  }

  /** The agent's side: placed tasks RUNNING `taskStartSeconds` later; standalone tasks exit after their duration. */
  public progress(): void {
    const { state, settings, counters } = this.w;
    for (const t of state.tasks.values()) {
      if (t.lastStatus === 'PENDING' && (this.pendingSince.get(t.arn) ?? Infinity) + settings.taskStartSeconds * 1000 <= state.now) {
        t.lastStatus = 'RUNNING';
        t.runningAt = state.now;
        state.taskChanged(t, 'PENDING');
      }
      if (t.lastStatus === 'RUNNING' && t.durationMs !== undefined && (t.runningAt ?? state.now) + t.durationMs <= state.now) {
        state.stopTask(t, { stopCode: 'EssentialContainerExited', reason: 'Essential container in task exited' });
        counters.completedStandalone += 1;
      }
    }
  }
}
