/**
 * A duty fed by an SQS queue that EventBridge fills (the capacity function): a burst of events arrives
 * as one batch. The first event of a cluster that is acted on (or found to need nothing) reads and
 * plans the whole cluster; the batch's later events of that cluster are covered by it. A record that
 * is malformed or whose run failed is reported back (ReportBatchItemFailures): SQS delivers it again,
 * then moves it to the dead-letter queue.
 */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { isDryRun, runDuty, type ControllerDeps, type DecisionRecord, type ClusterObservation, type Duty } from '../controller.js';
import { EventValidationError, parseEvent, type DomainEventKind } from '../events/index.js';

export interface BatchOutcome {
  response: SQSBatchResponse;
  records: DecisionRecord[];
}

const clusterOf = (event: unknown): string | undefined => {
  try {
    const parsed = parseEvent(event);
    // A failed RunTask carries demand no read of the cluster shows: it neither covers nor is covered.
    if (parsed.outcome === 'parsed' && parsed.event.kind === 'run-task-failure') return undefined;
    return parsed.outcome === 'parsed' && 'cluster' in parsed.event ? parsed.event.cluster : undefined;
  } catch {
    return undefined;
  }
};

export async function runSqsBatch<K extends DomainEventKind, O extends ClusterObservation>(duty: Duty<K, O>, batch: SQSEvent, deps: ControllerDeps): Promise<BatchOutcome> {
  const failures: string[] = [];
  const records: DecisionRecord[] = [];
  const covered = new Map<string, string>(); // cluster → id of the event whose run covered it
  for (const message of batch.Records) {
    let event: unknown;
    try {
      event = JSON.parse(message.body);
    } catch {
      deps.logger?.error(`${duty.name}: message ${message.messageId} is not JSON: rejected`);
      failures.push(message.messageId);
      continue;
    }
    const cluster = clusterOf(event);
    const by = cluster ? covered.get(cluster) : undefined;
    if (cluster && by) {
      const id = typeof event === 'object' && event !== null ? String((event as { id?: unknown }).id) : undefined;
      records.push({ duty: duty.name, eventId: id, detailType: undefined, outcome: 'ignored', reason: `covered by event ${by} in the same batch`, dryRun: isDryRun(deps.config, duty.name), actions: [], calls: [], failures: [], skipped: [] });
      continue;
    }
    try {
      const record = await runDuty(duty, event, deps);
      records.push(record);
      if (cluster && (record.outcome === 'acted' || record.outcome === 'nothing-to-do') && record.eventId) covered.set(cluster, record.eventId);
    } catch (e) {
      if (!(e instanceof EventValidationError)) deps.logger?.error(`${duty.name}: message ${message.messageId} failed: ${(e as Error).message}`);
      failures.push(message.messageId);
    }
  }
  return { response: { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) }, records };
}
