// The composer's keyboard: Enter sends, Shift+Enter keeps writing, Esc stops; Send becomes Stop while an answer streams.
import { fireEvent, render, screen } from '@solidjs/testing-library';
import { describe, expect, it, vi } from 'vitest';
import { Composer } from './composer';

describe('Composer', () => {
  it('sends on Enter and clears the box', () => {
    const onSend = vi.fn(() => true);
    render(() => <Composer busy={false} onSend={onSend} onStop={() => {}} />);
    const box = screen.getByLabelText('Message') as HTMLTextAreaElement;
    fireEvent.input(box, { target: { value: 'Hello there' } });
    fireEvent.keyDown(box, { key: 'Enter' });
    expect(onSend).toHaveBeenCalledWith('Hello there');
    expect(box.value).toBe('');
  });

  it('does not send on Shift+Enter', () => {
    const onSend = vi.fn(() => true);
    render(() => <Composer busy={false} onSend={onSend} onStop={() => {}} />);
    const box = screen.getByLabelText('Message');
    fireEvent.input(box, { target: { value: 'line one' } });
    fireEvent.keyDown(box, { key: 'Enter', shiftKey: true });
    expect(onSend).not.toHaveBeenCalled();
  });

  it('shows Stop instead of Send while busy, and Esc stops', () => {
    const onStop = vi.fn();
    render(() => <Composer busy={true} onSend={() => true} onStop={onStop} />);
    expect(screen.queryByRole('button', { name: 'Send' })).toBeNull();
    fireEvent.keyDown(screen.getByLabelText('Message'), { key: 'Escape' });
    fireEvent.click(screen.getByRole('button', { name: 'Stop' }));
    expect(onStop).toHaveBeenCalledTimes(2);
  });

  it('keeps Send disabled for an empty message', () => {
    render(() => <Composer busy={false} onSend={() => true} onStop={() => {}} />);
    expect((screen.getByRole('button', { name: 'Send' }) as HTMLButtonElement).disabled).toBe(true);
  });
});
