import { inSubnet, parseIPv4, parseIPv6 } from './ip-address.ts';

/**
 * What an IP address is, for the SSRF policy. "public" is the only category delivered to by default;
 * "loopback" needs allowLoopback; "private" (RFC 1918, IPv6 ULA, CGNAT 100.64/10) needs allowPrivate;
 * the rest is never delivered to.
 */
export type AddressCategory =
  | 'public'
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'metadata'
  | 'unspecified'
  | 'multicast'
  | 'reserved'
  | 'invalid';

export interface AddressPolicy {
  /** Allow 127.0.0.0/8 and ::1 (local development and tests). */
  allowLoopback: boolean;
  /** Allow 10/8, 172.16/12, 192.168/16, 100.64/10 (CGNAT) and fc00::/7 (receivers inside the cluster). */
  allowPrivate: boolean;
  /**
   * Endpoints named `host:port` (as the URL writes them; the port is the scheme's default when the URL has none) that
   * may be on loopback and private addresses though the flags are off: a named receiver, not every local service.
   * Link-local, metadata and reserved addresses stay refused. @defaultValue none
   */
  allowedHosts?: readonly string[];
}

/** The endpoint of a URL as `host:port`: lower-case host (IPv6 in brackets), the scheme's port when none is written. */
export function endpointOf(url: URL): string {
  const port = url.port !== '' ? url.port : url.protocol === 'https:' ? '443' : '80';
  return `${url.hostname.toLowerCase()}:${port}`;
}

/** Whether the policy names the URL's endpoint in `allowedHosts`. */
export function isNamedEndpoint(url: URL, policy: Pick<AddressPolicy, 'allowedHosts'>): boolean {
  const endpoint = endpointOf(url);
  return (policy.allowedHosts ?? []).some((entry) => entry.toLowerCase() === endpoint);
}

type Range = readonly [network: string, bits: number, category: AddressCategory];

// Checked in order; the first match wins, so the narrow metadata ranges come before the wide ones holding them.
const IPV4_RANGES: readonly Range[] = [
  ['169.254.169.254', 32, 'metadata'], // AWS, GCP, Azure, OpenStack instance metadata
  ['100.100.100.200', 32, 'metadata'], // Alibaba Cloud instance metadata (inside CGNAT)
  ['0.0.0.0', 8, 'unspecified'],
  ['127.0.0.0', 8, 'loopback'],
  ['10.0.0.0', 8, 'private'],
  ['172.16.0.0', 12, 'private'],
  ['192.168.0.0', 16, 'private'],
  ['100.64.0.0', 10, 'private'],
  ['169.254.0.0', 16, 'link-local'],
  ['192.0.0.0', 24, 'reserved'], // IETF protocol assignments
  ['192.0.2.0', 24, 'reserved'], // documentation
  ['198.18.0.0', 15, 'reserved'], // benchmarking
  ['198.51.100.0', 24, 'reserved'],
  ['203.0.113.0', 24, 'reserved'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved'], // includes 255.255.255.255
];

const IPV6_RANGES: readonly Range[] = [
  ['fd00:ec2::254', 128, 'metadata'], // AWS instance metadata over IPv6
  ['::', 128, 'unspecified'],
  ['::1', 128, 'loopback'],
  ['fc00::', 7, 'private'],
  ['fe80::', 10, 'link-local'],
  ['fec0::', 10, 'reserved'], // deprecated site-local
  ['ff00::', 8, 'multicast'],
  ['100::', 64, 'reserved'], // discard-only
  ['2001:db8::', 32, 'reserved'], // documentation
  ['::', 96, 'reserved'], // deprecated IPv4-compatible
];

/** IPv6 ranges that carry an IPv4 address; that address is classified instead. */
const IPV4_EMBEDDING: ReadonlyArray<readonly [network: string, bits: number, offset: number]> = [
  ['::ffff:0:0', 96, 12], // IPv4-mapped
  ['64:ff9b::', 96, 12], // NAT64
  ['64:ff9b:1::', 48, 12], // local-use NAT64
  ['2002::', 16, 2], // 6to4
];

const parsedV4 = IPV4_RANGES.map(([network, bits, category]) => [parseIPv4(network)!, bits, category] as const);
const parsedV6 = IPV6_RANGES.map(([network, bits, category]) => [parseIPv6(network)!, bits, category] as const);
const parsedEmbedding = IPV4_EMBEDDING.map(([network, bits, offset]) => [parseIPv6(network)!, bits, offset] as const);

function classifyBytes(bytes: Uint8Array): AddressCategory {
  if (bytes.length === 4) {
    for (const [network, bits, category] of parsedV4) if (inSubnet(bytes, network, bits)) return category;
    return 'public';
  }
  for (const [network, bits, offset] of parsedEmbedding) {
    if (inSubnet(bytes, network, bits)) return classifyBytes(bytes.slice(offset, offset + 4));
  }
  for (const [network, bits, category] of parsedV6) if (inSubnet(bytes, network, bits)) return category;
  return 'public';
}

/** Classifies an IPv4 or IPv6 address (IPv4 inside IPv4-mapped, NAT64 and 6to4 IPv6 is unwrapped). */
export function classifyAddress(address: string): AddressCategory {
  const bytes = parseIPv4(address) ?? parseIPv6(address.replace(/^\[|\]$/g, ''));
  return bytes === null ? 'invalid' : classifyBytes(bytes);
}

/** Whether the policy lets a webhook go to an address of this category. */
export function isCategoryAllowed(category: AddressCategory, policy: AddressPolicy): boolean {
  switch (category) {
    case 'public':
      return true;
    case 'loopback':
      return policy.allowLoopback;
    case 'private':
      return policy.allowPrivate;
    default:
      return false;
  }
}

/** The option that would allow a category, for error messages; null when nothing can (allowedHosts allows both for one endpoint: {@link isNamedEndpoint}). */
export function optionAllowing(category: AddressCategory): string | null {
  if (category === 'loopback') return 'allowLoopback';
  if (category === 'private') return 'allowPrivate';
  return null;
}
