/**
 * Which capacity a task or service uses, decided once for every reader and duty: whether it runs on
 * Fargate (never ecs-pilot's to size) and which capacity provider a service's new tasks go to.
 */

/** The capacity providers ECS reserves for Fargate. */
export const FARGATE_PROVIDERS: ReadonlySet<string> = new Set(['FARGATE', 'FARGATE_SPOT']);

/** A provider named by name or ARN (`…:capacity-provider/FARGATE`) → its name. */
const providerName = (nameOrArn: string): string => nameOrArn.slice(nameOrArn.lastIndexOf('/') + 1);

/**
 * Whether a task, a RunTask call or a service runs on Fargate: its launch type, or any capacity
 * provider it names (by name or ARN) being one of Fargate's.
 */
export function isFargate(on: { launchType?: string | undefined; capacityProviders?: ReadonlyArray<string | undefined> }): boolean {
  if (on.launchType === 'FARGATE') return true;
  return (on.capacityProviders ?? []).some((p) => p !== undefined && FARGATE_PROVIDERS.has(providerName(p)));
}

/** One entry of a capacity provider strategy, as ECS returns it. */
export interface StrategyItem {
  capacityProvider?: string | undefined;
  weight?: number | undefined;
  base?: number | undefined;
}

/**
 * The provider a service's new tasks (or a RunTask call's) go to: the first strategy entry that takes tasks (weight or
 * base > 0; ECS places nothing on a provider with weight 0 and base 0), else the first entry;
 * undefined without a strategy (launch type EC2: any group).
 */
export function strategyProvider(strategy: readonly StrategyItem[] | undefined): string | undefined {
  const takes = strategy?.find((p) => (p.weight ?? 0) > 0 || (p.base ?? 0) > 0);
  return (takes ?? strategy?.[0])?.capacityProvider;
}
