#!/usr/bin/env node
// Installs what the README's commands need on a Debian/Ubuntu machine with Node 20+:
// Debian packages (ffmpeg, redis-server), the npm workspace, and (for tests) the training toolkit's Python packages.
// Usage: node infra/local/setup.mjs [--for render|test]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const purpose = process.argv.includes('--for') ? process.argv[process.argv.indexOf('--for') + 1] : 'render';

const DEBIAN_PACKAGES = {
  render: { ffmpeg: 'ffmpeg', ffprobe: 'ffmpeg', 'redis-server': 'redis-server' },
  test: {
    ffmpeg: 'ffmpeg',
    ffprobe: 'ffmpeg',
    'redis-server': 'redis-server',
    flite: 'flite',
    'espeak-ng': 'espeak-ng',
    text2wave: 'festival festvox-kallpc16k',
    sox: 'sox',
    chromium: 'chromium',
    promtool: 'prometheus',
    openssl: 'openssl',
  },
};

function say(line) {
  process.stderr.write(`[setup] ${line}\n`);
}

function has(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

const LOG = join(root, '.cache', 'setup.log');
const summary = [];

/** Runs a step quietly: its output goes to .cache/setup.log, and only a failure shows it (the last lines). */
function run(what, command, args, options = {}) {
  const started = Date.now();
  const result = spawnSync(command, args, { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...options });
  mkdirSync(dirname(LOG), { recursive: true });
  writeFileSync(LOG, `$ ${command} ${args.join(' ')}\n${result.stdout ?? ''}${result.stderr ?? ''}\n`, { flag: 'a' });
  if (result.status !== 0) {
    const tail = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n').slice(-15).join('\n');
    throw new Error(`${what} failed (${command} ${args.join(' ')}):\n${tail}\nFull output: ${LOG}`);
  }
  summary.push(`${what} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
}

function installDebianPackages() {
  const wanted = DEBIAN_PACKAGES[purpose] ?? DEBIAN_PACKAGES.render;
  const missing = [...new Set(Object.entries(wanted).filter(([command]) => !has(command)).flatMap(([, pkg]) => pkg.split(' ')))];
  const dataPackages = purpose === 'test' ? [
    'libespeak-ng1', 'fortunes-es', 'fortunes-min', 'festvox-us-slt-hts', 'festvox-kdlpc16k',
    // real speech of the training data and of the evaluation sets (models/training/DATA.md)
    ...['en', 'fr', 'it', 'ru', 'es'].flatMap((lang) => [`asterisk-core-sounds-${lang}`, `asterisk-core-sounds-${lang}-g722`]),
  ] : [];
  const missingData = dataPackages.filter((pkg) => spawnSync('dpkg', ['-s', pkg], { stdio: 'ignore' }).status !== 0);
  const all = [...missing, ...missingData];
  if (all.length === 0) return;
  if (!has('apt-get')) {
    throw new Error(`Missing programs (${all.join(', ')}) and no apt-get to install them: install them yourself.`);
  }
  const sudo = process.getuid?.() === 0 ? [] : ['sudo'];
  const apt = (what, args) => run(what, sudo[0] ?? 'apt-get', sudo.length ? ['apt-get', ...args] : args, {
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  say(`installing Debian packages: ${all.join(' ')}`);
  apt('package lists updated', ['update', '-qq']);
  apt(`${all.length} Debian package(s) installed`, ['install', '-y', '-qq', '--no-install-recommends', ...all]);
}

function installNodePackages() {
  const lock = join(root, 'package-lock.json');
  const marker = join(root, 'node_modules', '.package-lock.json');
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs) return;
  say('installing npm packages (npm ci)');
  run('npm packages installed', 'npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error']);
}

function installPythonPackages() {
  const requirements = join(root, 'models', 'training', 'requirements.txt');
  if (!existsSync(requirements)) return;
  const python = has('python3') ? 'python3' : null;
  if (python === null) throw new Error('python3 is needed for the training toolkit tests: install Python 3.11.');
  run('Python packages of models/training checked', python, ['-m', 'pip', 'install', '-q', '-r', requirements]);
}

try {
  installDebianPackages();
  installNodePackages();
  if (purpose === 'test') installPythonPackages();
} catch (error) {
  say(error.message);
  process.exit(1);
}
say(summary.length === 0 ? 'ready (everything was already installed)' : `ready: ${summary.join('; ')}`);
