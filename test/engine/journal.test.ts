// The journal on its own: the reader (what a kill can leave, what it refuses and how it says so)
// and the state folded from the records (owed service starts, temporaries, step data and times,
// the rollback's phases). Journals are written here by hand, as text, so the reader is judged
// against the format (docs: one JSON object a line, appended whole), not against its own writer.
import test from 'ava';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MfaError } from '../../lib/errors.js';
import { Journal, journalState, readJournal, type JournalRecord } from '../../lib/engine/journal.js';
import { tempDir } from '../helpers/temp-host.js';

const BEGIN = '{"type":"begin","format":"mfa-upgrade/journal@2","time":"2024-05-01T10:00:00.000Z","runId":"20240501100000-abcdef","kind":"upgrade","tool":"t","host":"MFA01","pid":1,"policy":"pause","spec":{}}';
const step = (id: string, phase: string, extra = '') => `{"type":"step","time":"2024-05-01T10:00:01.000Z","id":"${id}","phase":"${phase}"${extra}}`;

function journalFile(t: { teardown(fn: () => void): void }, text: string): string {
  const d = tempDir();
  t.teardown(d.cleanup);
  const path = join(d.dir, 'journal.jsonl');
  writeFileSync(path, text);
  return path;
}

function refused(t: import('ava').ExecutionContext, path: string, message: RegExp, line: number | undefined): void {
  const e = t.throws(() => readJournal(path), { instanceOf: MfaError }) as MfaError;
  t.regex(e.message, message);
  t.is(e.code, 'JOURNAL_DAMAGED');
  t.is(e.line, line);
  t.is(e.target, path);
  t.regex(e.remedy ?? '', /^Do not edit journals\. Restore from the backup bundle with mfa-upgrade restore/);
}

test('a journal in the current format is read record by record; blank lines (spaces, CR) between records are skipped', (t) => {
  const path = journalFile(t, `${BEGIN}\n   \n${step('01', 'start')}\r\n\r\n${step('01', 'done')}\n`);
  const records = new Journal(path).read();
  t.deepEqual(records.map((r) => r.type), ['begin', 'step', 'step']);
  t.is(readJournal(path).phases.get('01'), 'done');
});

test('a torn last line (killed mid-write: no newline after it) is ignored, also when only blank space follows it', (t) => {
  t.deepEqual(new Journal(journalFile(t, `${BEGIN}\n${step('01', 'start')}\n{"type":"step","id":"01","ph`)).read().length, 2);
  t.deepEqual(new Journal(journalFile(t, `${BEGIN}\n${step('01', 'start')}\n{"type":"step","id":"01","ph\n  `)).read().length, 2);
});

test('a damaged line is refused with its line number when a newline ends it, or a record follows it', (t) => {
  // Records are written whole with their newline: a complete damaged line is not a torn write.
  refused(t, journalFile(t, `${BEGIN}\n${step('01', 'start')}\n{"type":"step","id":"01","ph\n`), /^the journal is damaged at line 3$/, 3);
  // Damage in the middle with the last record complete but its newline not yet written.
  refused(t, journalFile(t, `${BEGIN}\n{broken\n${step('01', 'start')}`), /^the journal is damaged at line 2$/, 2);
  refused(t, journalFile(t, `${BEGIN}\n${step('01', 'start')}\n{broken\n\n${step('01', 'done')}\n`), /^the journal is damaged at line 3$/, 3);
});

for (const [what, line] of [
  ['a number', '42'],
  ['a string', '"step"'],
  ['null', 'null'],
  ['an array', '[{"type":"step"}]'],
  ['an object without a type', '{"id":"01","phase":"done"}'],
  ['an object whose type is not a string', '{"type":7,"id":"01"}'],
] as const) {
  test(`a record that is ${what} is refused, naming its line`, (t) => {
    refused(t, journalFile(t, `${BEGIN}\n${step('01', 'start')}\n${line}\n${step('01', 'done')}\n`), /^the journal has a record without a type at line 3$/, 3);
  });
}

test('a journal must start with its begin record in the current format, and hold one run', (t) => {
  const noBegin = journalFile(t, `${step('01', 'start')}\n`);
  const e1 = t.throws(() => readJournal(noBegin), { message: 'the journal does not start with its begin record' }) as MfaError;
  t.is(e1.code, 'JOURNAL_DAMAGED');
  t.is(e1.line, undefined);
  const old = journalFile(t, `${BEGIN.replace('journal@2', 'journal@1')}\n`);
  t.throws(() => readJournal(old), { message: 'the journal has format mfa-upgrade/journal@1, not mfa-upgrade/journal@2' });
  const two = journalFile(t, `${BEGIN}\n${step('01', 'done')}\n${BEGIN}\n`);
  t.throws(() => readJournal(two), { message: 'the journal holds two runs' });
  t.throws(() => readJournal(journalFile(t, '')), { message: 'the journal does not start with its begin record' });
});

test('append writes one whole line a record, each readable at once, and leaves no file handle open', (t) => {
  const d = tempDir();
  t.teardown(d.cleanup);
  const path = join(d.dir, 'journal.jsonl');
  const j = new Journal(path);
  t.false(j.exists());
  const fds = () => (existsSync('/proc/self/fd') ? readdirSync('/proc/self/fd').length : -1);
  // Synchronous from here to the count: nothing else in this process opens or closes a file between.
  const before = fds();
  j.append(JSON.parse(BEGIN) as JournalRecord);
  for (let i = 0; i < 20; i++) j.append({ type: 'step', time: 'x', id: `s${i}`, phase: 'done' });
  const after = fds();
  t.is(after, before, 'an open handle a record would keep the journal locked on Windows (no rotation)');
  t.true(j.exists());
  const text = readFileSync(path, 'utf8');
  t.true(text.endsWith('\n'));
  t.is(text.split('\n').length, 22);
  t.is(JSON.parse(text.split('\n')[20] as string).id, 's19');
});

const rec = (r: Record<string, unknown>) => ({ time: '2024-05-01T10:00:00.000Z', ...r }) as unknown as JournalRecord;
const begin = JSON.parse(BEGIN) as JournalRecord;

test('services stopped are owed once each (names compared without case, first spelling kept) until started again', (t) => {
  const s = journalState(
    [
      begin,
      rec({ type: 'services', running: ['MultiFactorAuth', 'W3SVC'] }),
      rec({ type: 'services-stopped', names: ['W3SVC', 'MultiFactorAuth'], why: 'copy' }),
      rec({ type: 'services-stopped', names: ['multifactorauth', 'MultiFactorAuthAdSync'], why: 'install' }),
    ],
    'j',
  );
  t.deepEqual(s.running, ['MultiFactorAuth', 'W3SVC']);
  t.deepEqual(s.owedStarts, ['W3SVC', 'MultiFactorAuth', 'MultiFactorAuthAdSync']);
  const started = journalState([begin, rec({ type: 'services-stopped', names: ['W3SVC', 'MultiFactorAuth', 'AdSync'], why: 'x' }), rec({ type: 'services-started', names: ['WAS', 'multifactorAUTH'] })], 'j');
  t.deepEqual(started.owedStarts, ['W3SVC', 'AdSync']);
  t.is(journalState([begin], 'j').running, undefined);
});

test('temporaries are owed until that very path is removed', (t) => {
  const s = journalState([begin, rec({ type: 'temp', path: '/w/a' }), rec({ type: 'temp', path: '/w/b' }), rec({ type: 'temp', path: '/w/c' }), rec({ type: 'temp-removed', path: '/w/b' })], 'j');
  t.deepEqual(s.temps, ['/w/a', '/w/c']);
});

test("a step's data is merged over its records; a step that recorded none has no entry; run data is merged too", (t) => {
  const s = journalState(
    [
      begin,
      rec({ type: 'step', id: '01', phase: 'start', data: { replaces: 'C:\\x', n: 1 } }),
      rec({ type: 'data', values: { bundle: 'B1', x: 1 } }),
      rec({ type: 'step', id: '01', phase: 'done', data: { n: 2 } }),
      rec({ type: 'step', id: '02', phase: 'start' }),
      rec({ type: 'data', values: { bundle: 'B2' } }),
    ],
    'j',
  );
  t.deepEqual(s.stepData.get('01'), { replaces: 'C:\\x', n: 2 });
  t.false(s.stepData.has('02'));
  t.deepEqual(s.data, { bundle: 'B2', x: 1 });
  t.deepEqual([...s.phases], [['01', 'done'], ['02', 'start']]);
});

test("a step's times: a repeat's start clears the earlier end and error; an error stays with the record that had it", (t) => {
  const at = (n: number) => `2024-05-01T10:00:0${n}.000Z`;
  const records = [
    begin,
    { type: 'step', time: at(1), id: '01', phase: 'start' },
    { type: 'step', time: at(2), id: '01', phase: 'failed', error: 'the disk said no' },
  ] as JournalRecord[];
  t.deepEqual(journalState(records, 'j').stepTimes.get('01'), { startedAt: at(1), endedAt: at(2), error: 'the disk said no' });
  records.push({ type: 'step', time: at(3), id: '01', phase: 'start' });
  t.deepEqual(journalState(records, 'j').stepTimes.get('01'), { startedAt: at(3) });
  records.push({ type: 'step', time: at(4), id: '01', phase: 'done' });
  const times = journalState(records, 'j').stepTimes.get('01');
  t.deepEqual(times, { startedAt: at(3), endedAt: at(4) });
  t.false(Object.prototype.hasOwnProperty.call(times, 'error'));
});

test("the rollback's phases: none, started, finishing, finished; the end record is the run's end", (t) => {
  const records: JournalRecord[] = [begin];
  t.is(journalState(records, 'j').rollback, 'none');
  records.push(rec({ type: 'rollback', phase: 'start' }));
  t.is(journalState(records, 'j').rollback, 'started');
  records.push(rec({ type: 'rollback', phase: 'finish-start' }));
  t.is(journalState(records, 'j').rollback, 'finishing');
  records.push(rec({ type: 'rollback', phase: 'finish-done' }));
  t.is(journalState(records, 'j').rollback, 'finished');
  t.is(journalState(records, 'j').ended, undefined);
  records.push(rec({ type: 'end', outcome: 'rolled-back', exitCode: 0 }));
  t.like(journalState(records, 'j').ended, { outcome: 'rolled-back', exitCode: 0 });
});
