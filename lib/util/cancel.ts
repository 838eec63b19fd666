// A request to stop a long operation at its next safe point (an MSI install answers IDCANCEL and
// rolls back; a copy stops between chunks). Node 12, the floor (docs/api-floor.md), has no
// AbortController, so this is the tool's own small version of one.

export interface CancelSignal {
  readonly cancelled: boolean;
  /** Why, for messages ("SIGINT", "stop request from PowerShell", ...). */
  readonly reason: string | undefined;
  /** Calls the listener once when cancelled (at once if it already is); returns its remover. */
  onCancel(listener: () => void): () => void;
}

export class CancelSource implements CancelSignal {
  private listeners: Array<() => void> = [];
  cancelled = false;
  reason: string | undefined;

  get signal(): CancelSignal {
    return this;
  }

  cancel(reason: string): void {
    if (this.cancelled) return;
    this.cancelled = true;
    this.reason = reason;
    const listeners = this.listeners;
    this.listeners = [];
    for (const l of listeners) l();
  }

  onCancel(listener: () => void): () => void {
    if (this.cancelled) {
      listener();
      return () => undefined;
    }
    this.listeners.push(listener);
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }
}

/** A signal that never fires, for callers with nothing to cancel. */
export const NEVER_CANCELLED: CancelSignal = { cancelled: false, reason: undefined, onCancel: () => () => undefined };
