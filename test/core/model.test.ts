import { loadJson } from '../support/builders.js';
import { DEFAULT_RESERVED_PORTS, jsonPath, parseSnapshot, ValidationError } from '../../src/core/model.js';

const demo = loadJson('events/clusters/demo.json');

describe('Function: parseSnapshot', () => {
  it('accepts the bundled demo snapshot and applies defaults', () => {
    // Act
    const s = parseSnapshot(demo);
    // Assess
    expect(s.cluster).toBe('demo');
    expect(s.instances[1]?.reservedPorts).toEqual([...DEFAULT_RESERVED_PORTS]);
    expect(s.pending.every((t) => Array.isArray(t.constraints))).toBe(true);
  });

  it('names the JSON path of every bad field', () => {
    // Prepare
    const bad = structuredClone(demo) as Record<string, any>;
    bad.instances[3].type = 42;
    bad.pending[0].cpu = -1;
    bad.groups[1].instanceTypes[0].type = 'x9.huge';
    delete bad.takenAt;
    // Act
    let error: unknown;
    try {
      parseSnapshot(bad);
    } catch (e) {
      error = e;
    }
    // Assess
    expect(error).toBeInstanceOf(ValidationError);
    const paths = (error as ValidationError).issues.map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['$.instances[3].type', '$.pending[0].cpu', '$.takenAt']));
    expect((error as ValidationError).message).toContain('$.pending[0].cpu');
  });

  it('checks cross references once the shape is valid', () => {
    const bad = structuredClone(demo) as Record<string, any>;
    bad.groups[1].instanceTypes[0].type = 'x9.huge';
    bad.instances[0].group = 'nope';
    expect(() => parseSnapshot(bad)).toThrow(ValidationError);
    try {
      parseSnapshot(bad);
    } catch (e) {
      expect((e as ValidationError).issues).toEqual(
        expect.arrayContaining([
          { path: '$.groups[1].instanceTypes[0].type', message: 'instance type "x9.huge" is not defined in instanceTypes' },
          { path: '$.instances[0].group', message: 'group "nope" is not defined in groups' },
        ]),
      );
    }
  });

  it.each([
    [{ ...demo, version: 2 }, '$.version'],
    [{ ...demo, groups: [{ ...demo.groups[0], min: 5, max: 1 }] }, '$.groups[0].min'],
    [{ ...demo, pending: [{ id: 't', hostPorts: [70000] }] }, '$.pending[0].hostPorts[0]'],
    [{ ...demo, pending: [{ id: 't', constraints: [{ type: 'spread' }] }] }, '$.pending[0].constraints[0].type'],
  ])('rejects %#: %s', (doc, path) => {
    expect(() => parseSnapshot(doc)).toThrow(path);
  });
});

describe('Function: jsonPath', () => {
  it.each([
    [[], '$'],
    [['instances', 3, 'type'], '$.instances[3].type'],
    [['instanceTypes', 'm5.large', 'cpu'], '$.instanceTypes["m5.large"].cpu'],
  ])('%j → %s', (path, expected) => {
    expect(jsonPath(path)).toBe(expected);
  });
});
