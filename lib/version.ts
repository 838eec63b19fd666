// The tool's version: package.json's, put in by the build (scripts/build.mjs); '0.0.0-dev' from source.
declare const MFA_UPGRADE_VERSION: string | undefined;

export const version = typeof MFA_UPGRADE_VERSION === 'string' ? MFA_UPGRADE_VERSION : '0.0.0-dev';
