// The farm's HTTP API as the demo page uses it, with the tenant's API key.

export interface AvatarSummary {
  id: string;
  image: { width: number; height: number };
}

export interface CreatedSession {
  id: string;
  stream: { url: string; protocol: string };
}

export class FarmApi {
  readonly #key: string;

  constructor(key: string) {
    this.#key = key;
  }

  async avatars(): Promise<AvatarSummary[]> {
    const body = (await this.#request('GET', '/v1/avatars?limit=100')) as { avatars: AvatarSummary[] };
    return body.avatars;
  }

  async createAvatar(image: File): Promise<AvatarSummary> {
    const form = new FormData();
    form.append('consent', JSON.stringify({ attestation: true, statement: 'Uploaded from the realtime demo page by someone entitled to use this likeness.' }));
    form.append('image', image, image.name);
    return (await this.#request('POST', '/v1/avatars', form)) as AvatarSummary;
  }

  async createSession(avatar: string, inputSampleRate: number, latency: 'quality' | 'low'): Promise<CreatedSession> {
    return (await this.#request('POST', '/v1/sessions', JSON.stringify({ avatar, inputSampleRate, latency }), 'application/json')) as CreatedSession;
  }

  async endSession(id: string): Promise<void> {
    await this.#request('DELETE', `/v1/sessions/${encodeURIComponent(id)}`);
  }

  async #request(method: string, path: string, body?: BodyInit, contentType?: string): Promise<unknown> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.#key}` };
    if (contentType !== undefined) headers['content-type'] = contentType;
    const response = await fetch(path, { method, headers, ...(body === undefined ? {} : { body }) });
    const text = await response.text();
    const parsed = text === '' ? null : (JSON.parse(text) as unknown);
    if (!response.ok) {
      const error = parsed as { error?: { code?: string; message?: string } } | null;
      const retry = response.headers.get('retry-after');
      throw new Error(`${error?.error?.code ?? response.status}: ${error?.error?.message ?? response.statusText}${retry === null ? '' : ` (retry in ${retry} s)`}`);
    }
    return parsed;
  }
}
