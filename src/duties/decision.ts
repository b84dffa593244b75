import type { Decision } from '../controller.js';
import type { Action } from '../core/actions.js';

/** A decision from a core function's actions, with the reason to record when it decided nothing. */
export function because(actions: Action[], reasonIfNone: string | undefined): Decision {
  return actions.length > 0 ? { actions } : { actions, reason: reasonIfNone };
}
