// One broken component shows a readable message in its place; the rest of the page stays.
import { fireEvent, render, screen } from '@solidjs/testing-library';
import { createSignal } from 'solid-js';
import { describe, expect, it } from 'vitest';
import { SafeBoundary } from './error-boundary';

describe('SafeBoundary', () => {
  it('replaces a crashing component with words and recovers on Try again', () => {
    const [broken, setBroken] = createSignal(true);
    const Fragile = () => {
      if (broken()) throw new Error('TypeError: cannot read x of undefined');
      return <p>working again</p>;
    };
    render(() => (
      <div>
        <h1>Still here</h1>
        <SafeBoundary>
          <Fragile />
        </SafeBoundary>
      </div>
    ));
    expect(screen.getByRole('heading', { name: 'Still here' })).toBeTruthy();
    expect(screen.getByRole('alert').textContent).toContain('Something went wrong in this part of the page.');
    expect(screen.getByRole('alert').textContent).not.toContain('TypeError');
    setBroken(false);
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(screen.getByText('working again')).toBeTruthy();
  });
});
