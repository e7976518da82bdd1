#!/usr/bin/env node
// Runs the TypeScript CLI with Node's type stripping (Node ≥ 22.18; `npm install` provides it in node_modules/.bin).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const localNode = path.join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'node.cmd' : 'node');
const [major, minor] = process.versions.node.split('.').map(Number);
const node = major > 22 || (major === 22 && minor >= 18) ? process.execPath : localNode;
const result = spawnSync(node, [path.join(root, 'src-main/cli/faceid.ts'), ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(result.status ?? 1);
