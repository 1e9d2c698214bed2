// The usage panel's contents (loaded when the menu first opens): today and this month against the limits, and the
// last 30 days.
import type { UsageResponse } from '@chatbot/shared';
import { Show } from 'solid-js';
import { t } from '../../lib/i18n';
import { fmtCost, fmtNumber } from '../admin/format';

function Line(props: { label: string; used: number; limit: number | null }) {
  return (
    <div class="flex justify-between gap-3">
      <span class="text-zinc-500">{props.label}</span>
      <span class="font-medium">
        {props.limit === null
          ? t('usage.count', { used: fmtNumber(props.used) })
          : t('usage.countOf', { used: fmtNumber(props.used), limit: fmtNumber(props.limit) })}
      </span>
    </div>
  );
}

export function UsagePanel(props: { data: UsageResponse | undefined; error: string | undefined }) {
  return (
    <div
      role="dialog"
      aria-label={t('usage.title')}
      data-testid="usage-panel"
      class="absolute bottom-full left-0 z-20 mb-1 w-72 space-y-2 rounded-lg border border-zinc-200 bg-white p-3 text-sm shadow-lg dark:border-zinc-700 dark:bg-zinc-900"
    >
      <h2 class="font-semibold">{t('usage.title')}</h2>
      <Show when={props.error}>
        <p role="alert" class="text-red-700 dark:text-red-300">
          {props.error}
        </p>
      </Show>
      <Show when={props.data} fallback={<Show when={!props.error}>{t('chat.loading')}</Show>}>
        {(u) => (
          <>
            <div class="text-xs font-semibold text-zinc-500 uppercase">{t('usage.today')}</div>
            <Line label={t('usage.messages')} used={u().used.messagesToday} limit={u().limits.messagesPerDay} />
            <Line label={t('usage.tokens')} used={u().used.tokensToday} limit={u().limits.tokensPerDay} />
            <div class="text-xs font-semibold text-zinc-500 uppercase">{t('usage.month')}</div>
            <Line label={t('usage.tokens')} used={u().used.tokensThisMonth} limit={u().limits.tokensPerMonth} />
            <p class="border-t border-zinc-200 pt-2 text-xs dark:border-zinc-700">
              {t('usage.last30', {
                messages: fmtNumber(u().totals.messages),
                tokens: fmtNumber(u().totals.totalTokens),
              })}
              <Show when={u().totals.cost !== null}>
                {' · '}
                {t('usage.cost', { cost: fmtCost(u().totals.cost) })}
              </Show>
            </p>
            <p class="text-xs text-zinc-500">{t('usage.resetsDaily')}</p>
          </>
        )}
      </Show>
    </div>
  );
}
