/**
 * Loading artifacts from disk: `loadManifest` and `loadRunResults` accept a file, or a directory
 * holding `<name>.json` or `target/<name>.json`. Reading and JSON parsing are the only work beyond
 * `parseManifest` / `parseRunResults`. A valid artifact is read without loading zod (a cold start
 * of the CLI is mostly module loading); when a fast check rejects an entry, the document is read
 * again by `parseManifest` / `parseRunResults`, which throw the same detailed error they always do.
 */
import type { Stats } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ArtifactError } from '../errors.js';
import type { SchemaErrorReporter } from './artifact-errors.js';
import { jsonErrorIndex, textPosition } from './json-position.js';
import { readManifestJson } from './manifest-read.js';
import { readRunResultsJson } from './run-results-read.js';
import type { Manifest, RunResults } from './types.js';

/** Thrown by `deferToZod` and caught here: the document has a schema error to describe. */
class SchemaErrorDeferred extends Error {}

const deferToZod: SchemaErrorReporter = () => {
  throw new SchemaErrorDeferred('a fast check rejected an entry');
};

/** Options of the loaders. */
export interface LoadArtifactOptions {
  /** Aborts reading; the loader then rejects with the signal's reason (an `AbortError`). */
  signal?: AbortSignal | undefined;
}

/**
 * Read `manifest.json` from `path`: the file itself, or `path/manifest.json`, or
 * `path/target/manifest.json` (first found). Errors: `ERR_ARTIFACT_NOT_FOUND` (with every path
 * tried), `ERR_ARTIFACT_READ`, `ERR_ARTIFACT_JSON` (line, column and byte offset of the parse
 * failure), then those of `parseManifest`.
 */
export async function loadManifest(
  path: string,
  opts: LoadArtifactOptions = {},
): Promise<Manifest> {
  const file = await locateArtifact(path, 'manifest.json', opts.signal);
  const json = parseJsonText(await readArtifactText(file, opts.signal), file);
  try {
    return readManifestJson(json, { path: file }, deferToZod);
  } catch (error) {
    if (!(error instanceof SchemaErrorDeferred)) throw error;
  }
  const { parseManifest } = await import('./manifest.js');
  return parseManifest(json, { path: file });
}

/** Read `run_results.json` from a file or a directory, like `loadManifest`. */
export async function loadRunResults(
  path: string,
  opts: LoadArtifactOptions = {},
): Promise<RunResults> {
  const file = await locateArtifact(path, 'run_results.json', opts.signal);
  const json = parseJsonText(await readArtifactText(file, opts.signal), file);
  try {
    return readRunResultsJson(json, { path: file }, deferToZod);
  } catch (error) {
    if (!(error instanceof SchemaErrorDeferred)) throw error;
  }
  const { parseRunResults } = await import('./run-results.js');
  return parseRunResults(json, { path: file });
}

/**
 * The artifact file `path` designates: itself when it is a file, else the first of
 * `path/<fileName>` and `path/target/<fileName>` that exists.
 */
export async function locateArtifact(
  path: string,
  fileName: string,
  signal?: AbortSignal,
): Promise<string> {
  signal?.throwIfAborted();
  const info = await statOrNull(path);
  if (info === null) throw notFound(path, [path], fileName);
  if (!info.isDirectory()) return path;
  const candidates = [join(path, fileName), join(path, 'target', fileName)];
  for (const candidate of candidates) {
    signal?.throwIfAborted();
    const found = await statOrNull(candidate);
    if (found?.isFile()) return candidate;
  }
  throw notFound(path, candidates, fileName);
}

async function statOrNull(path: string): Promise<Stats | null> {
  try {
    return await stat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw new ArtifactError(
      'ERR_ARTIFACT_READ',
      `Cannot access ${path}: ${(error as Error).message}. Check the path and its permissions.`,
      { file: path, cause: error },
    );
  }
}

function notFound(path: string, tried: string[], fileName: string): ArtifactError {
  return new ArtifactError(
    'ERR_ARTIFACT_NOT_FOUND',
    `No ${fileName} at ${path} (tried ${tried.join(', ')}). Run dbt first (e.g. \`dbt compile\` ` +
      'or `dbt build`), then pass the file, the target/ directory or the project directory.',
    { file: path, expected: fileName, details: { tried } },
  );
}

/** The file's text, without a UTF-8 byte order mark. */
export async function readArtifactText(file: string, signal?: AbortSignal): Promise<string> {
  let text: string;
  try {
    text = await readFile(file, signal ? { encoding: 'utf8', signal } : { encoding: 'utf8' });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new ArtifactError(
      'ERR_ARTIFACT_READ',
      `Cannot read ${file}: ${(error as Error).message}. Check the file and its permissions.`,
      { file, cause: error },
    );
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** `JSON.parse`, answering `ERR_ARTIFACT_JSON` with where the text stops being JSON. */
export function parseJsonText(text: string, file: string): unknown {
  if (text.trim() === '') {
    throw new ArtifactError(
      'ERR_ARTIFACT_JSON',
      `${file} is empty (line 1, column 1, byte 0): expected JSON. dbt may have been interrupted ` +
        'while writing it: run dbt again.',
      { file, expected: 'JSON', details: { line: 1, column: 1, byteOffset: 0 } },
    );
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    const position = textPosition(text, jsonErrorIndex(text, error));
    const atEnd = position.index >= text.length;
    throw new ArtifactError(
      'ERR_ARTIFACT_JSON',
      `${file} is not valid JSON: ${(error as Error).message} (line ${position.line}, column ` +
        `${position.column}, byte ${position.byteOffset}). ` +
        (atEnd
          ? 'The file ends too early: it was probably truncated (dbt interrupted, or a partial copy). Run dbt again.'
          : 'Regenerate it with dbt rather than editing it by hand.'),
      {
        file,
        expected: 'JSON',
        details: { line: position.line, column: position.column, byteOffset: position.byteOffset },
        cause: error,
      },
    );
  }
}
