/**
 * A fault plan: which faults are injected, how often, until when, under which seed
 * (`ecs-pilot simulate --faults api-error=0.05,event-delay=60 --faults-until 3600 --seed 7`).
 * Rates are per call, per attempt, per write, per invocation or per event (see FAULT_KINDS);
 * `event-delay` takes the most seconds an event may be held back.
 */
export const FAULT_KINDS = {
  'api-error': 'per call, after the SDK retries: the call fails before AWS applies it',
  throttle: 'per attempt: the SDK retries with back-off, 5 attempts; a call fails only when all are throttled',
  'lost-response': "per write, the state store's conditional writes included: applied, then the caller gets an error",
  crash: 'per invocation: it stops after k of its calls and is redelivered as Lambda or SQS does',
  'event-drop': 'per event and route: never delivered',
  'event-duplicate': 'per event and route: delivered twice',
  'event-delay': 'every event held back a uniform time up to the max, which reorders them',
  overlap: 'per invocation: acts on a view up to 60 s old, in a separate warm container',
} as const;

export type FaultKind = keyof typeof FAULT_KINDS;

export interface FaultPlan {
  /** Probability per unit (see FAULT_KINDS), 0..1; `event-delay`: max seconds. Absent: not injected. */
  rates: Partial<Record<FaultKind, number>>;
  /** Simulated seconds from the start after which nothing more is injected (recovery is measured after). */
  untilSeconds: number;
  seed: number;
}

export class FaultSpecError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'FaultSpecError';
  }
}

/** The most an event can be delayed (`event-delay`), seconds: longer than any delivery path the simulator models keeps an event. */
export const MAX_EVENT_DELAY_SECONDS = 3600;

const isKind = (k: string): k is FaultKind => k in FAULT_KINDS;

/** Parses `kind=rate[,kind=rate…]`; a rate is a fraction (0.05) or a percentage (5%). */
export function parseFaultRates(spec: string): FaultPlan['rates'] {
  const rates: FaultPlan['rates'] = {};
  const parts = spec.split(',').map((p) => p.trim()).filter((p) => p.length > 0);
  if (parts.length === 0) throw new FaultSpecError('--faults needs at least one <kind>=<rate>');
  for (const part of parts) {
    const [kind, value, ...rest] = part.split('=');
    if (!kind || value === undefined || rest.length > 0) throw new FaultSpecError(`--faults: "${part}" is not <kind>=<rate> (kinds: ${Object.keys(FAULT_KINDS).join(', ')})`);
    if (!isKind(kind)) throw new FaultSpecError(`--faults: unknown kind "${kind}" (kinds: ${Object.keys(FAULT_KINDS).join(', ')})`);
    if (kind in rates) throw new FaultSpecError(`--faults: ${kind} given twice`);
    if (kind === 'event-delay') {
      const seconds = Number(value);
      if (value.trim() === '' || !Number.isFinite(seconds) || seconds <= 0 || seconds > MAX_EVENT_DELAY_SECONDS) {
        throw new FaultSpecError(`--faults: event-delay takes the most seconds an event is held back, above 0 and at most ${MAX_EVENT_DELAY_SECONDS} (got "${value}")`);
      }
      rates[kind] = seconds;
      continue;
    }
    const percent = value.endsWith('%');
    const n = Number(percent ? value.slice(0, -1) : value);
    const rate = percent ? n / 100 : n;
    if (value.trim() === '' || !Number.isFinite(n) || rate < 0 || rate > 1) throw new FaultSpecError(`--faults: the rate of ${kind} must be a fraction from 0 to 1 or a percentage (got "${value}")`);
    rates[kind] = rate;
  }
  return rates;
}

/** The default end of injection: 20 minutes before the end of the scenario (at least its first minute). */
export function defaultFaultsUntil(durationMinutes: number): number {
  return Math.max(60, (durationMinutes - 20) * 60);
}

/** A plan's spec back as the command line takes it. */
export function formatFaultRates(rates: FaultPlan['rates']): string {
  return Object.entries(rates)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}
