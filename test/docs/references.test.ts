/** Issue 13: docs that point at nothing. Every relative link resolves; no reference to files the project does not have. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const pages = ['README.md', ...readdirSync('docs').filter((f) => f.endsWith('.md')).map((f) => join('docs', f))];
/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
const slug = (heading: string): string =>
  heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s-]/gu, '')
    .replace(/\s/g, '-');
const anchors = (file: string): string[] => [...readFileSync(file, 'utf8').matchAll(/^#+ (.+)$/gm)].map((m) => slug(m[1] as string));

describe('Docs references', () => {
  it.each(pages)('%s: every relative link resolves to a file, and its #anchor to a heading', (page) => {
    const text = readFileSync(page, 'utf8');
    const links = [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1] as string).filter((l) => !/^(https?:|mailto:|#)/.test(l));
    const missing = links.filter((l) => !existsSync(join(dirname(page), l.split('#')[0] as string)));
    expect(missing).toEqual([]);
    const badAnchors = links.filter((l) => {
      const [file = '', anchor] = l.split('#');
      return anchor !== undefined && file.endsWith('.md') && !anchors(join(dirname(page), file)).includes(anchor);
    });
    expect(badAnchors).toEqual([]);
  });

  it.each(pages)('%s: names no file the project lacks and no feature "still to land"', (page) => {
    const text = readFileSync(page, 'utf8');
    expect(text).not.toMatch(/DESIGN\.md|\.\.\/shared|\/work\/shared|once the \w+ command lands/);
  });
});
