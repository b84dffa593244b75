/**
 * A duty fed by an SQS queue that EventBridge fills (the capacity function): a burst of events arrives
 * as one SQS batch. Plumbing only: each message is parsed once, the events are grouped by cluster, and
 * the duty runs once per cluster with the group's other events (`ctx.batch`) — what one decision makes
 * of them is the duty's. A message that is malformed, or whose cluster's run failed, is reported back
 * (ReportBatchItemFailures, through Powertools' BatchProcessor): SQS delivers it again, then moves it
 * to the dead-letter queue.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { clusterName } from '../config/load.js';
import { isDryRun, parseFor, runParsed, type AnyDuty, type ControllerDeps, type DecisionRecord, type Logger } from '../controller.js';
import type { DomainEvent, ParsedEvent } from '../events/index.js';

export interface BatchOutcome {
  response: SQSBatchResponse;
  records: DecisionRecord[];
}

/** A message's EventBridge event; a body that is not JSON is logged and rejected (redelivered, then the DLQ). */
export function messageBody(message: SQSRecord, fn: string, logger: Pick<Logger, 'error'> | undefined): unknown {
  try {
    return JSON.parse(message.body);
  } catch (e) {
    logger?.error(`${fn}: message ${message.messageId} is not JSON: rejected`);
    throw e;
  }
}

/** One message, parsed once: its event, or why it is rejected. */
type Parsed = { message: SQSRecord; parsed: ParsedEvent } | { message: SQSRecord; error: unknown };

/** The messages whose events name the same cluster (by name or ARN); others run alone. */
function byCluster(parsed: Parsed[]): Parsed[][] {
  const groups = new Map<string, Parsed[]>();
  const alone: Parsed[][] = [];
  for (const p of parsed) {
    const event = 'parsed' in p && p.parsed.outcome === 'parsed' ? p.parsed.event : undefined;
    const cluster = event && 'cluster' in event && event.cluster !== undefined ? clusterName(event.cluster) : undefined;
    if (cluster === undefined) alone.push([p]);
    else groups.set(cluster, [...(groups.get(cluster) ?? []), p]);
  }
  return [...groups.values(), ...alone];
}

export async function runSqsBatch(duty: AnyDuty, batch: SQSEvent, deps: ControllerDeps): Promise<BatchOutcome> {
  const records: DecisionRecord[] = [];
  const failed = new Map<string, unknown>(); // messageId → why it is reported back
  const parsed: Parsed[] = batch.Records.map((message) => {
    try {
      return { message, parsed: parseFor(duty, messageBody(message, duty.name, deps.logger), deps) };
    } catch (error) {
      return { message, error };
    }
  });
  for (const group of byCluster(parsed)) {
    for (const p of group) if ('error' in p) failed.set(p.message.messageId, p.error);
    const ok = group.filter((p): p is Extract<Parsed, { parsed: ParsedEvent }> => 'parsed' in p);
    const [lead, ...rest] = ok;
    if (!lead) continue;
    const others = rest.flatMap((p): DomainEvent[] => (p.parsed.outcome === 'parsed' ? [p.parsed.event] : []));
    try {
      const record = await runParsed(duty, lead.parsed, others.length > 0 ? { ...deps, batch: others } : deps);
      records.push(record);
      for (const p of rest) records.push(covered(duty, deps, p.parsed, record));
    } catch (e) {
      deps.logger?.error(`${duty.name}: message ${lead.message.messageId} failed: ${(e as Error).message}`);
      // The one decision covered every message of the group: all are delivered again.
      for (const p of ok) failed.set(p.message.messageId, e);
    }
  }
  const answer = async (message: SQSRecord): Promise<void> => {
    if (failed.has(message.messageId)) throw failed.get(message.messageId);
  };
  const response = await processPartialResponse(batch, answer, new BatchProcessor(EventType.SQS), { processInParallel: false, throwOnFullBatchFailure: false });
  return { response, records };
}

/** The record of a message its cluster's decision covered. */
function covered(duty: AnyDuty, deps: ControllerDeps, parsed: ParsedEvent, by: DecisionRecord): DecisionRecord {
  const eventId = parsed.outcome === 'parsed' ? parsed.event.id : parsed.eventId;
  return { duty: duty.name, eventId, detailType: parsed.outcome === 'parsed' ? parsed.event.detailType : undefined, outcome: 'ignored', reason: `covered by event ${by.eventId} in the same batch`, dryRun: isDryRun(deps.config, duty.name), actions: [], calls: [], failures: [], skipped: [] };
}
