// A plain banner while the server cannot be reached (offline, or the server is down): shown on every page.
import { onCleanup, onMount, Show } from 'solid-js';
import { t } from '../lib/i18n';
import { serverUnreachable, watchConnectivity } from '../lib/server-status';

export function ServerBanner() {
  onMount(() => onCleanup(watchConnectivity()));
  return (
    <Show when={serverUnreachable()}>
      <div
        class="fixed inset-x-0 top-0 z-50 bg-red-700 px-4 py-2 text-center text-sm font-medium text-white shadow"
        role="alert"
        data-testid="server-unreachable"
      >
        {t('pwa.offline')}
      </div>
    </Show>
  );
}
