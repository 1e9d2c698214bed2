// The browser build's trimmed route table: only the OpenAPI-only properties go (summary, description, tag, errors). The expectation is computed another
// way, with TypeScript's own parser (every `summary`/`description` property whose value is a string or strings
// joined with +), so a change in how a route is written cannot silently break the SDK's table.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { trimRouteProseSource } from './trim-route-prose';

const dir = path.resolve(__dirname, '../../../shared/src/routes');
const files = readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));

const isProse = (e: ts.Expression): boolean =>
  ts.isStringLiteral(e) ||
  ts.isNoSubstitutionTemplateLiteral(e) ||
  (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.PlusToken && isProse(e.left) && isProse(e.right));

/** The source with every prose property (and its comma) cut out, by the parser. */
function withoutProse(source: string): string {
  const sf = ts.createSourceFile('r.ts', source, ts.ScriptTarget.Latest, true);
  const cuts: [number, number][] = [];
  const visit = (n: ts.Node) => {
    const name = ts.isPropertyAssignment(n) && ts.isIdentifier(n.name) ? n.name.text : undefined;
    if (
      ts.isPropertyAssignment(n) &&
      (((name === 'summary' || name === 'description' || name === 'tag') && isProse(n.initializer)) ||
        name === 'errors')
    ) {
      const end = source[n.end] === ',' ? n.end + 1 : n.end;
      cuts.push([n.getStart(sf), end]);
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  let out = source;
  for (const [a, b] of cuts.sort((x, y) => y[0] - x[0])) out = out.slice(0, a) + out.slice(b);
  return out;
}

const squash = (s: string) => s.replace(/\s+/g, ' ').trim();

describe('trimRouteProseSource', () => {
  it('drops the prose of every route file and nothing else', () => {
    expect(files.length).toBeGreaterThan(5);
    let dropped = 0;
    for (const f of files) {
      const source = readFileSync(path.join(dir, f), 'utf8');
      const trimmed = trimRouteProseSource(source);
      expect(squash(trimmed), f).toBe(squash(withoutProse(source)));
      // route-spec.ts holds the entry's type (`tag: 'health' | …;`), not entries.
      if (f !== 'route-spec.ts')
        expect(trimmed, f).not.toMatch(/\b(summary|description|tag):\s*['"`]|\berrors:\s*[[A-Z]/);
      dropped += source.length - trimmed.length;
    }
    expect(dropped).toBeGreaterThan(3000);
  });
});
