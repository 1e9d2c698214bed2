// Output helpers of the terminal client: where text goes, and a plain aligned table.

export interface Output {
  json: boolean;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/** Columns padded to their widest cell; the last column is never padded (titles may be long). */
export function printTable(out: Output, header: string[], rows: string[][]): void {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  for (const row of all) {
    const cells = row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!)));
    out.stdout.write(`${cells.join('  ')}\n`);
  }
}
