// Interrupts end a changing run at a safe point instead of killing it: SIGINT (Ctrl+C), SIGTERM,
// SIGHUP (a closed console; Windows gives the process a few seconds), EPIPE on stdout (whoever
// read it is gone; the --log file goes on), and the PowerShell module's control channel
// (--control-stdin: a {"type":"stop"} line, or the end of stdin). Each cancels one CancelSource
// that the engine checks between steps and passes to Windows Installer.
import { CancelSource } from '../util/cancel.js';

export interface Interrupts {
  readonly cancel: CancelSource;
  /** Whether stdout was found closed (nothing more is written to it). */
  readonly stdoutClosed: boolean;
  dispose(): void;
}

export interface InterruptOptions {
  controlStdin: boolean;
  /** Told once, when the first interrupt arrives (a log line). */
  onInterrupt(reason: string): void;
}

/** Commands running in this process (tests run several at once): one process listener serves them all. */
const active = new Set<{ interrupt(reason: string): void; stdoutGone(): void }>();
const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
const onSignal = (signal: NodeJS.Signals) => {
  for (const a of active) a.interrupt(signal);
};
const onStdoutError = (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED' || e.code === 'EOF') for (const a of active) a.stdoutGone();
};

function listen(on: boolean): void {
  for (const s of SIGNALS) {
    if (on) process.on(s, onSignal);
    else process.removeListener(s, onSignal);
  }
  if (on) process.stdout.on('error', onStdoutError);
  else process.stdout.removeListener('error', onStdoutError);
}

export function installInterrupts(o: InterruptOptions): Interrupts {
  const cancel = new CancelSource();
  let stdoutClosed = false;
  const interrupt = (reason: string) => {
    if (!cancel.cancelled) o.onInterrupt(reason);
    cancel.cancel(reason);
  };
  const me = {
    interrupt,
    stdoutGone: () => {
      stdoutClosed = true;
      interrupt('stdout was closed');
    },
  };
  if (active.size === 0) listen(true);
  active.add(me);
  let buffer = '';
  const onData = (chunk: string) => {
    buffer += chunk;
    let nl: number;
    while ((nl = buffer.indexOf('\n')) !== -1) {
      const line = buffer.slice(0, nl).trim();
      buffer = buffer.slice(nl + 1);
      if (!line) continue;
      try {
        const msg = JSON.parse(line) as { type?: unknown };
        if (msg.type === 'stop') interrupt('stop request from PowerShell');
      } catch {
        // Not a control message: ignored (the channel carries JSON lines only).
      }
    }
  };
  const onEnd = () => interrupt('stdin was closed (the caller is gone)');
  if (o.controlStdin) {
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', onData);
    process.stdin.on('end', onEnd);
    process.stdin.on('error', onEnd);
  }
  return {
    cancel,
    get stdoutClosed() {
      return stdoutClosed;
    },
    dispose() {
      active.delete(me);
      if (active.size === 0) listen(false);
      if (o.controlStdin) {
        process.stdin.removeListener('data', onData);
        process.stdin.removeListener('end', onEnd);
        process.stdin.removeListener('error', onEnd);
        process.stdin.pause();
        process.stdin.destroy();
      }
    },
  };
}
