// The session settings panel: models from the server, the fields sent as the contract wants, errors in words.
import { fireEvent, render, screen, waitFor } from '@solidjs/testing-library';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { loadWords } from '../lib/i18n';
import { SessionSettingsPanel } from './session-settings';

const loadModels = async () => ({ models: ['gpt-a', 'gpt-b'], default: 'gpt-a' });

// The panel's words load with it in the app (lib/i18n withWords); here they are loaded first.
beforeAll(() => loadWords('panels'));

describe('SessionSettingsPanel', () => {
  it('offers the server default and each model, and saves the fields (empty ones clear the setting)', async () => {
    const onSave = vi.fn(async () => {});
    render(() => (
      <SessionSettingsPanel
        settings={{ systemPrompt: 'Be brief.', model: null, temperature: null }}
        onSave={onSave}
        onClose={() => {}}
        loadModels={loadModels}
      />
    ));
    await screen.findByRole('option', { name: 'gpt-b' });
    expect(screen.getByRole('option', { name: 'Server default (gpt-a)' })).toBeTruthy();
    expect((screen.getByLabelText('System prompt') as HTMLTextAreaElement).value).toBe('Be brief.');
    fireEvent.change(screen.getByLabelText('Model'), { target: { value: 'gpt-b' } });
    fireEvent.input(screen.getByLabelText('Temperature'), { target: { value: '0.3' } });
    fireEvent.input(screen.getByLabelText('System prompt'), { target: { value: '   ' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await screen.findByText('Settings saved.');
    expect(onSave).toHaveBeenCalledWith({ systemPrompt: null, model: 'gpt-b', temperature: 0.3 });
  });

  it('shows a refused save in plain words', async () => {
    const onSave = vi.fn(async () => {
      throw Object.assign(new Error('x'), { code: 'FORBIDDEN', status: 403 });
    });
    render(() => <SessionSettingsPanel settings={{}} onSave={onSave} onClose={() => {}} loadModels={loadModels} />);
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(screen.getByRole('alert').textContent).toBe('You are not allowed to do that.'));
    expect(onSave).toHaveBeenCalledWith({ systemPrompt: null, model: null, temperature: null });
  });
});
