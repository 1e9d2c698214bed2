// "21–40 of 95" with previous / next, for the admin console's paged tables.
import { t } from '../../lib/i18n';
import { smallButton } from './format';

export function Pager(props: {
  offset: number;
  pageSize: number;
  shown: number;
  total: number;
  onOffset: (offset: number) => void;
}) {
  return (
    <div class="flex items-center justify-end gap-2 text-sm">
      <span class="text-zinc-500">
        {t('admin.pageOf', {
          from: props.total === 0 ? 0 : props.offset + 1,
          to: props.offset + props.shown,
          total: props.total,
        })}
      </span>
      <button
        type="button"
        class={smallButton}
        disabled={props.offset === 0}
        onClick={() => props.onOffset(Math.max(0, props.offset - props.pageSize))}
      >
        {t('admin.prev')}
      </button>
      <button
        type="button"
        class={smallButton}
        disabled={props.offset + props.pageSize >= props.total}
        onClick={() => props.onOffset(props.offset + props.pageSize)}
      >
        {t('admin.next')}
      </button>
    </div>
  );
}
