// Small formatters of the admin console and the usage panel, in the current language.
import { locale } from '../../lib/i18n';

export const fmtNumber = (n: number) => n.toLocaleString(locale());

export const fmtTime = (iso: string | null) =>
  iso ? new Date(iso).toLocaleString(locale(), { dateStyle: 'medium', timeStyle: 'short' }) : '';

export const fmtMs = (ms: number | null) =>
  ms === null ? '–' : ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;

export const fmtPercent = (x: number) => `${(x * 100).toFixed(x < 0.1 ? 1 : 0)}%`;

export const fmtCost = (c: number | null) =>
  c === null ? '–' : c.toLocaleString(locale(), { minimumFractionDigits: 2, maximumFractionDigits: c < 1 ? 4 : 2 });

/** Shared look of the console's buttons. */
export const smallButton =
  'rounded-md border border-zinc-300 px-2 py-1 text-xs hover:bg-zinc-100 disabled:opacity-50 dark:border-zinc-700 dark:hover:bg-zinc-800';
export const inputClass =
  'rounded-lg border border-zinc-300 bg-white px-3 py-1.5 text-sm outline-none focus:border-indigo-500 dark:border-zinc-700 dark:bg-zinc-950';
