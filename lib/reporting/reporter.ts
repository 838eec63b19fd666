// The reporting port: how the core tells the outside what it is doing. The CLI implements it
// (human text, or the JSON-lines protocol the PowerShell module reads); tests record it. The core
// never imports lib/cli.

export type LogLevel = 'verbose' | 'info' | 'warning' | 'error';

export interface ProgressEvent {
  /** Stable id so nested activities can be told apart (Write-Progress -Id). */
  id: number;
  activity: string;
  status?: string;
  /** 0..100, or -1 when unknown. */
  percent: number;
  completed?: boolean;
}

export interface Reporter {
  progress(event: ProgressEvent): void;
  log(level: LogLevel, message: string): void;
  /**
   * Pipeline output: an object with a PowerShell type name (e.g. 'MfaUpgrade.Deployment'). A
   * terminal shows `human()`; null leaves it to a summary printed elsewhere.
   */
  object(typeName: string, data: unknown, human?: (() => string) | null): void;
}

/** Reports nothing (library callers that want only the return value). */
export const SILENT_REPORTER: Reporter = {
  progress: () => undefined,
  log: () => undefined,
  object: () => undefined,
};
