import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A private CA and a server certificate it signed for 127.0.0.1 and localhost, as PEM files. */
export interface TestCertificates {
  /** The CA's certificate (what a client trusts). */
  caFile: string;
  /** Its PEM text. */
  caPem: string;
  /** The server's certificate and key. */
  certFile: string;
  keyFile: string;
}

function openssl(dir: string, args: readonly string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

/**
 * Makes a CA named `name` (P-256, valid 2 days) and a server certificate it signs for IP 127.0.0.1 and DNS localhost
 * (also good as a client certificate: a TLS cluster bus always asks the connecting node for one),
 * in `dir` (`{name}-ca.pem`, `{name}-server.pem`, `{name}-server.key`), with the openssl command.
 */
export function makeTestCertificates(dir: string, name = 'test'): TestCertificates {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const caFile = join(dir, `${name}-ca.pem`);
  const caKey = join(dir, `${name}-ca.key`);
  const certFile = join(dir, `${name}-server.pem`);
  const keyFile = join(dir, `${name}-server.key`);
  const request = join(dir, `${name}-server.csr`);
  const extensions = join(dir, `${name}-server.ext`);
  openssl(dir, ['req', '-x509', ...ec, '-keyout', caKey, '-out', caFile, '-days', '2', '-subj', `/CN=portrait-farm ${name} CA`]);
  openssl(dir, ['req', ...ec, '-keyout', keyFile, '-out', request, '-subj', '/CN=localhost']);
  writeFileSync(extensions, 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n');
  openssl(dir, ['x509', '-req', '-in', request, '-CA', caFile, '-CAkey', caKey, '-CAcreateserial', '-out', certFile, '-days', '2', '-extfile', extensions]);
  return { caFile, caPem: readFileSync(caFile, 'utf8'), certFile, keyFile };
}
