import { createHmac } from 'node:crypto';

/** One usable line of an OpenSSH known_hosts file. */
export interface KnownHostEntry {
  /** Host patterns as written (plain names or `[host]:port`), or a hashed `|1|salt|hash` entry. */
  hosts: string[];
  keyType: string;
  /** Base64 of the public key blob. */
  key: string;
  revoked: boolean;
}

/** Parse known_hosts text. Comments, blank lines, @cert-authority and malformed lines are skipped. */
export function parseKnownHosts(text: string): KnownHostEntry[] {
  const out: KnownHostEntry[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const parts = line.split(/\s+/);
    let revoked = false;
    if (parts[0]?.startsWith('@')) {
      const marker = parts.shift();
      if (marker === '@revoked') revoked = true;
      else continue; // @cert-authority: certificates are not supported
    }
    const [hosts, keyType, key] = parts;
    if (!hosts || !keyType || !key) continue;
    if (!/^(ssh-[a-z0-9-]+|ecdsa-sha2-[a-z0-9]+|sk-[a-z0-9@.-]+)$/.test(keyType) || !/^[A-Za-z0-9+/]{16,}={0,2}$/.test(key)) continue;
    out.push({ hosts: hosts.split(','), keyType, key, revoked });
  }
  return out;
}

/** The name OpenSSH looks up: `host` on port 22, `[host]:port` otherwise. */
export function hostPattern(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

function matchesOne(pattern: string, name: string): boolean {
  if (pattern.startsWith('|1|')) {
    const [, , salt, hash] = pattern.split('|');
    if (!salt || !hash) return false;
    const h = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64');
    return h === hash;
  }
  // Wildcards and negations are not interpreted: an exact name is required.
  return pattern === name;
}

export type HostKeyVerdict = 'match' | 'unknown' | 'mismatch' | 'revoked';

/**
 * Check a server's key blob against the entries for host:port. `unknown` means no entry names the
 * host; `mismatch` means entries exist but none carries this key (a changed key: always refused).
 */
export function checkHostKey(entries: KnownHostEntry[], host: string, port: number, keyBlob: Buffer): HostKeyVerdict {
  const name = hostPattern(host, port);
  const key = keyBlob.toString('base64');
  const mine = entries.filter((e) => e.hosts.some((p) => matchesOne(p, name)));
  if (mine.some((e) => e.revoked && e.key === key)) return 'revoked';
  const live = mine.filter((e) => !e.revoked);
  if (live.length === 0) return 'unknown';
  return live.some((e) => e.key === key) ? 'match' : 'mismatch';
}

/** The key type named inside an SSH public key blob (string length-prefixed). */
export function keyTypeOf(keyBlob: Buffer): string {
  const len = keyBlob.readUInt32BE(0);
  return keyBlob.subarray(4, 4 + len).toString('ascii');
}

/** A known_hosts line recording a key (for trust on first use). */
export function knownHostsLine(host: string, port: number, keyBlob: Buffer): string {
  return `${hostPattern(host, port)} ${keyTypeOf(keyBlob)} ${keyBlob.toString('base64')}\n`;
}
