// The Network port for a live machine: a plain TCP connect with a deadline, and one HTTP(S) GET.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import type { HttpProbeResult, Network } from './ports.js';

function probe(url: string, timeoutMs: number): Promise<HttpProbeResult> {
  return new Promise((resolve) => {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      resolve({ error: `not a URL: ${url}` });
      return;
    }
    const send = u.protocol === 'https:' ? httpsRequest : u.protocol === 'http:' ? httpRequest : undefined;
    if (!send) {
      resolve({ error: `not an HTTP(S) URL: ${url}` });
      return;
    }
    let done = false;
    const finish = (r: HttpProbeResult) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      req.destroy();
      resolve(r);
    };
    // The answer matters, not the certificate: a request to localhost rarely matches its name.
    const req = send(u, { method: 'GET', rejectUnauthorized: false, headers: { 'User-Agent': 'mfa-upgrade verify-upgrade' } }, (res) => {
      res.resume();
      finish({ status: res.statusCode ?? 0 });
    });
    const timer = setTimeout(() => finish({ error: `no answer within ${timeoutMs} ms` }), timeoutMs);
    req.on('error', (e: NodeJS.ErrnoException) => finish({ error: e.code === 'ECONNREFUSED' ? 'connection refused' : e.message }));
    req.end();
  });
}

export const nodeNetwork: Network = {
  httpProbe: probe,
  canConnect(host, port, timeoutMs) {
    return new Promise((resolve) => {
      const socket = connect({ host, port });
      const done = (ok: boolean) => {
        socket.destroy();
        resolve(ok);
      };
      socket.setTimeout(timeoutMs, () => done(false));
      socket.once('connect', () => done(true));
      socket.once('error', () => done(false));
    });
  },
};
