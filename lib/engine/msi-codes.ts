// Windows Installer return codes the tool acts on: one place (the image installer returns them,
// the installer step applies the policy, messages explain them).

export const MSI = {
  SUCCESS: 0,
  /** The operation was cancelled (the UI handler answered IDCANCEL): nothing was changed. */
  USER_EXIT: 1602,
  FAILURE: 1603,
  UNKNOWN_PRODUCT: 1605,
  ALREADY_RUNNING: 1618,
  PACKAGE_OPEN_FAILED: 1619,
  BAD_PACKAGE: 1620,
  REBOOT_INITIATED: 1641,
  REBOOT_REQUIRED: 3010,
} as const;

/** Success codes: the change is made (a reboot may be owed). */
export function msiSucceeded(code: number): boolean {
  return code === MSI.SUCCESS || code === MSI.REBOOT_REQUIRED || code === MSI.REBOOT_INITIATED;
}

export function msiRebootOwed(code: number): boolean {
  return code === MSI.REBOOT_REQUIRED || code === MSI.REBOOT_INITIATED;
}

const MEANING: Record<number, string> = {
  [MSI.USER_EXIT]: 'the operation was cancelled and rolled back',
  [MSI.FAILURE]: 'a fatal error during installation',
  [MSI.UNKNOWN_PRODUCT]: 'the product is not installed',
  [MSI.ALREADY_RUNNING]: 'another installation is in progress',
  [MSI.PACKAGE_OPEN_FAILED]: 'the package could not be opened',
  [MSI.BAD_PACKAGE]: 'the file is not a valid Windows Installer package',
};

export function msiMeaning(code: number): string {
  return MEANING[code] ?? `Windows Installer error ${code}`;
}
