// The files of the next message against a fake files API (no module mocks): documents upload into the open
// conversation and images do not, a processing file is watched until ready, a refused upload fails with the reason,
// removing deletes what was uploaded (even when the upload finishes after), and take() hands over the ready ones.
import type { FileInfo } from '@chatbot/shared';
import { ApiError } from '@chatbot/shared';
import { describe, expect, it } from 'vitest';
import type { Api } from '../lib/api';
import { inRoot } from '../test-root';
import { createAttachments } from './attachments';

const at = '2026-01-01T00:00:00.000Z';

function fakeFiles(opts: { status?: (name: string) => FileInfo['status']; refuse?: string } = {}) {
  const uploads: { name: string; sessionId: number | undefined }[] = [];
  const deleted: number[] = [];
  const gets: number[] = [];
  const waiting: (() => void)[] = [];
  let hold = false;
  let nextId = 1;
  const files = {
    upload: async (file: Blob, o: { sessionId?: number } = {}) => {
      const name = (file as File).name;
      uploads.push({ name, sessionId: o.sessionId });
      if (hold) await new Promise<void>((r) => waiting.push(r));
      if (name === opts.refuse) throw new ApiError(415, 'UNSUPPORTED_MEDIA_TYPE', 'not supported');
      const info: FileInfo = {
        id: nextId++,
        name,
        mimeType: file.type,
        size: file.size,
        status: opts.status?.(name) ?? 'ready',
        error: null,
        sessionId: o.sessionId ?? null,
        pages: null,
        chunks: 1,
        createdAt: at,
      };
      return info;
    },
    get: async (id: number) => {
      gets.push(id);
      return { id, status: gets.length >= 2 ? 'ready' : 'processing', error: null } as FileInfo;
    },
    delete: async (id: number) => {
      deleted.push(id);
    },
  };
  // Only the methods the attachments call: a typed stand-in for the SDK client.
  const api = { files } as unknown as Pick<Api, 'files'>;
  return {
    api,
    uploads,
    deleted,
    gets,
    holdUploads: () => {
      hold = true;
    },
    release: () => {
      for (const r of waiting.splice(0)) r();
    },
  };
}

const settle = () => new Promise((r) => setTimeout(r, 5));
const doc = (name: string) => new File(['# notes'], name, { type: 'text/markdown' });
const png = (name: string) => new File([new Uint8Array([137, 80, 78, 71])], name, { type: 'image/png' });

describe('attachments', () => {
  it('uploads documents into the open conversation, images for the message only, and hands over the ready ones', () =>
    inRoot(async () => {
      const fake = fakeFiles();
      const a = createAttachments({ api: fake.api, sessionId: () => 7, pollMs: 1 });
      a.add([doc('a.md'), png('b.png')]);
      expect(a.pending()).toBe(true);
      await settle();
      expect(fake.uploads).toEqual([
        { name: 'a.md', sessionId: 7 },
        { name: 'b.png', sessionId: undefined },
      ]);
      expect(a.items().map((x) => [x.name, x.status, x.image, x.attached])).toEqual([
        ['a.md', 'ready', false, true],
        ['b.png', 'ready', true, false],
      ]);
      expect(a.pending()).toBe(false);
      expect(a.take()).toEqual({ fileIds: [1, 2], unattachedDocuments: [] });
      expect(a.items()).toEqual([]);
    }));

  it('watches a file being read until it is ready; without a conversation a document is left to attach', () =>
    inRoot(async () => {
      const fake = fakeFiles({ status: () => 'processing' });
      const a = createAttachments({ api: fake.api, sessionId: () => undefined, pollMs: 1 });
      a.add([doc('long.md')]);
      await settle();
      await expect.poll(() => a.items()[0]?.status).toBe('ready');
      expect(fake.gets.length).toBeGreaterThanOrEqual(2);
      expect(a.take()).toEqual({ fileIds: [1], unattachedDocuments: [1] });
    }));

  it('shows a refused upload as failed with its reason, and leaves it out of the message', () =>
    inRoot(async () => {
      const fake = fakeFiles({ refuse: 'tool.exe' });
      const a = createAttachments({ api: fake.api, sessionId: () => 3, pollMs: 1 });
      a.add([new File(['MZ'], 'tool.exe', { type: 'application/octet-stream' }), doc('ok.md')]);
      await settle();
      const failed = a.items().find((x) => x.name === 'tool.exe');
      expect(failed?.status).toBe('failed');
      expect(failed?.error).toBe('That kind of file is not supported.');
      expect(a.take().fileIds).toEqual([1]);
    }));

  it('deletes a removed file from the server, also one whose upload ends after the removal', () =>
    inRoot(async () => {
      const fake = fakeFiles();
      const a = createAttachments({ api: fake.api, sessionId: () => 3, pollMs: 1 });
      a.add([doc('kept.md')]);
      await settle();
      a.remove(a.items()[0]!.key);
      await settle();
      expect(fake.deleted).toEqual([1]);

      fake.holdUploads();
      a.add([doc('late.md')]);
      await settle();
      a.remove(a.items()[0]!.key);
      fake.release();
      await settle();
      expect(a.items()).toEqual([]);
      expect(fake.deleted).toEqual([1, 2]);
    }));
});
