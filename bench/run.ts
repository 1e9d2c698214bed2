// Runs the benchmarks (`bun run bench`): each prints a table and writes JSON under bench/results/.
// `bun run bench -- stream` (or `search`, `ui-load`, `quota`, `reads`, `retrieval`, `login`) runs one; `--quick` runs the streaming one at 1 and 100 streams only.
import { runLoginBench } from './login.bench.js';
import { runQuotaBench } from './quota.bench.js';
import { runReadsBench } from './reads.bench.js';
import { runRetrievalBench } from './retrieval.bench.js';
import { runSearchBench } from './search.bench.js';
import { runStreamBench } from './stream.bench.js';
import { runUiLoadBench } from './ui-load.bench.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const names = args.filter((a) => !a.startsWith('--'));
const benches: Record<string, () => Promise<unknown>> = {
  stream: () => runStreamBench(quick ? { levels: [1, 100] } : {}),
  search: () => runSearchBench(),
  'ui-load': () => runUiLoadBench(),
  quota: () => runQuotaBench(),
  reads: () => runReadsBench(),
  retrieval: () => runRetrievalBench(),
  login: () => runLoginBench(),
};
const chosen = names.length ? names : Object.keys(benches);
for (const name of chosen) {
  const bench = benches[name];
  if (!bench) {
    process.stderr.write(`unknown benchmark "${name}" (known: ${Object.keys(benches).join(', ')})\n`);
    process.exit(2);
  }
  await bench();
}
process.exit(0);
