// Setup for the UI's jsdom tests: unmount what each test rendered, and start every test logged out in English.
import { cleanup } from '@solidjs/testing-library';
import { afterEach } from 'vitest';

afterEach(() => {
  cleanup();
  localStorage.clear();
});
