import { InputError } from '../../errors.js';
import { keyName } from '../origins.js';
import { CONSUL_TEMPLATE_KEYS, consulTemplateKeysIn, nearestName, type BlockRule, type KeyRule, type MappedRule, type RefusedRule } from './consul-template-keys.js';
import { splitPath } from './ctmpl-keys.js';
import { whereOf } from './source.js';
import { childOf, nodeAt, objectNode, toPlain, type ListNode, type Node, type ObjectNode } from './tree.js';
import type { HclWarning } from './warning.js';

type TargetPath = (string | number)[];

/**
 * Renames a config read with consul-template's keys to ctmpl's (CONSUL_TEMPLATE_KEYS): `template`
 * blocks become `templates`, `deduplicate` becomes `dedup`, `max_stale` moves into `consul`…
 * Every value keeps its position, so errors about ctmpl's keys point at what was written.
 * Refused keys stop the load (InputError at the key) or, for ones that change nothing essential
 * (logging, connection tuning), are dropped with a warning. Keys consul-template does not have
 * are kept where they are, for ctmpl's schema to accept (its own keys) or reject (typos).
 */
export function translateConfig(root: ObjectNode, warnings: HclWarning[]): ObjectNode {
  const translator = new Translator(objectNode(root.at, root.keyAt), warnings);
  translator.block(root, '', [], undefined);
  return translator.root;
}

/** consul-template's key as its users write it: `template.exec`, not `template[].exec`. */
const human = (path: string): string => path.replace(/\[\]/g, '');
const blockName = (path: string): string => (path === '' ? 'the top level' : `${human(path)} { }`);
const lastKey = (path: string): string => path.slice(path.lastIndexOf('.') + 1);
const displayKey = (path: string, node: Node): string => (node.kind === 'object' ? `${human(path)} { }` : human(path));

function targetOf(to: string, templateIndex: number | undefined): TargetPath {
  return splitPath(to).map((segment) => (segment === '[]' ? (templateIndex ?? 0) : segment));
}

class Translator {
  /** Which consul-template key filled each ctmpl key, for conflicts. */
  private readonly filledBy = new Map<string, string>();
  /** Blocks made for a moved key (`consul` for `max_stale`) before the real block was seen. */
  private readonly madeUp = new Set<ObjectNode>();

  constructor(
    readonly root: ObjectNode,
    private readonly warnings: HclWarning[],
  ) {}

  /** Reads the keys of a consul-template block at `ctPath`; keys it lacks go into `into`, if any. */
  block(node: ObjectNode, ctPath: string, into: TargetPath | undefined, templateIndex: number | undefined, template?: ObjectNode): void {
    for (const [key, child] of node.entries) {
      const path = ctPath === '' ? key : `${ctPath}.${key}`;
      const rule = CONSUL_TEMPLATE_KEYS.get(path);
      if (rule === undefined) {
        if (into) this.put([...into, key], child, path);
        else throw this.unknownKey(key, child, ctPath);
      } else if (rule.kind === 'mapped') {
        this.mapped(rule, path, child, templateIndex, template);
      } else if (rule.kind === 'refused') {
        this.refused(rule, path, child);
      } else {
        this.subBlock(rule, path, child, templateIndex, template);
      }
    }
  }

  private subBlock(rule: BlockRule, path: string, child: Node, templateIndex: number | undefined, template: ObjectNode | undefined): void {
    if (rule.list && rule.to !== undefined) {
      const list: ListNode = { kind: 'list', items: [], at: child.at, keyAt: child.keyAt };
      this.root.entries.set(rule.to, list);
      const blocks = child.kind === 'list' ? child.items : [child];
      blocks.forEach((item, index) => {
        if (item.kind !== 'object') throw new InputError(`${human(path)} must be a block`, whereOf(item.at), 'write template { source = "…" destination = "…" }');
        list.items.push(objectNode(item.at, item.keyAt));
        this.block(item, `${path}[]`, [rule.to as string, index], index, item);
      });
      return;
    }
    const into = rule.to === undefined ? undefined : targetOf(rule.to, templateIndex);
    if (child.kind === 'object') {
      if (into) this.blockAt(into, child);
      this.block(child, path, into, templateIndex, template);
    } else if (into && rule.value) {
      this.put(into, child, path);
    } else {
      throw new InputError(`${human(path)} must be a block`, whereOf(child.at), `write ${lastKey(path)} { … }`);
    }
  }

  private mapped(rule: MappedRule, path: string, child: Node, templateIndex: number | undefined, template: ObjectNode | undefined): void {
    const winner = rule.yieldsTo?.replace(/^template\[\]\./, '');
    if (winner !== undefined && template && nodeAt(template, winner.split('.'))) {
      const where = whereOf(child.keyAt);
      this.warnings.push({ where, message: `${human(path)} is ignored: ${winner} in the same template wins, as in consul-template`, hint: `remove ${lastKey(path)}` });
      return;
    }
    let node = child;
    if (child.kind === 'scalar') {
      const note = rule.warn?.(child.value, child.raw);
      if (note) this.warnings.push({ where: whereOf(child.at), message: note });
      if (rule.convert) node = { ...child, value: rule.convert(child.value) as typeof child.value };
    }
    this.put(targetOf(rule.to, templateIndex), node, path);
  }

  private refused(rule: RefusedRule, path: string, child: Node): void {
    if (everythingHarmless(rule, path, child)) return;
    const what = `consul-template's ${displayKey(path, child)}`;
    if (rule.fatal) throw new InputError(`${what} is not supported`, whereOf(child.keyAt), rule.reason);
    this.warnings.push({ where: whereOf(child.keyAt), message: `${what} is ignored`, hint: rule.reason });
  }

  /** Puts a value at a ctmpl key, making the blocks on the way. */
  private put(target: TargetPath, node: Node, ctPath: string): void {
    const parent = this.containerOf(target, node);
    const key = String(target[target.length - 1]);
    const name = keyName(target);
    const earlier = this.filledBy.get(name);
    if (earlier !== undefined || parent.entries.has(key)) {
      throw new InputError(`${human(ctPath)} and ${human(earlier ?? key)} both set ${name}`, whereOf(node.keyAt), 'keep one of them');
    }
    parent.entries.set(key, node);
    this.filledBy.set(name, ctPath);
  }

  /** Marks where a block that has a ctmpl counterpart was written, so locate() finds it there. */
  private blockAt(target: TargetPath, block: ObjectNode): void {
    const parent = this.containerOf(target, block);
    const key = String(target[target.length - 1]);
    const existing = parent.entries.get(key);
    if (existing === undefined || (existing.kind === 'object' && this.madeUp.has(existing))) {
      parent.entries.set(key, objectNode(block.at, block.keyAt, existing?.kind === 'object' ? existing.entries : new Map()));
    }
  }

  private containerOf(target: TargetPath, placeLike: Node): ObjectNode {
    let node: Node = this.root;
    for (const segment of target.slice(0, -1)) {
      let next = childOf(node, segment);
      if (next === undefined && node.kind === 'object') {
        const made = objectNode(placeLike.keyAt, placeLike.keyAt);
        this.madeUp.add(made);
        node.entries.set(String(segment), made);
        next = made;
      }
      if (next === undefined || next.kind === 'scalar') {
        throw new InputError(`${keyName(target)} cannot be set: ${keyName(target.slice(0, -1))} is not a block`, whereOf(placeLike.keyAt), 'keep one of them');
      }
      node = next;
    }
    if (node.kind !== 'object') throw new InputError(`${keyName(target)} cannot be set here`, whereOf(placeLike.keyAt), 'check the block it is in');
    return node;
  }

  private unknownKey(key: string, child: Node, ctPath: string): InputError {
    const known = consulTemplateKeysIn(ctPath);
    const nearest = nearestName(key, known);
    const hint = nearest ? `did you mean "${nearest}"?` : `${blockName(ctPath)} takes ${known.join(', ')}`;
    return new InputError(`unknown key "${key}" in ${blockName(ctPath)}`, whereOf(child.keyAt), hint);
  }
}

/** Whether a refused key (or every key of a refused block) has a value that changes nothing. */
function everythingHarmless(rule: KeyRule, path: string, node: Node): boolean {
  if (node.kind !== 'object') return rule.kind === 'refused' && rule.harmless !== undefined && rule.harmless(toPlain(node));
  return [...node.entries].every(([key, child]) => everythingHarmless(CONSUL_TEMPLATE_KEYS.get(`${path}.${key}`) ?? rule, `${path}.${key}`, child));
}
