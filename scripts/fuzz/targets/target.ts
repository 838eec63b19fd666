import type fc from 'fast-check';

export interface Target {
  name: string;
  arbitrary: fc.Arbitrary<Buffer>;
  /** Throws a Finding when the reader breaks its contract; may be async. */
  check(input: Buffer): void | Promise<void>;
  setup?(): Promise<void>;
  teardown?(): Promise<void>;
}
