import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** What one ffmpeg run cost. */
export interface FfmpegCost {
  wallSeconds: number;
  /** User + system CPU seconds of ffmpeg (all its threads), 10 ms resolution. */
  cpuSeconds: number;
  stderr: string;
}

/** CPU seconds of this process's children that have exited and been waited for (cutime + cstime, /proc). */
export function exitedChildrenCpuSeconds(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

/**
 * Runs ffmpeg to its end and measures its CPU from this process's exited-children account: the caller must run
 * no other child process meanwhile.
 */
export async function runFfmpegMeasured(args: string[]): Promise<FfmpegCost> {
  const cpuBefore = exitedChildrenCpuSeconds();
  const start = performance.now();
  const child = spawn('ffmpeg', ['-nostdin', '-hide_banner', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (text: string) => { stderr += text; });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  const wallSeconds = (performance.now() - start) / 1000;
  if (code !== 0) throw new Error(`ffmpeg ${args.join(' ')} exited with ${code}: ${stderr.slice(-2000)}`);
  return { wallSeconds, cpuSeconds: exitedChildrenCpuSeconds() - cpuBefore, stderr };
}

/** SSIM (Y and All) and PSNR (Y and average) that ffmpeg's ssim and psnr filters printed. */
export interface Quality {
  ssimY: number;
  ssimAll: number;
  psnrY: number;
  psnrAll: number;
}

/** Compares a video (any container ffmpeg reads) with raw yuv420p reference frames, frame by frame. */
export async function qualityAgainst(video: string, reference: { path: string; width: number; height: number; fps: number }): Promise<Quality> {
  const { stderr } = await runFfmpegMeasured([
    '-i', video,
    '-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-s', `${reference.width}x${reference.height}`, '-r', String(reference.fps), '-i', reference.path,
    '-lavfi', '[0:v]format=yuv420p,split[a][b];[1:v]split[c][d];[a][c]ssim;[b][d]psnr', '-f', 'null', '-',
  ]);
  const number = (pattern: RegExp): number => {
    const found = pattern.exec(stderr)?.[1];
    if (found === undefined) throw new Error(`No ${pattern.source} in ffmpeg's output: ${stderr.slice(-1000)}`);
    return Number(found);
  };
  return {
    ssimY: number(/SSIM Y:([\d.]+)/),
    ssimAll: number(/SSIM .*All:([\d.]+)/),
    psnrY: number(/PSNR y:([\d.]+|inf)/),
    psnrAll: number(/PSNR .*average:([\d.]+|inf)/),
  };
}

/** SSIM (All) and PSNR (average) over R, G and B after converting yuv420p back to RGB24 as a player would. */
export interface RgbQuality {
  ssimRgb: number;
  psnrRgb: number;
}

/**
 * Compares a yuv420p video (an encode, or raw frames with `rawYuv`) with the RGB24 frames it was made from, back in
 * RGB (BT.709 limited range, ffmpeg's default chroma upsampling): what two colour conversions give, codec or not.
 */
export async function rgbQualityAgainst(
  video: string,
  rgb: { path: string; width: number; height: number; fps: number },
  rawYuv = false,
): Promise<RgbQuality> {
  const size = `${rgb.width}x${rgb.height}`;
  const input = rawYuv ? ['-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-s', size, '-r', String(rgb.fps), '-i', video] : ['-i', video];
  const { stderr } = await runFfmpegMeasured([
    ...input, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', size, '-r', String(rgb.fps), '-i', rgb.path,
    '-lavfi', '[0:v]scale=in_color_matrix=bt709:in_range=tv,format=gbrp,split[a][b];[1:v]format=gbrp,split[c][d];[a][c]ssim;[b][d]psnr',
    '-f', 'null', '-',
  ]);
  const ssim = /SSIM .*All:([\d.]+)/.exec(stderr)?.[1];
  const psnr = /PSNR .*average:([\d.]+|inf)/.exec(stderr)?.[1];
  if (ssim === undefined || psnr === undefined) throw new Error(`No SSIM or PSNR in ffmpeg's output: ${stderr.slice(-1000)}`);
  return { ssimRgb: Number(ssim), psnrRgb: Number(psnr) };
}
