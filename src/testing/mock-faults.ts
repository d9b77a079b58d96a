/**
 * Fault injection for the mock server. A rule attaches a fault to a route and says which of that
 * route's requests it hits: it skips the first `after` requests, then hits every `every`-th one,
 * at most `times` times (default once). Rules are checked in the order they were added; the first
 * one that hits applies.
 */
import type { RawGraphQLError } from '../tableau/raw-types.js';

/** The routes of the mock server, for counters and faults (`*` = every route). */
export type MockRoute =
  | 'serverinfo'
  | 'signin'
  | 'signout'
  | 'graphql'
  | 'collections'
  | 'collection-items'
  | 'refresh-workbook'
  | 'refresh-datasource'
  | 'job'
  | 'unknown';

/** Every route name, in a stable order. */
export const MOCK_ROUTES: readonly MockRoute[] = [
  'serverinfo',
  'signin',
  'signout',
  'graphql',
  'collections',
  'collection-items',
  'refresh-workbook',
  'refresh-datasource',
  'job',
  'unknown',
];

/** A fault. */
export type MockFault =
  /** Delay the answer (the request is then handled normally). */
  | { kind: 'latency'; ms: number }
  /** Answer 429 with Tableau Cloud's HTML page; `retryAfter` (seconds or an HTTP date) sets `Retry-After`. */
  | { kind: 'rate-limit'; retryAfter?: number | string }
  /** Answer this status (500, 502, 503, 408…) with a Tableau error body, or an HTML page with `html`. */
  | { kind: 'status'; status: number; html?: boolean; retryAfter?: number | string }
  /** Destroy the socket without answering. */
  | { kind: 'drop' }
  /** Send the headers and half of the real body, then destroy the socket. */
  | { kind: 'truncate' }
  /** End the caller's session before handling the request (it then gets 401000). */
  | { kind: 'expire-session' }
  /** GraphQL only: add errors to the real answer (partial data) or replace the data (`partial: false`). */
  | { kind: 'graphql-errors'; errors?: RawGraphQLError[]; partial?: boolean };

/** When a fault hits. */
export interface MockFaultSchedule {
  /** Requests of the route let through before the rule can hit. Default 0. */
  after?: number;
  /** Hit every n-th request after that. Default 1 (each one). */
  every?: number;
  /** How many times the rule hits. Default 1; `Infinity` for a permanent fault. */
  times?: number;
}

/** A fault with its schedule. */
export interface MockFaultRule extends MockFaultSchedule {
  fault: MockFault;
}

/** A fault (hits once), a rule, or a list of rules. */
export type MockFaultSpec = MockFault | MockFaultRule | (MockFault | MockFaultRule)[];

interface ActiveRule {
  route: MockRoute | '*';
  rule: Required<MockFaultSchedule> & { fault: MockFault };
  seen: number;
  hits: number;
}

function toRule(spec: MockFault | MockFaultRule): MockFaultRule {
  return 'fault' in spec ? spec : { fault: spec };
}

/** The fault rules of one server. */
export class FaultBook {
  readonly #rules: ActiveRule[] = [];

  /** Add rules for a route. */
  add(route: MockRoute | '*', spec: MockFaultSpec): void {
    for (const item of Array.isArray(spec) ? spec : [spec]) {
      const rule = toRule(item);
      this.#rules.push({
        route,
        rule: {
          after: rule.after ?? 0,
          every: Math.max(1, rule.every ?? 1),
          times: rule.times ?? 1,
          fault: rule.fault,
        },
        seen: 0,
        hits: 0,
      });
    }
  }

  /** Remove every rule (of one route, or all). */
  clear(route?: MockRoute | '*'): void {
    for (let i = this.#rules.length - 1; i >= 0; i--) {
      if (route === undefined || this.#rules[i]?.route === route) this.#rules.splice(i, 1);
    }
  }

  /** The fault hitting this request of `route`, if any (advances every matching rule's count). */
  next(route: MockRoute): MockFault | null {
    let chosen: MockFault | null = null;
    for (const active of this.#rules) {
      if (active.route !== route && active.route !== '*') continue;
      active.seen += 1;
      if (chosen !== null) continue;
      const { after, every, times } = active.rule;
      const position = active.seen - after;
      if (position >= 1 && position % every === 0 && active.hits < times) {
        active.hits += 1;
        chosen = active.rule.fault;
      }
    }
    return chosen;
  }
}
