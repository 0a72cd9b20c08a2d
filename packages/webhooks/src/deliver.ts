import { request as httpRequest } from 'node:http';
import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { WebhookError } from './errors.ts';
import { createMessageId } from './events.ts';
import type { WebhookEvent } from './events.ts';
import { parseEndpointUrl, pinnedLookup, resolveEndpoint } from './resolve-endpoint.ts';
import type { ResolvedEndpoint } from './resolve-endpoint.ts';
import { sign, WEBHOOK_HEADERS } from './signature.ts';

export interface DeliverOptions {
  /** Signing secret(s), `whsec_<base64>`; several during a rotation. */
  secret: string | readonly string[];
  /**
   * Message id (webhook-id). Pass the same id on every retry of one event.
   * @defaultValue a new id from createMessageId()
   */
  messageId?: string;
  /**
   * Time allowed for DNS, connection and the response status, in milliseconds (1 to 120000).
   * @defaultValue 10000
   */
  timeoutMs?: number;
  /**
   * Deliver to private addresses (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7).
   * @defaultValue false
   */
  allowPrivate?: boolean;
  /**
   * Deliver to loopback addresses (127/8, ::1).
   * @defaultValue false
   */
  allowLoopback?: boolean;
  /**
   * Endpoints (`host:port`) that may be on loopback or private addresses though the flags are off (see AddressPolicy).
   * @defaultValue none
   */
  allowedHosts?: readonly string[];
  /**
   * Clock for webhook-timestamp, in milliseconds.
   * @defaultValue Date.now
   */
  now?: () => number;
  /** @defaultValue "portrait-farm-webhooks/0.1" */
  userAgent?: string;
}

interface ResolvedDeliverOptions {
  secret: string | readonly string[];
  messageId: string;
  timeoutMs: number;
  allowPrivate: boolean;
  allowLoopback: boolean;
  allowedHosts: readonly string[];
  now: () => number;
  userAgent: string;
}

export interface DeliveryResult {
  /** 2xx status the endpoint answered. */
  status: number;
  messageId: string;
  /** The address connected to (the one checked by the SSRF policy). */
  address: string;
  durationMs: number;
}

function resolveOptions(options: DeliverOptions): ResolvedDeliverOptions {
  const timeoutMs = options.timeoutMs ?? 10_000;
  if (!Number.isFinite(timeoutMs) || timeoutMs < 1 || timeoutMs > 120_000) {
    throw new WebhookError('WEBHOOK_BAD_OPTION', `timeoutMs must be between 1 and 120000. Received: ${String(options.timeoutMs)}`);
  }
  return {
    secret: options.secret,
    messageId: options.messageId ?? createMessageId(),
    timeoutMs,
    allowPrivate: options.allowPrivate ?? false,
    allowLoopback: options.allowLoopback ?? false,
    allowedHosts: options.allowedHosts ?? [],
    now: options.now ?? Date.now,
    userAgent: options.userAgent ?? 'portrait-farm-webhooks/0.1',
  };
}

function retryAfterMs(response: IncomingMessage): number | undefined {
  const value = response.headers['retry-after'];
  if (value === undefined) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function classify(response: IncomingMessage, endpoint: ResolvedEndpoint): WebhookError | null {
  const status = response.statusCode ?? 0;
  const where = `${endpoint.url.origin}${endpoint.url.pathname}`;
  if (status >= 200 && status < 300) return null;
  if (status >= 300 && status < 400) {
    const location = response.headers.location ?? '(no Location)';
    return new WebhookError(
      'WEBHOOK_REDIRECT',
      `Webhook endpoint ${where} answered ${status} redirecting to ${location.slice(0, 200)}; redirects are not followed.`,
      { status },
    );
  }
  const after = retryAfterMs(response);
  if (status === 410) {
    return new WebhookError('WEBHOOK_HTTP_STATUS', `Webhook endpoint ${where} answered 410 Gone: disable it.`, {
      status,
      disableEndpoint: true,
      retryable: false,
    });
  }
  return new WebhookError('WEBHOOK_HTTP_STATUS', `Webhook endpoint ${where} answered ${status}; expected 2xx.`, {
    status,
    ...(after === undefined ? {} : { retryAfterMs: after }),
  });
}

/**
 * POSTs one event as signed JSON (Standard Webhooks headers) to `url`. The host is resolved and checked
 * against the SSRF policy before any connection, and the connection is pinned to the checked address.
 * Redirects are never followed; the response body is not read. Resolves on 2xx; otherwise throws a
 * WebhookError whose `retryable` and `disableEndpoint` tell the caller what to do next.
 */
export async function deliver(url: string, event: WebhookEvent<object>, options: DeliverOptions): Promise<DeliveryResult> {
  const resolved = resolveOptions(options);
  const started = performance.now();
  const endpointUrl = parseEndpointUrl(url);
  const body = Buffer.from(JSON.stringify(event), 'utf8');
  const timestamp = Math.floor(resolved.now() / 1000);
  const signature = sign(resolved.secret, { id: resolved.messageId, timestamp, body });
  const endpoint = await resolveEndpoint(
    endpointUrl,
    { allowLoopback: resolved.allowLoopback, allowPrivate: resolved.allowPrivate, allowedHosts: resolved.allowedHosts },
    resolved.timeoutMs,
  );
  const remainingMs = Math.max(1, resolved.timeoutMs - (performance.now() - started));
  const headers: OutgoingHttpHeaders = {
    'content-type': 'application/json',
    'content-length': body.length,
    'user-agent': resolved.userAgent,
    [WEBHOOK_HEADERS.id]: resolved.messageId,
    [WEBHOOK_HEADERS.timestamp]: String(timestamp),
    [WEBHOOK_HEADERS.signature]: signature,
  };
  const status = await new Promise<number>((resolve, reject) => {
    const request = (endpointUrl.protocol === 'https:' ? httpsRequest : httpRequest)(
      {
        protocol: endpointUrl.protocol,
        hostname: endpoint.host,
        port: endpointUrl.port === '' ? undefined : Number(endpointUrl.port),
        path: `${endpointUrl.pathname}${endpointUrl.search}`,
        method: 'POST',
        headers,
        lookup: pinnedLookup(endpoint),
        agent: false,
      },
      (response) => {
        clearTimeout(timer);
        response.destroy();
        const failure = classify(response, endpoint);
        if (failure === null) resolve(response.statusCode ?? 0);
        else reject(failure);
      },
    );
    const timer = setTimeout(() => {
      request.destroy(
        new WebhookError(
          'WEBHOOK_TIMEOUT',
          `Webhook endpoint ${endpointUrl.origin} gave no response status within ${resolved.timeoutMs} ms.`,
        ),
      );
    }, remainingMs);
    request.once('error', (error) => {
      clearTimeout(timer);
      if (error instanceof WebhookError) {
        reject(error);
        return;
      }
      reject(
        new WebhookError('WEBHOOK_CONNECT', `Webhook request to ${endpointUrl.origin} (${endpoint.address}) failed: ${error.message}`, {
          cause: error,
        }),
      );
    });
    request.end(body);
  });
  return { status, messageId: resolved.messageId, address: endpoint.address, durationMs: performance.now() - started };
}
