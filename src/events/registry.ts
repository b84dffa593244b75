/**
 * Event parsers registered by (source, detail-type). `parseEvent` turns a raw EventBridge event into
 * a domain event, says it is not ours (ignored), or rejects it naming the event id and the bad field.
 */
import { EnvelopeSchema, EventValidationError, IsoTime, issuesAt } from './envelope.js';
import type { BaseFields, EventModule } from './module.js';
import type { DomainEvent } from './types.js';
import { terminateLifecycleAction } from './autoscaling.js';
import { launchUnsuccessful } from './launch-unsuccessful.js';
import { instanceStateChange, rebalanceRecommendation, spotInterruption } from './ec2.js';
import { healthEvent } from './health.js';
import { containerInstanceStateChange, serviceAction, taskStateChange } from './ecs.js';
import { alarmActionToEnvelope, alarmStateChange, serviceScalingSchedule } from './cloudwatch.js';
import { jobSchedule } from './jobs.js';
import { scheduled } from './scheduled.js';
import { runTaskViaCloudTrail } from './cloudtrail.js';

// Each module's detail schema type is erased here; `toDomain` receives what its own schema parsed.
const MODULES = [
  spotInterruption,
  rebalanceRecommendation,
  terminateLifecycleAction,
  launchUnsuccessful,
  taskStateChange,
  serviceAction,
  runTaskViaCloudTrail,
  containerInstanceStateChange,
  jobSchedule,
  alarmStateChange,
  serviceScalingSchedule,
  healthEvent,
  instanceStateChange,
  scheduled,
] as unknown as EventModule[];

const REGISTRY = new Map(MODULES.map((m) => [`${m.source}|${m.detailType}`, m]));

export type ParsedEvent = { outcome: 'parsed'; event: DomainEvent } | { outcome: 'ignored'; eventId: string | undefined; reason: string };

/**
 * @throws EventValidationError when the envelope or the detail of a handled type is malformed
 */
export function parseEvent(input: unknown): ParsedEvent {
  const raw = alarmActionToEnvelope(input);
  const rawId = typeof raw === 'object' && raw !== null && typeof (raw as { id?: unknown }).id === 'string' ? (raw as { id: string }).id : undefined;
  const env = EnvelopeSchema.safeParse(raw);
  if (!env.success) throw new EventValidationError(rawId, issuesAt([], env.error));
  const envelope = env.data;
  const module = REGISTRY.get(`${envelope.source}|${envelope['detail-type']}`);
  if (!module) {
    return { outcome: 'ignored', eventId: envelope.id, reason: `no handler for ${envelope.source} "${envelope['detail-type']}"` };
  }
  const time = IsoTime.safeParse(envelope.time);
  const detail = module.detail.safeParse(envelope.detail ?? {});
  const issues = [...(time.success ? [] : issuesAt(['time'], time.error)), ...(detail.success ? [] : issuesAt(['detail'], detail.error))];
  if (issues.length > 0 || !detail.success) throw new EventValidationError(envelope.id, issues);
  const base: BaseFields = { id: envelope.id, time: envelope.time, source: envelope.source, detailType: envelope['detail-type'] };
  return { outcome: 'parsed', event: module.toDomain(base, detail.data, envelope) };
}

export const HANDLED_EVENT_TYPES = MODULES.map((m) => ({ source: m.source, detailType: m.detailType }));
