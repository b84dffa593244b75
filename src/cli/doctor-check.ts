/** One line of `ecs-pilot doctor`: a check, its status and the fix (docs/operations.md). */

/** `warn`: a set-up that works but invites trouble (said, does not fail the run). */
export type CheckStatus = 'pass' | 'fail' | 'unverified' | 'info' | 'warn';

export interface Check {
  cluster: string;
  group?: string;
  check: string;
  status: CheckStatus;
  detail: string;
  /** For a failure (or an unverified read): the command or setting that fixes it. */
  fix?: string;
}

