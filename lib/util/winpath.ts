// Windows path helpers that work the same on every OS (node:path follows the OS running it).

export function joinWindowsPath(...parts: string[]): string {
  return parts
    .map((p, i) => (i === 0 ? p.replace(/[\\/]+$/, '') : p.replace(/^[\\/]+|[\\/]+$/g, '')))
    .filter((p) => p !== '')
    .join('\\');
}

export function windowsDirname(path: string): string {
  return path.replace(/[\\/][^\\/]*$/, '');
}
