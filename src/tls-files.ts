/**
 * Reads and checks the Stratum TLS certificate and key (PEM). Problems are reported as configuration errors naming
 * the setting and the file, at start and on SIGHUP alike; a reload with a bad file keeps the certificate in use.
 */
import fs from 'node:fs';
import { createSecureContext } from 'node:tls';
import { ConfigError } from './config/load.js';

export interface TlsMaterial {
  cert: Buffer;
  key: Buffer;
}

function readPem(setting: string, file: string, marker: RegExp): Buffer {
  let data: Buffer;
  try {
    data = fs.readFileSync(file);
  } catch (err) {
    throw new ConfigError(`${setting}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  if (!marker.test(data.toString('latin1'))) throw new ConfigError(`${setting}: ${file} is not a PEM file (no ${marker.source} block)`);
  return data;
}

export function loadTlsMaterial(tls: { certFile: string; keyFile: string }): TlsMaterial {
  const cert = readPem('stratum.tls.certFile', tls.certFile, /-----BEGIN CERTIFICATE-----/);
  const key = readPem('stratum.tls.keyFile', tls.keyFile, /-----BEGIN [A-Z ]*PRIVATE KEY-----/);
  try {
    // Parses both and checks that the key belongs to the certificate.
    createSecureContext({ cert, key });
  } catch (err) {
    throw new ConfigError(`stratum.tls: ${tls.certFile} and ${tls.keyFile} are not a usable certificate and key (${(err as Error).message})`);
  }
  return { cert, key };
}
