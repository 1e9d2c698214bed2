// The deploy test's stack: the nginx template rendered as the official image renders it, real API processes, real nginx.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const TEMPLATES_DIR = path.join(REPO_ROOT, 'nginx/templates');

/**
 * envsubst with an explicit variable list, as the official nginx image runs it: `$NAME` and `${NAME}` are replaced
 * only for the names given; every other `$word` (nginx's own variables) is left untouched.
 */
export function renderTemplate(text: string, vars: Record<string, string>): string {
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (whole, braced, bare) => {
    const name = (braced ?? bare) as string;
    return Object.hasOwn(vars, name) ? (vars[name] as string) : whole;
  });
}

/** The `${NAME}` variables a template expects (what the Dockerfile and compose must define). */
export function templateVariables(text: string): string[] {
  const names = new Set<string>();
  for (const m of text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g)) names.add(m[1] as string);
  return [...names].sort();
}

/** Every `*.template` under `srcDir` → `outDir/<same relative path without .template>`, like the image's entrypoint. */
export function renderTemplatesDir(srcDir: string, outDir: string, vars: Record<string, string>): string[] {
  const written: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      const full = path.join(dir, entry);
      if (statSync(full).isDirectory()) walk(full);
      else if (entry.endsWith('.template')) {
        const out = path.join(outDir, path.relative(srcDir, full).slice(0, -'.template'.length));
        mkdirSync(path.dirname(out), { recursive: true });
        writeFileSync(out, renderTemplate(readFileSync(full, 'utf8'), vars));
        written.push(out);
      }
    }
  };
  walk(srcDir);
  return written;
}

/** A port free on 127.0.0.1 right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export function findNginx(): string | undefined {
  for (const candidate of ['/usr/sbin/nginx', '/usr/bin/nginx', '/usr/local/sbin/nginx']) {
    if (existsSync(candidate)) return candidate;
  }
  try {
    return execFileSync('sh', ['-c', 'command -v nginx'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** nginx, installed with the repo's script (Debian's package, apt-get) when missing. */
export function ensureNginx(): string {
  let bin = findNginx();
  if (!bin) {
    execFileSync('bash', [path.join(REPO_ROOT, 'scripts/ensure-system-deps.sh')], {
      stdio: 'pipe',
      timeout: 300_000,
    });
    bin = findNginx();
  }
  if (!bin) throw new Error('nginx is not installed and scripts/ensure-system-deps.sh could not install it');
  return bin;
}

/** A child process we started, with its output kept (bounded) for failure messages. */
export interface Proc {
  name: string;
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

const running = new Set<Proc>();
let exitHookInstalled = false;

/** If the test process dies without afterAll, still take our children (and their process groups) down. */
function installExitHook() {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  const killAll = () => {
    for (const p of running) killGroup(p.child, 'SIGKILL');
  };
  process.once('exit', killAll);
  // Our children lead their own process groups, so a signal to this worker does not reach them: pass it on, then
  // let the signal do what it would have done (it is re-raised with our listener gone).
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
    const onSignal = () => {
      killAll();
      process.removeListener(signal, onSignal);
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals) {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    // Detached children lead their own process group: this reaches nginx's workers too.
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

export function startProcess(
  name: string,
  command: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; cwd?: string; stopSignal?: NodeJS.Signals } = {},
): Proc {
  installExitHook();
  const child = spawn(command, args, {
    cwd: opts.cwd ?? REPO_ROOT,
    env: opts.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  const keep = (b: Buffer) => {
    out += b.toString();
    if (out.length > 20_000) out = out.slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.once('error', () => resolve(-1));
  });
  const proc: Proc = {
    name,
    child,
    output: () => out,
    exited,
    async stop() {
      killGroup(child, opts.stopSignal ?? 'SIGTERM');
      const done = await Promise.race([exited.then(() => true), new Promise((r) => setTimeout(() => r(false), 8_000))]);
      if (!done) {
        killGroup(child, 'SIGKILL');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 2_000))]);
      }
      running.delete(proc);
    },
  };
  running.add(proc);
  return proc;
}

/** Polls `url` until it answers 200, the process exits, or `timeoutMs` passes. */
export async function waitForOk(url: string, proc: Proc, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exitCode: number | null | undefined;
  void proc.exited.then((c) => {
    exitCode = c;
  });
  let last = '';
  while (Date.now() < deadline) {
    if (exitCode !== undefined)
      throw new Error(`${proc.name} exited (${exitCode}) before ${url} was ready:\n${proc.output()}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (res.status === 200) return;
      last = `status ${res.status}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} not ready after ${timeoutMs} ms (${last}):\n${proc.output()}`);
}

/**
 * One API process as compose runs it (HOST, TRUST_PROXY, DATABASE_URL): from the TypeScript source, or, given
 * `imageDir` (see prepareImageLayout), exactly as the image's CMD runs the bundle.
 */
export function startApiProcess(name: string, port: number, env: Record<string, string>, imageDir?: string): Proc {
  const args = imageDir ? ['--enable-source-maps', 'api/dist/main.js'] : ['--import', 'tsx', 'api/src/main.ts'];
  return startProcess(name, process.execPath, args, {
    cwd: imageDir ?? REPO_ROOT,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/tmp',
      HOST: '127.0.0.1',
      PORT: String(port),
      TRUST_PROXY: 'true',
      // One process per replica: the compose tests count and kill replicas, not the workers inside one.
      WEB_CONCURRENCY: '1',
      ...env,
    },
  });
}

/**
 * The api image's /app, laid out as api/Dockerfile's last stage copies it (api/package.json, api/dist from
 * api/build.mjs, drizzle/, node_modules), so the test runs what the image runs. node_modules is the repo's (a link);
 * api/src is linked only so the copied build script finds the sources, as in the build stage.
 */
export function prepareImageLayout(dir: string): string {
  mkdirSync(path.join(dir, 'api'), { recursive: true });
  symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  symlinkSync(path.join(REPO_ROOT, 'api/src'), path.join(dir, 'api/src'));
  copyFileSync(path.join(REPO_ROOT, 'api/package.json'), path.join(dir, 'api/package.json'));
  copyFileSync(path.join(REPO_ROOT, 'api/build.mjs'), path.join(dir, 'api/build.mjs'));
  cpSync(path.join(REPO_ROOT, 'drizzle'), path.join(dir, 'drizzle'), { recursive: true });
  execFileSync(process.execPath, ['api/build.mjs'], { cwd: dir, stdio: 'pipe', timeout: 120_000 });
  if (!existsSync(path.join(dir, 'api/dist/main.js'))) throw new Error('api/build.mjs did not write api/dist/main.js');
  return dir;
}

export interface NginxOptions {
  bin: string;
  dir: string;
  port: number;
  uiRoot: string;
  /** host:port of every API process; they form the upstream group the template's API_UPSTREAM names. */
  upstreams: string[];
  /** Default: the repo's nginx/templates (the TLS check passes an edited copy, as a user would edit it). */
  templatesDir?: string;
  /** Replaces the test's template values (e.g. with the image's own, to check them with `nginx -t`). */
  vars?: Record<string, string>;
}

export const TEST_UPSTREAM_GROUP = 'chatbot_api_pool';

/**
 * Renders the repo's templates into `dir/conf.d` with local values and writes the surrounding nginx.conf that the
 * official image brings itself (pid, logs and temp files in `dir`, `daemon off`). The upstream group stands in for
 * Docker's DNS name: the template's `set $chatbot_api ${API_UPSTREAM}` picks a group when one has that name.
 */
export function writeNginxConfig(o: NginxOptions): { confFile: string; accessLog: string; errorLog: string } {
  mkdirSync(path.join(o.dir, 'conf.d'), { recursive: true });
  renderTemplatesDir(o.templatesDir ?? TEMPLATES_DIR, path.join(o.dir, 'conf.d'), o.vars ?? nginxTemplateVars(o));
  const accessLog = path.join(o.dir, 'access.log');
  const errorLog = path.join(o.dir, 'error.log');
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const conf = `# Written by the deploy test: what the official image's /etc/nginx/nginx.conf provides around conf.d/.
daemon off;
${isRoot ? 'user root;' : ''}
worker_processes 1;
pid ${o.dir}/nginx.pid;
error_log ${errorLog} warn;
events { worker_connections 512; }
http {
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  sendfile on;
  keepalive_timeout 65;
  client_body_temp_path ${o.dir}/tmp/body;
  proxy_temp_path ${o.dir}/tmp/proxy;
  fastcgi_temp_path ${o.dir}/tmp/fastcgi;
  uwsgi_temp_path ${o.dir}/tmp/uwsgi;
  scgi_temp_path ${o.dir}/tmp/scgi;
  # The official image's own log line (with $request, so with query strings): the template must replace it.
  log_format main '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent';
  access_log ${path.join(o.dir, 'image-access.log')} main;
  upstream ${TEST_UPSTREAM_GROUP} {
${o.upstreams.map((u) => `    server ${u} max_fails=0;`).join('\n')}
  }
  include ${o.dir}/conf.d/*.conf;
}
`;
  mkdirSync(path.join(o.dir, 'tmp'), { recursive: true });
  const confFile = path.join(o.dir, 'nginx.conf');
  writeFileSync(confFile, conf);
  return { confFile, accessLog, errorLog };
}

/** The values the test gives the template (compose gives api:8080, 127.0.0.11, 80, /usr/share/nginx/html, 1m). */
/**
 * The access log the template writes (format chatbot_access), each line shortened to what the tests compare:
 * `METHOD /path STATUS upstream=ADDR`. Lines of another shape are kept whole (so an assertion shows them).
 */
export function readAccessLog(file: string): string[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const m = /^\S+ \[[^\]]+\] "(\S+) (\S+) [^"]*" (\d+) \S+ \S+ upstream=(\S*) /.exec(l);
      return m ? `${m[1]} ${m[2]} ${m[3]} upstream=${m[4]}` : l;
    });
}

export function nginxTemplateVars(o: Pick<NginxOptions, 'port' | 'uiRoot' | 'dir'>): Record<string, string> {
  return {
    API_UPSTREAM: TEST_UPSTREAM_GROUP,
    // Never asked: the upstream name matches a group. A resolver line must still be valid.
    NGINX_RESOLVER: '127.0.0.1',
    NGINX_LISTEN: `127.0.0.1:${o.port}`,
    NGINX_UI_ROOT: o.uiRoot,
    NGINX_MAX_BODY: '12m',
    NGINX_ACCESS_LOG: path.join(o.dir, 'access.log'),
    NGINX_REAL_IP_FROM: '0.0.0.0/32',
    NGINX_REAL_IP_HEADER: 'X-Forwarded-For',
    // The suite sends bursts from one address (127.0.0.1); the limits have their own test with small values.
    NGINX_RATE_PER_SECOND: '1000',
    NGINX_RATE_BURST: '1000',
    NGINX_CONN_PER_ADDRESS: '1000',
  };
}

export async function startNginx(o: NginxOptions): Promise<Proc & { accessLog: string; errorLog: string }> {
  const { confFile, accessLog, errorLog } = writeNginxConfig(o);
  const args = ['-p', o.dir, '-c', confFile, '-e', errorLog];
  execFileSync(o.bin, [...args, '-t'], { stdio: 'pipe' });
  // SIGQUIT: graceful stop that lets the workers finish; the group kill after 8 s catches the rest.
  const proc = startProcess('nginx', o.bin, args, { stopSignal: 'SIGQUIT' });
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      await fetch(`http://127.0.0.1:${o.port}/index.html`, { signal: AbortSignal.timeout(1_000) });
      break;
    } catch (err) {
      if (proc.child.exitCode !== null) throw new Error(`nginx exited: ${proc.output()}`);
      if (Date.now() > deadline) throw new Error(`nginx did not listen: ${(err as Error).message}\n${proc.output()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return Object.assign(proc, { accessLog, errorLog });
}

/**
 * A tiny DNS server on 127.0.0.1 (UDP) answering A queries from `records`, standing in for Docker's embedded DNS
 * (127.0.0.11), so the template's resolver path (`resolver` + a variable upstream name) runs for real.
 */
export async function startFakeDns(records: Record<string, string>): Promise<{
  port: number;
  queries: string[];
  close(): Promise<void>;
}> {
  const socket = createSocket('udp4');
  const queries: string[] = [];
  socket.on('message', (msg, rinfo) => {
    if (msg.length < 12) return;
    // Question: length-prefixed labels, a zero byte, then QTYPE and QCLASS.
    const labels: string[] = [];
    let i = 12;
    while (i < msg.length && msg[i] !== 0) {
      const len = msg[i] as number;
      labels.push(msg.subarray(i + 1, i + 1 + len).toString('ascii'));
      i += len + 1;
    }
    const questionEnd = i + 5;
    const name = labels.join('.').toLowerCase();
    const qtype = msg.readUInt16BE(i + 1);
    queries.push(name);
    const address = qtype === 1 ? records[name] : undefined;
    const header = Buffer.alloc(12);
    msg.copy(header, 0, 0, 2); // the query's id
    // Response, recursion desired + available; NXDOMAIN when the name is unknown.
    header.writeUInt16BE(records[name] ? 0x8180 : 0x8183, 2);
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(address ? 1 : 0, 6);
    const question = msg.subarray(12, questionEnd);
    const parts = [header, question];
    if (address) {
      const answer = Buffer.alloc(16);
      answer.writeUInt16BE(0xc00c, 0); // the name: a pointer to the question's
      answer.writeUInt16BE(1, 2); // A
      answer.writeUInt16BE(1, 4); // IN
      answer.writeUInt32BE(5, 6); // TTL seconds
      answer.writeUInt16BE(4, 10);
      address.split('.').forEach((octet, k) => {
        answer[12 + k] = Number(octet);
      });
      parts.push(answer);
    }
    socket.send(Buffer.concat(parts), rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  return {
    port: socket.address().port,
    queries,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
