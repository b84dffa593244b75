/**
 * A duty fed by an SQS queue that EventBridge fills (the capacity function): a burst of events arrives
 * as one batch. The first event of a cluster that is acted on (or found to need nothing) reads and
 * plans the whole cluster; the batch's later events of that cluster are covered by it. A record that
 * is malformed or whose run failed is reported back (ReportBatchItemFailures, through Powertools'
 * BatchProcessor): SQS delivers it again, then moves it to the dead-letter queue.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { runDuty, type AnyDuty, type ControllerDeps, type DecisionRecord } from '../controller.js';
import { EventValidationError, parseEvent } from '../events/index.js';

export interface BatchOutcome {
  response: SQSBatchResponse;
  records: DecisionRecord[];
}

const clusterOf = (event: unknown): string | undefined => {
  try {
    const parsed = parseEvent(event);
    return parsed.outcome === 'parsed' && 'cluster' in parsed.event ? parsed.event.cluster : undefined;
  } catch {
    return undefined;
  }
};

export async function runSqsBatch(duty: AnyDuty, batch: SQSEvent, deps: ControllerDeps): Promise<BatchOutcome> {
  const records: DecisionRecord[] = [];
  const covered = new Map<string, string>(); // cluster → id of the event whose run covered it
  // Records one at a time, in order: the first of a cluster covers the rest.
  const handle = async (message: SQSRecord): Promise<void> => {
    let event: unknown;
    try {
      event = JSON.parse(message.body);
    } catch (e) {
      deps.logger?.error(`${duty.name}: message ${message.messageId} is not JSON: rejected`);
      throw e;
    }
    const cluster = clusterOf(event);
    const by = cluster ? covered.get(cluster) : undefined;
    if (cluster && by) {
      const id = typeof event === 'object' && event !== null ? String((event as { id?: unknown }).id) : undefined;
      records.push({ duty: duty.name, eventId: id, detailType: undefined, outcome: 'ignored', reason: `covered by event ${by} in the same batch`, dryRun: deps.config.dryRun, actions: [], calls: [], failures: [], skipped: [] });
      return;
    }
    try {
      const record = await runDuty(duty, event, deps);
      records.push(record);
      if (cluster && (record.outcome === 'acted' || record.outcome === 'nothing-to-do') && record.eventId) covered.set(cluster, record.eventId);
    } catch (e) {
      if (!(e instanceof EventValidationError)) deps.logger?.error(`${duty.name}: message ${message.messageId} failed: ${(e as Error).message}`);
      throw e;
    }
  };
  const response = await processPartialResponse(batch, handle, new BatchProcessor(EventType.SQS), { processInParallel: false, throwOnFullBatchFailure: false });
  return { response, records };
}
