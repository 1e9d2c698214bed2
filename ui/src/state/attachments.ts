// The files picked for the next message: each one uploads at once (documents attached to the open conversation, so
// later answers use them too; images for this message only), then is watched until it is ready or failed. The
// message goes out with the ready ones' ids; removing one before sending deletes it from the server.
import type { FileInfo } from '@chatbot/shared';
import { createSignal } from 'solid-js';
import type { Api } from '../lib/api';
import { humanError } from '../lib/errors';

export type AttachmentStatus = 'uploading' | FileInfo['status'];

export interface Attachment {
  /** Local key (the file id is known only once uploaded). */
  key: number;
  name: string;
  size: number;
  image: boolean;
  /** Uploaded into the open conversation (documents only): used for its later answers too. */
  attached: boolean;
  status: AttachmentStatus;
  /** Why it failed, in words. */
  error?: string | undefined;
  id?: number | undefined;
}

export interface AttachmentDeps {
  api: Pick<Api, 'files'>;
  /** The open conversation (documents are attached to it), if any. */
  sessionId: () => number | undefined;
  /** How often a processing file is asked about. */
  pollMs?: number;
}

const IMAGE_TYPES = /^image\/(png|jpeg|webp)$/;
/** A file still processing after this long is shown as failed (the server keeps working; the user can retry). */
const WATCH_LIMIT_MS = 10 * 60_000;

export function createAttachments(deps: AttachmentDeps) {
  const pollMs = deps.pollMs ?? 1_000;
  const [items, setItems] = createSignal<Attachment[]>([]);
  let nextKey = 1;
  const aborts = new Map<number, AbortController>();

  const update = (key: number, patch: Partial<Attachment>) =>
    setItems((list) => list.map((a) => (a.key === key ? { ...a, ...patch } : a)));
  const present = (key: number) => items().some((a) => a.key === key);

  async function watch(key: number, id: number, signal: AbortSignal): Promise<void> {
    const until = Date.now() + WATCH_LIMIT_MS;
    while (!signal.aborted && Date.now() < until) {
      await new Promise((r) => setTimeout(r, pollMs));
      if (signal.aborted || !present(key)) return;
      const f = await deps.api.files.get(id, { signal });
      if (f.status !== 'processing') {
        update(key, { status: f.status, error: f.error ?? undefined });
        return;
      }
    }
  }

  async function upload(key: number, file: File, image: boolean): Promise<void> {
    const abort = new AbortController();
    aborts.set(key, abort);
    try {
      const sessionId = image ? undefined : deps.sessionId();
      if (sessionId !== undefined) update(key, { attached: true });
      const f = await deps.api.files.upload(file, {
        signal: abort.signal,
        ...(sessionId !== undefined ? { sessionId } : {}),
      });
      if (!present(key)) {
        // Removed while it uploaded: nothing may stay behind on the server.
        void deps.api.files.delete(f.id).catch(() => {});
        return;
      }
      update(key, { id: f.id, status: f.status, error: f.error ?? undefined });
      if (f.status === 'processing') await watch(key, f.id, abort.signal);
    } catch (err) {
      if (!abort.signal.aborted) update(key, { status: 'failed', error: humanError(err) });
    } finally {
      aborts.delete(key);
    }
  }

  /** Starts uploading `files`; returns at once. */
  function add(files: Iterable<File>): void {
    for (const file of files) {
      const key = nextKey++;
      const image = IMAGE_TYPES.test(file.type);
      setItems((list) => [
        ...list,
        { key, name: file.name, size: file.size, image, attached: false, status: 'uploading' },
      ]);
      void upload(key, file, image);
    }
  }

  /** Takes the file off the message; an uploaded one is deleted (it was never sent). */
  function remove(key: number): void {
    const a = items().find((x) => x.key === key);
    if (!a) return;
    aborts.get(key)?.abort();
    setItems((list) => list.filter((x) => x.key !== key));
    if (a.id !== undefined) void deps.api.files.delete(a.id).catch(() => {});
  }

  /** True while a file is still uploading or being read: the message waits for it. */
  const pending = () => items().some((a) => a.status === 'uploading' || a.status === 'processing');

  /** The ready files for the message being sent; the list is emptied (failed ones go too). */
  function take(): { fileIds: number[]; unattachedDocuments: number[] } {
    const ready = items().filter((a) => a.status === 'ready' && a.id !== undefined);
    for (const c of aborts.values()) c.abort();
    setItems([]);
    return {
      fileIds: ready.map((a) => a.id as number),
      // Documents picked before the conversation existed: the page attaches them once it does.
      unattachedDocuments: ready.filter((a) => !a.image && !a.attached).map((a) => a.id as number),
    };
  }

  /** Leaving the conversation: stop watching (the files stay on the server, attached where they were). */
  function dispose(): void {
    for (const c of aborts.values()) c.abort();
    aborts.clear();
    setItems([]);
  }

  return { items, add, remove, pending, take, dispose };
}

export type Attachments = ReturnType<typeof createAttachments>;
