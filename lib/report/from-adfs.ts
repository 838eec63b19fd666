// The AD FS adapter sequence (lib/adfs/upgrade.ts report) as the report's section: each step placed
// in its farm and half, and the window without the adapter in the global policy marked: the steps
// after the policy-remove step (procedure.md §3.7 c) and before the policy-add step (h).
import type { AdfsUpgradeReport } from '../adfs/upgrade.js';
import type { AdfsFarmView, AdfsSection, AdfsStepView, Tone } from './model.js';

const TONE: Record<string, Tone> = { 'what-if': 'info', completed: 'ok', paused: 'warn', 'rolled-back': 'warn', failed: 'fail', interrupted: 'fail' };

function str(v: unknown, fallback = ''): string {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : fallback;
}

function sameNode(a: string, b: string): boolean {
  const short = (x: string) => x.split('.')[0]?.toLowerCase();
  return a.toLowerCase() === b.toLowerCase() || short(a) === short(b);
}

/** The farm a step belongs to: its id is "<farm>/<step>". */
function farmOf(id: string, farms: AdfsFarmView[]): string {
  const slash = id.indexOf('/');
  const name = slash === -1 ? '' : id.slice(0, slash);
  return farms.find((f) => f.name.toLowerCase() === name.toLowerCase())?.name ?? name ?? (farms[0]?.name as string);
}

function halfOf(scope: string, node: string, farm: AdfsFarmView | undefined): AdfsStepView['half'] {
  if (scope === 'farm') return 'farm';
  // A node step runs on its node; a person's step names the nodes it concerns (comma-separated).
  const nodes = node.split(',').map((n) => n.trim()).filter((n) => n !== '');
  if (!farm || nodes.length === 0) return 'both';
  const inSecond = nodes.filter((n) => farm.secondHalf.some((x) => sameNode(x, n))).length;
  if (inSecond === 0) return 'first';
  if (inSecond === nodes.length) return 'second';
  return 'both';
}

function isPolicyRemove(s: Record<string, unknown>): boolean {
  return s['phase'] === 'c' || /\/policy-remove$/.test(str(s['id']));
}

function isPolicyAdd(s: Record<string, unknown>): boolean {
  return s['phase'] === 'h' || /\/policy-add$/.test(str(s['id']));
}

export function adfsSection(r: AdfsUpgradeReport, commands: { resume?: string; undo?: string } = {}): AdfsSection {
  const farms: AdfsFarmView[] = r.farms.map((f) => ({ name: f.name, firstHalf: [...f.firstHalf], secondHalf: [...f.secondHalf], primary: f.primary, local: f.local }));
  const out = new Map<string, boolean>();
  const steps: AdfsStepView[] = r.steps.map((s) => {
    const id = str(s['id']);
    const farmName = farmOf(id, farms);
    const farm = farms.find((f) => f.name === farmName);
    const manual = s['manual'] === true;
    const scope = str(s['scope']);
    const node = str(s['node']);
    // Out of the policy from the step after policy-remove until policy-add has run.
    const before = out.get(farmName) === true;
    if (isPolicyRemove(s)) out.set(farmName, true);
    if (isPolicyAdd(s)) out.set(farmName, false);
    const view: AdfsStepView = {
      index: typeof s['index'] === 'number' ? s['index'] : 0,
      id,
      farm: farmName,
      phase: str(s['phase']),
      title: str(s['title'], id),
      node,
      half: halfOf(scope, node, farm),
      manual,
      runsHere: s['runsHere'] === true,
      withoutAdapter: before && !isPolicyAdd(s),
      action: str(s['action']),
      undo: str(s['undo']),
    };
    if (typeof s['status'] === 'string') view.status = s['status'];
    if (typeof s['ms'] === 'number') view.ms = s['ms'];
    else if (typeof s['startedAt'] === 'string' && typeof s['endedAt'] === 'string') {
      const ms = Date.parse(s['endedAt']) - Date.parse(s['startedAt']);
      if (Number.isFinite(ms)) view.ms = ms;
    }
    if (typeof s['error'] === 'string') view.error = s['error'];
    return view;
  });
  const v = (x: { name: string; version?: string }) => `${x.name}${x.version ? ` ${x.version}` : ''}`;
  const section: AdfsSection = {
    localNode: r.localNode,
    status: r.status,
    statusTone: TONE[r.status] ?? 'neutral',
    adapterOld: v(r.adapter.old),
    adapterNew: v(r.adapter.new),
    policyBefore: [...r.policyBefore],
    farms,
    steps,
    adapterOutOfPolicy: r.adapterOutOfPolicy === true,
    warnings: [...r.warnings],
  };
  if (r.policyAfter) section.policyAfter = [...r.policyAfter];
  if (r.withoutAdapterSeconds !== undefined) section.withoutAdapterSeconds = r.withoutAdapterSeconds;
  if (r.next) section.next = `${r.next.id} (${r.next.manual ? 'by hand' : `on ${r.next.node}`}): ${r.next.title}`;
  if (commands.resume && (r.resumeFrom || r.status === 'paused' || r.status === 'interrupted' || r.status === 'failed')) section.resumeCommand = commands.resume;
  // A run that has not ended (paused at a hand-over, interrupted) can be rolled back; a completed or
  // undone one has ended, and its journal takes no --rollback.
  if (commands.undo && (r.status === 'paused' || r.status === 'interrupted')) section.undoCommand = commands.undo;
  if (r.journal) section.journal = r.journal;
  if (r.failure) section.failure = `${r.failure.step}: ${r.failure.message}. ${r.status === 'rolled-back' ? 'Everything this run changed was undone: AD FS is as it was found.' : 'Some undo steps failed: check AD FS by hand.'}`;
  if (r.carried) section.carried = `${r.carried.changed} changed, ${r.carried.added} added, ${r.carried.removed} removed (from the ${r.carried.source === 'export' ? 'exported configuration' : 'old config file'}) into ${r.carriedConfig}`;
  return section;
}
