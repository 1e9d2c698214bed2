// bcrypt on a few worker threads of its own that run at a lower CPU priority than the event loop.
//
// Why not @node-rs/bcrypt's async functions: they run on libuv's thread pool at the event loop's priority, so on a
// small machine a burst of logins (≈250 ms of CPU each at cost 12) takes the cores from the thread that answers
// every other request: /api/health's p95 went from 0.9 ms to 8 ms during 8 concurrent logins on 2 cores. Here each
// hash runs synchronously in a worker that lowered its own nice value (per thread on Linux), so the scheduler runs
// the event loop first whenever it has work and bcrypt gets every idle cycle: logins lose nothing when the machine
// is otherwise idle. The worker is a few lines of source evaluated in place, not a file: `start` runs a bundle, the
// tests and `dev` run TypeScript, and a worker file would need a path that holds in all three.
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

/** Nice value of the bcrypt threads: CFS gives a nice-0 thread ~9× the CPU of a nice-10 one when both want it. */
export const BCRYPT_NICE = 10;

/** At most as many threads as libuv's default pool (what @node-rs/bcrypt alone would use); fewer on fewer cores. */
const SIZE = Math.max(1, Math.min(4, availableParallelism()));

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const bcrypt = require(workerData.bcrypt);
try { require('node:os').setPriority(workerData.nice); } catch {}
parentPort.on('message', (job) => {
  try {
    const value = job.op === 'hash' ? bcrypt.hashSync(job.input, job.cost) : bcrypt.verifySync(job.input, job.hash);
    parentPort.postMessage({ id: job.id, value });
  } catch (err) {
    parentPort.postMessage({ id: job.id, error: String((err && err.message) || err) });
  }
});
`;

type JobInput = { op: 'hash'; input: string; cost: number } | { op: 'verify'; input: string; hash: string };
type Job = JobInput & { id: number };
type Reply = { id: number; value?: string | boolean; error?: string };
type Pending = { job: Job; resolve: (value: string | boolean) => void; reject: (err: Error) => void };

// The path resolved here, where the module resolution of this package applies (also from the bundle).
const bcryptPath = createRequire(import.meta.url).resolve('@node-rs/bcrypt');

const idle: Worker[] = [];
const busy = new Map<Worker, Pending>();
const queue: Pending[] = [];
let nextId = 0;

function spawn(): Worker {
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { bcrypt: bcryptPath, nice: BCRYPT_NICE } });
  // Idle bcrypt threads must not keep a finished process (a test, a CLI command) alive.
  worker.unref();
  worker.on('message', (reply: Reply) => {
    const pending = busy.get(worker);
    busy.delete(worker);
    if (pending && reply.error !== undefined) pending.reject(new Error(`bcrypt: ${reply.error}`));
    else if (pending) pending.resolve(reply.value as string | boolean);
    idle.push(worker);
    dispatch();
  });
  const lost = (err: Error) => {
    // A thread that died takes only its own job with it; the next job starts a new thread.
    const pending = busy.get(worker);
    busy.delete(worker);
    const at = idle.indexOf(worker);
    if (at >= 0) idle.splice(at, 1);
    pending?.reject(err);
    dispatch();
  };
  worker.on('error', lost);
  worker.on('exit', (code) => lost(new Error(`bcrypt worker exited with code ${code}`)));
  return worker;
}

function dispatch(): void {
  while (queue.length > 0) {
    const worker = idle.pop() ?? (busy.size < SIZE ? spawn() : undefined);
    if (!worker) return;
    const pending = queue.shift() as Pending;
    busy.set(worker, pending);
    worker.postMessage(pending.job);
  }
}

function run(job: JobInput): Promise<string | boolean> {
  return new Promise((resolve, reject) => {
    queue.push({ job: { ...job, id: nextId++ }, resolve, reject });
    dispatch();
  });
}

/** bcrypt hash of `input` at `cost`, computed on a low-priority thread. */
export async function bcryptHash(input: string, cost: number): Promise<string> {
  return (await run({ op: 'hash', input, cost })) as string;
}

/** Whether `input` matches `hash` (false for a malformed hash, as @node-rs/bcrypt answers). */
export async function bcryptVerify(input: string, hash: string): Promise<boolean> {
  return (await run({ op: 'verify', input, hash })) as boolean;
}
