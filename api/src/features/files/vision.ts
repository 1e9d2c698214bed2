// Which models take images (OPENAI_VISION_MODELS: a comma list, `*` as a wildcard).

/** True when `model` matches one of the patterns (case-insensitive; `*` matches any run of characters). */
export function takesImages(model: string, patterns: string[]): boolean {
  return patterns.some((p) => {
    const re = new RegExp(`^${p.split('*').map(escapeRegExp).join('.*')}$`, 'i');
    return re.test(model);
  });
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
