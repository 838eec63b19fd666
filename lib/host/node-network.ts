// The Network port for a live machine: a plain TCP connect with a deadline.
import { connect } from 'node:net';
import type { Network } from './ports.js';

export const nodeNetwork: Network = {
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
