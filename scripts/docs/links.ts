import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';

/** A Markdown link of a page: where it is and what it points to. */
export interface PageLink {
  readonly page: string;
  readonly line: number;
  readonly target: string;
}

/** Every `[text](target)` of a Markdown text outside code blocks and code spans. */
export function linksOf(page: string, text: string): PageLink[] {
  const links: PageLink[] = [];
  let fenced = false;
  text.split('\n').forEach((line, i) => {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    if (fenced) return;
    const prose = line.replace(/`[^`]*`/g, '');
    for (const match of prose.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) links.push({ page, line: i + 1, target: match[1] as string });
  });
  return links;
}

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to dashes. */
export function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** The anchors a Markdown page offers (a repeated heading gets -1, -2… as on GitHub). */
export function anchorsOf(text: string): Set<string> {
  const anchors = new Set<string>();
  const counts = new Map<string, number>();
  let fenced = false;
  for (const line of text.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    const heading = fenced ? null : /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const base = slug(heading[1] as string);
    const seen = counts.get(base) ?? 0;
    counts.set(base, seen + 1);
    anchors.add(seen === 0 ? base : `${base}-${seen}`);
  }
  return anchors;
}

/**
 * Links of a page (path from the repository root) that lead nowhere: a file that does not exist,
 * or an anchor its target page lacks. Web addresses are not checked.
 */
export function brokenLinks(root: string, page: string): string[] {
  const text = readFileSync(join(root, page), 'utf8');
  const problems: string[] = [];
  for (const link of linksOf(page, text)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(link.target)) continue;
    const [path = '', anchor] = link.target.split('#');
    const target = path === '' ? page : normalize(join(dirname(page), decodeURIComponent(path)));
    const where = `${page}:${link.line}: ${link.target}`;
    if (target.startsWith('..') || !existsSync(join(root, target))) {
      problems.push(`${where}: no file ${target}`);
      continue;
    }
    if (anchor !== undefined && target.endsWith('.md') && !anchorsOf(readFileSync(join(root, target), 'utf8')).has(anchor)) {
      problems.push(`${where}: ${target} has no heading #${anchor}`);
    }
  }
  return problems;
}

/** Every Markdown file below a folder (paths from the repository root), sorted. */
export function markdownFiles(root: string, folder: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(join(root, dir))) {
      const path = join(dir, name);
      if (statSync(join(root, path)).isDirectory()) walk(path);
      else if (name.endsWith('.md')) out.push(path);
    }
  };
  walk(folder);
  return out.sort();
}
