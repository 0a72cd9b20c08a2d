/**
 * Reads the render work (prepare and segment steps waiting or running: `render.total`) from the farm gateway's
 * GET /v1/queue/depth, with the operator key: what the local farm's autoscaler scales its workers on.
 */
export function renderWorkReader(apiUrl: string, operatorKey: string, timeoutMs = 2000): () => Promise<number> {
  return async () => {
    const response = await fetch(`${apiUrl}/v1/queue/depth`, { headers: { authorization: `Bearer ${operatorKey}` }, signal: AbortSignal.timeout(timeoutMs) });
    if (response.status !== 200) throw new Error(`GET /v1/queue/depth answered ${response.status}: ${(await response.text()).slice(0, 200)}`);
    const total = ((await response.json()) as { render?: { total?: unknown } }).render?.total;
    if (typeof total !== 'number' || !Number.isInteger(total) || total < 0) throw new Error(`GET /v1/queue/depth has no render.total. Received: ${JSON.stringify(total)}`);
    return total;
  };
}
