export type PortraitFarmPluginErrorCode = 'PLUGIN_BAD_OPTIONS' | 'PLUGIN_SESSION_REFUSED';

/** An error of the avatar plugin, with a stable code; a refusal carries the farm's status and error code. */
export class PortraitFarmPluginError extends Error {
  readonly code: PortraitFarmPluginErrorCode;
  readonly status: number | null;
  readonly farmCode: string | null;

  constructor(code: PortraitFarmPluginErrorCode, message: string, status: number | null = null, farmCode: string | null = null) {
    super(message);
    this.name = 'PortraitFarmPluginError';
    this.code = code;
    this.status = status;
    this.farmCode = farmCode;
  }
}
