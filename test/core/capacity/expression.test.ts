import { evaluate, ExpressionError, parseExpression, pinnedAz } from '../../../src/core/capacity/expression.js';

describe('Function: parseExpression / evaluate', () => {
  const at = (type: string, az?: string) => ({ type, az });
  it.each([
    ['attribute:ecs.instance-type == m5.large', at('m5.large', 'a'), true],
    ['attribute:ecs.instance-type == m5.large', at('m5.xlarge', 'a'), false],
    ['attribute:ecs.instance-type != m5.large', at('m5.xlarge'), true],
    ['attribute:ecs.instance-type =~ g4dn.*', at('g4dn.12xlarge'), true],
    ['attribute:ecs.instance-type !~ g4dn.*', at('g4dn.12xlarge'), false],
    ['attribute:ecs.instance-type in [m5.large, m5.xlarge]', at('m5.xlarge'), true],
    ['attribute:ecs.instance-type not_in [m5.large, m5.xlarge]', at('m5.xlarge'), false],
    ['attribute:ecs.instance-type not in [m5.large]', at('c5.large'), true],
    ['attribute:ecs.availability-zone == us-east-1a', at('m5.large', 'us-east-1b'), false],
    ['attribute:ecs.availability-zone == us-east-1a', at('m5.large', undefined), true],
    ['attribute:ecs.instance-type == m5.large and attribute:ecs.availability-zone != us-east-1c', at('m5.large', 'us-east-1c'), false],
    ['attribute:ecs.instance-type == c5.large or (attribute:ecs.instance-type == m5.large and attribute:ecs.availability-zone in [us-east-1a])', at('m5.large', 'us-east-1a'), true],
  ])('%s on %j → %s', (text, target, expected) => {
    expect(evaluate(parseExpression(text), target)).toBe(expected);
  });

  it.each([
    ['attribute:ecs.os-type == linux', 'unsupported attribute'],
    ['attribute:ecs.instance-type >= m5', 'unsupported operator'],
    ['attribute:ecs.instance-type == [a, b]', 'takes one value'],
    ['attribute:ecs.instance-type in [a, b', 'unexpected end'],
    ['(attribute:ecs.instance-type == a', 'missing ")"'],
    ['attribute:ecs.instance-type == a b', 'unexpected "b"'],
  ])('rejects %s', (text, message) => {
    expect(() => parseExpression(text)).toThrow(ExpressionError);
    expect(() => parseExpression(text)).toThrow(message);
  });

  it('finds the AZ a conjunction pins a task to', () => {
    expect(pinnedAz(parseExpression('attribute:ecs.instance-type == a and attribute:ecs.availability-zone in [z1, z2]'))).toBe('z1');
    expect(pinnedAz(parseExpression('attribute:ecs.availability-zone != z1'))).toBeUndefined();
    expect(pinnedAz(parseExpression('attribute:ecs.availability-zone == z1 or attribute:ecs.availability-zone == z2'))).toBeUndefined();
  });
});
