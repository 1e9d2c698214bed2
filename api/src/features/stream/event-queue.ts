// A small unbounded async queue: a synchronous producer (the generation) and one async consumer (an SSE writer).
export class EventQueue<T> {
  private items: T[] = [];
  private head = 0;
  private waiter: (() => void) | undefined;
  private closed = false;

  push(item: T): void {
    if (this.closed) return;
    this.items.push(item);
    this.wake();
  }

  close(): void {
    this.closed = true;
    this.wake();
  }

  /** The next item if one is waiting now (never waits): lets a consumer take what piled up in one go. */
  poll(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    return this.take();
  }

  /** The next item, or undefined once closed and drained. */
  async next(): Promise<T | undefined> {
    while (this.head >= this.items.length) {
      if (this.closed) return undefined;
      await new Promise<void>((resolve) => {
        this.waiter = resolve;
      });
    }
    return this.take();
  }

  private take(): T {
    const item = this.items[this.head++] as T;
    // Compacting now and then keeps a long answer's queue from holding every chunk ever sent.
    if (this.head > 256 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  private wake() {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }
}
