/** Test data builders: defaults plus overrides, validated through the real schema. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSnapshot, type Snapshot, type SnapshotInput } from '../../src/core/model.js';

type TaskInput = SnapshotInput['pending'] extends (infer T)[] | undefined ? T : never;
type GroupInput = SnapshotInput['groups'][number];
type InstanceInput = SnapshotInput['instances'] extends (infer T)[] | undefined ? T : never;

export const TYPES = {
  'm5.large': { cpu: 2048, memoryMiB: 7680, enis: 2, gpus: 0, pricePerHour: 0.096 },
  'm5.xlarge': { cpu: 4096, memoryMiB: 15576, enis: 3, gpus: 0, pricePerHour: 0.192 },
  'm5.2xlarge': { cpu: 8192, memoryMiB: 31400, enis: 3, gpus: 0, pricePerHour: 0.384 },
  'c5.large': { cpu: 2048, memoryMiB: 3584, enis: 2, gpus: 0, pricePerHour: 0.085 },
  'g4dn.xlarge': { cpu: 4096, memoryMiB: 15578, enis: 2, gpus: 1, pricePerHour: 0.526 },
};

let counter = 0;
export function aTask(overrides: Partial<TaskInput> = {}): TaskInput {
  counter += 1;
  return { id: `task-${counter}`, cpu: 256, memoryMiB: 512, ...overrides };
}

export function aGroup(overrides: Partial<GroupInput> = {}): GroupInput {
  return { name: 'general', asg: 'asg-general', lifecycle: 'on-demand', min: 0, max: 100, desired: 0, instanceTypes: [{ type: 'm5.large', weight: 1 }], ...overrides };
}

export function anInstance(overrides: Partial<InstanceInput> = {}): InstanceInput {
  counter += 1;
  return {
    id: `ci-${counter}`,
    ec2InstanceId: `i-${counter.toString(16).padStart(8, '0')}`,
    group: 'general',
    type: 'm5.large',
    az: 'us-east-1a',
    status: 'ACTIVE',
    tasks: [],
    ...overrides,
  };
}

/** A snapshot; `desired` of each group defaults to the units of its counted instances. */
export function aSnapshot(overrides: Partial<SnapshotInput> = {}): Snapshot {
  const groups = overrides.groups ?? [aGroup()];
  const instances = overrides.instances ?? [];
  return parseSnapshot({
    version: 1,
    cluster: 'test',
    takenAt: '2026-11-24T12:00:00Z',
    instanceTypes: TYPES,
    pending: [],
    ...overrides,
    groups,
    instances,
  });
}

/** `n` copies of a task, with distinct ids. */
export function tasks(n: number, overrides: Partial<TaskInput> = {}): TaskInput[] {
  return Array.from({ length: n }, () => aTask(overrides));
}

/** Reads a JSON file of the repository (paths relative to its root). */
export function loadJson<T = any>(path: string): T {
  return JSON.parse(readFileSync(join(__dirname, '../..', path), 'utf8')) as T;
}

/**
 * One group `g` (asg-g) of m5.xlarge instances, the i-th running `loads[i]` 1024-CPU service tasks
 * (4 fill one), protected as the reconcile wants busy instances.
 */
export function loadedGroup(loads: number[], o: { takenAt: Date; lifecycle?: 'spot' | 'on-demand' }): Snapshot {
  let k = 0;
  const instances = loads.map((n, i) => ({
    id: `ci-${i}`,
    ec2InstanceId: `i-${String(i).padStart(8, '0')}`,
    group: 'g',
    type: 'm5.xlarge',
    az: 'a',
    status: 'ACTIVE',
    protected: true,
    tasks: Array.from({ length: n }, () => ({ id: `t-${k++}`, cpu: 1024, memoryMiB: 1024, group: 'service:web' })),
  }));
  const group = { name: 'g', asg: 'asg-g', lifecycle: o.lifecycle ?? 'on-demand', min: 0, max: 50, desired: loads.length, instanceTypes: [{ type: 'm5.xlarge', weight: 1 }] };
  return parseSnapshot({ version: 1, cluster: 'c', takenAt: o.takenAt.toISOString(), instanceTypes: { 'm5.xlarge': TYPES['m5.xlarge'] }, groups: [group], instances, pending: [] });
}
