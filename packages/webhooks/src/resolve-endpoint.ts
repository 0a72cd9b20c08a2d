import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { LookupFunction } from 'node:net';
import { classifyAddress, endpointOf, isCategoryAllowed, isNamedEndpoint, optionAllowing } from './address-policy.ts';
import type { AddressPolicy } from './address-policy.ts';
import { WebhookError } from './errors.ts';

export interface ResolvedEndpoint {
  url: URL;
  /** Host name as written in the URL, without IPv6 brackets. */
  host: string;
  /** The checked address every connection for this delivery must use. */
  address: string;
  family: 4 | 6;
}

/** Parses and checks an endpoint URL: http(s) only, no credentials in it. */
export function parseEndpointUrl(endpoint: string): URL {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new WebhookError('WEBHOOK_BAD_URL', `Webhook URL ${JSON.stringify(String(endpoint).slice(0, 200))} cannot be parsed.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new WebhookError('WEBHOOK_BAD_URL', `Webhook URL must use http or https. Received: ${url.protocol}`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new WebhookError('WEBHOOK_BAD_URL', `Webhook URL for ${url.host} must not carry credentials.`);
  }
  return url;
}

/**
 * Resolves the URL's host (every address, as the OS resolver returns them) and checks each against the
 * policy before anything connects: one refused address refuses the endpoint. Returns the first address,
 * which the caller pins for the connection so a second, different DNS answer cannot be used (rebinding).
 */
export async function resolveEndpoint(url: URL, policy: AddressPolicy, timeoutMs: number): Promise<ResolvedEndpoint> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: Array<{ address: string; family: number }>;
  if (isIP(host) !== 0) {
    addresses = [{ address: host, family: isIP(host) }];
  } else {
    let timer: NodeJS.Timeout | undefined;
    try {
      addresses = await Promise.race([
        lookup(host, { all: true, verbatim: true }),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new WebhookError('WEBHOOK_TIMEOUT', `Resolving ${host} took longer than ${timeoutMs} ms.`)),
            timeoutMs,
          );
        }),
      ]);
    } catch (error) {
      if (error instanceof WebhookError) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      throw new WebhookError('WEBHOOK_DNS', `Cannot resolve host ${host}: ${reason}`, { cause: error });
    } finally {
      clearTimeout(timer);
    }
  }
  if (addresses.length === 0) throw new WebhookError('WEBHOOK_DNS', `Host ${host} resolved to no address.`);
  const effective = isNamedEndpoint(url, policy) ? { allowLoopback: true, allowPrivate: true } : policy;
  for (const { address } of addresses) {
    const category = classifyAddress(address);
    if (!isCategoryAllowed(category, effective)) {
      const option = optionAllowing(category);
      const reason = `${address === host ? `${host} is` : `Host ${host} resolves to ${address},`} a ${category} address`;
      const allowableEndpoint = option === null ? null : endpointOf(url);
      throw new WebhookError(
        'WEBHOOK_BLOCKED_ADDRESS',
        `${reason}; ` + (option === null ? 'webhooks are never sent there.' : `set ${option}, or name ${allowableEndpoint} in allowedHosts, to allow it.`),
        { blocked: { reason, allowableEndpoint } },
      );
    }
  }
  const first = addresses[0]!;
  return { url, host, address: first.address, family: first.family === 6 ? 6 : 4 };
}

/** A lookup that answers every query with the already checked address, so the socket cannot go elsewhere. */
export function pinnedLookup(endpoint: Pick<ResolvedEndpoint, 'address' | 'family'>): LookupFunction {
  return (_hostname, options, callback) => {
    if (options.all === true) {
      (callback as (error: null, addresses: Array<{ address: string; family: number }>) => void)(null, [
        { address: endpoint.address, family: endpoint.family },
      ]);
    } else {
      callback(null, endpoint.address, endpoint.family);
    }
  };
}
