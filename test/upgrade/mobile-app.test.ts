// The Mobile App Web Service (procedure.md §2.10, seed upgrade-phonefactor-agent): from 8.0 on the
// plan says it may not be needed and names --remove-mobile-app; a vdir that changes adds the
// manual step to update its URL in the MFA Server console.
import test from 'ava';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openImageHost } from '../../lib/host/image/image-host.js';
import { makePlan, type MakePlanOptions } from '../../lib/upgrade/make-plan.js';
import { runCli } from '../helpers/run-cli.js';
import { tempCopy } from '../helpers/temp-host.js';

const PKG = 'examples/packages';
const plan = async (dir: string, extra: Partial<MakePlanOptions> = {}) => makePlan(await openImageHost(dir), { packagesDir: PKG, vdirNames: 'keep', role: 'standalone', ...extra });

test('a 5.x mobile app service reinstalled as 8.x: the plan says it may not be needed and names --remove-mobile-app, an option that exists', async (t) => {
  const p = await plan('examples/hosts/phonefactor-5.2');
  const w = p.warnings.find((x) => /Mobile App Web Service/.test(x) && /may no longer be needed/.test(x));
  t.regex(w ?? '', /PhoneFactorPhoneAppWebService.*--remove-mobile-app/);
  const help = await runCli(['upgrade', '--help']);
  t.regex(help.stdout + help.stderr, /--remove-mobile-app/);
  const removed = await plan('examples/hosts/phonefactor-5.2', { removeMobileApp: true });
  t.false(removed.warnings.some((x) => /may no longer be needed/.test(x)));
});

test('a renamed mobile app vdir (PA) moving to the new default name: the console URL step; kept: none', async (t) => {
  const { dir, cleanup } = tempCopy('phonefactor-5.2');
  t.teardown(cleanup);
  renameSync(join(dir, 'drive/C/inetpub/wwwroot/PhoneFactorPhoneAppWebService'), join(dir, 'drive/C/inetpub/wwwroot/PA'));
  const apphost = join(dir, 'drive/C/Windows/System32/inetsrv/config/applicationHost.config');
  writeFileSync(apphost, readFileSync(apphost, 'utf8').replace('path="/PhoneFactorPhoneAppWebService"', 'path="/PA"').replace('wwwroot\\PhoneFactorPhoneAppWebService', 'wwwroot\\PA'));
  const moved = await plan(dir, { vdirNames: 'new' });
  const step = moved.steps.find((s) => /manual-mobile-app-url$/.test(s.id));
  t.like(step, { kind: 'manual', title: 'Update the Mobile App Web Service URL in the MFA Server console' });
  t.regex(step?.kind === 'manual' ? step.instructions : '', /…\/MultiFactorAuthMobileAppWebService\/, was …\/PA\//);
  // The URL step comes after the service is installed under its new name.
  const install = moved.steps.findIndex((s) => /install-mobileAppWebService$/.test(s.id));
  t.true(moved.steps.indexOf(step as never) > install);
  const kept = await plan(dir);
  t.false(kept.steps.some((s) => /manual-mobile-app-url$/.test(s.id)));
});
