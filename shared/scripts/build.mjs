// Builds the publishable package: tsc emits ESM + .d.ts into dist/ (or --out-dir DIR), then writes dist/package.json
// with exports pointing at the built files (the workspace package.json points at src/*.ts for the monorepo).
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const pkgDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outFlag = process.argv.indexOf('--out-dir');
const outDir = outFlag > -1 ? path.resolve(process.argv[outFlag + 1]) : path.join(pkgDir, 'dist');

rmSync(outDir, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', path.join(pkgDir, 'tsconfig.build.json'), '--outDir', outDir], {
  stdio: 'inherit',
});

const src = JSON.parse(readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
const entry = (file) => ({ types: `./${file}.d.ts`, import: `./${file}.js`, default: `./${file}.js` });
const publish = {
  name: src.name,
  version: src.version,
  description: 'Contracts (zod), route table and typed SDK of the Chatbot API, plus the `chatbot` terminal client',
  license: src.license ?? 'MIT',
  type: 'module',
  sideEffects: false,
  engines: { node: '>=20' },
  main: './index.js',
  types: './index.d.ts',
  exports: {
    '.': entry('index'),
    './sdk': entry('sdk/index'),
    './routes': entry('routes'),
    './schemas': entry('sdk/schemas'),
    './package.json': './package.json',
  },
  bin: { chatbot: './cli/main.js' },
  dependencies: src.dependencies,
};
writeFileSync(path.join(outDir, 'package.json'), `${JSON.stringify(publish, null, 2)}\n`);
if (existsSync(path.join(pkgDir, 'README.md')))
  copyFileSync(path.join(pkgDir, 'README.md'), path.join(outDir, 'README.md'));
chmodSync(path.join(outDir, 'cli', 'main.js'), 0o755);
process.stdout.write(`built ${src.name}@${src.version} into ${path.relative(process.cwd(), outDir) || '.'}\n`);
