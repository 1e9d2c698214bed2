// Each file type end to end over the app: upload → ready → ask in the conversation → the answer cites its sources
// (the offline model quotes the retrieved passages with their numbers), and the sources are stored on the answer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SeededUser, seedUser } from '../fixtures.js';
import { call, createTestApp, type TestApp } from '../harness.js';
import { type Json, makeDocx, makePdf, upload, waitForFile } from './file-fixtures.js';

describe('files in the conversation, each type end to end', () => {
  let t: TestApp;
  let alice: SeededUser;
  beforeAll(async () => {
    t = await createTestApp({ RAG_FULL_DOCUMENT_TOKENS: '0' });
    alice = await seedUser(t);
  });
  afterAll(async () => t.cleanup());

  async function newSession(): Promise<number> {
    const res = await call(t.app, 'POST', '/api/chat/sessions', { token: alice.token, body: { title: 'Docs' } });
    expect(res.status).toBe(201);
    return res.body.id;
  }

  async function ask(sessionId: number, content: string): Promise<Json> {
    const res = await call(t.app, 'POST', `/api/chat/sessions/${sessionId}/messages`, {
      token: alice.token,
      body: { content },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.assistantMessage;
  }

  const cases: { type: string; name: string; bytes: () => Buffer; mime: string; fact: string; question: string }[] = [
    {
      type: 'PDF',
      name: 'report.pdf',
      bytes: () => makePdf(['Introduction to the annual report.', 'The harbour of Velmora handles 42 ships daily.']),
      mime: 'application/pdf',
      fact: 'Velmora handles 42 ships',
      question: 'How many ships does the harbour of Velmora handle?',
    },
    {
      type: 'DOCX',
      name: 'memo.docx',
      bytes: () => makeDocx('Budget memo', ['The Quorath project budget is 7 million crowns.', 'Other notes.']),
      mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      fact: 'Quorath project budget is 7 million',
      question: 'What is the Quorath project budget?',
    },
    {
      type: 'Markdown',
      name: 'guide.md',
      bytes: () =>
        Buffer.from('# Guide\n\n## Install\n\nRun the zentrix installer twice.\n\n## Usage\n\nOpen the dashboard.\n'),
      mime: 'text/markdown',
      fact: 'zentrix installer twice',
      question: 'How do I run the zentrix installer?',
    },
    {
      type: 'text',
      name: 'notes.txt',
      bytes: () => Buffer.from('Meeting notes.\n\nThe blorvic filter must be cleaned every Tuesday.\n'),
      mime: 'text/plain',
      fact: 'blorvic filter must be cleaned every Tuesday',
      question: 'When must the blorvic filter be cleaned?',
    },
    {
      type: 'HTML',
      name: 'page.html',
      bytes: () =>
        Buffer.from(
          '<!doctype html><html><head><title>x</title><script>var secret = "nope";</script></head><body><h1>Fleet</h1><p>The Skarn fleet has 12 &amp; more vessels.</p></body></html>',
        ),
      mime: 'text/html',
      fact: 'Skarn fleet has 12 & more vessels',
      question: 'How many vessels does the Skarn fleet have?',
    },
    {
      type: 'CSV',
      name: 'prices.csv',
      bytes: () => Buffer.from('item,price\nwidget,3\ngrommet,17\nsprocket,9\n'),
      mime: 'text/csv',
      fact: 'grommet,17',
      question: 'What does a grommet cost?',
    },
  ];

  for (const c of cases) {
    it(`${c.type}: upload, ready, ask, the answer cites it and stores its sources`, async () => {
      const sessionId = await newSession();
      const up = await upload(t.app, alice.token, c.name, c.bytes(), { sessionId });
      expect(up.status, JSON.stringify(up.body)).toBe(201);
      expect(up.body).toMatchObject({ name: c.name, mimeType: c.mime, status: 'processing', sessionId, error: null });
      const ready = await waitForFile(t.app, alice.token, up.body.id);
      expect(ready.status, ready.error).toBe('ready');
      expect(ready.chunks).toBeGreaterThan(0);
      if (c.type === 'PDF') expect(ready.pages).toBe(2);

      const answer = await ask(sessionId, c.question);
      expect(answer.sources.length).toBeGreaterThan(0);
      const first = answer.sources[0];
      expect(first).toMatchObject({ n: 1, fileId: up.body.id, fileName: c.name });
      expect(first.quote).toContain(c.fact);
      if (c.type === 'PDF') expect(first.page).toBe(2);
      if (c.type === 'Markdown') expect(first.section).toBe('Guide > Install');
      expect(answer.content).toContain('[1]');
      expect(answer.content).toContain(c.fact);
      if (c.type === 'HTML') expect(answer.content).not.toContain('secret');

      // Every message the API returns carries them: the session's history too.
      const detail = await call(t.app, 'GET', `/api/chat/sessions/${sessionId}`, { token: alice.token });
      const stored = detail.body.messages.find((m: Json) => m.id === answer.id);
      expect(stored.sources).toEqual(answer.sources);
      expect(detail.body.messages.find((m: Json) => m.role === 'user').sources).toBeNull();
    });
  }
});
