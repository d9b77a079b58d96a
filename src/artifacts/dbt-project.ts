/**
 * What is read from a project's `dbt_project.yml` (parsed with the yaml package): its name, its
 * target path, its model paths and every resource path, with dbt's defaults.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { ArtifactError, abortedError } from '../errors.js';

/** The facts of a dbt project's `dbt_project.yml`. */
export interface DbtProject {
  /** The dbt_project.yml read; null when the directory has none (every fact is then dbt's default). */
  file: string | null;
  /** `name`; null when not set. */
  name: string | null;
  /**
   * `target-path` as written, relative to the project unless absolute; it may hold Jinja
   * (`{{ env_var(…) }}`), which only dbt renders. Null when not set: dbt's default is `target`.
   */
  targetPath: string | null;
  /** `model-paths` (before dbt 1.0: `source-paths`), or dbt's default `['models']`. */
  modelPaths: string[];
  /**
   * The directories dbt reads properties YAML from (so where hand-written exposures live):
   * model, seed, snapshot, analysis, macro and test paths, as set or dbt's defaults; once each.
   */
  resourcePaths: string[];
}

/** Options of `loadDbtProject`. */
export interface LoadDbtProjectOptions {
  signal?: AbortSignal | undefined;
}

/** dbt's resource path keys (the pre-1.0 name second) and their defaults. */
const RESOURCE_PATHS: ReadonlyArray<readonly [keys: string[], fallback: string]> = [
  [['model-paths', 'source-paths'], 'models'],
  [['seed-paths', 'data-paths'], 'seeds'],
  [['snapshot-paths'], 'snapshots'],
  [['analysis-paths'], 'analyses'],
  [['macro-paths'], 'macros'],
  [['test-paths'], 'tests'],
];

/**
 * Read `dir/dbt_project.yml`. A directory without one gives `file: null` and dbt's defaults. A
 * value of another type than dbt accepts (a number as a path…) reads as not set: dbt itself
 * rejects such a file with a better message than ours.
 *
 * @throws ArtifactError `ERR_ARTIFACT_READ` (the file cannot be read), `ERR_ARTIFACT_SCHEMA` (not
 *   valid YAML, with `details.line`/`column`, or not a mapping at the top level); `ERR_ABORTED`.
 */
export async function loadDbtProject(
  dir: string,
  options: LoadDbtProjectOptions = {},
): Promise<DbtProject> {
  const { signal } = options;
  const file = join(dir, 'dbt_project.yml');
  let text: string;
  try {
    text = await readFile(file, signal ? { encoding: 'utf8', signal } : { encoding: 'utf8' });
  } catch (error) {
    if (signal?.aborted) throw abortedError(`Reading ${file}`, signal);
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return projectFacts(null, {});
    throw new ArtifactError(
      'ERR_ARTIFACT_READ',
      `Cannot read ${file}: ${(error as Error).message}. Check the file and its permissions.`,
      { file, hint: 'check the file and its permissions', cause: error },
    );
  }
  const document = parseDocument(file, text);
  return projectFacts(file, document);
}

const HINT = 'fix dbt_project.yml: dbt cannot read it either (`dbt debug` checks it)';

function parseDocument(file: string, text: string): Record<string, unknown> {
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    const at = error instanceof YAMLParseError ? error.linePos?.[0] : undefined;
    const reason = (error as Error).message.split('\n')[0]!.replace(/:$/, '');
    throw new ArtifactError('ERR_ARTIFACT_SCHEMA', `${file} is not valid YAML: ${reason}.`, {
      file,
      expected: 'YAML',
      hint: HINT,
      ...(at ? { details: { line: at.line, column: at.col } } : {}),
      cause: error,
    });
  }
  if (document === null || document === undefined) return {};
  if (typeof document !== 'object' || Array.isArray(document)) {
    throw new ArtifactError(
      'ERR_ARTIFACT_SCHEMA',
      `${file} must hold a mapping of settings (name: …, model-paths: …), got ${
        Array.isArray(document) ? 'a list' : `a ${typeof document}`
      }.`,
      { file, field: '(the top level)', expected: 'a mapping', hint: HINT },
    );
  }
  return document as Record<string, unknown>;
}

function projectFacts(file: string | null, settings: Record<string, unknown>): DbtProject {
  const setting = (keys: string[]) => {
    const key = keys.find((k) => settings[k] !== undefined && settings[k] !== null);
    return key === undefined ? undefined : settings[key];
  };
  const pathsOf = (keys: string[], fallback: string) => pathList(setting(keys)) ?? [fallback];
  const name = settings.name;
  const targetPath = settings['target-path'];
  return {
    file,
    name: typeof name === 'string' ? name : null,
    targetPath: typeof targetPath === 'string' && targetPath.trim() !== '' ? targetPath : null,
    modelPaths: pathsOf(['model-paths', 'source-paths'], 'models'),
    resourcePaths: [
      ...new Set(RESOURCE_PATHS.flatMap(([keys, fallback]) => pathsOf(keys, fallback))),
    ],
  };
}

/** dbt takes a list of paths (a single string is read as one); undefined: not a path setting. */
function pathList(value: unknown): string[] | undefined {
  if (typeof value === 'string') return value === '' ? [] : [value];
  if (!Array.isArray(value)) return undefined;
  return value.filter((v): v is string => typeof v === 'string' && v !== '');
}
