/**
 * Events out of ecs-pilot's dead-letter queue, so a failed event can be replayed after a fix. The
 * queue holds three shapes (docs/replay.md):
 * - Lambda's on-failure destination record (asynchronous invocations): `{ version, timestamp,
 *   requestContext: { requestId, functionArn, condition, approximateInvokeCount }, requestPayload,
 *   responseContext, responsePayload }`, the event being `requestPayload`
 *   (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html);
 * - an event EventBridge could not deliver: the body is the event, the error in message attributes
 *   `ERROR_CODE`, `ERROR_MESSAGE` (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html);
 * - a message of the capacity queue received 10 times (its redrive policy): the body is the event.
 * Each may come as `aws sqs receive-message` printed it (`{ Messages: [{ MessageId, Body, … }] }`), as
 * one such message, or as the message body itself.
 */
import { CliError, EXIT } from './errors.js';

export interface Unwrapped {
  event: unknown;
  /** Where the event came from and why it failed, when it came out of a DLQ message. */
  from?: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function attribute(message: Record<string, unknown>, name: string): string | undefined {
  const attrs = message.MessageAttributes;
  if (!isObject(attrs)) return undefined;
  const a = attrs[name];
  return isObject(a) && typeof a.StringValue === 'string' ? a.StringValue : undefined;
}

/** Lambda's destination record: the event is its request payload; the error is in the response. */
function fromInvocationRecord(doc: Record<string, unknown>): Unwrapped {
  const context = isObject(doc.requestContext) ? doc.requestContext : {};
  const response = isObject(doc.responsePayload) ? doc.responsePayload : {};
  const fn = typeof context.functionArn === 'string' ? context.functionArn.split(':function:')[1]?.split(':')[0] : undefined;
  const parts = [
    `Lambda failure record${fn ? ` of ${fn}` : ''}`,
    typeof context.condition === 'string' ? `${context.condition}` : undefined,
    typeof context.approximateInvokeCount === 'number' ? `after ${context.approximateInvokeCount} attempt(s)` : undefined,
    typeof response.errorMessage === 'string' ? `error: ${response.errorMessage}` : undefined,
  ].filter(Boolean);
  return { event: doc.requestPayload, from: parts.join(', ') };
}

const isInvocationRecord = (doc: Record<string, unknown>): boolean => 'requestPayload' in doc && isObject(doc.requestContext);
const isSqsMessage = (doc: Record<string, unknown>): boolean => typeof doc.Body === 'string' && ('MessageId' in doc || 'ReceiptHandle' in doc);

/** The events in one parsed document (a file's content, or one element of a file's array). */
export function unwrapDlq(doc: unknown, file: string): Unwrapped[] {
  if (isObject(doc) && Array.isArray(doc.Messages)) return doc.Messages.flatMap((m) => unwrapDlq(m, file));
  if (isObject(doc) && isSqsMessage(doc)) {
    const id = typeof doc.MessageId === 'string' ? doc.MessageId : '?';
    let body: unknown;
    try {
      body = JSON.parse(doc.Body as string);
    } catch (e) {
      throw new CliError(`${file}: SQS message ${id}: the body is not JSON (${(e as Error).message})`, EXIT.rejected, { cause: e });
    }
    const error = [attribute(doc, 'ERROR_CODE'), attribute(doc, 'ERROR_MESSAGE')].filter(Boolean).join(': ');
    return unwrapDlq(body, file).map((u) => ({ event: u.event, from: [`DLQ message ${id}`, u.from, error ? `delivery error ${error}` : undefined].filter(Boolean).join(', ') }));
  }
  if (isObject(doc) && isInvocationRecord(doc)) return [fromInvocationRecord(doc)];
  return [{ event: doc }];
}
