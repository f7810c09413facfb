import type { Dirent } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../../errors.js';
import type { DataFile } from '../data-file.js';
import { decodeFile } from './decode.js';
import { mergeConfigNodes } from './merge.js';
import { parseSyntax } from './parser.js';
import { SourceText, whereOf } from './source.js';
import { translateConfig } from './translate.js';
import { locateIn, objectNode, toPlain, type ObjectNode } from './tree.js';
import type { HclReadOptions, HclWarning } from './warning.js';

/**
 * A consul-template config (HCL 1, or JSON) read into ctmpl's key names. `locate` takes ctmpl's
 * key paths (['templates', 1, 'destination']) and answers with the file, line and column where
 * the value was written, in whichever file of a directory it came from.
 */
export interface HclDataFile extends DataFile {
  /** What ctmpl reads differently from consul-template or ignores; for the log. */
  readonly warnings: readonly HclWarning[];
}

export function parseHclText(path: string, text: string, options: HclReadOptions = {}): HclDataFile {
  const warnings: HclWarning[] = [];
  const root = decodeText(path, text, options, warnings);
  return dataFile(path, root, whereOf(root.at), warnings);
}

export async function readHclConfig(path: string, options: HclReadOptions = {}): Promise<HclDataFile> {
  return parseHclText(path, await readText(path), options);
}

/**
 * Every file under `dir` (subdirectories too, each level in name order; any name, hidden files
 * included), merged as consul-template's `-config DIR` merges them: templates appended, blocks
 * merged key by key, other values replaced by the later file's.
 */
export async function readHclConfigDir(dir: string, options: HclReadOptions = {}): Promise<HclDataFile> {
  const warnings: HclWarning[] = [];
  let merged: ObjectNode | undefined;
  for (const path of await filesUnder(dir)) {
    const root = decodeText(path, await readText(path), options, warnings);
    merged = merged ? (mergeConfigNodes(merged, root) as ObjectNode) : root;
  }
  const start = { source: new SourceText(dir, ''), offset: 0 };
  return dataFile(dir, merged ?? objectNode(start), dir, warnings);
}

/** A file or a directory, as consul-template's -config takes either. */
export async function readHclConfigPath(path: string, options: HclReadOptions = {}): Promise<HclDataFile> {
  const info = await stat(path).catch((err: unknown) => Promise.reject(unreadable(path, err)));
  return info.isDirectory() ? readHclConfigDir(path, options) : readHclConfig(path, options);
}

/**
 * Several -config paths (files or directories), merged in the order given as consul-template
 * merges them: each directory's files in name order, later values winning, templates appended.
 */
export async function readHclConfigPaths(paths: readonly string[], options: HclReadOptions = {}): Promise<HclDataFile> {
  if (paths.length === 1) return readHclConfigPath(paths[0] as string, options);
  const warnings: HclWarning[] = [];
  let merged: ObjectNode | undefined;
  for (const path of paths) {
    const info = await stat(path).catch((err: unknown) => Promise.reject(unreadable(path, err)));
    for (const file of info.isDirectory() ? await filesUnder(path) : [path]) {
      const root = decodeText(file, await readText(file), options, warnings);
      merged = merged ? (mergeConfigNodes(merged, root) as ObjectNode) : root;
    }
  }
  const whole = paths.join(', ');
  const start = { source: new SourceText(whole, ''), offset: 0 };
  return dataFile(whole, merged ?? objectNode(start), whole, warnings);
}

function decodeText(path: string, text: string, options: HclReadOptions, warnings: HclWarning[]): ObjectNode {
  // hashicorp/hcl reads CRLF files as LF; a byte order mark is no part of the config.
  const source = new SourceText(path, text.replace(/^\uFEFF/, '').replace(/\r\n/g, '\n'));
  return decodeFile(parseSyntax(source), source, options, warnings);
}

function dataFile(path: string, consulTemplateRoot: ObjectNode, whole: string, warnings: HclWarning[]): HclDataFile {
  const root = translateConfig(consulTemplateRoot, warnings);
  return { path, value: toPlain(root), warnings, locate: (keys, atKey) => locateIn(root, whole, keys, atKey) };
}

function unreadable(path: string, err: unknown): InputError {
  const code = (err as NodeJS.ErrnoException).code ?? String(err);
  return new InputError(`cannot read the config (${code})`, path, `check that ${path} exists and is readable`);
}

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EISDIR') {
      throw new InputError('a link to a directory inside a config directory is not followed', path, 'consul-template does not follow it either: move the files into the directory');
    }
    throw unreadable(path, err);
  }
}

/** Go's filepath.Walk order: names sorted bytewise, a directory's files where its name sorts. */
async function filesUnder(dir: string): Promise<string[]> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    throw unreadable(dir, err);
  }
  entries.sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)));
  const files: string[] = [];
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await filesUnder(path)));
    else files.push(path);
  }
  return files;
}
