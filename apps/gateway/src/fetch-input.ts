import { request as httpRequest } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isWebhookError, pinnedLookup, resolveEndpoint, type ResolvedEndpoint } from '@portrait-farm/webhooks';
import type { ResolvedGatewayConfig } from './config.ts';
import { GatewayError } from './errors.ts';
import { spoolToFile } from './spool.ts';
import type { ByteBudget, SpooledFile } from './spool.ts';

export interface FetchedInput extends SpooledFile {
  contentType: string | null;
}

function refused(name: string, message: string): GatewayError {
  return new GatewayError('GATEWAY_INPUT_URL_REFUSED', `${name}: ${message}`);
}

/** Parses an input URL: https (http only when the policy allows it), no credentials. */
export function parseInputUrl(name: string, value: unknown, policy: ResolvedGatewayConfig['inputFetch']): URL {
  const wanted = policy.allowHttp ? 'an http(s) URL' : 'an https URL';
  let url: URL;
  try {
    url = new URL(String(value));
  } catch {
    throw new GatewayError('GATEWAY_BAD_OPTION', `${name} must be ${wanted}. Received: ${JSON.stringify(value)}`);
  }
  const schemes = policy.allowHttp ? ['https:', 'http:'] : ['https:'];
  if (!schemes.includes(url.protocol)) throw new GatewayError('GATEWAY_BAD_OPTION', `${name} must be ${wanted}. Received: ${url.protocol}`);
  if (url.username !== '' || url.password !== '') throw refused(name, 'URLs with credentials are not fetched.');
  return url;
}

/**
 * Resolves the host and checks every address with the webhooks' SSRF address policy (loopback and private
 * ranges only when allowed; link-local, metadata and reserved never). Returns the address to pin.
 */
async function checkedAddress(name: string, url: URL, policy: ResolvedGatewayConfig['inputFetch']): Promise<ResolvedEndpoint> {
  try {
    return await resolveEndpoint(url, { allowLoopback: policy.allowLoopback, allowPrivate: policy.allowPrivate }, policy.timeoutMs);
  } catch (error) {
    if (!isWebhookError(error)) throw error;
    if (error.blocked !== null) throw refused(name, `${error.blocked.reason}; inputs are not fetched from there.`);
    throw new GatewayError('GATEWAY_INPUT_FETCH_FAILED', `${name}: ${error.message}`);
  }
}

/**
 * Downloads an input URL into a local file under the request's byte budget. The connection is pinned to the
 * checked address (no DNS rebinding), redirects are not followed, and the whole download has a deadline.
 */
export async function fetchInput(
  name: string,
  url: URL,
  path: string,
  budget: ByteBudget,
  policy: ResolvedGatewayConfig['inputFetch'],
): Promise<FetchedInput> {
  const pinned = await checkedAddress(name, url, policy);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), policy.timeoutMs);
  try {
    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      const request = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, {
        method: 'GET',
        lookup: pinnedLookup(pinned),
        agent: false,
        signal: controller.signal,
        headers: { 'user-agent': 'portrait-farm-gateway/0.1', accept: '*/*' },
      });
      request.once('response', resolve);
      request.once('error', reject);
      request.end();
    });
    const status = response.statusCode ?? 0;
    if (status < 200 || status >= 300) {
      response.destroy();
      const what = status >= 300 && status < 400 ? `redirected (${status}); redirects are not followed` : `answered ${status}`;
      throw new GatewayError('GATEWAY_INPUT_FETCH_FAILED', `${name}: ${url.origin}${url.pathname} ${what}.`);
    }
    const declared = Number(response.headers['content-length'] ?? NaN);
    if (Number.isFinite(declared) && budget.used + declared > budget.limit) {
      response.destroy();
      throw new GatewayError('GATEWAY_UPLOAD_TOO_LARGE', `The inputs must be at most ${budget.limit} bytes in all. Received: ${name} of ${declared} bytes`);
    }
    const spooled = await spoolToFile(response, path, budget);
    return { ...spooled, contentType: response.headers['content-type'] ?? null };
  } catch (error) {
    if (error instanceof GatewayError) throw error;
    const reason = controller.signal.aborted ? `took longer than ${policy.timeoutMs} ms` : (error as Error).message;
    throw new GatewayError('GATEWAY_INPUT_FETCH_FAILED', `${name}: downloading ${url.origin}${url.pathname} failed: ${reason}`);
  } finally {
    clearTimeout(timer);
  }
}
