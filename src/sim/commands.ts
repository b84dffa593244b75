/**
 * The simulator's SDK edge: command handlers in typed tables, and the one path every command takes.
 *
 * A table is keyed by the SDK's command names (`ListTasks` for `ListTasksCommand`) and each handler is
 * typed with that command's own input and output, so the compiler checks every answer against the SDK.
 * `CommandBus.send` is the one place every command passes through — logged, then through the
 * interceptors (today the injected `failNext` errors; the fault layer plugs in here), then answered,
 * then the world's reactions to the write.
 */
import { SimulatedServiceError, type Service } from './state.js';

/** What a command answers, as the SDK types it (the client adds `$metadata`). */
export type Answer<O> = Omit<O, '$metadata'>;

type CommandClass = abstract new (...args: never[]) => { readonly input: object };
type OutputOf<C extends CommandClass> = InstanceType<C> extends { resolveMiddleware(...args: never[]): (...a: never[]) => Promise<{ output: infer O }> } ? O : never;
/** The command classes a client package exports, by command name (`ListTasksCommand` → `ListTasks`). */
type CommandsOf<M> = { [K in keyof M as K extends `${infer N}Command` ? (M[K] extends CommandClass ? N : never) : never]: M[K] };

/** Handlers of a client package's commands (`Handlers<typeof ECS>`), each with the SDK's input and output types. */
export type Handlers<M> = { [N in keyof CommandsOf<M>]?: CommandsOf<M>[N] extends CommandClass ? (input: InstanceType<CommandsOf<M>[N]>['input']) => Answer<OutputOf<CommandsOf<M>[N]>> : never };

/** Reactions to a client package's commands once they succeeded, each with the SDK's input type. */
export type Reactions<M> = { [N in keyof CommandsOf<M>]?: CommandsOf<M>[N] extends CommandClass ? (input: InstanceType<CommandsOf<M>[N]>['input']) => void : never };

/** One command as it reaches the simulated account. */
export interface CommandCall {
  service: Service;
  command: string;
  input: Record<string, unknown>;
}

/** Wraps every command: may throw instead of answering, or change what `next` answers (faults). */
export type Interceptor = (call: CommandCall, next: () => unknown) => unknown;

type AnyHandler = (input: object) => unknown;
type AnyReaction = (input: object) => void;

export class CommandBus {
  /** Every command received, in order: the replay prints them, tests count them. */
  public readonly log: CommandCall[] = [];
  private readonly tables: Record<Service, Array<Record<string, AnyHandler | undefined>>> = { ecs: [], autoscaling: [], ec2: [], cloudwatch: [] };
  private readonly interceptors: Interceptor[] = [];
  private readonly reactions: Record<Service, Array<Record<string, AnyReaction | undefined>>> = { ecs: [], autoscaling: [], ec2: [], cloudwatch: [] };

  /** Adds a table of handlers for one service (each command is answered by one table). */
  public register<M>(service: Service, handlers: Handlers<M>): void {
    this.tables[service].push(handlers as Record<string, AnyHandler | undefined>);
  }

  public intercept(interceptor: Interceptor): void {
    this.interceptors.push(interceptor);
  }

  /** Adds reactions to one service's commands (a time-driven world reacting to the controller's writes). */
  public react<M>(service: Service, reactions: Reactions<M>): void {
    this.reactions[service].push(reactions as Record<string, AnyReaction | undefined>);
  }

  public send(service: Service, command: string, input: Record<string, unknown>): unknown {
    const call: CommandCall = { service, command, input };
    this.log.push(call);
    const answer = (k: number): unknown => {
      const interceptor = this.interceptors[k];
      return interceptor ? interceptor(call, () => answer(k + 1)) : this.answer(call);
    };
    const out = answer(0);
    for (const table of this.reactions[service]) table[command]?.(input);
    return out;
  }

  private answer(call: CommandCall): unknown {
    const handler = this.tables[call.service].map((t) => t[call.command]).find((h) => h !== undefined);
    if (!handler) throw new SimulatedServiceError('UnsupportedOperation', `the simulator does not answer ${call.service}:${call.command}`);
    // A copy: what the caller gets must not alias the simulated state.
    return structuredClone(handler(call.input));
  }
}

/** The `failNext` faults: the next `times` calls of a command throw the error. */
export class InjectedFailures {
  private readonly faults: Array<{ command: string; error: Error; times: number }> = [];

  public add(command: string, error: Error, times: number): void {
    this.faults.push({ command, error, times });
  }

  public readonly interceptor: Interceptor = (call, next) => {
    const fault = this.faults.find((f) => f.command === call.command && f.times > 0);
    if (!fault) return next();
    fault.times -= 1;
    throw fault.error;
  };
}
