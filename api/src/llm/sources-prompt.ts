// The numbered sources block of a prompt (passages or whole files from the user's files), written by features/files
// and read back by the offline model, which quotes them so the whole retrieval path works without a real model.

export interface PromptSource {
  n: number;
  /** "report.pdf, page 3" / "guide.md, Install". */
  label: string;
  text: string;
}

const OPEN = '<sources>';
const CLOSE = '</sources>';

/** The instructions and the sources, numbered as the answer cites them (`[n]`). */
export function sourcesBlock(sources: PromptSource[]): string {
  const items = sources.map((s) => `[${s.n}] ${s.label.replace(/\s+/g, ' ')}\n<<<\n${s.text}\n>>>`);
  return [
    "Sources from the user's files follow. Use them to answer, and cite the ones you use as [n] right after what",
    'they support. If they do not hold the answer, say so rather than guessing.',
    '',
    OPEN,
    ...items,
    CLOSE,
  ].join('\n');
}

/** The sources a prompt's text carries (none when it has no sources block). */
export function parseSourcesBlock(text: string): PromptSource[] {
  const start = text.indexOf(OPEN);
  const end = text.lastIndexOf(CLOSE);
  if (start < 0 || end < start) return [];
  const body = text.slice(start + OPEN.length, end);
  const out: PromptSource[] = [];
  for (const m of body.matchAll(/^\[(\d+)\] (.*)\n<<<\n([\s\S]*?)\n>>>$/gm)) {
    out.push({ n: Number(m[1]), label: m[2]!, text: m[3]! });
  }
  return out;
}
