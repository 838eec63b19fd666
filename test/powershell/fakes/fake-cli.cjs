// A stand-in for mfa-upgrade that speaks the protocol (README "Protocol") in ways the real CLI
// cannot be made to on demand, for the module's Pester tests. Plain CommonJS, any Node.
//
//   MFA_UPGRADE_CLI="node test/powershell/fakes/fake-cli.cjs" with FAKE_CLI_MODE and FAKE_CLI_REPORT:
//   flood    one object, then log lines without end (far more than a pipe buffer) until a stop
//            request ({"type":"stop"} on stdin, or the end of stdin); then FAKE_CLI_TAIL bytes more
//            (the step finishing), an INTERRUPTED error and {"type":"result","exitCode":1602}
//   silent   one object, then nothing until a stop request; then the same ending as flood
//   garbage  a line that is not JSON between two objects, then result 0
//   dates    an object whose data holds ISO 8601 date strings, then result 0
//            (FAKE_CLI_ERROR_FIRST=1: an error line right after the object)
//   objects-then-error  two objects, an error, result 1603
//   progress-then-exit  two progress bars left open, an error, result 1603
//   exit     an error (FAKE_CLI_CODE) and result FAKE_CLI_EXIT
//   argv     an object with the argv it was given, then result 0
// FAKE_CLI_REPORT names a JSON file written at the end: what the fake saw and whether every byte
// it wrote reached the reader (the last write's callback fired) before it exited.
'use strict';
const fs = require('fs');

const mode = process.env.FAKE_CLI_MODE || 'argv';
const reportFile = process.env.FAKE_CLI_REPORT;
const argv = process.argv.slice(2);
const report = { mode, argv, stopRequests: 0, stdinEnded: false, bytesWritten: 0, linesWritten: 0, flushed: false, writeError: null, exitCode: null };

function saveReport() {
  if (reportFile) fs.writeFileSync(reportFile, JSON.stringify(report));
}

process.stdout.on('error', (e) => {
  report.writeError = e.code || String(e);
  saveReport();
  process.exit(74);
});

function line(event, cb) {
  const text = `${JSON.stringify(event)}\n`;
  report.bytesWritten += Buffer.byteLength(text);
  report.linesWritten += 1;
  return process.stdout.write(text, cb);
}

function finish(exitCode, lastEvents) {
  report.exitCode = exitCode;
  const events = [...lastEvents, { type: 'result', exitCode }];
  events.forEach((e, i) => {
    line(e, i === events.length - 1 ? (err) => {
      if (err) report.writeError = err.code || String(err);
      else report.flushed = true;
      saveReport();
      process.exit(exitCode & 0xff);
    } : undefined);
  });
}

let stopping = false;
let onStop = () => {};
let buffered = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  buffered += chunk;
  let nl;
  while ((nl = buffered.indexOf('\n')) >= 0) {
    const text = buffered.slice(0, nl).trim();
    buffered = buffered.slice(nl + 1);
    if (!text) continue;
    try {
      if (JSON.parse(text).type === 'stop') {
        report.stopRequests += 1;
        onStop();
      }
    } catch {
      report.badControlLine = text;
    }
  }
});
process.stdin.on('end', () => {
  report.stdinEnded = true;
  onStop();
});

const filler = 'x'.repeat(1000);
function interrupted() {
  return [{ type: 'error', code: 'INTERRUPTED', message: 'stopped at a safe point by a stop request', remedy: 'Run the command again with --resume, or --rollback.' }];
}

function stopAfterTail() {
  if (stopping) return;
  stopping = true;
  // The step in progress finishes: FAKE_CLI_TAIL more bytes, written as fast as Node takes them.
  let left = Number(process.env.FAKE_CLI_TAIL || 2 * 1024 * 1024);
  const pump = () => {
    while (left > 0) {
      left -= filler.length;
      if (!line({ type: 'log', level: 'verbose', message: `finishing the step ${filler}` })) {
        process.stdout.once('drain', pump);
        return;
      }
    }
    finish(1602, interrupted());
  };
  pump();
}

switch (mode) {
  case 'flood': {
    onStop = stopAfterTail;
    line({ type: 'object', typeName: 'MfaUpgrade.Fake', data: { n: 1 } });
    if (process.env.FAKE_CLI_ERROR_FIRST) line({ type: 'error', code: 'FAKE_STEP', message: 'a step failed; the run goes on to put things back', remedy: 'none' });
    let i = 0;
    const pump = () => {
      while (!stopping) {
        i += 1;
        if (!line({ type: 'log', level: 'verbose', message: `line ${i} ${filler}` })) {
          process.stdout.once('drain', pump);
          return;
        }
        if (i % 64 === 0) {
          setImmediate(pump); // let stdin's data events in
          return;
        }
      }
    };
    pump();
    break;
  }
  case 'silent': {
    onStop = stopAfterTail;
    line({ type: 'object', typeName: 'MfaUpgrade.Fake', data: { n: 1 } });
    setInterval(() => {}, 1 << 30);
    break;
  }
  case 'garbage':
    line({ type: 'object', typeName: 'MfaUpgrade.Fake', data: { n: 1 } });
    process.stdout.write('this is not JSON {\n');
    line({ type: 'object', typeName: 'MfaUpgrade.Fake', data: { n: 2 } });
    finish(0, []);
    break;
  case 'objects-then-error':
    line({ type: 'object', typeName: 'MfaUpgrade.UpgradePlan', data: { n: 1 } });
    line({ type: 'object', typeName: 'MfaUpgrade.Fake', data: { n: 2 } });
    finish(1603, [{ type: 'error', code: 'STEP_FAILED', message: 'the install failed', target: 'C:\\x.msi', remedy: 'Run with --rollback.' }]);
    break;
  case 'progress-then-exit':
    line({ type: 'progress', id: 1, activity: 'Upgrade', status: 'step 1', percent: 10, completed: false });
    line({ type: 'progress', id: 2, activity: 'Copy', status: 'data file', percent: 50, completed: false });
    finish(1603, [{ type: 'error', code: 'STEP_FAILED', message: 'the install failed', remedy: 'Run with --rollback.' }]);
    break;
  case 'dates':
    line({ type: 'object', typeName: 'MfaUpgrade.Fake', data: { createdAt: '2024-03-05T07:08:09.123Z', note: '2024-03-05', nested: { at: '2023-12-31T23:59:59.000Z' } } });
    finish(0, []);
    break;
  case 'exit': {
    const code = Number(process.env.FAKE_CLI_EXIT || 1603);
    finish(code, code === 0 ? [] : [{ type: 'error', code: process.env.FAKE_CLI_CODE || 'FAKE', message: `fake failure ${code}`, remedy: 'none' }]);
    break;
  }
  default:
    line({ type: 'object', typeName: 'MfaUpgrade.Fake', data: { argv, cwd: process.cwd() } });
    finish(0, []);
}
