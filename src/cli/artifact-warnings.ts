/**
 * Warnings about the dbt artifacts a command read, on stderr: an artifact whose schema is newer
 * than this library knows (read anyway: the fields used are there), and a run_results.json that
 * does not belong with the manifest (see checkArtifactPairing).
 */
import { checkArtifactPairing } from '../artifacts/pairing.js';
import type { ArtifactNote, Manifest, RunResults } from '../artifacts/types.js';
import { plainText } from '../util/terminal-text.js';
import type { CliIo } from './io.js';

/** Notes worth a line on every run (others, such as one per node without a relation, are not). */
const PRINTED_NOTES: ReadonlySet<string> = new Set(['ARTIFACT_VERSION_NEWER']);

export function warnAboutArtifacts(
  io: CliIo,
  artifacts: ReadonlyArray<{ notes: readonly ArtifactNote[] }>,
): void {
  for (const artifact of artifacts) {
    for (const note of artifact.notes) {
      if (PRINTED_NOTES.has(note.code)) io.stderr.write(`warning: ${plainText(note.message)}\n`);
    }
  }
}

export function warnAboutPairing(io: CliIo, runResults: RunResults, manifest: Manifest): void {
  for (const note of checkArtifactPairing(runResults, manifest)) {
    io.stderr.write(`warning: ${plainText(note.message)}\n`);
  }
}
