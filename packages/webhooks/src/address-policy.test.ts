import { describe, expect, it } from 'vitest';
import { classifyAddress, isCategoryAllowed } from './address-policy.ts';
import type { AddressCategory } from './address-policy.ts';

// Classification only: nothing here opens a connection.
const CASES: ReadonlyArray<readonly [string, AddressCategory]> = [
  ['8.8.8.8', 'public'],
  ['1.1.1.1', 'public'],
  ['172.32.0.1', 'public'],
  ['100.128.0.1', 'public'],
  ['2606:4700:4700::1111', 'public'],
  ['127.0.0.1', 'loopback'],
  ['127.255.255.254', 'loopback'],
  ['::1', 'loopback'],
  ['::ffff:127.0.0.1', 'loopback'],
  ['::ffff:7f00:1', 'loopback'],
  ['10.0.0.1', 'private'],
  ['172.16.0.1', 'private'],
  ['172.31.255.255', 'private'],
  ['192.168.1.10', 'private'],
  ['100.64.0.1', 'private'],
  ['100.127.255.255', 'private'],
  ['fd12:3456::1', 'private'],
  ['fc00::1', 'private'],
  ['::ffff:10.0.0.1', 'private'],
  ['64:ff9b::a00:1', 'private'],
  ['169.254.169.254', 'metadata'],
  ['::ffff:169.254.169.254', 'metadata'],
  ['2002:a9fe:a9fe::', 'metadata'],
  ['fd00:ec2::254', 'metadata'],
  ['100.100.100.200', 'metadata'],
  ['169.254.0.1', 'link-local'],
  ['fe80::1', 'link-local'],
  ['fe80::1%eth0', 'link-local'],
  ['0.0.0.0', 'unspecified'],
  ['0.1.2.3', 'unspecified'],
  ['::', 'unspecified'],
  ['224.0.0.251', 'multicast'],
  ['ff02::1', 'multicast'],
  ['255.255.255.255', 'reserved'],
  ['192.0.2.1', 'reserved'],
  ['2001:db8::1', 'reserved'],
  ['::1.2.3.4', 'reserved'],
  ['not-an-ip', 'invalid'],
  ['1.2.3', 'invalid'],
];

describe('classifyAddress', () => {
  it.each(CASES)('%s is %s', (address, category) => {
    expect(classifyAddress(address)).toBe(category);
  });

  it('allows only public addresses by default and never metadata or link-local', () => {
    const none = { allowLoopback: false, allowPrivate: false };
    const all = { allowLoopback: true, allowPrivate: true };
    expect(isCategoryAllowed('public', none)).toBe(true);
    for (const category of ['loopback', 'private', 'metadata', 'link-local', 'unspecified', 'multicast', 'reserved', 'invalid'] as const) {
      expect(isCategoryAllowed(category, none)).toBe(false);
    }
    expect(isCategoryAllowed('loopback', all)).toBe(true);
    expect(isCategoryAllowed('private', all)).toBe(true);
    for (const category of ['metadata', 'link-local', 'unspecified', 'multicast', 'reserved'] as const) {
      expect(isCategoryAllowed(category, all)).toBe(false);
    }
  });
});
