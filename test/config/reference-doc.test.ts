/**
 * docs/config.md is the complete reference of the config (issue 24): every key the schema accepts is
 * in it, and its generated section is what `npm run config:schema` writes now (a key added to the
 * schema fails this test until the page is regenerated).
 */
import { readFileSync } from 'node:fs';
import { configJsonSchema } from '../../src/config/json-schema.js';
import { BEGIN, configReference, END, keyComments, withReference } from '../../src/config/reference-doc.js';

const PAGE = readFileSync('docs/config.md', 'utf8');

type Node = { properties?: Record<string, Node>; items?: Node; additionalProperties?: Node | boolean; anyOf?: Node[] };

/** Every key path of the schema, walked here on its own (not with the generator's walk). */
function schemaPaths(node: Node, prefix = ''): string[] {
  const out: string[] = [];
  for (const alt of node.anyOf ?? []) out.push(...schemaPaths(alt, prefix));
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    const path = prefix ? `${prefix}.${key}` : key;
    out.push(path, ...schemaPaths(child, path));
  }
  if (node.items) out.push(...schemaPaths(node.items, `${prefix}[]`));
  if (typeof node.additionalProperties === 'object') out.push(...schemaPaths(node.additionalProperties, `${prefix}.<name>`));
  return out;
}

describe('docs/config.md', () => {
  it('lists every key the schema accepts, each as a row of its reference', () => {
    const paths = [...new Set(schemaPaths(configJsonSchema() as Node))];
    expect(paths.length).toBeGreaterThan(100);
    const listed = new Set([...PAGE.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1]));
    expect(paths.filter((p) => !listed.has(p))).toEqual([]);
    // …and no key the schema no longer has.
    expect([...listed].filter((p) => !paths.includes(p!))).toEqual([]);
  });

  it('its generated section is what `npm run config:schema` writes from the schema now', () => {
    const fresh = configReference(configJsonSchema(), readFileSync('src/core/config-schema.ts', 'utf8'));
    expect(PAGE.slice(PAGE.indexOf(BEGIN), PAGE.indexOf(END) + END.length)).toBe(fresh);
    expect(withReference(PAGE, fresh)).toBe(PAGE);
  });

  it('documents passRoles as deploying requires it', () => {
    expect(PAGE).toMatch(/\| `jobs\[\]\.passRoles` \|[^\n]*Required to deploy/);
  });
});

describe('Function: keyComments', () => {
  it('tells same-named keys apart by the object or const they sit in', () => {
    const source = [
      '/** A group. */',
      'export const GroupSchema = z.strictObject({',
      '  /** The provider\'s name. */',
      '  name: z.string(),',
      '});',
      'export const JobSchema = z.strictObject({',
      '  name: z.string(),',
      '  retry: z.strictObject({',
      '    /**',
      '     * Attempts,',
      '     * at most 10.',
      '     */',
      '    attempts: z.number(),',
      '  }),',
      '  group: GroupSchema,',
      '});',
    ].join('\n');
    const comments = keyComments(source);
    expect(comments.filter((c) => c.key === 'name').map((c) => [c.owner, c.text])).toEqual([
      ['GroupSchema', "The provider's name."],
      ['JobSchema', undefined],
    ]);
    expect(comments.find((c) => c.key === 'attempts')).toMatchObject({ parent: 'retry', text: 'Attempts, at most 10.' });
    expect(comments.find((c) => c.key === 'group')?.text).toBe('A group.');
  });
});
