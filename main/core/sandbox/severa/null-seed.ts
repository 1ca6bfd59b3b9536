import { modelFields, sampleOf, setAt } from './document';
import type { SeveraSandboxStore } from './store';

type Row = Record<string, unknown>;
type Path = (string | number)[];

/**
 * The demo company with every field Severa's document marks nullable answered as null somewhere
 * (`startSeveraSandbox({seedDemo: true, nulls: true})`), so that a sync against it proves the
 * product reads every answer the document allows. The fields come from the document itself:
 * each nullable field (nested ones too) is set to null on one row, round robin, its parent
 * objects filled with a sample where the row had none. The nulls that would take a demo person
 * out of the sync (an e-mail address, any model's own guid) go on extra rows.
 */
export function seedNulls(store: SeveraSandboxStore): void {
  const people = [...store.users.values()];
  const owner = people.find((u) => u.isActive && u.email) ?? people[0];
  const type = [...store.activityTypes.values()].find((t) => t.isActive);
  if (!owner || !type) return;

  // A person without an e-mail (flagged and skipped), and one row of each model without a guid.
  const noEmail = store.putUser({ firstName: 'Nelli', lastName: 'Nollanen', isActive: true });
  const guidless = [
    store.putUser({ firstName: 'Tuntematon', lastName: 'Tunniste', email: 'x@kalevala.example' }),
    store.putActivityType({ name: 'Tunnisteeton', category: 'CalendarEntry' }),
    store.putActivity({
      name: 'Tunnisteeton aktiviteetti',
      startDateTime: new Date(Date.now() + 86_400_000).toISOString(),
      activityType: { guid: type.guid },
      ownerUser: { guid: owner.guid },
    }),
  ];
  for (const row of guidless) store.answeredWithoutGuid.add(row.guid);

  const users = [...store.users.values()] as Row[];
  spread('UserOutputModel', users, (path) => (path[0] === 'email' ? [noEmail as Row] : users));
  spread('ActivityTypeModel', [...store.activityTypes.values()] as Row[]);
  const plain = store.listActivities().filter((a) => a.recurrenceType === 'None');
  const edited = spread(
    'ActivityModel',
    plain.map((a) => structuredClone(a) as Row),
  );
  for (const row of edited) store.overwriteActivity(row.guid as string, row as never);
  const records = store.allParticipants();
  spread('ActivityParticipantModel', records as Row[]);
  const last = records[records.length - 1];
  if (last) last.guid = null;
}

/**
 * Sets each nullable field of `model` to null on one of `rows` (in place), skipping rows where
 * a parent of the field was set to null already; `rowsFor` narrows the rows for a field.
 */
function spread(model: string, rows: Row[], rowsFor: (path: Path) => Row[] = () => rows): Row[] {
  const sample = sampleOf(model);
  const nulled = new Map<Row, string[]>();
  const fields = modelFields(model).filter((f) => f.schema.nullable && f.path[0] !== 'guid');
  fields.forEach((field, i) => {
    const candidates = rowsFor(field.path);
    const key = field.path.join('.');
    for (let k = 0; k < candidates.length; k++) {
      const row = candidates[(i + k) % candidates.length] as Row;
      const done = nulled.get(row) ?? [];
      if (done.some((d) => key.startsWith(`${d}.`))) continue;
      Object.assign(row, setAt(row, field.path, null, sample));
      nulled.set(row, [...done, key]);
      return;
    }
  });
  return rows;
}
