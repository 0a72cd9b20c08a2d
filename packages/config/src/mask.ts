/** How values are shown in errors and logs: quoted, cut to a readable length, secrets never shown. */

const MAX_SHOWN = 120;

/** A value that is a secret as a whole: its length only. */
export function maskSecret(text: string): string {
  return `*** (${text.length} characters)`;
}

/**
 * A URL with the password of its user info replaced: `redis://user:***@host`. User info without a ':' may be a token,
 * so it is masked whole. Works on text that is not a valid URL too (everything up to the last '@' is user info).
 */
export function maskUrl(text: string): string {
  const at = text.lastIndexOf('@');
  if (at < 0) return text;
  const scheme = text.indexOf('://');
  const start = scheme >= 0 && scheme < at ? scheme + 3 : 0;
  const userinfo = text.slice(start, at);
  const colon = userinfo.indexOf(':');
  const shown = colon < 0 ? '***' : `${userinfo.slice(0, colon)}:***`;
  return `${text.slice(0, start)}${shown}${text.slice(at)}`;
}

/** Already-masked text as an error shows it: JSON-quoted (control characters visible), long values cut. */
export function quote(masked: string): string {
  const cut = masked.length > MAX_SHOWN ? `${masked.slice(0, MAX_SHOWN)}...` : masked;
  return JSON.stringify(cut);
}
