import type { RecurrenceType } from '../../severa/models';
import {
  Cursors,
  queryBoolean,
  queryInstant,
  queryList,
  type Route,
  type RouteRequest,
} from './http';
import { API_WRITER, SandboxError, type ActivitySeed, type SeveraSandboxStore } from './store';

/** A `/v1` route with the API scope its token must carry (the document's `security`). */
export interface ApiRoute extends Route {
  scope: string;
  /** For a route on one item: whether it exists (see `setExistenceBeforeScope`). */
  exists?: (params: string[]) => boolean;
}

const GUID = '([^/]+)';
const RECURRENCE_TYPES = ['None', 'Occurrence', 'Exception', 'Series'];

function body(req: RouteRequest): Record<string, unknown> {
  if (!req.body || typeof req.body !== 'object' || Array.isArray(req.body)) {
    throw new SandboxError(400, 'InvalidRequest', 'The request body must be a JSON object.');
  }
  return req.body as Record<string, unknown>;
}

function required(value: Record<string, unknown>, name: string): string {
  const v = value[name];
  if (typeof v !== 'string' || v.length === 0) {
    throw new SandboxError(400, 'InvalidParameter', `The ${name} field is required.`, {
      type: 'RequestBody',
      name,
    });
  }
  return v;
}

function recurrenceFilter(query: URLSearchParams): RecurrenceType | undefined {
  const value = query.get('recurrenceType');
  if (value === null) return undefined;
  if (!RECURRENCE_TYPES.includes(value)) {
    throw new SandboxError(
      400,
      'InvalidParameter',
      `The value '${value}' is not valid for recurrenceType.`,
      { type: 'UriParameter', name: 'recurrenceType' },
    );
  }
  return value as RecurrenceType;
}

/** The parts of Severa's REST API this product uses (reference/severa-api.md §2–4), with its semantics. */
export function apiRoutes(store: SeveraSandboxStore): ApiRoute[] {
  const cursors = new Cursors();
  const notFound = () => ({ status: 404 });
  return [
    {
      method: 'GET',
      pattern: /^\/v1\/users$/,
      scope: 'users:read',
      handle: ({ query }) => {
        const isActive = queryBoolean(query, 'isActive');
        const email = query.get('email')?.trim().toLowerCase();
        return cursors.page(query, () =>
          [...store.users.values()]
            .filter(
              (u) =>
                (isActive === undefined || u.isActive === isActive) &&
                (email === undefined || u.email?.toLowerCase() === email),
            )
            .map(store.answerUser),
        );
      },
    },
    {
      method: 'GET',
      pattern: /^\/v1\/activitytypes$/,
      scope: 'settings:read',
      handle: ({ query }) => {
        const active = queryBoolean(query, 'active');
        const categories = queryList(query, 'category');
        return cursors.page(query, () =>
          [...store.activityTypes.values()]
            .filter(
              (t) =>
                (active === undefined || t.isActive === active) &&
                (!categories || categories.includes(t.category)),
            )
            .map(store.answerActivityType),
        );
      },
    },
    {
      method: 'GET',
      pattern: /^\/v1\/activities$/,
      scope: 'activities:read',
      handle: ({ query }) => {
        const filter = {
          changedSince: queryInstant(query, 'changedSince'),
          start: queryInstant(query, 'startDateTime'),
          end: queryInstant(query, 'endDateTime'),
          strict: queryBoolean(query, 'useStrictStartAndEndDateTime'),
          userGuids: queryList(query, 'userGuids'),
          includeAsMember: queryBoolean(query, 'includeAsMember'),
          activityTypeGuids: queryList(query, 'activityTypeGuids'),
          categories: queryList(query, 'activityCategories'),
          recurrenceType: recurrenceFilter(query),
          closed: queryBoolean(query, 'closed'),
        };
        return cursors.page(query, () => store.queryActivities(filter).map(store.answerActivity));
      },
    },
    {
      method: 'GET',
      pattern: new RegExp(`^/v1/activities/${GUID}$`),
      scope: 'activities:read',
      handle: ({ params }) => {
        const activity = store.getActivity(params[0] as string);
        return activity ? { status: 200, body: store.answerActivity(activity) } : notFound();
      },
    },
    {
      method: 'POST',
      pattern: /^\/v1\/activities$/,
      scope: 'activities:write',
      handle: (req) => {
        const input = body(req);
        required(input, 'name');
        required(input, 'startDateTime');
        const { guid: _ignored, ...seed } = input;
        const created = store.putActivity(seed as unknown as ActivitySeed, API_WRITER);
        return { status: 201, body: store.answerActivity(created) };
      },
    },
    {
      method: 'PATCH',
      pattern: new RegExp(`^/v1/activities/${GUID}$`),
      scope: 'activities:write',
      exists: ([guid]) => !!store.getActivity(guid as string),
      handle: ({ params, body: ops }) => {
        const guid = params[0] as string;
        if (!store.getActivity(guid)) return notFound();
        return { status: 200, body: [store.answerActivity(store.patchActivity(guid, ops))] };
      },
    },
    {
      method: 'DELETE',
      pattern: new RegExp(`^/v1/activities/${GUID}$`),
      scope: 'activities:delete',
      exists: ([guid]) => !!store.getActivity(guid as string),
      handle: ({ params }) =>
        store.deleteActivity(params[0] as string) ? { status: 204 } : notFound(),
    },
    {
      method: 'GET',
      pattern: new RegExp(`^/v1/activities/${GUID}/activityparticipants$`),
      scope: 'activities:read',
      handle: ({ params }) => {
        const guid = params[0] as string;
        return store.getActivity(guid)
          ? { status: 200, body: store.listParticipants(guid).map(store.answerParticipant) }
          : notFound();
      },
    },
    {
      method: 'POST',
      pattern: /^\/v1\/activityparticipants$/,
      scope: 'activities:write',
      handle: (req) => {
        const input = body(req);
        return {
          status: 201,
          body: store.answerParticipant(
            store.addParticipant(
              required(input, 'activityGuid'),
              required(input, 'participantGuid'),
            ),
          ),
        };
      },
    },
    {
      method: 'DELETE',
      pattern: new RegExp(`^/v1/activities/${GUID}/activityparticipants/${GUID}$`),
      scope: 'activities:delete',
      handle: ({ params }) =>
        store.removeParticipant(params[0] as string, params[1] as string)
          ? { status: 204 }
          : notFound(),
    },
  ];
}
