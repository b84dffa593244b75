/**
 * ECS events (source `aws.ecs`): task state changes, service actions, container instance state changes.
 *
 * Sample (events/ecs-task-state-change.provisioning.json):
 *   { "detail-type": "ECS Task State Change",
 *     "detail": { "clusterArn": "arn:aws:ecs:…:cluster/demo", "taskArn": "arn:aws:ecs:…:task/demo/…",
 *                 "lastStatus": "PROVISIONING", "desiredStatus": "RUNNING", "version": 1,
 *                 "capacityProviderName": "spot-general", "group": "service:web", … } }
 */
import { z } from 'zod';
import { instanceRecord, taskRecord } from '../state/records.js';
import { eventModule } from './module.js';

const Arn = z.string().startsWith('arn:', 'expected an ARN');

export const taskStateChange = eventModule({
  source: 'aws.ecs',
  detailType: 'ECS Task State Change',
  detail: z.looseObject({
    clusterArn: Arn,
    taskArn: Arn,
    lastStatus: z.string().min(1),
    desiredStatus: z.string().min(1),
    version: z.number().int().nonnegative(),
    containerInstanceArn: Arn.optional(),
    group: z.string().optional(),
    startedBy: z.string().optional(),
    capacityProviderName: z.string().optional(),
    launchType: z.string().optional(),
    stopCode: z.string().optional(),
    stoppedReason: z.string().optional(),
    containers: z
      .array(z.looseObject({ name: z.string(), exitCode: z.number().int().optional(), lastStatus: z.string().optional() }))
      .default([]),
  }),
  toDomain: (base, d) => ({
    ...base,
    kind: 'task-state-change',
    record: taskRecord(d)!,
    cluster: d.clusterArn,
    taskArn: d.taskArn,
    lastStatus: d.lastStatus,
    desiredStatus: d.desiredStatus,
    version: d.version,
    containerInstanceArn: d.containerInstanceArn,
    group: d.group,
    startedBy: d.startedBy,
    capacityProviderName: d.capacityProviderName,
    launchType: d.launchType,
    stopCode: d.stopCode,
    stoppedReason: d.stoppedReason,
    containers: d.containers.map((c) => ({ name: c.name, exitCode: c.exitCode, lastStatus: c.lastStatus })),
  }),
});

export const serviceAction = eventModule({
  source: 'aws.ecs',
  detailType: 'ECS Service Action',
  detail: z.looseObject({
    eventType: z.string().min(1),
    eventName: z.string().min(1),
    clusterArn: Arn,
    reason: z.string().optional(),
    capacityProviderArns: z.array(z.string()).default([]),
  }),
  toDomain: (base, d, envelope) => ({
    ...base,
    kind: 'service-action',
    cluster: d.clusterArn,
    eventName: d.eventName,
    eventType: d.eventType,
    service: envelope.resources.find((r) => r.includes(':service/')),
    reason: d.reason,
    capacityProviderArns: d.capacityProviderArns,
  }),
});

export const containerInstanceStateChange = eventModule({
  source: 'aws.ecs',
  detailType: 'ECS Container Instance State Change',
  detail: z.looseObject({
    clusterArn: Arn,
    containerInstanceArn: Arn,
    ec2InstanceId: z.string().min(1),
    status: z.string().min(1),
    version: z.number().int().nonnegative(),
    runningTasksCount: z.number().int().nonnegative().default(0),
    pendingTasksCount: z.number().int().nonnegative().default(0),
    attributes: z.array(z.looseObject({ name: z.string(), value: z.string().optional() })).default([]),
  }),
  toDomain: (base, d) => ({
    ...base,
    kind: 'container-instance-state-change',
    record: instanceRecord(d)!,
    cluster: d.clusterArn,
    containerInstanceArn: d.containerInstanceArn,
    ec2InstanceId: d.ec2InstanceId,
    status: d.status,
    version: d.version,
    runningTasksCount: d.runningTasksCount,
    pendingTasksCount: d.pendingTasksCount,
    attributes: Object.fromEntries(d.attributes.map((a) => [a.name, a.value ?? ''])),
  }),
});
