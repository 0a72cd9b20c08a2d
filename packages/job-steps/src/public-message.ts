/** ffmpeg's or ffprobe's exit as media's errors describe it, followed by the tail of the tool's stderr. */
const TOOL_EXIT_WITH_OUTPUT = /((?:ffmpeg|ffprobe) (?:exited with code -?\d+|was killed by \w+)):[\s\S]*$/;

/** An absolute path of two or more parts (not inside a URL): the worker's scratch and temporary files. */
const ABSOLUTE_PATH = /(?<![\w:/.])(?:\/[^\s/:'"()]+)+\/([^\s/:'"()]+)/g;

/**
 * A step's error message as the job record and its webhooks show it to the API user: files by name only (the
 * worker's temporary folders are no business of theirs), and a media tool's failure without its raw stderr. The
 * process log keeps the full error.
 */
export function publicMessage(message: string): string {
  return message.replace(TOOL_EXIT_WITH_OUTPUT, '$1').replace(ABSOLUTE_PATH, '$1');
}
