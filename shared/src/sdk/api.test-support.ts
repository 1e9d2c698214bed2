// Test support for the SDK suites: the real API on a real port (HTTP + WebSocket) backed by a fresh database and the
// repo's fake OpenAI-compatible server, and a fetch that records every JSON response for the OpenAPI check.

import { startServer } from '../../../api/src/server.js';
import { type FakeOpenAI, startFakeOpenAI } from '../../../api/test/fake-openai.js';
import { createTestApp, type TestApp } from '../../../api/test/harness.js';

export interface RunningApi {
  t: TestApp;
  fake: FakeOpenAI;
  baseUrl: string;
  close(): Promise<void>;
}

/** Starts the fake model server, an app on a fresh database pointed at it, and serves the app on 127.0.0.1:0. */
export async function startApi(overrides: Record<string, string> = {}): Promise<RunningApi> {
  const fake = await startFakeOpenAI({ reply: 'Hello from the fake model', chunkDelayMs: 2 });
  const t = await createTestApp({
    OPENAI_BASE_URL: fake.url,
    OPENAI_API_KEY: 'test',
    OPENAI_MAX_RETRIES: '0',
    ...overrides,
  });
  const running = await startServer(t.app.fetch, { port: 0, host: '127.0.0.1' });
  return {
    t,
    fake,
    baseUrl: running.url,
    async close() {
      await running.close();
      await t.cleanup();
      await fake.close();
    },
  };
}

export interface RecordedResponse {
  method: string;
  path: string;
  status: number;
  contentType: string;
  body: unknown;
}

/** A fetch that passes every request through unchanged and keeps a copy of each JSON response it saw. */
export function recordingFetch(): { fetch: typeof fetch; responses(): Promise<RecordedResponse[]> } {
  const pending: Promise<RecordedResponse | undefined>[] = [];
  const wrapped: typeof fetch = async (input, init) => {
    const res = await fetch(input, init);
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    const contentType = res.headers.get('content-type') ?? '';
    if (contentType.includes('application/json')) {
      const copy = res.clone();
      pending.push(
        copy
          .json()
          .then((body) => ({
            method: init?.method ?? 'GET',
            path: url.pathname,
            status: res.status,
            contentType,
            body,
          }))
          .catch(() => undefined),
      );
    }
    return res;
  };
  return {
    fetch: wrapped,
    async responses() {
      return (await Promise.all(pending)).filter((r): r is RecordedResponse => r !== undefined);
    },
  };
}
