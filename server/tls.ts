// SPDX-License-Identifier: MIT
// Certificates for HTTPS: given files, or a self-signed pair for serving a LAN
// (phones need a secure context for the camera, the service worker and WebCrypto).
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { generate } from 'selfsigned';
import type { ServerConfig } from './config';

/** PEM key and certificate. */
export interface TlsFiles {
  key: string;
  cert: string;
}

/** The addresses a LAN device may use to reach this machine. */
function localNames(): { dns: string[]; ips: string[] } {
  const ips = ['127.0.0.1', '::1'];
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (!a.internal) ips.push(a.address);
  }
  return { dns: ['localhost', hostname()], ips };
}

/**
 * Loads TLS material: the configured files, or a self-signed certificate kept
 * in `certDir` (made on first use, remade when it expires or the machine's
 * addresses changed), so browsers are asked to trust it only once.
 */
export async function loadTls(
  tls: NonNullable<ServerConfig['tls']>,
  certDir: string,
): Promise<TlsFiles> {
  if (tls !== 'self-signed')
    return { key: readFileSync(tls.keyFile, 'utf8'), cert: readFileSync(tls.certFile, 'utf8') };
  const keyFile = join(certDir, 'key.pem');
  const certFile = join(certDir, 'cert.pem');
  const names = localNames();
  if (existsSync(keyFile) && existsSync(certFile)) {
    const cert = readFileSync(certFile, 'utf8');
    const x509 = new X509Certificate(cert);
    const covers = names.ips.every(
      (ip) =>
        x509.subjectAltName?.includes(ip.includes(':') ? ip.toUpperCase() : ip) || x509.checkIP(ip),
    );
    if (new Date(x509.validTo).getTime() > Date.now() + 86_400_000 && covers)
      return { key: readFileSync(keyFile, 'utf8'), cert };
  }
  const pems = await generate([{ name: 'commonName', value: 'Ferry (self-signed)' }], {
    algorithm: 'sha256',
    keyType: 'ec',
    notAfterDate: new Date(Date.now() + 365 * 86_400_000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          ...names.dns.map((value) => ({ type: 2 as const, value })),
          ...names.ips.map((ip) => ({ type: 7 as const, ip })),
        ],
      },
    ],
  });
  mkdirSync(certDir, { recursive: true, mode: 0o700 });
  writeFileSync(keyFile, pems.private, { mode: 0o600 });
  writeFileSync(certFile, pems.cert);
  return { key: pems.private, cert: pems.cert };
}
