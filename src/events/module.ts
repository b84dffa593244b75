/** The shape of one event type's parser. */
import type { z } from 'zod';
import type { Envelope } from './envelope.js';
import type { DomainEvent } from './types.js';

export type BaseFields = Pick<DomainEvent, 'id' | 'time' | 'source' | 'detailType'>;

export interface EventModule<S extends z.ZodType = z.ZodType, E extends DomainEvent = DomainEvent> {
  source: string;
  detailType: string;
  detail: S;
  toDomain: (base: BaseFields, detail: z.infer<S>, envelope: Envelope) => E;
}

/** Declares an event module; the detail type flows from its schema into `toDomain`. */
export function eventModule<S extends z.ZodType, E extends DomainEvent>(m: EventModule<S, E>): EventModule<S, E> {
  return m;
}

