interface Ticket<T> {
  readonly item: T;
  cancelled: boolean;
}

/**
 * At most `limit` items running at once; the others wait in arrival order (a thousand instances
 * must not open a thousand sockets at once). `start` is called when an item gets a slot; the
 * caller calls `release` when it is done.
 */
export class Slots<T> {
  private readonly waiting = new Map<T, Ticket<T>>();
  private line: Ticket<T>[] = [];
  private head = 0;
  private busy = 0;
  private most = 0;

  constructor(
    private readonly limit: number,
    private readonly start: (item: T) => void,
  ) {}

  /** Waits for a slot (starts at once when one is free). An item already waiting is not added twice. */
  enqueue(item: T): void {
    if (this.waiting.has(item)) return;
    const ticket: Ticket<T> = { item, cancelled: false };
    this.waiting.set(item, ticket);
    this.line.push(ticket);
    this.pump();
  }

  /** Takes an item out of the line; false when it was not waiting. */
  cancel(item: T): boolean {
    const ticket = this.waiting.get(item);
    if (ticket === undefined) return false;
    ticket.cancelled = true;
    this.waiting.delete(item);
    return true;
  }

  /** A running item is done: its slot goes to the next in line. */
  release(): void {
    this.busy = Math.max(0, this.busy - 1);
    this.pump();
  }

  /** Forgets every waiting item (running ones keep their slots until released). */
  clear(): void {
    this.waiting.clear();
    this.line = [];
    this.head = 0;
  }

  get running(): number {
    return this.busy;
  }

  get queued(): number {
    return this.waiting.size;
  }

  /** Most items ever running at once. */
  get maxRunning(): number {
    return this.most;
  }

  private pump(): void {
    while (this.busy < this.limit && this.head < this.line.length) {
      const ticket = this.line[this.head++] as Ticket<T>;
      if (this.head > 1024 && this.head * 2 > this.line.length) {
        this.line = this.line.slice(this.head);
        this.head = 0;
      }
      if (ticket.cancelled) continue;
      this.waiting.delete(ticket.item);
      this.busy += 1;
      this.most = Math.max(this.most, this.busy);
      this.start(ticket.item);
    }
  }
}
