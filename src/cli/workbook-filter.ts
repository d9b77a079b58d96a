/** The workbook filter from flags, else the config file's `filter` section. */
import type { WorkbookFilter } from '../tableau/types.js';
import type { ConfigFile } from './config-file.js';
import { listFlag } from './flag-values.js';
import type { ParsedFlags } from './flags.js';

/** Each filter list from its flag (comma lists allowed), else from the config file. */
export function resolveWorkbookFilter(flags: ParsedFlags, config: ConfigFile): WorkbookFilter {
  const filter: WorkbookFilter = {};
  const cfg = config.filter ?? {};
  const projects = listFlag(flags, 'project') ?? cfg.projects;
  const collections = listFlag(flags, 'collection') ?? cfg.collections;
  const tags = listFlag(flags, 'tag') ?? cfg.tags;
  const include = listFlag(flags, 'include') ?? cfg.include;
  const exclude = listFlag(flags, 'exclude') ?? cfg.exclude;
  if (projects !== undefined) filter.projects = projects;
  if (collections !== undefined) filter.collections = collections;
  if (tags !== undefined) filter.tags = tags;
  if (include !== undefined) filter.include = include;
  if (exclude !== undefined) filter.exclude = exclude;
  const personal = flags['include-personal-space'] === true ? true : cfg.includePersonalSpace;
  if (personal !== undefined) filter.includePersonalSpace = personal;
  return filter;
}
