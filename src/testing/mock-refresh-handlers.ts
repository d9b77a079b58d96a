/** Extract refresh triggers and job polls of the mock server. */
import { type RefreshTarget, refreshTargetKey } from '../tableau/types.js';
import { errorAnswer, type MockAnswer, type MockRequest } from './mock-answer.js';
import { jobState } from './mock-jobs.js';
import { type MockElement, renderTsResponse } from './mock-rest-bodies.js';
import type { MockState } from './mock-state.js';

/** A job as Tableau's `<job>` element, at the mock clock's now; null for an unknown job. */
export function jobElement(state: MockState, jobId: string): MockElement | null {
  const job = state.jobs.get(jobId);
  if (job === undefined) return null;
  const s = jobState(job, state.now());
  const children: MockElement[] = [
    { name: job.target.kind, attributes: { id: job.target.luid, name: job.target.name } },
  ];
  if (s.notes !== null) children.push({ name: 'notes', text: s.notes });
  return {
    name: 'job',
    attributes: {
      id: s.id,
      mode: 'Asynchronous',
      type: 'RefreshExtract',
      progress: s.progress,
      createdAt: s.createdAt,
      startedAt: s.startedAt,
      completedAt: s.completedAt,
      finishCode: s.finishCode,
    },
    children: [{ name: 'extractRefreshJob', children }],
  };
}

/** Answer a refresh trigger: 202 with a new job, or 404 / 409 as Tableau answers. */
export function handleRefresh(
  state: MockState,
  req: MockRequest,
  kind: RefreshTarget['kind'],
  luid: string,
): MockAnswer {
  const label = kind === 'workbook' ? 'workbook' : 'datasource';
  state.bump(state.counters.refreshCalls, refreshTargetKey({ kind, luid }));
  const target = state.findTarget(kind, luid);
  if (target === null) {
    return kind === 'workbook'
      ? errorAnswer(
          req.format,
          404,
          '404006',
          'Not Found',
          `Workbook '${luid}' could not be found.`,
        )
      : errorAnswer(
          req.format,
          404,
          '404011',
          'Not Found',
          `Datasource '${luid}' could not be found.`,
        );
  }
  if (!target.hasExtracts) {
    return errorAnswer(
      req.format,
      409,
      '409090',
      'Bad Request',
      `Extract operation for the ${label} '${target.name}' is not allowed.. (Extract operation for the ${label} is not allowed.)`,
    );
  }
  if (state.activeJob(target) !== undefined) {
    return errorAnswer(
      req.format,
      409,
      '409093',
      'Resource Conflict',
      `Job for '${target.name}' is already queued. Not queuing a duplicate.`,
    );
  }
  const job = state.createJob(target);
  const element = jobElement(state, job.id) as MockElement;
  // The trigger response carries only id, mode, type and createdAt (as in the recorded payloads).
  const { id, mode, type, createdAt } = element.attributes ?? {};
  return {
    status: 202,
    body: renderTsResponse(req.format, [
      {
        name: 'job',
        attributes: { id, mode, type, createdAt },
        children: [
          {
            name: 'extractRefreshJob',
            children: [{ name: kind, attributes: { id: target.luid, name: target.name } }],
          },
        ],
      },
    ]),
  };
}
