/** Network helpers for tests (loopback only). */
import net from 'node:net';

/** A port that was free a moment ago on 127.0.0.1 (for a server or child process that must be told its port). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** `gxc-pool start` flags that bind one pool's Stratum and web ports on 127.0.0.1 only. */
export function loopbackPoolPorts(stratumPort: number, webPort: number): string[] {
  return ['--stratum-host', '127.0.0.1', '--stratum-port', String(stratumPort), '--web-host', '127.0.0.1', '--web-port', String(webPort)];
}
