import { checkSetting, isConfigError, loadConfig } from '@portrait-farm/config';
import type { EnvironmentSource } from '@portrait-farm/config';

/** The watermark key a command embeds or detects with, or why it cannot be used. */
export type WatermarkKeyChoice = { readonly ok: true; readonly key: string | null } | { readonly ok: false; readonly message: string };

/**
 * The flag's key (checked by PORTRAIT_FARM_WATERMARK_KEY's form, as the farm checks the variable), else the
 * variable's through the config model, else null (the watermark package's default key).
 */
export function chooseWatermarkKey(flag: string | null, env: EnvironmentSource): WatermarkKeyChoice {
  if (flag !== null) {
    const checked = checkSetting('--watermark-key', flag, 'PORTRAIT_FARM_WATERMARK_KEY');
    return checked.ok ? { ok: true, key: checked.value } : { ok: false, message: checked.message };
  }
  try {
    return { ok: true, key: loadConfig('cli', env).watermarkKey };
  } catch (error) {
    if (isConfigError(error)) return { ok: false, message: error.message };
    throw error;
  }
}
