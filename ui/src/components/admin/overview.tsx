// The admin console's overview: active users, answers in flight, error rate, latency percentiles, pool use, and
// messages/tokens by day (a chart) and by model.
import { createResource, createSignal, For, Show } from 'solid-js';
import { api } from '../../lib/api';
import { humanError } from '../../lib/errors';
import { t } from '../../lib/i18n';
import { DayChart } from './day-chart';
import { fmtMs, fmtNumber, fmtPercent, inputClass } from './format';

function Stat(props: { label: string; value: string; testId?: string }) {
  return (
    <div class="rounded-xl border border-zinc-200 p-3 dark:border-zinc-800" data-testid={props.testId}>
      <div class="text-xs text-zinc-500">{props.label}</div>
      <div class="mt-1 text-sm font-semibold">{props.value}</div>
    </div>
  );
}

export function Overview() {
  const [days, setDays] = createSignal(7);
  const [data] = createResource(days, (d) => api.admin.overview(d));
  const maxTokens = () => Math.max(1, ...(data()?.byModel ?? []).map((m) => m.tokens));

  return (
    <section class="space-y-4">
      <div class="flex items-center gap-2">
        <label for="admin-days" class="text-sm text-zinc-600 dark:text-zinc-400">
          {t('admin.days')}
        </label>
        <select
          id="admin-days"
          class={inputClass}
          value={days()}
          onChange={(e) => setDays(Number(e.currentTarget.value))}
        >
          <For each={[7, 14, 30, 90]}>{(n) => <option value={n}>{t('admin.lastDays', { n })}</option>}</For>
        </select>
      </div>
      <Show when={data.error}>
        <p role="alert" class="text-sm text-red-700 dark:text-red-300">
          {humanError(data.error)}
        </p>
      </Show>
      <Show when={data()} fallback={<p class="text-sm text-zinc-500">{t('admin.loading')}</p>}>
        {(o) => (
          <>
            <div class="grid grid-cols-2 gap-3 md:grid-cols-3 lg:grid-cols-6">
              <Stat
                label={t('admin.activeUsers')}
                value={t('admin.activeValue', o().activeUsers)}
                testId="stat-active"
              />
              <Stat label={t('admin.inFlight')} value={fmtNumber(o().answersInFlight)} />
              <Stat label={t('admin.errorRate')} value={fmtPercent(o().errorRate)} />
              <Stat
                label={t('admin.ttft')}
                value={t('admin.percentiles', { p50: fmtMs(o().ttftMs.p50), p95: fmtMs(o().ttftMs.p95) })}
              />
              <Stat
                label={t('admin.answerTime')}
                value={t('admin.percentiles', { p50: fmtMs(o().answerMs.p50), p95: fmtMs(o().answerMs.p95) })}
              />
              <Stat label={t('admin.dbPool')} value={t('admin.poolValue', o().dbPool)} />
            </div>
            <div class="rounded-xl border border-zinc-200 p-3 dark:border-zinc-800">
              <h2 class="mb-2 text-sm font-semibold">{t('admin.byDay')}</h2>
              <DayChart days={o().byDay} />
            </div>
            <div class="rounded-xl border border-zinc-200 p-3 dark:border-zinc-800">
              <h2 class="mb-2 text-sm font-semibold">{t('admin.byModel')}</h2>
              <Show when={o().byModel.length} fallback={<p class="text-sm text-zinc-500">{t('admin.noData')}</p>}>
                <table class="w-full text-sm">
                  <thead>
                    <tr class="text-left text-xs text-zinc-500">
                      <th class="py-1 font-medium">{t('admin.model')}</th>
                      <th class="py-1 font-medium">{t('admin.messages')}</th>
                      <th class="w-1/2 py-1 font-medium">{t('admin.tokens')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    <For each={o().byModel}>
                      {(m) => (
                        <tr class="border-t border-zinc-100 dark:border-zinc-800">
                          <td class="py-1 font-mono text-xs">{m.model}</td>
                          <td class="py-1">{fmtNumber(m.messages)}</td>
                          <td class="py-1">
                            <div class="flex items-center gap-2">
                              <div
                                class="h-2 rounded bg-teal-600"
                                style={{ width: `${Math.max(2, (m.tokens / maxTokens()) * 100)}%` }}
                              />
                              <span class="text-xs">{fmtNumber(m.tokens)}</span>
                            </div>
                          </td>
                        </tr>
                      )}
                    </For>
                  </tbody>
                </table>
              </Show>
            </div>
          </>
        )}
      </Show>
    </section>
  );
}
