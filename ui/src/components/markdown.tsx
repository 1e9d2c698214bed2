// An assistant message's Markdown: the renderer loads on first use; while it loads (and between frames) plain text shows.
import { createEffect, createSignal, onCleanup, Show } from 'solid-js';
import { t } from '../lib/i18n';

type Renderer = typeof import('../lib/markdown').renderMarkdown;
let rendererPromise: Promise<Renderer> | undefined;
const [renderer, setRenderer] = createSignal<Renderer | undefined>(undefined);
/** Bumped when a code language's grammar arrives: messages render again, now highlighted. */
const [grammars, setGrammars] = createSignal(0);

/** Starts loading the Markdown renderer (marked's lexer and our DOM builder) once; every message shares it. */
export function loadMarkdown(): Promise<Renderer> {
  rendererPromise ??= import('../lib/markdown').then((m) => {
    m.onHighlighterReady(() => setGrammars((n) => n + 1));
    setRenderer(() => m.renderMarkdown);
    return m.renderMarkdown;
  });
  return rendererPromise;
}

export function Markdown(props: {
  text: string;
  /** Source numbers the answer may cite as [n]: those become buttons calling onCite. */
  citations?: ReadonlySet<number> | undefined;
  onCite?: ((n: number) => void) | undefined;
}) {
  const [rendered, setRendered] = createSignal<DocumentFragment | undefined>(undefined);
  let container: HTMLDivElement | undefined;
  let frame = 0;
  void loadMarkdown();

  // While an answer streams, chunks can arrive faster than frames: render at most once per frame.
  createEffect(() => {
    const render = renderer();
    grammars();
    const text = props.text;
    const citations = props.citations;
    const words = { copy: t('chat.copy'), copyCode: t('chat.copyCode') };
    if (!render) return;
    if (frame) cancelAnimationFrame(frame);
    frame = requestAnimationFrame(() => {
      frame = 0;
      setRendered(render(text, words, citations));
    });
  });
  onCleanup(() => frame && cancelAnimationFrame(frame));

  const onClick = (e: MouseEvent) => {
    const cite = (e.target as HTMLElement).closest<HTMLElement>('[data-cite]');
    if (cite) {
      props.onCite?.(Number(cite.dataset.cite));
      return;
    }
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

  // The rendered nodes replace the container's children (built from tokens: no HTML string is parsed). A fragment
  // empties as it is inserted, so each one goes in once, by whichever of the ref or the effect comes first.
  let shown: DocumentFragment | undefined;
  const show = () => {
    const nodes = rendered();
    if (!nodes || !container || nodes === shown) return;
    shown = nodes;
    container.replaceChildren(nodes);
  };
  createEffect(show);

  return (
    <Show when={rendered() !== undefined} fallback={<div class="whitespace-pre-wrap">{props.text}</div>}>
      {/* One delegated listener for the copy buttons inside (real <button>s, so keyboard users reach them too). */}
      <div
        class="prose-chat"
        ref={(el) => {
          container = el;
          show();
          el.addEventListener('click', onClick);
        }}
      />
    </Show>
  );
}
