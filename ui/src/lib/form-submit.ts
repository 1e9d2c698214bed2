// A form's submit: busy while it runs (a second submit meanwhile is ignored), the failure in plain words with the
// field the server named, cleared on the next try. One helper for the login, register, reset and account forms.
import { createSignal } from 'solid-js';
import { errorField, humanError } from './errors';

export interface FormFailure {
  field?: string | undefined;
  message: string;
}

export function createSubmit(work: () => Promise<void>) {
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<FormFailure>();
  const submit = async (e?: Event): Promise<void> => {
    e?.preventDefault();
    if (busy()) return;
    setBusy(true);
    setError(undefined);
    try {
      await work();
    } catch (err) {
      setError({ field: errorField(err), message: humanError(err) });
    } finally {
      setBusy(false);
    }
  };
  /** The failure's text when the server named field `name`. */
  const fieldError = (name: string) => (error()?.field === name ? error()?.message : undefined);
  return { busy, error, submit, fieldError };
}
