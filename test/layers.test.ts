import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');

/** Every relative import (`from './x.js'`, `import('./x.js')`) of the .ts/.tsx files below `dir`, as `file: specifier`. */
function relativeImports(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.tsx?$/.test(f))
    .flatMap((f) => {
      const file = join(ROOT, dir, f);
      const text = readFileSync(file, 'utf8');
      return [...text.matchAll(/(?:from|import\()\s*'(\.{1,2}\/[^']+)'/g)].map((m) => `${relative(ROOT, file)}: ${m[1]}`);
    });
}

// docs/design.md §Architecture: the wire types live in the domain, the client imports only the
// domain, and the dashboard imports only the client.
describe('layers', () => {
  it('web/ imports only the client from src/', () => {
    const outside = relativeImports('web/src').filter((i) => /: \.\.\//.test(i) && !i.endsWith(': ../../src/client/index.js'));
    expect(outside).toEqual([]);
  });

  it('the client imports only the domain', () => {
    const outside = relativeImports('src/client').filter((i) => !/: \.\/|: \.\.\/domain\//.test(i));
    expect(outside).toEqual([]);
  });

  it('the domain imports nothing outside itself', () => {
    expect(relativeImports('src/domain').filter((i) => !/: \.\//.test(i))).toEqual([]);
  });
});
