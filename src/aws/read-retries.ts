/**
 * Reads retried within the invocation. The SDK already retries throttling and server faults (adaptive,
 * 5 attempts); a read that still fails would otherwise cost the whole decision — a reconcile tick reads
 * ~20 times, so at a 5 % residual failure rate one tick in three would decide nothing, and scale-in
 * would stop while failures last (issue 21, F3). Reads are idempotent, so a bounded retry is safe;
 * writes are retried only where the actuator says (ESSENTIAL_KINDS).
 */
import { retryable, type ExecuteOptions } from './actuator.js';
import type { Clients } from './clients.js';

/** Attempts per read (after the SDK's own), the first wait, and the most a read may wait in all. */
export const READ_RETRY = { attempts: 3, firstDelayMs: 100, deadlineMs: 2_000 } as const;

/** A command that only reads: its class name says so (Describe*, List*, Get*). */
export function isRead(command: unknown): boolean {
  const name = (command as { constructor?: { name?: string } } | undefined)?.constructor?.name ?? '';
  return /^(Describe|List|Get)[A-Za-z]*Command$/.test(name);
}

type Timing = Pick<ExecuteOptions, 'sleep' | 'clock' | 'random'>;
type Send = (command: unknown) => Promise<unknown>;

const timer = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function retryingSend(send: Send, timing: Timing): Send {
  const sleep = timing.sleep ?? timer;
  const clock = timing.clock ?? Date.now;
  const random = timing.random ?? Math.random;
  return async (command) => {
    if (!isRead(command)) return send(command);
    const started = clock();
    for (let attempt = 1; ; attempt++) {
      try {
        return await send(command);
      } catch (error) {
        const wait = READ_RETRY.firstDelayMs * 2 ** (attempt - 1) * (1 + random() / 2);
        if (attempt >= READ_RETRY.attempts || !retryable(error) || clock() - started + wait > READ_RETRY.deadlineMs) throw error;
        await sleep(wait);
      }
    }
  };
}

/** The same clients (and caches), their reads retried within the invocation. */
export function withReadRetries(clients: Clients, timing: Timing = {}): Clients {
  const wrap = <C extends { send: unknown }>(client: C): C => {
    const send = (client.send as Send).bind(client);
    return { ...client, send: retryingSend(send, timing) } as C;
  };
  return { ...clients, ecs: wrap(clients.ecs), ec2: wrap(clients.ec2), autoscaling: wrap(clients.autoscaling), cloudwatch: wrap(clients.cloudwatch) };
}
