// The primary of a multi-process start (WEB_CONCURRENCY > 1): forks the API workers that share the port (node:cluster
// hands each accepted connection to one of them), restarts a worker that dies (with backoff), and on SIGTERM drains
// every worker before main.ts stops the database it owns. The workers are stateless (ARCHITECTURE.md), so N of them
// behave as one; migrations and the embedded PostgreSQL stay in the primary, started once before the first fork.
import cluster, { type Worker } from 'node:cluster';
import type { Logger } from './lib/logger.js';

/** A worker that lived at least this long before dying is restarted at once; one that dies sooner waits longer. */
const STABLE_MS = 10_000;
const BACKOFF_FIRST_MS = 100;
const BACKOFF_MAX_MS = 10_000;

export interface PrimaryOptions {
  workers: number;
  /** What every worker gets on top of this process's environment (DATABASE_URL of the database the primary owns). */
  env: Record<string, string>;
  logger: Logger;
  /** How long the workers have to drain on shutdown (their own SHUTDOWN_TIMEOUT_MS, plus a margin). */
  drainTimeoutMs: number;
}

export interface RunningPrimary {
  /** Resolves with the listening address once every worker listens; rejects if one dies before it does. */
  listening: Promise<string>;
  /** SIGTERM to every worker, then waits for all of them to exit (bounded by drainTimeoutMs, then SIGKILL). */
  stop(): Promise<void>;
}

export function startPrimary(opts: PrimaryOptions): RunningPrimary {
  const { logger } = opts;
  let stopping = false;
  let started = false;
  let backoffMs = BACKOFF_FIRST_MS;
  const bornAt = new Map<Worker, number>();
  let resolveListening!: (url: string) => void;
  let rejectListening!: (err: Error) => void;
  const listening = new Promise<string>((resolve, reject) => {
    resolveListening = resolve;
    rejectListening = reject;
  });
  const listeningWorkers = new Set<number>();

  const fork = () => {
    const worker = cluster.fork(opts.env);
    bornAt.set(worker, Date.now());
  };

  cluster.on('listening', (worker, address) => {
    listeningWorkers.add(worker.id);
    if (!started && listeningWorkers.size >= opts.workers) {
      started = true;
      const host = address.address?.includes(':') ? `[${address.address}]` : address.address;
      resolveListening(`http://${host}:${address.port}`);
    }
  });

  cluster.on('exit', (worker, code, signal) => {
    const lived = Date.now() - (bornAt.get(worker) ?? Date.now());
    bornAt.delete(worker);
    listeningWorkers.delete(worker.id);
    if (stopping) return;
    if (!started) {
      // A worker that cannot start (bad port, database refused) would fail the same way again: fail the start.
      rejectListening(new Error(`an API worker exited during start (code ${code ?? signal})`));
      return;
    }
    backoffMs = lived >= STABLE_MS ? BACKOFF_FIRST_MS : Math.min(backoffMs * 2, BACKOFF_MAX_MS);
    const waitMs = lived >= STABLE_MS ? 0 : backoffMs;
    logger.error({ pid: worker.process.pid, code, signal, restartInMs: waitMs }, 'API worker died; restarting it');
    setTimeout(() => {
      if (!stopping) fork();
    }, waitMs).unref();
  });

  for (let i = 0; i < opts.workers; i++) fork();

  return {
    listening,
    async stop() {
      stopping = true;
      const alive = Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w && !w.isDead());
      const exits = alive.map((w) => new Promise<void>((resolve) => w.once('exit', () => resolve())));
      // Each worker runs its own ordered shutdown on SIGTERM (answers in flight stored, requests finished).
      for (const w of alive) w.process.kill('SIGTERM');
      const killer = setTimeout(() => {
        for (const w of alive) if (!w.isDead()) w.process.kill('SIGKILL');
      }, opts.drainTimeoutMs);
      await Promise.all(exits);
      clearTimeout(killer);
    },
  };
}
