/**
 * `parseManifest`: raw manifest JSON (any schema version, v1 to v12 and dbt Fusion) to the
 * version-agnostic `Manifest`. Pure. The reading is in manifest-read.ts; this module adds zod's
 * detailed error for an entry a fast check rejects (loaders reach it only on that path).
 */

import type { ParseArtifactOptions } from './manifest-read.js';
import { readManifestJson } from './manifest-read.js';
import { reportWithZod } from './raw-schemas.js';
import type { Manifest } from './types.js';

export { isFusionVersion, type ParseArtifactOptions } from './manifest-read.js';

/**
 * Read a parsed `manifest.json`. Throws `ArtifactError` with `ERR_ARTIFACT_KIND` (another artifact
 * such as catalog.json or run_results.json), `ERR_ARTIFACT_VERSION` (an unreadable schema version,
 * or a newer one whose fields changed) or `ERR_ARTIFACT_SCHEMA` (a field read has the wrong type;
 * the error's `field` is its JSON path). A schema newer than v12 whose fields read are intact is
 * read, with a `warn` note in `notes`.
 *
 * `nodes` holds matchable nodes only: enabled models, seeds and snapshots that are not ephemeral,
 * and enabled sources; never tests, analyses, operations, unit tests or `disabled` entries. Maps
 * keep the file's order.
 */
export function parseManifest(json: unknown, opts: ParseArtifactOptions = {}): Manifest {
  return readManifestJson(json, opts, reportWithZod);
}
