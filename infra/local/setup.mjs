#!/usr/bin/env node
// Installs what the README's commands need on a Debian/Ubuntu machine with Node 20+:
// Debian packages (ffmpeg, redis-server), the npm workspace, and (for tests) the training toolkit's Python packages.
// Usage: node infra/local/setup.mjs [--for render|test]
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
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
  },
};

function say(line) {
  process.stderr.write(`[setup] ${line}\n`);
}

function has(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

function run(command, args, options = {}) {
  say(`${command} ${args.join(' ')}`);
  execFileSync(command, args, { stdio: ['ignore', 'inherit', 'inherit'], cwd: root, ...options });
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
  const apt = (args) => run(sudo[0] ?? 'apt-get', sudo.length ? ['apt-get', ...args] : args, {
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  apt(['update', '-qq']);
  apt(['install', '-y', '-qq', '--no-install-recommends', ...all]);
}

function installNodePackages() {
  const lock = join(root, 'package-lock.json');
  const marker = join(root, 'node_modules', '.package-lock.json');
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs) return;
  run('npm', ['ci', '--no-audit', '--no-fund']);
}

function installPythonPackages() {
  const requirements = join(root, 'models', 'training', 'requirements.txt');
  if (!existsSync(requirements)) return;
  const python = has('python3') ? 'python3' : null;
  if (python === null) throw new Error('python3 is needed for the training toolkit tests: install Python 3.11.');
  run(python, ['-m', 'pip', 'install', '-q', '-r', requirements]);
}

installDebianPackages();
installNodePackages();
if (purpose === 'test') installPythonPackages();
say('ready');
