// Helpers for the fault suite: a user and conversations over real HTTP, answers read as they arrive, timing.
import type { SseEvent } from '@chatbot/shared';
import { SseReader } from '../stream/stream-helpers.js';

const json = { 'content-type': 'application/json' };

/** Registers and logs in a user through the API at `baseUrl`; returns the access token. */
export async function registerUser(baseUrl: string, username: string): Promise<string> {
  const user = { username, email: `${username}@example.com`, password: 'Fault5Passphrase' };
  const reg = await fetch(`${baseUrl}/api/auth/register`, {
    method: 'POST',
    headers: json,
    body: JSON.stringify(user),
  });
  if (reg.status !== 201) throw new Error(`register: ${reg.status} ${await reg.text()}`);
  const login = await fetch(`${baseUrl}/api/auth/login`, { method: 'POST', headers: json, body: JSON.stringify(user) });
  if (login.status !== 200) throw new Error(`login: ${login.status} ${await login.text()}`);
  return ((await login.json()) as { accessToken: string }).accessToken;
}

export async function createSessionVia(baseUrl: string, token: string, title = 'Fault'): Promise<number> {
  const res = await fetch(`${baseUrl}/api/chat/sessions`, {
    method: 'POST',
    headers: { ...json, authorization: `Bearer ${token}` },
    body: JSON.stringify({ title }),
  });
  if (res.status !== 201) throw new Error(`create session: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { id: number }).id;
}

/** An answer (or a follower of one) read event by event: the text so far, and its end when it came. */
export class AnswerReader {
  text = '';
  chunks = 0;
  lastSeq = 0;
  assistantMessageId: number | undefined;
  /** performance.now() when the `message` event came (the answer's rows are stored, its model call starts). */
  messageAt: number | undefined;
  end: Extract<SseEvent, { event: 'done' | 'error' }> | undefined;
  /** performance.now() when the end arrived. */
  endAt: number | undefined;
  /** Set when the stream ended (or broke) without a done/error event. */
  broken: string | undefined;
  private readonly reader: SseReader;
  readonly finished: Promise<void>;
  private waiters: (() => void)[] = [];

  constructor(res: Response) {
    this.reader = new SseReader(res);
    this.finished = this.pump();
  }

  private async pump(): Promise<void> {
    try {
      for (let ev = await this.reader.next(); ev; ev = await this.reader.next()) {
        if (ev.event === 'message') {
          this.assistantMessageId = ev.data.assistantMessageId;
          this.messageAt = performance.now();
        }
        if (ev.event === 'chunk') {
          this.text += ev.data.content;
          this.chunks++;
          this.lastSeq = ev.id;
        }
        if (ev.event === 'done' || ev.event === 'error') {
          this.end = ev;
          this.endAt = performance.now();
          this.wake();
          break;
        }
        this.wake();
      }
      if (!this.end) this.broken = 'the stream ended without done or error';
    } catch (err) {
      this.broken = (err as Error).message;
    } finally {
      this.wake();
      await this.reader.cancel();
    }
  }

  private wake() {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Resolves once `check` holds (re-checked at every event), or fails after `timeoutMs`. */
  async until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (this.end || this.broken) throw new Error(`stream ended before ${what}: ${this.broken ?? this.end?.event}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, left).unref();
      });
    }
  }

  cancel() {
    return this.reader.cancel();
  }
}

export function postAnswer(baseUrl: string, token: string, sessionId: number, content: string) {
  return fetch(`${baseUrl}/api/chat/sessions/${sessionId}/messages/stream`, {
    method: 'POST',
    headers: { ...json, authorization: `Bearer ${token}` },
    body: JSON.stringify({ content }),
  });
}

export function resumeAnswer(baseUrl: string, token: string, sessionId: number, after = 0) {
  return fetch(`${baseUrl}/api/chat/sessions/${sessionId}/stream?after=${after}`, {
    headers: { authorization: `Bearer ${token}` },
  });
}

/** Resolves with `p`'s value, or rejects after `ms` (no test step waits for ever). */
export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/** A long answer, one word a chunk. */
export function longReply(words: number): string {
  return Array.from({ length: words }, (_, i) => `word${i + 1}`).join(' ');
}
