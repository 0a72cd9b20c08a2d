// Kept for the farm's modules that import it from here; the check lives with the process helpers.
export { isProcessAlive } from '@portrait-farm/process-supervision';
