import type { JobWebhook } from '@portrait-farm/jobs';
import { isWebhookError, parseEndpointUrl, resolveEndpoint } from '@portrait-farm/webhooks';
import type { GatewayContext } from './context.ts';
import { GatewayError } from './errors.ts';

/** Time allowed for resolving a webhook's host at create. */
const RESOLVE_TIMEOUT_MS = 5000;

function refused(message: string): GatewayError {
  return new GatewayError('GATEWAY_WEBHOOK_URL_REFUSED', `webhook.url: ${message}`);
}

/**
 * Checks at create that the webhook's host resolves, and only to addresses deliveries may go to (the same SSRF policy
 * the delivery worker applies at each attempt, where the address is checked again and pinned): loopback and private
 * addresses only where the operator allows them, or for the endpoints it names (webhooks.allowHosts); link-local,
 * metadata and reserved never. GATEWAY_WEBHOOK_URL_REFUSED (422) otherwise. A host that cannot be resolved now (DNS
 * down, a timeout) is let through: each delivery attempt resolves and checks it again, and retries.
 */
export async function checkWebhookAddress(ctx: GatewayContext, webhook: JobWebhook | null): Promise<void> {
  if (webhook === null) return;
  const { allowLoopback, allowPrivate, allowHosts } = ctx.config.webhooks;
  try {
    await resolveEndpoint(parseEndpointUrl(webhook.url), { allowLoopback, allowPrivate, allowedHosts: allowHosts }, RESOLVE_TIMEOUT_MS);
  } catch (error) {
    if (!isWebhookError(error)) throw error;
    if (error.blocked !== null) {
      const { reason, allowableEndpoint } = error.blocked;
      const remedy =
        allowableEndpoint === null
          ? 'webhooks are never sent there'
          : `webhooks are not sent there unless the operator names ${allowableEndpoint} in PORTRAIT_FARM_WEBHOOK_ALLOW_HOSTS`;
      throw refused(`${reason}; ${remedy}.`);
    }
    if (error.code === 'WEBHOOK_DNS' || error.code === 'WEBHOOK_TIMEOUT') return;
    throw refused(error.message);
  }
}
