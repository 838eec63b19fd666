// Who may change a file or folder, read from its owner and DACL (SDDL as the addon reads them).
// The addon the tool loads, and every folder above it up to the installation's root, must be
// writable by Administrators, SYSTEM and TrustedInstaller only: anyone else who can write there
// could have code run as administrator. Pure: tested on every OS.

export const SID = {
  administrators: 'S-1-5-32-544',
  system: 'S-1-5-18',
  trustedInstaller: 'S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464',
  creatorOwner: 'S-1-3-0',
  ownerRights: 'S-1-3-4',
} as const;

/** May own and write the addon and its folders. */
const TRUSTED = new Set<string>([SID.administrators, SID.system, SID.trustedInstaller]);
/** Name nobody by themselves on the object (replaced on inheritance / the owner, who is checked). */
const NOBODY = new Set<string>([SID.creatorOwner, SID.ownerRights]);

const ALIASES: Record<string, string> = {
  BA: SID.administrators,
  SY: SID.system,
  CO: SID.creatorOwner,
  OW: SID.ownerRights,
  WD: 'S-1-1-0',
  AU: 'S-1-5-11',
  BU: 'S-1-5-32-545',
  IU: 'S-1-5-4',
  AN: 'S-1-5-7',
  NS: 'S-1-5-20',
  LS: 'S-1-5-19',
  PU: 'S-1-5-32-547',
  BO: 'S-1-5-32-551',
  SU: 'S-1-5-6',
  AC: 'S-1-15-2-1',
};

// Access rights that change a file or what a folder holds (winnt.h).
const FILE_WRITE_DATA = 0x2; // also FILE_ADD_FILE
const FILE_APPEND_DATA = 0x4; // also FILE_ADD_SUBDIRECTORY
const FILE_WRITE_EA = 0x10;
const FILE_DELETE_CHILD = 0x40;
const DELETE = 0x10000;
const WRITE_DAC = 0x40000;
const WRITE_OWNER = 0x80000;
const GENERIC_ALL = 0x10000000;
const GENERIC_WRITE = 0x40000000;
const MAXIMUM_ALLOWED = 0x2000000;
export const WRITE_RIGHTS = FILE_WRITE_DATA | FILE_APPEND_DATA | FILE_WRITE_EA | FILE_DELETE_CHILD | DELETE | WRITE_DAC | WRITE_OWNER | GENERIC_ALL | GENERIC_WRITE | MAXIMUM_ALLOWED;

// SDDL right codes (file, generic, standard, and the directory-service ones Windows also writes).
const RIGHTS: Record<string, number> = {
  GA: GENERIC_ALL,
  GR: 0x80000000,
  GW: GENERIC_WRITE,
  GX: 0x20000000,
  FA: 0x1f01ff,
  FR: 0x120089,
  FW: 0x120116,
  FX: 0x1200a0,
  RC: 0x20000,
  SD: DELETE,
  WD: WRITE_DAC,
  WO: WRITE_OWNER,
  CC: 0x1,
  DC: 0x2,
  LC: 0x4,
  SW: 0x8,
  RP: 0x10,
  WP: 0x20,
  DT: 0x40,
  LO: 0x80,
  CR: 0x100,
  KA: 0xf003f,
  KR: 0x20019,
  KW: 0x20006,
  KX: 0x20019,
};

export interface Ace {
  type: string;
  flags: string[];
  mask: number;
  sid: string;
}

function sidOf(text: string): string {
  return ALIASES[text.toUpperCase()] ?? text.toUpperCase();
}

function maskOf(text: string): number {
  if (/^0x[0-9a-f]+$/i.test(text)) return Number.parseInt(text.slice(2), 16);
  if (/^\d+$/.test(text)) return Number.parseInt(text, 10);
  let mask = 0;
  for (let i = 0; i < text.length; i += 2) {
    const right = RIGHTS[text.slice(i, i + 2).toUpperCase()];
    // An unknown code is counted as every right: a check that cannot read an entry does not pass it.
    mask |= right ?? 0xffffffff;
  }
  return mask >>> 0;
}

/** The ACEs of a DACL in SDDL ("D:PAI(A;OICI;FA;;;BA)..."); undefined for a missing or null DACL. */
export function parseDacl(sddl: string): Ace[] | undefined {
  const at = sddl.indexOf('D:');
  if (at < 0) return undefined;
  const body = sddl.slice(at + 2).replace(/[SG]:.*$/s, '');
  if (/^NO_ACCESS_CONTROL/i.test(body)) return undefined;
  const aces: Ace[] = [];
  for (const m of body.matchAll(/\(([^)]*)\)/g)) {
    const parts = (m[1] ?? '').split(';');
    const [type = '', flags = '', rights = '', , , sid = ''] = parts;
    aces.push({ type: type.toUpperCase(), flags: flags.toUpperCase().match(/../g) ?? [], mask: maskOf(rights), sid: sidOf(sid) });
  }
  return aces;
}

export interface Security {
  /** SID string of the owner. */
  owner: string;
  /** The DACL as SDDL. */
  dacl: string;
}

/**
 * Why someone other than Administrators, SYSTEM or TrustedInstaller (or the accounts in
 * `alsoTrusted`) could change the object; empty when nobody else can.
 */
export function untrustedWriters(security: Security, alsoTrusted: readonly string[] = []): string[] {
  const problems: string[] = [];
  const trusted = new Set<string>([...TRUSTED, ...alsoTrusted.map(sidOf)]);
  const owner = sidOf(security.owner);
  if (!trusted.has(owner)) problems.push(`owned by ${owner} (the owner can always change its permissions)`);
  const aces = parseDacl(security.dacl);
  if (!aces) {
    problems.push('no DACL: everyone has full access');
    return problems;
  }
  for (const ace of aces) {
    if (ace.flags.includes('IO')) continue; // inherit-only: says nothing about this object
    if (ace.type !== 'A' && ace.type !== 'XA') continue; // deny and audit entries only take away
    if (trusted.has(ace.sid) || NOBODY.has(ace.sid)) continue;
    if ((ace.mask & WRITE_RIGHTS) !== 0) problems.push(`${ace.sid} may change it (access 0x${ace.mask.toString(16)})`);
  }
  return problems;
}
