/** Exit codes of every command (README): 0 success, 1 input, config or AWS call rejected, 2 usage error. */
export const EXIT = { ok: 0, rejected: 1, usage: 2 } as const;

/** An error the CLI reports in one message and turns into an exit code. */
export class CliError extends Error {
  public readonly exitCode: number;
  public constructor(message: string, exitCode: number, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}
