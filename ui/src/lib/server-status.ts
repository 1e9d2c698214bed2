// Whether the server can be reached: the browser's offline flag, and failed calls that never reached it.
import { createSignal } from 'solid-js';
import { api } from './api';

const [unreachable, setUnreachable] = createSignal(typeof navigator !== 'undefined' && navigator.onLine === false);

/** True while the server cannot be reached (offline, or the last check found nothing answering). */
export { unreachable as serverUnreachable };

/** An error that means "nothing answered": no network, or a proxy with no server behind it. */
function isUnreachableError(err: unknown): boolean {
  if (!err || typeof err !== 'object') return false;
  const e = err as { code?: unknown; status?: unknown };
  return e.code === 'SERVICE_UNAVAILABLE' || e.status === 502 || e.status === 504;
}

/** Called by whoever talked to the server: success clears the state, an unreachable error sets it. */
export function reportServer(result: 'ok' | unknown): void {
  if (result === 'ok') setUnreachable(false);
  else if (isUnreachableError(result)) setUnreachable(true);
}

const RECHECK_MS = 10_000;

/** Asks the server again (health) until it answers; the banner goes away by itself when it does. */
async function recheckServer(): Promise<void> {
  try {
    await api.health();
    reportServer('ok');
  } catch (err) {
    reportServer(err);
  }
}

/** Follows the browser's online/offline events, and re-checks every few seconds while unreachable. */
export function watchConnectivity(): () => void {
  const offline = () => setUnreachable(true);
  const online = () => void recheckServer();
  addEventListener('offline', offline);
  addEventListener('online', online);
  const timer = setInterval(() => {
    if (unreachable() && navigator.onLine !== false) void recheckServer();
  }, RECHECK_MS);
  return () => {
    removeEventListener('offline', offline);
    removeEventListener('online', online);
    clearInterval(timer);
  };
}
