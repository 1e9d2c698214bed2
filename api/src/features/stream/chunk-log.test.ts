// The chunk log's writer alone, over a repo that fails for a while: rows are kept in order until they are written,
// however many flushes fail (they used to be dropped after five).
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../test/stream/fakes.js';
import { ChunkLog } from './chunk-log.js';
import type { ChunkRow } from './stream.repo.js';

describe('ChunkLog', () => {
  it('keeps every row through failed flushes and writes them in order once the database answers', async () => {
    let failuresLeft = 12;
    const written: ChunkRow[] = [];
    const log = new ChunkLog({
      repo: {
        appendChunks: async (rows) => {
          if (failuresLeft-- > 0) throw new Error('database away');
          written.push(...rows);
        },
        heartbeat: async () => {},
        deleteChunks: async () => {},
      },
      logger: silentLogger,
      flushMs: 60_000,
      heartbeatMs: 60_000,
      retentionMs: 60_000,
      alive: () => [],
    });
    try {
      for (let seq = 1; seq <= 30; seq++) {
        log.append({ messageId: 1 + (seq % 2), seq, content: `c${seq}` });
        if (seq % 3 === 0) await log.flush().catch(() => {});
      }
      while (failuresLeft > 0) await log.flush().catch(() => {});
      await log.flush();
      expect(written.map((r) => r.seq)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    } finally {
      await log.close();
    }
  });
});
