// The stream path is shared with the gateway's proxy, so it lives with the session records.
export { parseStreamRequest, streamPath, type StreamRequest } from '@portrait-farm/sessions';
