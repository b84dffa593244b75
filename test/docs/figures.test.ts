/**
 * Issue 19: docs that do not drift. A figure README.md or docs/*.md quotes is marked with its key in
 * the file a bench writes (docs/figures/<bench>.json), inline or as a generated table; this suite
 * re-renders every page from those files and fails where a page says something else.
 * `npm run docs:figures` rewrites the pages after a bench run.
 */
import { readFileSync } from 'node:fs';
import { formatFigure, quotingPages, readFigures, renderPage, TABLES } from '../../bench/figures.js';

const files = readFigures();

describe('Docs figures', () => {
  it.each(quotingPages())('%s: every quoted figure is the one its bench wrote', (page) => {
    // Prepare
    const text = readFileSync(page, 'utf8');
    // Act
    const rendered = renderPage(text, files).split('\n');
    // Assess: the lines that differ, with the figure the bench wrote
    const stale = text.split('\n').flatMap((line, i) => (line === rendered[i] ? [] : [`line ${i + 1}: ${line}\n   bench: ${rendered[i]}`]));
    expect(stale).toEqual([]);
  });

  it('each figures file names the command that writes it', () => {
    for (const [bench, file] of Object.entries(files)) {
      expect(file.command).toMatch(/^npm run bench:\w+/);
      expect(Object.keys(file.figures).length).toBeGreaterThan(0);
      expect(bench).toMatch(/^[\w-]+$/);
    }
  });

  it('every table renderer has its place in the docs', () => {
    const all = quotingPages()
      .map((p) => readFileSync(p, 'utf8'))
      .join('\n');
    for (const table of Object.keys(TABLES)) expect(all).toContain(`<!--figures ${table}-->`);
  });

  it('a quoted figure that differs from its bench is rewritten, so the page check fails', () => {
    const batched = files['api-calls']!.figures['burst.batched']!;
    const page = `a burst costs ${batched + 5}<!--fig api-calls:burst.batched--> calls`;
    expect(renderPage(page, files)).toBe(`a burst costs ${batched}<!--fig api-calls:burst.batched--> calls`);
  });

  it('a marker without its number right before it is an error, not a figure left unchecked', () => {
    expect(() => renderPage('costs 31 <!--fig api-calls:burst.batched--> calls', files)).toThrow('api-calls:burst.batched');
  });

  it('an unknown key or table is an error naming it', () => {
    expect(() => renderPage('3<!--fig api-calls:no.such.figure-->', files)).toThrow('api-calls:no.such.figure');
    expect(() => renderPage('<!--figures nothing-->\nold\n<!--/figures-->', files)).toThrow('"nothing"');
  });

  it.each([
    [2605, undefined, '2 605'],
    [17.014, 2, '17.01'],
    [1127, undefined, '1 127'],
    [0.793, undefined, '0.793'],
    [124.5, 1, '124.5'],
  ])('formats %p with %p decimals as %p', (value, decimals, text) => {
    expect(formatFigure(value, decimals)).toBe(text);
  });
});

/** What the docs say in words about the scaling figures (simulation.md, reference.md, README.md). */
describe('Docs claims on the bench:scaling figures', () => {
  const scaling = files.scaling?.figures ?? {};
  const at = (key: string): number => {
    const value = scaling[key];
    if (value === undefined) throw new Error(`no figure scaling:${key}`);
    return value;
  };
  const runs = [...new Set(Object.keys(scaling).map((k) => k.split('.').slice(0, -1).join('.')))].filter((run) => `${run}.lostTasks` in scaling);

  it('no task lost, killed by a scale-in or never placed, in any scenario and variant, with the store or without', () => {
    expect(runs.length).toBeGreaterThan(0);
    const bad = runs.filter((run) => at(`${run}.lostTasks`) + at(`${run}.killedByScaleIn`) + at(`${run}.tasksNeverPlaced`) > 0);
    expect(bad).toEqual([]);
  });

  it('the spot wave interrupts no task under ecs-pilot', () => {
    for (const v of ['own', 'own-cons', 'accelerate', 'accelerate-cons']) expect(at(`spot-wave.${v}.interruptedTasks`)).toBe(0);
  });

  it('ecs-pilot places both bursts sooner than ECS tuned, and on burst-2000 no controller as fast is as cheap as ECS tuned', () => {
    for (const s of ['burst', 'burst-2000']) for (const v of ['own', 'accelerate']) expect(at(`${s}.${v}.allPlacedSeconds`)).toBeLessThan(at(`${s}.ecs-tuned.allPlacedSeconds`));
    expect(at('burst-2000.floor.ownBound')).toBeGreaterThan(at('burst-2000.ecs-tuned.instanceHours'));
    expect(at('burst-2000.floor.accelerateBound')).toBeGreaterThan(at('burst-2000.ecs-tuned.instanceHours'));
  });
});
