import { RpcErrorCode } from './double-constants.ts';

/** rtc-node's `RpcError`: a code, a message and optional data; handlers throw it to answer with an error. */
export class RpcError extends Error {
  static readonly ErrorCode = RpcErrorCode;
  readonly code: number;
  readonly data: string | undefined;

  constructor(code: number, message: string, data?: string) {
    super(message);
    this.name = 'RpcError';
    this.code = code;
    this.data = data;
  }

  static builtIn(key: keyof typeof RpcErrorCode, data?: string): RpcError {
    return new RpcError(RpcErrorCode[key], key.toLowerCase().replace(/_/g, ' '), data);
  }
}
