/**
 * `memberOf` expressions: the part of the ECS cluster query language the planner evaluates.
 *
 *   attribute:ecs.instance-type == m5.large
 *   attribute:ecs.availability-zone in [us-east-1a, us-east-1b]
 *   attribute:ecs.instance-type =~ g4dn.* and attribute:ecs.availability-zone != us-east-1c
 *
 * Attributes: `ecs.instance-type`, `ecs.availability-zone`. Operators: `==`, `!=`, `=~`, `!~`
 * (wildcard `*`), `in`, `not_in` (or `not in`); terms combine with `and`, `or` and parentheses.
 */

export type Attribute = 'instance-type' | 'availability-zone';
type Op = '==' | '!=' | '=~' | '!~' | 'in' | 'not_in';

export type Expr =
  | { kind: 'term'; attribute: Attribute; op: Op; values: string[] }
  | { kind: 'and' | 'or'; left: Expr; right: Expr };

/** Where a task might go: the instance type, and the AZ when it is known (not yet for new instances). */
export interface PlacementTarget {
  type: string;
  az: string | undefined;
}

export class ExpressionError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'ExpressionError';
  }
}

const ATTRIBUTES: Record<string, Attribute> = {
  'attribute:ecs.instance-type': 'instance-type',
  'attribute:ecs.availability-zone': 'availability-zone',
};

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  const re = /\s*(==|!=|=~|!~|[()[\],]|[^\s()[\],]+)/gy;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    if (m[1] !== undefined) tokens.push(m[1]);
    if (re.lastIndex >= text.length) break;
  }
  const rest = text.slice(re.lastIndex).trim();
  if (rest.length > 0) throw new ExpressionError(`unexpected text "${rest}"`);
  return tokens;
}

/**
 * Parses a memberOf expression.
 * @throws ExpressionError on syntax errors and on attributes the planner cannot evaluate
 */
export function parseExpression(text: string): Expr {
  const tokens = tokenize(text);
  let pos = 0;
  const peek = (): string | undefined => tokens[pos];
  const next = (): string => {
    const t = tokens[pos++];
    if (t === undefined) throw new ExpressionError(`unexpected end of expression "${text}"`);
    return t;
  };

  const parseValues = (): string[] => {
    if (peek() !== '[') return [next()];
    next();
    const values: string[] = [];
    for (;;) {
      values.push(next());
      const sep = next();
      if (sep === ']') return values;
      if (sep !== ',') throw new ExpressionError(`expected "," or "]" in "${text}", got "${sep}"`);
    }
  };

  const parseTerm = (): Expr => {
    if (peek() === '(') {
      next();
      const inner = parseOr();
      if (peek() !== ')') throw new ExpressionError(`missing ")" in "${text}"`);
      next();
      return inner;
    }
    const name = next();
    const attribute = ATTRIBUTES[name];
    if (!attribute) {
      throw new ExpressionError(
        `unsupported attribute "${name}" (the planner evaluates attribute:ecs.instance-type and attribute:ecs.availability-zone)`,
      );
    }
    let op = next();
    if (op === 'not' && peek() === 'in') {
      next();
      op = 'not_in';
    }
    if (!['==', '!=', '=~', '!~', 'in', 'not_in'].includes(op)) throw new ExpressionError(`unsupported operator "${op}" in "${text}"`);
    const values = parseValues();
    if ((op === 'in' || op === 'not_in') === false && values.length !== 1) {
      throw new ExpressionError(`operator "${op}" takes one value in "${text}"`);
    }
    return { kind: 'term', attribute, op: op as Op, values };
  };

  const parseAnd = (): Expr => {
    let left = parseTerm();
    while (peek() === 'and' || peek() === '&&') {
      next();
      left = { kind: 'and', left, right: parseTerm() };
    }
    return left;
  };

  function parseOr(): Expr {
    let left = parseAnd();
    while (peek() === 'or' || peek() === '||') {
      next();
      left = { kind: 'or', left, right: parseAnd() };
    }
    return left;
  }

  const expr = parseOr();
  if (pos !== tokens.length) throw new ExpressionError(`unexpected "${tokens[pos]}" in "${text}"`);
  return expr;
}

function wildcard(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`);
}

function termHolds(op: Op, values: string[], actual: string): boolean {
  switch (op) {
    case '==':
      return actual === values[0];
    case '!=':
      return actual !== values[0];
    case '=~':
      return wildcard(values[0] ?? '').test(actual);
    case '!~':
      return !wildcard(values[0] ?? '').test(actual);
    case 'in':
      return values.includes(actual);
    case 'not_in':
      return !values.includes(actual);
  }
}

/**
 * True when the target satisfies the expression. An AZ term on a target whose AZ is not known yet
 * (an instance still to be launched) is taken as satisfiable: see `pinnedAz`.
 */
export function evaluate(expr: Expr, target: PlacementTarget): boolean {
  switch (expr.kind) {
    case 'and':
      return evaluate(expr.left, target) && evaluate(expr.right, target);
    case 'or':
      return evaluate(expr.left, target) || evaluate(expr.right, target);
    case 'term': {
      if (expr.attribute === 'instance-type') return termHolds(expr.op, expr.values, target.type);
      return target.az === undefined ? true : termHolds(expr.op, expr.values, target.az);
    }
  }
}

/** The AZ a conjunction pins a task to (`az == X` or `az in [X, …]`, first value), if any. */
export function pinnedAz(expr: Expr): string | undefined {
  if (expr.kind === 'term') {
    return expr.attribute === 'availability-zone' && (expr.op === '==' || expr.op === 'in') ? expr.values[0] : undefined;
  }
  if (expr.kind === 'and') return pinnedAz(expr.left) ?? pinnedAz(expr.right);
  return undefined;
}
