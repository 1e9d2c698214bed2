// /api/files over the app: the File shape, list/get/attach/delete, types judged by content (415), size (413), the
// count limit (409), zip bombs (4xx, nothing else lost), and another user's file as 404 on every route and in fileIds.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SeededUser, seedUser } from '../fixtures.js';
import { call, createTestApp, type TestApp } from '../harness.js';
import { makeDocx, makePdf, makeZipBombDocx, PNG_1X1, upload, waitForFile } from './file-fixtures.js';

describe('/api/files', () => {
  let t: TestApp;
  let alice: SeededUser;
  let bob: SeededUser;
  beforeAll(async () => {
    t = await createTestApp({ FILE_MAX_BYTES: String(2 * 1024 * 1024), FILES_MAX_PER_USER: '50' });
    alice = await seedUser(t);
    bob = await seedUser(t);
  });
  afterAll(async () => t.cleanup());

  const session = async (token: string) =>
    (await call(t.app, 'POST', '/api/chat/sessions', { token, body: { title: 'S' } })).body.id as number;

  it('answers 201 with the File shape; images are ready at once', async () => {
    const res = await upload(t.app, alice.token, 'dot.png', PNG_1X1);
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(Number),
      name: 'dot.png',
      mimeType: 'image/png',
      size: PNG_1X1.length,
      status: 'ready',
      error: null,
      sessionId: null,
      pages: null,
      chunks: 0,
      createdAt: expect.any(String),
    });
  });

  it('judges the type by content: a PNG named .txt is a PNG, a binary named .pdf is 415', async () => {
    const png = await upload(t.app, alice.token, 'not-really.txt', PNG_1X1);
    expect(png.status).toBe(201);
    expect(png.body.mimeType).toBe('image/png');
    const exe = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(200, 0), Buffer.from([0xff, 0xfe, 0x00, 0x01])]);
    const bad = await upload(t.app, alice.token, 'report.pdf', exe, { type: 'application/pdf' });
    expect(bad.status).toBe(415);
    expect(bad.body.detail).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE', field: 'file' });
    // A zip that is not a Word document is refused too.
    const { zipSync } = await import('fflate');
    const zip = Buffer.from(zipSync({ 'a.txt': new TextEncoder().encode('hi') }));
    const notDocx = await upload(t.app, alice.token, 'memo.docx', zip);
    expect(notDocx.status).toBe(415);
  });

  it('refuses a file over FILE_MAX_BYTES with 413, and a missing file part with 400', async () => {
    const big = Buffer.alloc(2 * 1024 * 1024 + 1, 'a');
    const res = await upload(t.app, alice.token, 'big.txt', big);
    expect(res.status).toBe(413);
    expect(res.body.detail.code).toBe('PAYLOAD_TOO_LARGE');
    const form = new FormData();
    form.append('sessionId', '1');
    const none = await t.app.request('/api/files', {
      method: 'POST',
      headers: { authorization: `Bearer ${alice.token}` },
      body: form,
    });
    expect(none.status).toBe(400);
    expect(((await none.json()) as { detail: { field: string } }).detail.field).toBe('file');
    // Far over the limit: refused by the route's body limit before the multipart body is read.
    const huge = await upload(t.app, alice.token, 'huge.txt', Buffer.alloc(3 * 1024 * 1024, 'a'));
    expect(huge.status).toBe(413);
    // A multipart body that is not one.
    const garbage = await t.app.request('/api/files', {
      method: 'POST',
      headers: { authorization: `Bearer ${alice.token}`, 'content-type': 'multipart/form-data; boundary=zzz' },
      body: 'this is not multipart at all',
    });
    expect(garbage.status).toBe(400);
    const json = await call(t.app, 'POST', '/api/files', { token: alice.token, body: { file: 'x' } });
    expect(json.status).toBe(400);
    const noAuth = await t.app.request('/api/files', { method: 'POST', body: new FormData() });
    expect(noAuth.status).toBe(401);
  });

  it('refuses a zip bomb DOCX with 413 and loses nothing else', async () => {
    const keep = await upload(t.app, alice.token, 'keep.md', Buffer.from('# Keep\n\nThe kept file.'));
    expect(keep.status).toBe(201);
    const before = await call(t.app, 'GET', '/api/files?limit=100', { token: alice.token });
    const bomb = await upload(t.app, alice.token, 'bomb.docx', makeZipBombDocx(110));
    expect(bomb.status).toBe(413);
    expect(bomb.body.detail.code).toBe('PAYLOAD_TOO_LARGE');
    const after = await call(t.app, 'GET', '/api/files?limit=100', { token: alice.token });
    expect(after.body.total).toBe(before.body.total);
    expect((await waitForFile(t.app, alice.token, keep.body.id)).status).toBe('ready');
    // The app still works for everything else.
    const ok = await upload(t.app, alice.token, 'ok.docx', makeDocx('Fine', ['A normal document.']));
    expect(ok.status).toBe(201);
    expect((await waitForFile(t.app, alice.token, ok.body.id)).status).toBe('ready');
  });

  it('refuses a DOCX nested deeper than Word writes with 400 at upload, and loses nothing else', async () => {
    const before = await call(t.app, 'GET', '/api/files?limit=100', { token: alice.token });
    const levels = 20_000;
    const deep = makeDocx('Deep', [], {
      'word/document.xml': new TextEncoder().encode(
        `<?xml version="1.0"?><w:document xmlns:w="x"><w:body>${'<w:sdt>'.repeat(levels)}<w:p/>${'</w:sdt>'.repeat(levels)}</w:body></w:document>`,
      ),
    });
    const res = await upload(t.app, alice.token, 'deep.docx', deep);
    expect(res.status).toBe(400);
    expect(res.body.detail).toMatchObject({ code: 'VALIDATION_ERROR', field: 'file' });
    expect(res.body.detail.message).toMatch(/nested \d+ levels deep/);
    const after = await call(t.app, 'GET', '/api/files?limit=100', { token: alice.token });
    expect(after.body.total).toBe(before.body.total);
    // An ordinary document (a few levels of tables and runs) is still accepted.
    const fine = await upload(t.app, alice.token, 'fine.docx', makeDocx('Fine', ['one', 'two']));
    expect(fine.status).toBe(201);
  });

  it('refuses a PDF nesting arrays thousands deep with 400 at upload, and stores nothing', async () => {
    const before = await call(t.app, 'GET', '/api/files?limit=100', { token: alice.token });
    const deep = Buffer.from(
      `%PDF-1.4\n1 0 obj\n<< /Type /Catalog /X ${'['.repeat(10_000)}${']'.repeat(10_000)} >>\nendobj\ntrailer << /Root 1 0 R >>\n%%EOF\n`,
      'latin1',
    );
    const res = await upload(t.app, alice.token, 'deep.pdf', deep);
    expect(res.status).toBe(400);
    expect(res.body.detail).toMatchObject({ code: 'VALIDATION_ERROR', field: 'file' });
    expect(res.body.detail.message).toMatch(/nested \d+ levels deep/);
    const after = await call(t.app, 'GET', '/api/files?limit=100', { token: alice.token });
    expect(after.body.total).toBe(before.body.total);
  });

  it('a damaged PDF ends failed with a plain reason', async () => {
    const res = await upload(t.app, alice.token, 'broken.pdf', Buffer.from('%PDF-1.4\nthis is not a real pdf'));
    expect(res.status).toBe(201);
    const done = await waitForFile(t.app, alice.token, res.body.id);
    expect(done.status).toBe('failed');
    expect(done.error).toMatch(/PDF could not be read/);
  });

  it('lists newest first with total, by conversation, and pages with limit/offset', async () => {
    const s = await session(alice.token);
    const a = await upload(t.app, alice.token, 'a.txt', Buffer.from('alpha'), { sessionId: s });
    const b = await upload(t.app, alice.token, 'b.txt', Buffer.from('beta'), { sessionId: s });
    const list = await call(t.app, 'GET', `/api/files?sessionId=${s}`, { token: alice.token });
    expect(list.status).toBe(200);
    expect(list.body.total).toBe(2);
    expect(list.body.files.map((f: { id: number }) => f.id)).toEqual([b.body.id, a.body.id]);
    const page = await call(t.app, 'GET', `/api/files?sessionId=${s}&limit=1&offset=1`, { token: alice.token });
    expect(page.body).toMatchObject({ total: 2, files: [{ id: a.body.id }] });
    const past = await call(t.app, 'GET', `/api/files?sessionId=${s}&offset=10`, { token: alice.token });
    expect(past.body).toEqual({ files: [], total: 2 });
    const byName = await call(t.app, 'GET', `/api/files?q=B.TX`, { token: alice.token });
    expect(byName.body.files.map((f: { name: string }) => f.name)).toEqual(['b.txt']);
    const literal = await call(t.app, 'GET', `/api/files?q=${encodeURIComponent('%')}`, { token: alice.token });
    expect(literal.body).toEqual({ files: [], total: 0 });
    expect((await call(t.app, 'GET', '/api/files?limit=0', { token: alice.token })).status).toBe(400);
    expect((await call(t.app, 'GET', '/api/files?limit=101', { token: alice.token })).status).toBe(400);
  });

  it('attaches with PATCH {sessionId}, detaches with null; a foreign session is refused', async () => {
    const f = await upload(t.app, alice.token, 'c.txt', Buffer.from('gamma'));
    const s = await session(alice.token);
    const attached = await call(t.app, 'PATCH', `/api/files/${f.body.id}`, {
      token: alice.token,
      body: { sessionId: s },
    });
    expect(attached.status).toBe(200);
    expect(attached.body.sessionId).toBe(s);
    const detached = await call(t.app, 'PATCH', `/api/files/${f.body.id}`, {
      token: alice.token,
      body: { sessionId: null },
    });
    expect(detached.body.sessionId).toBeNull();
    const bobs = await session(bob.token);
    const foreign = await call(t.app, 'PATCH', `/api/files/${f.body.id}`, {
      token: alice.token,
      body: { sessionId: bobs },
    });
    expect(foreign.status).toBe(403);
    const missing = await call(t.app, 'PATCH', `/api/files/${f.body.id}`, {
      token: alice.token,
      body: { sessionId: 99_999_999 },
    });
    expect(missing.status).toBe(404);
    expect((await upload(t.app, alice.token, 'd.txt', Buffer.from('x'), { sessionId: bobs })).status).toBe(403);
    expect((await upload(t.app, alice.token, 'd.txt', Buffer.from('x'), { sessionId: 'abc' })).status).toBe(400);
    const bad = await call(t.app, 'PATCH', `/api/files/${f.body.id}`, { token: alice.token, body: {} });
    expect(bad.status).toBe(400);
  });

  it("another user's file is 404 on every route and in fileIds", async () => {
    const f = await upload(t.app, alice.token, 'secret.md', Buffer.from('# Secret\n\nThe launch code is 1234.'));
    await waitForFile(t.app, alice.token, f.body.id);
    const id = f.body.id;
    const asBob = { token: bob.token };
    expect((await call(t.app, 'GET', `/api/files/${id}`, asBob)).status).toBe(404);
    expect((await call(t.app, 'PATCH', `/api/files/${id}`, { ...asBob, body: { sessionId: null } })).status).toBe(404);
    expect((await call(t.app, 'DELETE', `/api/files/${id}`, asBob)).status).toBe(404);
    const bobsList = await call(t.app, 'GET', '/api/files', asBob);
    expect(bobsList.body.files.map((x: { id: number }) => x.id)).not.toContain(id);
    const s = await session(bob.token);
    const send = await call(t.app, 'POST', `/api/chat/sessions/${s}/messages`, {
      ...asBob,
      body: { content: 'What is the launch code?', fileIds: [id] },
    });
    expect(send.status).toBe(404);
    expect(send.body.detail).toMatchObject({ code: 'NOT_FOUND', field: 'fileIds' });
    const stream = await t.app.request(`/api/chat/sessions/${s}/messages/stream`, {
      method: 'POST',
      headers: { authorization: `Bearer ${bob.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ content: 'What is the launch code?', fileIds: [id] }),
    });
    expect(stream.status).toBe(404);
    // Nothing was stored by the refused sends.
    const detail = await call(t.app, 'GET', `/api/chat/sessions/${s}`, asBob);
    expect(detail.body.messages).toEqual([]);
    // Attaching Alice's file to Bob's session by PATCH is a 404 as well (the file, as Bob sees it, does not exist).
    expect((await call(t.app, 'PATCH', `/api/files/${id}`, { ...asBob, body: { sessionId: s } })).status).toBe(404);
    expect((await call(t.app, 'GET', `/api/files/${id}`, { token: alice.token })).status).toBe(200);
  });

  it('a file still processing in fileIds is a 409, a failed one a 400', async () => {
    const s = await session(alice.token);
    // A job that no worker can take yet: its lease is held far into the future.
    const f = await upload(t.app, alice.token, 'slow.txt', Buffer.from('slow text'));
    await t.ctx.db.execute(
      sql`update file_jobs set lease_until = now() + interval '1 hour' where file_id = ${f.body.id}`,
    );
    await t.ctx.db.execute(sql`update files set status = 'processing' where id = ${f.body.id}`);
    const res = await call(t.app, 'POST', `/api/chat/sessions/${s}/messages`, {
      token: alice.token,
      body: { content: 'hi', fileIds: [f.body.id] },
    });
    expect(res.status).toBe(409);
    expect(res.body.detail.field).toBe('fileIds');
    const broken = await upload(t.app, alice.token, 'broken2.pdf', Buffer.from('%PDF-1.4 nope'));
    await waitForFile(t.app, alice.token, broken.body.id);
    const failed = await call(t.app, 'POST', `/api/chat/sessions/${s}/messages`, {
      token: alice.token,
      body: { content: 'hi', fileIds: [broken.body.id] },
    });
    expect(failed.status).toBe(400);
  });

  it('deleting a file removes its chunks (204, then 404)', async () => {
    const f = await upload(t.app, alice.token, 'gone.pdf', makePdf(['Page one text.', 'Page two text.']));
    const ready = await waitForFile(t.app, alice.token, f.body.id);
    expect(ready.chunks).toBeGreaterThan(0);
    const count = async () =>
      (
        await t.ctx.db.execute<{ n: number }>(
          sql`select count(*)::int as n from file_chunks where file_id = ${f.body.id}`,
        )
      ).rows[0]!.n;
    expect(await count()).toBe(ready.chunks);
    const del = await call(t.app, 'DELETE', `/api/files/${f.body.id}`, { token: alice.token });
    expect(del.status).toBe(204);
    expect(await count()).toBe(0);
    expect((await call(t.app, 'GET', `/api/files/${f.body.id}`, { token: alice.token })).status).toBe(404);
    expect((await call(t.app, 'DELETE', `/api/files/${f.body.id}`, { token: alice.token })).status).toBe(404);
  });
});

describe('the OpenAPI document', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.cleanup());

  it('documents the upload as multipart/form-data with a binary file part, and every files route', async () => {
    const doc = (await call(t.app, 'GET', '/api/openapi.json')).body;
    const post = doc.paths['/api/files'].post;
    const schema = post.requestBody.content['multipart/form-data'].schema;
    expect(schema.properties.file).toMatchObject({ type: 'string', format: 'binary' });
    expect(schema.required).toEqual(['file']);
    expect(Object.keys(post.responses)).toEqual(expect.arrayContaining(['201', '409', '413', '415']));
    expect(Object.keys(doc.paths['/api/files'])).toEqual(['post', 'get']);
    expect(Object.keys(doc.paths['/api/files/{id}']).sort()).toEqual(['delete', 'get', 'patch']);
    expect(doc.components.schemas.File.required).toEqual(
      expect.arrayContaining(['id', 'name', 'mimeType', 'size', 'status', 'error', 'sessionId', 'pages', 'chunks']),
    );
    expect(JSON.stringify(doc.components.schemas.SendMessageResponse)).toContain('"sources"');
  });
});

describe('FILES_MAX_PER_USER', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ FILES_MAX_PER_USER: '2' });
  });
  afterAll(async () => t.cleanup());

  it('is 409 LIMIT_REACHED past the limit, also for uploads at the same time; deleting makes room', async () => {
    const u = await seedUser(t);
    const results = await Promise.all(
      [1, 2, 3, 4].map((i) => upload(t.app, u.token, `f${i}.txt`, Buffer.from(`file ${i}`))),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 201, 409, 409]);
    const refused = results.find((r) => r.status === 409)!;
    expect(refused.body.detail.code).toBe('LIMIT_REACHED');
    const list = await call(t.app, 'GET', '/api/files', { token: u.token });
    expect(list.body.total).toBe(2);
    const del = await call(t.app, 'DELETE', `/api/files/${list.body.files[0].id}`, { token: u.token });
    expect(del.status).toBe(204);
    const after = await upload(t.app, u.token, 'f5.txt', Buffer.from('five'));
    expect(after.status, JSON.stringify(after.body)).toBe(201);
  });
});
