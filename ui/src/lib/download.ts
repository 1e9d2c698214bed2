// Files for the user: a download made in the browser (no server round trip), a file name from any title, and
// reading an export file back before it is sent.
import type { TransferFile } from '@chatbot/shared';

/** Offers `content` as a file download (no server round trip: the SDK already has the text). */
export function downloadFile(name: string, content: string, type: string): void {
  const url = URL.createObjectURL(new Blob([content], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  // Revoked later: some browsers start the download only after the click handler returns.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A file name from a title: letters, digits and dashes, never empty. */
export function fileNameFor(title: string, ext: string): string {
  const base = title
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
  return `${base || 'chatbot'}.${ext}`;
}

/** Reads an export file; undefined when it is not JSON at all (the server checks the rest). */
export async function readTransferFile(file: File): Promise<TransferFile | undefined> {
  try {
    return JSON.parse(await file.text()) as TransferFile;
  } catch {
    return undefined;
  }
}
