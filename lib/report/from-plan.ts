// An upgrade plan (lib/upgrade) as report sections: readiness rows, the step timeline, and for a
// plan not yet run, each web.config merge with the settings it will carry. Step kinds this file
// does not know are shown generically: their own fields become details (values masked).
import { redact } from '../config/redact.js';
import { readWebConfigSettings } from '../config/webconfig/settings.js';
import { loadXmlDocument } from '../config/xml/document.js';
import type { CheckResult } from '../readiness/types.js';
import type { PlanStep, UpgradePlan } from '../upgrade/plan-types.js';
import type { MergeSection, MergeView, PlanSection, PlanStepView, ReadinessRow } from './model.js';

const COMPONENT: Record<string, string> = { userPortal: 'User Portal', mobileAppWebService: 'Mobile App Web Service', webServiceSdk: 'Web Service SDK' };

export function componentLabel(kind: string): string {
  return COMPONENT[kind] ?? kind;
}

export function readinessRows(checks: CheckResult[]): ReadinessRow[] {
  return checks.map((c) => ({ id: c.id, title: c.title, status: c.status, evidence: c.evidence, ...(c.remedy !== undefined ? { remedy: c.remedy } : {}) }));
}

export function routeOf(plan: UpgradePlan): string {
  switch (plan.path) {
    case 'phonefactor-agent':
      return 'PhoneFactor Agent 5.x to MFA Server: uninstall the agent and its components, then install MFA Server into the same folder and reinstall the components.';
    case 'mfa-server':
      return 'MFA Server in place (a major upgrade: no uninstall).';
    case 'components':
      return 'MFA web components only (no MFA Server on this server).';
    case 'none':
      return 'Nothing to upgrade on this server.';
    default:
      return String(plan.path);
  }
}

/** Labels for the fields of today's step kinds; other fields show under their own name. */
const FIELD_LABEL: Record<string, string> = {
  role: 'Role',
  package: 'Package',
  name: 'Product',
  version: 'Version',
  productCode: 'Product code',
  upgradeCode: 'Upgrade code',
  properties: 'Installer properties',
  component: 'Component',
  previous: 'Was at',
  original: 'Old web.config',
  target: 'New web.config',
  site: 'IIS site',
  vdir: 'Virtual directory',
  sdkVdir: 'SDK vdir renamed',
  themes: 'Themes',
  originalAppThemes: 'Themes from',
  targetAppThemes: 'Themes to',
};

const BASE_FIELDS = new Set(['id', 'kind', 'title', 'description', 'preconditions', 'protects', 'undo', 'instructions']);

/** Fields of a step worth showing, values masked by their names; nested objects flattened one level. */
function details(step: PlanStep): Array<{ label: string; value: string }> {
  const out: Array<{ label: string; value: string }> = [];
  const add = (key: string, value: unknown) => {
    if (value === undefined || value === null || value === '') return;
    const label = FIELD_LABEL[key] ?? key;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      out.push({ label, value: redact(key, String(value)) ?? '' });
    } else if (Array.isArray(value)) {
      const items = value.map((v) => (typeof v === 'object' && v !== null ? Object.entries(v as Record<string, unknown>).map(([k, x]) => `${k}: ${redact(k, String(x)) ?? ''}`).join(', ') : redact(key, String(v)) ?? ''));
      if (items.length) out.push({ label, value: items.join('; ') });
    } else if (typeof value === 'object') {
      const entries = Object.entries(value as Record<string, unknown>);
      if (entries.length) out.push({ label, value: entries.map(([k, v]) => `${k}=${redact(k, String(v)) ?? ''}`).join(', ') });
    }
  };
  for (const [key, value] of Object.entries(step as unknown as Record<string, unknown>)) {
    if (!BASE_FIELDS.has(key)) add(key, key === 'component' && typeof value === 'string' ? componentLabel(value) : value);
  }
  return out;
}

function stepView(step: PlanStep): PlanStepView {
  const kind = String((step as { kind: string }).kind);
  const instructions = (step as { instructions?: unknown }).instructions;
  const view: PlanStepView = {
    id: step.id,
    kind,
    title: step.title,
    description: step.description,
    needs: step.preconditions ?? [],
    protects: step.protects ?? [],
    undo: step.undo ?? '',
    manual: kind === 'manual',
    // The fidelity work adds a step that waits for the data file conversion; any waiting kind is marked.
    wait: /wait|conversion/i.test(kind),
    details: details(step),
  };
  if (typeof instructions === 'string') view.instructions = instructions;
  if (/reboot|restart-computer/i.test(kind)) view.reboot = 'required';
  else if (kind === 'install') view.reboot = 'possible';
  return view;
}

export function planSection(plan: UpgradePlan): PlanSection {
  return { route: routeOf(plan), steps: plan.steps.map(stepView), blockers: plan.blockers, warnings: plan.warnings, upToDate: plan.upToDate };
}

/** Reads a file on the host the plan was made for (the CLI passes host.files.readFile). */
export type ReadHostFile = (path: string) => Promise<Uint8Array>;

/**
 * The merges of a plan not yet run: the new web.config exists only once its package is installed,
 * so each shows the settings that will be carried, read from the current file (masked).
 */
export async function plannedMerges(plan: UpgradePlan, read: ReadHostFile): Promise<MergeSection> {
  const items: MergeView[] = [];
  for (const step of plan.steps) {
    if (step.kind !== 'merge-config') continue;
    const view: MergeView = {
      title: `${componentLabel(step.component)} (${step.site}/${step.vdir})`,
      stepId: step.id,
      oldFile: step.original,
      newFile: step.target,
      state: 'planned',
      hunks: [],
      changes: [],
      checklist: [],
      warnings: [],
    };
    try {
      const settings = readWebConfigSettings(loadXmlDocument(await read(step.original), step.original, 'web.config'));
      view.carried = settings.settings.map((s) => ({ key: s.key, scope: s.scope, value: redact(s.key, s.value) ?? '' }));
      view.warnings.push(...settings.warnings);
    } catch (e) {
      view.warnings.push(`The current file could not be read for this report: ${e instanceof Error ? e.message : String(e)}`);
    }
    items.push(view);
  }
  return {
    note: 'The new web.config of each component exists only once its package is installed, so a plan lists the settings each merge will carry. The side-by-side diff is in the report of mfa-upgrade rehearse (the upgrade on a copy of a backup) and of the upgrade itself.',
    items,
  };
}
