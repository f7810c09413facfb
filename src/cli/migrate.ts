/**
 * `ctmpl migrate [options] CONFIG.hcl|DIR|TEMPLATE.ctmpl…`: converts consul-template's Go
 * templates to Handlebars and its config to a ctmpl YAML config (src/migrate), writes them under
 * --out, and with --verify renders both versions against one Consul and compares them.
 * Exit codes: 0 every template converted (and identical, with --verify); 1 something skipped (or
 * different); 2 bad input (an unreadable file, a bad flag, a file in the way): nothing written.
 */
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { delimiter, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from '@commander-js/extra-typings';
import { parseDuration } from '../config/duration.js';
import { InputError } from '../errors.js';
import { ctmplConfigYaml, type TemplateOutcome } from '../migrate/config.js';
import { planMigration, type MigrationJob, type MigrationPlan } from '../migrate/plan.js';
import { jobLines, runLines, verdictLines } from '../migrate/report.js';
import { verifyConversions, type VerifyItem } from '../migrate/verify.js';
import { refuseOverwrite, writeWhole } from '../migrate/write.js';

export interface MigrateIo {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  out(text: string): void;
  err(text: string): void;
}

const processIo = (): MigrateIo => ({ cwd: process.cwd(), env: process.env, out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) });

const DEFAULT_VERIFY_TIMEOUT = '60s';

function migrateProgram(io: MigrateIo) {
  return new Command('ctmpl migrate')
    .usage('[options] CONFIG.hcl|CONFIG_DIR|TEMPLATE.ctmpl...')
    .description(
      "Convert consul-template's Go templates to Handlebars templates and its HCL config (.hcl or .json files, or a directory of them) to a ctmpl YAML config. " +
        'A template with a construct that cannot be converted faithfully is skipped whole, each such construct reported at file:line:col with what to do. ' +
        'Exit 0: everything converted; 1: something skipped (or, with --verify, rendered differently); 2: bad input, nothing written.',
    )
    .argument('<paths...>', 'consul-template config files or directories, and template files')
    .option('--out <dir>', 'directory to write to: converted templates keep their relative layout; a config becomes ctmpl.yaml beside templates/ (default: the working directory)')
    .option('--force', 'replace files that already exist where migrate writes')
    .option('--verify', 'render every original with consul-template and every conversion with ctmpl against the same Consul, and compare them')
    .option('--consul-addr <address>', "Consul for --verify (default: the config's consul address, then CONSUL_HTTP_ADDR)")
    .option('--consul-template <path>', 'the consul-template binary for --verify (default: consul-template on PATH)')
    .option('--verify-timeout <duration>', `stop each program after this long in --verify (default ${DEFAULT_VERIFY_TIMEOUT})`)
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s), outputError: () => undefined });
}

type MigrateOptions = ReturnType<ReturnType<typeof migrateProgram>['opts']>;

function parseMigrateArgs(argv: readonly string[], io: MigrateIo): { paths: string[]; options: MigrateOptions } | 'help' {
  const program = migrateProgram(io);
  try {
    program.parse(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.exitCode === 0) return 'help';
      throw new InputError(err.message.replace(/^error:\s*/, ''), undefined, 'run ctmpl migrate --help for usage');
    }
    throw err;
  }
  const options = program.opts();
  for (const [flag, value] of Object.entries({ '--out': options.out, '--consul-addr': options.consulAddr, '--consul-template': options.consulTemplate, '--verify-timeout': options.verifyTimeout })) {
    if (value !== undefined && value.trim() === '') throw new InputError(`${flag} needs a value`, undefined, 'run ctmpl migrate --help for usage');
  }
  if (program.args.some((p) => p.trim() === '')) throw new InputError('an empty path was given', undefined, 'give consul-template config files or directories and template files');
  return { paths: program.args, options };
}

/** A file's name in messages: relative to the working directory when inside it. */
function shower(cwd: string): (path: string) => string {
  return (path) => {
    const rel = relative(cwd, path);
    return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
  };
}

async function findOnPath(name: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const path = join(dir, name);
    if (await access(path, constants.X_OK).then(() => true, () => false)) return path;
  }
  return undefined;
}

interface VerifySetup {
  readonly consulAddress: string;
  readonly consulTemplate: string;
  readonly timeoutMs: number;
}

/** What --verify needs, checked before anything is written. */
async function verifySetup(options: MigrateOptions, plan: MigrationPlan, io: MigrateIo): Promise<VerifySetup> {
  const fromConfig = (plan.config?.data.value as { consul?: { address?: unknown } } | undefined)?.consul?.address;
  const consulAddress = options.consulAddr ?? (typeof fromConfig === 'string' ? fromConfig : undefined) ?? (io.env.CONSUL_HTTP_ADDR || undefined);
  if (consulAddress === undefined) throw new InputError('--verify needs a Consul to render from', '--verify', 'give --consul-addr HOST:PORT, or set CONSUL_HTTP_ADDR');
  const consulTemplate = options.consulTemplate ?? (await findOnPath('consul-template', io.env));
  if (consulTemplate === undefined) throw new InputError('--verify renders the originals with consul-template, and none is on PATH', '--verify', 'give its path with --consul-template PATH');
  if (options.consulTemplate !== undefined) {
    await access(consulTemplate, constants.X_OK).catch(() => {
      throw new InputError(`${consulTemplate} is not an executable file`, '--consul-template', 'give the path of the consul-template binary');
    });
  }
  const timeoutMs = parseDuration(options.verifyTimeout ?? DEFAULT_VERIFY_TIMEOUT, '--verify-timeout');
  if (timeoutMs <= 0) throw new InputError('--verify-timeout must be longer than 0', undefined, 'give a duration such as 30s or 2m');
  return { consulAddress, consulTemplate, timeoutMs };
}

/** What each of the config's templates became, for its YAML. */
function outcomes(plan: MigrationPlan, configDir: string): Map<number, TemplateOutcome> {
  const map = new Map<number, TemplateOutcome>();
  for (const job of plan.jobs) {
    const outcome: TemplateOutcome = !job.result.ok
      ? { kind: 'skipped', why: `${job.name}: ${job.result.problems.length} construct(s) cannot be converted (see the report of ctmpl migrate)` }
      : job.output === undefined
        ? { kind: 'contents', contents: job.result.output }
        : { kind: 'file', source: relative(configDir, job.output) };
    for (const index of job.configIndexes) map.set(index, outcome);
  }
  return map;
}

async function verify(jobs: readonly MigrationJob[], setup: VerifySetup, io: MigrateIo): Promise<boolean> {
  const converted = jobs.filter((j) => j.result.ok);
  const items = converted.map(
    (j): VerifyItem => ({
      name: j.name,
      original: j.source !== undefined ? { path: j.source } : { text: j.text },
      delimiters: j.delimiters,
      converted: j.output !== undefined ? { path: j.output } : { text: j.result.ok ? j.result.output : '' },
      strict: j.strict,
    }),
  );
  if (items.length === 0) return true;
  io.out(`verify: rendering ${items.length} template(s) with consul-template and with ctmpl from Consul at ${setup.consulAddress}\n`);
  const ctmpl = { command: process.execPath, args: [fileURLToPath(new URL('../bin.js', import.meta.url))] };
  const report = await verifyConversions(items, { consulAddress: setup.consulAddress, consulTemplate: setup.consulTemplate, ctmpl, timeoutMs: setup.timeoutMs });
  report.verdicts.forEach((v, i) => io.out(`${verdictLines(items[i]?.name ?? '?', v).join('\n')}\n`));
  const missedBy = new Set(report.verdicts.flatMap((v) => (v.kind === 'not rendered' ? v.by : [])));
  for (const run of report.runs) if (missedBy.has(run.program)) io.out(`${runLines(run, setup.timeoutMs).join('\n')}\n`);
  const same = report.verdicts.filter((v) => v.kind === 'identical').length;
  io.out(`verify: ${same} of ${items.length} identical\n`);
  return same === items.length;
}

/** Runs `ctmpl migrate` with the arguments after `migrate`; returns the exit code. */
export async function runMigrate(argv: readonly string[], io: MigrateIo = processIo()): Promise<number> {
  try {
    const parsed = parseMigrateArgs(argv, io);
    if (parsed === 'help') return 0;
    const { paths, options } = parsed;
    const show = shower(io.cwd);
    const out = resolve(io.cwd, options.out ?? '.');
    const plan = await planMigration(paths, { cwd: io.cwd, out, show });
    const setup = options.verify ? await verifySetup(options, plan, io) : undefined;
    const converted = plan.jobs.filter((j) => j.result.ok);
    // A config whose every template was skipped would not load: it is not written then.
    const writeConfig = plan.config !== undefined && (plan.config.templates.length === 0 || converted.some((j) => j.configIndexes.length > 0));
    const files = new Map<string, string>();
    for (const job of converted) if (job.output !== undefined && job.result.ok) files.set(job.output, job.result.output);
    if (writeConfig && plan.config && plan.configOutput) {
      const from = plan.configPaths.map(show).join(', ');
      files.set(plan.configOutput, ctmplConfigYaml(plan.config, outcomes(plan, dirname(plan.configOutput)), { cwd: io.cwd, from }));
    }
    await refuseOverwrite(files.keys(), options.force ?? false, show);
    for (const [path, text] of files) {
      await writeWhole(path, text).catch((err: NodeJS.ErrnoException) => {
        throw new InputError(`cannot write ${show(path)} (${err.code ?? err.message})`, '--out', 'check that the output directory can be written');
      });
    }

    for (const job of plan.jobs) io.out(`${jobLines(job, show).join('\n')}\n`);
    for (const w of plan.config?.warnings ?? []) io.out(`note       ${w.where}: ${w.message}${w.hint ? ` (${w.hint})` : ''}\n`);
    if (plan.configOutput !== undefined) {
      io.out(writeConfig ? `wrote      ${show(plan.configOutput)}\n` : `not written ${show(plan.configOutput)}: none of the config's templates could be converted\n`);
    }
    const skipped = plan.jobs.length - converted.length;
    io.out(`migrate: ${converted.length} of ${plan.jobs.length} template(s) converted${skipped > 0 ? `, ${skipped} skipped` : ''}\n`);
    const identical = setup ? await verify(plan.jobs, setup, io) : true;
    return skipped > 0 || !identical ? 1 : 0;
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    io.err(`ctmpl: error: ${err.describe()}\n`);
    return 2;
  }
}
