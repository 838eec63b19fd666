// Adds and removes IIS applications in applicationHost.config text with minimal edits, as
// appcmd would: everything else in the file stays byte for byte (comments, order, layout).
import { escapeAttributeValue } from '../../config/xml/entities.js';
import { badInput } from '../../errors.js';

const escapeAttr = (v: string): string => escapeAttributeValue(v, '"');

function findSiteSpan(text: string, siteName: string, file: string): { start: number; bodyEnd: number } {
  const re = /<site\s[^>]*?name\s*=\s*(["'])(.*?)\1[^>]*>/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if ((m[2] as string).toLowerCase() !== siteName.toLowerCase()) continue;
    if (m[0].endsWith('/>')) throw badInput(`site '${siteName}' is empty (<site/>)`, file, { code: 'IIS_SITE' });
    const close = text.indexOf('</site>', m.index);
    if (close === -1) throw badInput(`site '${siteName}' has no closing tag`, file, { code: 'IIS_SITE' });
    return { start: m.index, bodyEnd: close };
  }
  throw badInput(`IIS site '${siteName}' does not exist`, file, { code: 'IIS_SITE', remedy: 'Name an existing site (Get-Website lists them).' });
}

function applicationRegex(path: string): RegExp {
  const p = path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`([ \\t]*)<application\\s[^>]*?path\\s*=\\s*(["'])${p}\\2[^>]*?(?:/>|>[\\s\\S]*?</application>)[ \\t]*(\\r?\\n)?`, 'i');
}

export function hasApplication(text: string, siteName: string, path: string, file: string): boolean {
  const site = findSiteSpan(text, siteName, file);
  return applicationRegex(path).test(text.slice(site.start, site.bodyEnd));
}

export function addApplication(
  text: string,
  file: string,
  app: { site: string; path: string; physicalPath: string; applicationPool: string },
): string {
  const site = findSiteSpan(text, app.site, file);
  const body = text.slice(site.start, site.bodyEnd);
  if (applicationRegex(app.path).test(body)) throw badInput(`application '${app.path}' already exists in site '${app.site}'`, file, { code: 'IIS_APP_EXISTS' });
  const eol = /\r\n/.test(text) ? '\r\n' : '\n';
  // Indent like the site's existing applications, or one level deeper than the site.
  const sibling = /\n([ \t]*)<application[\s>]/.exec(body);
  const siteIndent = /([ \t]*)$/.exec(text.slice(0, site.start))?.[1] ?? '';
  const indent = sibling?.[1] ?? `${siteIndent}    `;
  const step = indent.length > siteIndent.length ? indent.slice(siteIndent.length) : '    ';
  const block =
    `${indent}<application path="${escapeAttr(app.path)}" applicationPool="${escapeAttr(app.applicationPool)}">${eol}` +
    `${indent}${step}<virtualDirectory path="/" physicalPath="${escapeAttr(app.physicalPath)}" />${eol}` +
    `${indent}</application>${eol}`;
  // Insert after the last application, or before the closing tag's line.
  const lastApp = body.lastIndexOf('</application>');
  const lastSelfClosed = body.search(/<application\s[^>]*\/>(?![\s\S]*<application[\s>])/);
  let at: number;
  if (lastApp !== -1 || lastSelfClosed !== -1) {
    const endTag = lastApp !== -1 ? site.start + lastApp + '</application>'.length : site.start + lastSelfClosed + (body.slice(lastSelfClosed).indexOf('/>') + 2);
    const nl = text.indexOf('\n', endTag);
    at = nl === -1 ? endTag : nl + 1;
  } else {
    at = text.lastIndexOf('\n', site.bodyEnd) + 1;
  }
  return text.slice(0, at) + block + text.slice(at);
}

export function removeApplication(text: string, file: string, siteName: string, path: string): string {
  const site = findSiteSpan(text, siteName, file);
  const body = text.slice(site.start, site.bodyEnd);
  const m = applicationRegex(path).exec(body);
  if (!m) return text;
  const from = site.start + m.index;
  return text.slice(0, from) + text.slice(from + m[0].length);
}
