// Debian's chromium, headless, as this tier launches it: the background-networking features off
// (a report must load nothing; this machine's network is closed anyway). Playwright's launch()
// gives every browser a fresh, empty user-data-dir of its own.
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const LAUNCH_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-default-apps',
  '--disable-extensions',
  '--no-first-run',
  '--font-render-hinting=none',
];
