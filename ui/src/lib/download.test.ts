// Export/import helpers: safe file names from any title, and a file that is not JSON is refused before any upload.
import { describe, expect, it } from 'vitest';
import { fileNameFor, readTransferFile } from './download';

describe('export and import helpers', () => {
  it('makes a file name from a title, Vietnamese accents and symbols included', () => {
    expect(fileNameFor('Trip to Đà Lạt!', 'md')).toBe('Trip-to-Da-Lat.md');
    expect(fileNameFor('   ', 'json')).toBe('chatbot.json');
    expect(fileNameFor('a/b\\c', 'md')).toBe('a-b-c.md');
  });

  it('reads a JSON export file, and refuses one that is not JSON', async () => {
    const good = new File([JSON.stringify({ version: 1, sessions: [] })], 'export.json', { type: 'application/json' });
    expect(await readTransferFile(good)).toEqual({ version: 1, sessions: [] });
    const bad = new File(['not json at all'], 'notes.txt', { type: 'text/plain' });
    expect(await readTransferFile(bad)).toBeUndefined();
  });
});
