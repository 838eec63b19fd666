// How a Stryker report (or an incremental file, which has the same shape) scores: a timeout counts
// as killed, as Stryker counts it; compile errors and ignored mutants are not judged.
export function scoreOf(data) {
  let killed = 0;
  let judged = 0;
  const survivors = [];
  for (const [file, f] of Object.entries(data.files)) {
    for (const m of f.mutants) {
      if (m.status === 'Killed' || m.status === 'Timeout') killed++;
      if (['Killed', 'Timeout', 'Survived', 'NoCoverage'].includes(m.status)) judged++;
      if (m.status === 'Survived' || m.status === 'NoCoverage') survivors.push(`${file}:${m.location.start.line}:${m.location.start.column} ${m.mutatorName} -> ${JSON.stringify(m.replacement ?? '')}`);
    }
  }
  return { killed, judged, survivors };
}

/** A score as the output and docs/testing.md print it. */
export const percent = (killed, judged) => (judged ? ((100 * killed) / judged).toFixed(2) : '100.00');
