// The plan's steps (data, shown before anything runs and kept in the journal) as the engine's
// steps: one constructor per kind, chosen by an exhaustive switch.
import type { EngineStep } from '../engine/step.js';
import type { PlanStep } from './plan-types.js';
import { backupStep } from './steps/backup.js';
import type { UpgradeEnv } from './steps/env.js';
import { installStep } from './steps/install.js';
import { keepThemeStep } from './steps/keep-theme.js';
import { mergeConfigStep } from './steps/merge-config.js';
import { restoreThemesStep } from './steps/restore-themes.js';
import { uninstallStep } from './steps/uninstall.js';
import { waitConversionStep } from './steps/wait-conversion.js';

export function engineStep(step: PlanStep): EngineStep<UpgradeEnv> {
  switch (step.kind) {
    case 'backup':
      return backupStep(step);
    case 'install':
      return installStep(step);
    case 'uninstall':
      return uninstallStep(step);
    case 'merge-config':
      return mergeConfigStep(step);
    case 'restore-themes':
      return restoreThemesStep(step);
    case 'keep-theme':
      return keepThemeStep(step);
    case 'wait-conversion':
      return waitConversionStep(step);
    case 'manual':
      return { id: step.id, title: step.title, kind: step.kind, external: { who: 'person', instructions: step.instructions, ...(step.blocking ? { blocking: true } : {}) }, run: async () => undefined };
    default: {
      const never: never = step;
      throw new Error(`unknown plan step ${JSON.stringify(never)}`);
    }
  }
}

export function engineSteps(steps: PlanStep[]): Array<EngineStep<UpgradeEnv>> {
  return steps.map(engineStep);
}
