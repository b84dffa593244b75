/**
 * The seams of DESIGN.md, checked on the source itself: every `src/**\/*.ts` import (`import type` and
 * `export … from` included) forms a graph that must have no cycle; `core` imports only `core`; `config`
 * only `config` and the leaf it validates with; only `aws/` and `sim/` use the SDK; only `config/`
 * reads `process.env`; and nothing keeps mutable state at module scope but the one warm-container
 * factory.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..');
const SRC = join(ROOT, 'src');

/** The one module allowed to keep state for a warm Lambda container (clients, caches, store, logger). */
const WARM_FACTORY = 'src/handlers/wire.ts';

/**
 * What `config` may import besides itself: the config schema and the validation it uses, kept in the
 * core (the core reads the config's types) and importing nothing else from src.
 */
const CONFIG_LEAF = new Set(['src/core/config-schema.ts', 'src/core/validation.ts', 'src/core/batch/schedule.ts']);

/**
 * Modules outside aws/ and sim/ that import the SDK today, each with why; the test fails when one
 * no longer does, so the list only shrinks.
 */
const SDK_OUTSIDE_AWS: Record<string, string> = {
  'src/cli/status-command.ts': 'reads the dead-letter queues (SQSClient) for the operator',
  'src/cli/snapshot-command.ts': 'discovers a cluster (DescribeClusters, DescribeCapacityProviders)',
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

const rel = (path: string): string => relative(ROOT, path).split('\\').join('/');

/** Without comments (a comment may quote an import or `process.env`); string contents are kept. */
function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
}

const IMPORT = /(?:^|[;\s])(?:import|export)\s+(?:type\s+)?(?:\*(?:\s+as\s+[\w$]+)?|\{[^}]*\}|[\w$]+(?:\s*,\s*(?:\{[^}]*\}|\*\s+as\s+[\w$]+))?)\s+from\s*['"]([^'"]+)['"]/g;
const SIDE_EFFECT_IMPORT = /(?:^|[;\s])import\s*['"]([^'"]+)['"]/g;
const DYNAMIC_IMPORT = /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

function specifiers(text: string): string[] {
  const code = withoutComments(text);
  return [IMPORT, SIDE_EFFECT_IMPORT, DYNAMIC_IMPORT].flatMap((re) => [...code.matchAll(re)].map((m) => m[1]!));
}

/** The source file a relative import names; undefined for a data file (JSON) outside the graph. */
function resolveLocal(from: string, specifier: string): string | undefined {
  if (!/\.(js|ts)$/.test(specifier) && /\.\w+$/.test(specifier)) return undefined;
  const base = resolve(dirname(from), specifier.replace(/\.js$/, ''));
  for (const candidate of [`${base}.ts`, join(base, 'index.ts')]) {
    try {
      if (statSync(candidate).isFile()) return rel(candidate);
    } catch {
      // not this one
    }
  }
  throw new Error(`${rel(from)}: cannot resolve ${specifier}`);
}

interface Module {
  path: string;
  code: string;
  local: string[];
  packages: string[];
}

const MODULES: Module[] = sourceFiles(SRC).map((file) => {
  const text = readFileSync(file, 'utf8');
  const all = specifiers(text);
  return {
    path: rel(file),
    code: withoutComments(text),
    local: [...new Set(all.filter((s) => s.startsWith('.')).flatMap((s) => resolveLocal(file, s) ?? []))],
    packages: [...new Set(all.filter((s) => !s.startsWith('.')))],
  };
});

/** One cycle of the graph, as a path that returns to its start, or undefined. */
function findCycle(graph: Map<string, string[]>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): string[] | undefined => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') return [...stack.slice(stack.indexOf(next)), next];
      if (!state.has(next)) {
        const found = visit(next);
        if (found) return found;
      }
    }
    stack.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of [...graph.keys()].sort()) {
    if (state.has(node)) continue;
    const found = visit(node);
    if (found) return found;
  }
  return undefined;
}

function violations(check: (m: Module) => string[]): string[] {
  return MODULES.flatMap(check);
}

/** Mutable state a module keeps at its top level (top-level statements start at column 0). */
function moduleState(m: Module): string[] {
  const out: string[] = [];
  for (const line of m.code.split('\n')) {
    if (/^(export\s+)?(let|var)\s/.test(line)) out.push(`${m.path}: ${line.trim()}`);
    const created = /^(?:export\s+)?const\s+([\w$]+)\s*(?::[^=]+)?=\s*new\s+([\w$.]+)/.exec(line);
    if (!created) continue;
    const [, name, type] = created;
    if (['Map', 'Set', 'WeakMap', 'WeakSet'].includes(type!)) {
      // A constant lookup table is fine; one that is written to is state.
      if (new RegExp(`\\b${name}\\.(set|add|delete|clear)\\(`).test(m.code)) out.push(`${m.path}: ${name} is a module-level ${type} that is written to`);
    } else if (type !== 'RegExp') out.push(`${m.path}: ${line.trim()}`);
  }
  // Module-level arrays that grow.
  for (const [, name] of m.code.matchAll(/^(?:export\s+)?const\s+([\w$]+)\s*(?::[^=]+)?=\s*\[/gm)) {
    if (new RegExp(`\\b${name}\\.(push|splice|pop|shift|unshift)\\(`).test(m.code)) out.push(`${m.path}: ${name} is a module-level array that is written to`);
  }
  return out;
}

describe('Architecture: the seams of DESIGN.md', () => {
  it('reads a realistic number of modules and imports (the scan itself works)', () => {
    // Prepare // Act
    const edges = MODULES.reduce((a, m) => a + m.local.length, 0);
    // Assess
    expect(MODULES.length).toBeGreaterThan(100);
    expect(edges).toBeGreaterThan(300);
    expect(MODULES.find((m) => m.path === 'src/aws/actuator.ts')?.packages).toContain('@aws-sdk/client-ecs');
  });

  it('reads every form of import and re-export, and none in a comment (the parser itself works)', () => {
    const text = [
      "import type { A } from './a.js';",
      'import {\n  B,\n  type C,\n} from "./b.js";',
      "export * from './c.js';",
      "export { D } from './d.js';",
      "export type { E } from './e.js';",
      "import './f.js';",
      "const g = await import('./g.js');",
      "// import { H } from './h.js';",
      "import * as I from 'i';",
      "import J, { K } from './j.js';",
    ].join('\n');
    expect(specifiers(text).sort()).toEqual(['./a.js', './b.js', './c.js', './d.js', './e.js', './f.js', './g.js', './j.js', 'i']);
  });

  it('finds a cycle when there is one (the detector itself works)', () => {
    expect(findCycle(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']]]))).toEqual(['a', 'b', 'c', 'a']);
    expect(findCycle(new Map([['a', ['b']], ['b', []]]))).toBeUndefined();
  });

  it('has no import cycle in src/ (type-only imports included)', () => {
    const cycle = findCycle(new Map(MODULES.map((m) => [m.path, m.local])));
    expect(cycle?.join(' → ')).toBeUndefined();
  });

  it('keeps the core pure: src/core imports only src/core', () => {
    expect(violations((m) => (m.path.startsWith('src/core/') ? m.local.filter((d) => !d.startsWith('src/core/')).map((d) => `${m.path} → ${d}`) : []))).toEqual([]);
  });

  it('keeps config a leaf: src/config imports only config and the schema leaf, which imports nothing else', () => {
    const fromConfig = violations((m) => (m.path.startsWith('src/config/') ? m.local.filter((d) => !d.startsWith('src/config/') && !CONFIG_LEAF.has(d)).map((d) => `${m.path} → ${d}`) : []));
    const fromLeaf = violations((m) => (CONFIG_LEAF.has(m.path) ? m.local.filter((d) => !CONFIG_LEAF.has(d)).map((d) => `${m.path} → ${d}`) : []));
    expect([...fromConfig, ...fromLeaf]).toEqual([]);
  });

  it('lets only aws/ and sim/ import the AWS SDK (and the listed exceptions, each still needed)', () => {
    const users = MODULES.filter((m) => m.packages.some((p) => p.startsWith('@aws-sdk/')));
    const outside = users.map((m) => m.path).filter((p) => !p.startsWith('src/aws/') && !p.startsWith('src/sim/'));
    expect(outside.filter((p) => !(p in SDK_OUTSIDE_AWS))).toEqual([]);
    expect(Object.keys(SDK_OUTSIDE_AWS).filter((p) => !outside.includes(p))).toEqual([]);
  });

  it('reads process.env only in src/config', () => {
    expect(MODULES.filter((m) => !m.path.startsWith('src/config/') && /\bprocess\.env\b/.test(m.code)).map((m) => m.path)).toEqual([]);
  });

  it('finds module-level state when there is some (the check itself works)', () => {
    const code = ['let count = 0;', 'const cache = new Map<string, number>();', 'export const KNOWN: ReadonlySet<string> = new Set([\'a\']);', 'const logger = new Logger();', 'const seen = [];', 'function f() {', '  let local = 1;', '  cache.set(\'a\', local);', '  seen.push(1);', '}'].join('\n');
    expect(moduleState({ path: 'x.ts', code, local: [], packages: [] })).toEqual([
      'x.ts: let count = 0;',
      'x.ts: cache is a module-level Map that is written to',
      'x.ts: const logger = new Logger();',
      'x.ts: seen is a module-level array that is written to',
    ]);
  });

  it('keeps no mutable state at module scope outside the warm-container factory', () => {
    expect(violations((m) => (m.path === WARM_FACTORY ? [] : moduleState(m)))).toEqual([]);
  });
});
