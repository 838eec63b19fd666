// mfa-upgrade plan: the ordered steps, with preconditions and undo, before anything runs.
import { ExitCode, type ExitCodeValue } from '../../errors.js';
import { openHost } from '../../host/open.js';
import { makePlan } from '../../upgrade/make-plan.js';
import { str } from '../args.js';
import { formatPlan } from '../format/plan.js';
import type { CommandContext } from '../spec.js';
import { planOptionsFrom } from './plan-options.js';

export async function run({ args, out }: CommandContext): Promise<ExitCodeValue> {
  const options = planOptionsFrom(args);
  const host = await openHost(str(args, 'host'));
  const plan = await makePlan(host, options);
  out.object('MfaUpgrade.UpgradePlan', plan, () => formatPlan(plan));
  return plan.blockers.length ? ExitCode.notReady : ExitCode.success;
}
