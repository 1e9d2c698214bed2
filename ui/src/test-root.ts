// Runs an async test body inside a Solid root (signals, effects, onCleanup work), disposed when the body ends.
import { createRoot } from 'solid-js';

export const inRoot = (fn: () => Promise<void>) =>
  createRoot(async (dispose) => {
    try {
      await fn();
    } finally {
      dispose();
    }
  });
