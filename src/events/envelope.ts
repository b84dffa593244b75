/** The EventBridge envelope, and the error for events we handle but cannot read. */
import { z } from 'zod';
import { jsonPath, type FieldIssue } from '../core/model.js';

/** Real samples omit `version` at times; the fields the controller relies on are required. */
export const EnvelopeSchema = z.looseObject({
  id: z.string().min(1),
  source: z.string().min(1),
  'detail-type': z.string().min(1),
  time: z.string(),
  region: z.string().optional(),
  account: z.string().optional(),
  resources: z.array(z.string()).default([]),
  detail: z.unknown(),
});

export type Envelope = z.infer<typeof EnvelopeSchema>;

/** ISO 8601 date-time, as EventBridge writes it (`2026-11-24T12:00:00Z`, fractions allowed). */
export const IsoTime = z.iso.datetime({ offset: true });

/** A malformed event of a type we handle: names the event id and each bad field. */
export class EventValidationError extends Error {
  public readonly eventId: string | undefined;
  public readonly issues: FieldIssue[];
  public constructor(eventId: string | undefined, issues: FieldIssue[]) {
    super(`event ${eventId ?? '(no id)'} rejected: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
    this.name = 'EventValidationError';
    this.eventId = eventId;
    this.issues = issues;
  }
}

export function issuesAt(prefix: ReadonlyArray<PropertyKey>, error: z.ZodError): FieldIssue[] {
  return error.issues.map((i) => ({ path: jsonPath([...prefix, ...i.path]), message: i.message }));
}
