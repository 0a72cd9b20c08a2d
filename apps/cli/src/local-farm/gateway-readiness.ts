import { LocalFarmError } from './errors.ts';

/** The header in which the gateway's /healthz and /readyz name the process answering (apps/gateway ops routes). */
export const GATEWAY_PID_HEADER = 'x-portrait-farm-pid';

async function answer(url: string, timeoutMs: number): Promise<Response | null> {
  try {
    return await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  } catch {
    return null;
  }
}

/** Who answers HTTP on the port, for an error message: "a portrait-farm gateway (pid 123)", or null. */
export async function describePortHolder(port: number): Promise<string | null> {
  const response = await answer(`http://127.0.0.1:${port}/healthz`, 1000);
  const pid = response?.headers.get(GATEWAY_PID_HEADER) ?? null;
  await response?.body?.cancel();
  return pid === null ? null : `a portrait-farm gateway (pid ${pid})`;
}

/**
 * Readiness check of the farm's own gateway: /readyz answers 200 from the process with `pid`. Anything else that
 * answers on the port (a gateway left by another farm, another program) is not this farm's: throws at once rather
 * than reporting ready on another process's port.
 */
export async function gatewayAnswers(apiUrl: string, pid: number | null): Promise<boolean> {
  const response = await answer(`${apiUrl}/readyz`, 3000);
  if (response === null) return false;
  await response.body?.cancel();
  const answeredBy = response.headers.get(GATEWAY_PID_HEADER);
  if (pid === null || answeredBy !== String(pid)) {
    throw new LocalFarmError(
      'FARM_PROCESS_FAILED',
      `${apiUrl} answers from another process (${answeredBy === null ? 'not a portrait-farm gateway' : `a portrait-farm gateway, pid ${answeredBy}`}), ` +
        `not from this farm's gateway (pid ${String(pid)}): the port is taken. Stop that process, or choose another port (--port).`,
    );
  }
  return response.ok;
}
