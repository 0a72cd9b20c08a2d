/** What a label value becomes when it does not look like a member of its bounded set. */
export const OTHER_LABEL_VALUE = 'other';

/**
 * An error code as a label value: catalogue codes (`STORAGE_IO`) and Node's (`ECONNRESET`) pass, anything else (a
 * message, an id) becomes {@link OTHER_LABEL_VALUE}, so a label never carries an unbounded value.
 */
export function codeLabel(code: string): string {
  return /^[A-Z][A-Z0-9_]{0,63}$/.test(code) ? code : OTHER_LABEL_VALUE;
}

/** A value that must be one of `allowed`, else {@link OTHER_LABEL_VALUE}. */
export function oneOfLabel<T extends string>(value: string, allowed: readonly T[]): T | typeof OTHER_LABEL_VALUE {
  return (allowed as readonly string[]).includes(value) ? (value as T) : OTHER_LABEL_VALUE;
}

/** A name from a small fixed set (a model file's stem, a provider): short word characters, else {@link OTHER_LABEL_VALUE}. */
export function nameLabel(name: string): string {
  return /^[A-Za-z][\w.-]{0,63}$/.test(name) ? name : OTHER_LABEL_VALUE;
}
