// Messages and tokens by day as a uPlot chart (two axes). uPlot is imported here only, so it travels in the admin
// console's lazy chunk and never in the chat page's.
import type { AdminOverview } from '@chatbot/shared';
import { createEffect, onCleanup, onMount } from 'solid-js';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { t } from '../../lib/i18n';

export function DayChart(props: { days: AdminOverview['byDay'] }) {
  let host: HTMLDivElement | undefined;
  let chart: uPlot | undefined;

  const data = (): uPlot.AlignedData => [
    props.days.map((d) => Date.parse(`${d.day}T00:00:00Z`) / 1000),
    props.days.map((d) => d.messages),
    props.days.map((d) => d.tokens),
    props.days.map((d) => d.errors),
  ];

  onMount(() => {
    if (!host) return;
    const width = () => Math.max(280, host?.clientWidth ?? 600);
    chart = new uPlot(
      {
        width: width(),
        height: 240,
        tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
        scales: { x: { time: true }, tokens: { auto: true } },
        series: [
          {},
          { label: t('admin.messages'), stroke: '#4f46e5', width: 2, fill: 'rgba(79,70,229,0.08)' },
          { label: t('admin.tokens'), stroke: '#0d9488', width: 2, scale: 'tokens' },
          { label: t('admin.errors'), stroke: '#dc2626', width: 1.5, dash: [4, 4] },
        ],
        axes: [
          {},
          { label: t('admin.messages') },
          { side: 1, scale: 'tokens', label: t('admin.tokens'), grid: { show: false } },
        ],
      },
      data(),
      host,
    );
    const resize = new ResizeObserver(() => chart?.setSize({ width: width(), height: 240 }));
    resize.observe(host);
    onCleanup(() => {
      resize.disconnect();
      chart?.destroy();
    });
  });

  createEffect(() => chart?.setData(data()));

  return <div ref={host} class="w-full" data-testid="admin-day-chart" role="img" aria-label={t('admin.byDay')} />;
}
