// An assistant message's Markdown: the renderer loads on first use; while it loads (and between frames) plain text shows.
import { createEffect, createSignal, onCleanup, Show } from 'solid-js';
import { t } from '../lib/i18n';

type Renderer = typeof import('../lib/markdown').renderMarkdown;
let rendererPromise: Promise<Renderer> | undefined;
const [renderer, setRenderer] = createSignal<Renderer | undefined>(undefined);

/** Starts loading the Markdown renderer (marked + DOMPurify + highlight.js) once; every message shares it. */
export function loadMarkdown(): Promise<Renderer> {
  rendererPromise ??= import('../lib/markdown').then((m) => {
    setRenderer(() => m.renderMarkdown);
    return m.renderMarkdown;
  });
  return rendererPromise;
}

export function Markdown(props: { text: string }) {
  const [html, setHtml] = createSignal<string | undefined>(undefined);
  let frame = 0;
  void loadMarkdown();

  // While an answer streams, chunks can arrive faster than frames: render at most once per frame.
  createEffect(() => {
    const render = renderer();
    const text = props.text;
    const words = { copy: t('chat.copy'), copyCode: t('chat.copyCode') };
    if (!render) return;
    if (frame) cancelAnimationFrame(frame);
    frame = requestAnimationFrame(() => {
      frame = 0;
      setHtml(render(text, words));
    });
  });
  onCleanup(() => frame && cancelAnimationFrame(frame));

  const onClick = (e: MouseEvent) => {
    const button = (e.target as HTMLElement).closest<HTMLButtonElement>('[data-copy-code]');
    if (!button) return;
    const code = button.closest('.code-block')?.querySelector('code')?.textContent ?? '';
    void navigator.clipboard?.writeText(code).then(() => {
      button.textContent = t('chat.copied');
      setTimeout(() => {
        button.textContent = t('chat.copy');
      }, 1500);
    });
  };

  return (
    <Show when={html() !== undefined} fallback={<div class="whitespace-pre-wrap">{props.text}</div>}>
      {/* One delegated listener for the copy buttons inside (real <button>s, so keyboard users reach them too). */}
      <div class="prose-chat" innerHTML={html()} ref={(el) => el.addEventListener('click', onClick)} />
    </Show>
  );
}
