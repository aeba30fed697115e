import type { BatchResult } from '../../runtime/oci/client.js';
import type { OciSessionPool } from '../../runtime/oci/client/pool.js';
import type { OciCommand } from '../../runtime/oci/codec.js';
import type { OciSchema } from '../../runtime/oci/schema.js';
import { requestKind } from './inverse.js';
import type { RowIssue } from './rows.js';

/**
 * `--preflight`: read-only checks against the server that each row's targets exist, or do not,
 * as its request needs: service provider, group, access device, user. An Add needs its parents
 * and must not find its own target; other requests need every target they name. Targets that
 * earlier rows of the file add (or delete) count as such, so a file may create a group and
 * then its users.
 */

type Level = 'serviceProvider' | 'group' | 'device' | 'user';

interface Target {
  level: Level;
  key: string;
  label: string;
  get: OciCommand;
}

/** What a row does, for the plan table. */
export interface PlanEntry {
  target: string;
  action: string;
}

/** The entity an Add or Delete family is about, from its name (`UserAdd…` → user). */
function subjectOf(family: string): Level | undefined {
  if (/^ServiceProvider(Add|Delete)Request/.test(family)) return 'serviceProvider';
  if (/^Group(Add|Delete)Request/.test(family)) return 'group';
  if (/^GroupAccessDevice(Add|Delete)Request/.test(family)) return 'device';
  if (/^User(Consolidated)?(Add|Delete)Request/.test(family)) return 'user';
  return undefined;
}

export class Preflight {
  private readonly known = new Map<string, boolean>();

  constructor(
    private readonly schema: OciSchema,
    private readonly pool: OciSessionPool,
  ) {}

  private targets(command: OciCommand): Target[] {
    const c = command as Record<string, unknown>;
    const family = this.schema.complexType(command.$type).family ?? command.$type;
    const sp = typeof c.serviceProviderId === 'string' ? c.serviceProviderId : undefined;
    const group = typeof c.groupId === 'string' ? c.groupId : undefined;
    const out: Target[] = [];
    const latest = (f: string) => this.schema.latest(f) as string;
    if (sp !== undefined)
      out.push({
        level: 'serviceProvider',
        key: `sp:${sp}`,
        label: `service provider ${sp}`,
        get: { $type: latest('ServiceProviderGetRequest'), serviceProviderId: sp },
      });
    if (sp !== undefined && group !== undefined) {
      out.push({
        level: 'group',
        key: `g:${sp}:${group}`,
        label: `group ${sp}:${group}`,
        get: { $type: latest('GroupGetRequest'), serviceProviderId: sp, groupId: group },
      });
      if (typeof c.deviceName === 'string' && family.includes('AccessDevice')) {
        out.push({
          level: 'device',
          key: `d:${sp}:${group}:${c.deviceName}`,
          label: `device ${sp}:${group}:${c.deviceName}`,
          get: { $type: latest('GroupAccessDeviceGetRequest'), serviceProviderId: sp, groupId: group, deviceName: c.deviceName },
        });
      }
    }
    if (typeof c.userId === 'string' && family.startsWith('User')) {
      out.push({ level: 'user', key: `u:${c.userId}`, label: `user ${c.userId}`, get: { $type: latest('UserGetRequest'), userId: c.userId } });
    }
    return out;
  }

  /** Checks the rows of one window (in file order); returns each row's problems and plan entry. */
  async check(commands: readonly OciCommand[]): Promise<{ issues: RowIssue[]; plan: PlanEntry }[]> {
    const perRow = commands.map((command) => this.targets(command));
    const missing = new Map<string, OciCommand>();
    for (const targets of perRow) for (const t of targets) if (!this.known.has(t.key)) missing.set(t.key, t.get);
    if (missing.size > 0) {
      const keys = [...missing.keys()];
      await this.schema.ensure(...new Set([...missing.values()].map((g) => g.$type)));
      const answers: BatchResult[] = await this.pool.sendBatch([...missing.values()]);
      keys.forEach((key, i) => {
        const answer = answers[i] as BatchResult;
        // An ErrorResponse means "not found"; a transport failure leaves the target unknown.
        if (answer.ok) this.known.set(key, true);
        else if ((answer.error as { code?: string }).code === 'TH_ERR_OCI_ERROR_RESPONSE') this.known.set(key, false);
      });
    }
    return commands.map((command, i) => {
      const targets = perRow[i] as Target[];
      const family = this.schema.complexType(command.$type).family ?? command.$type;
      const kind = requestKind(this.schema, command.$type);
      const subject = subjectOf(family);
      const own = subject ? [...targets].reverse().find((t) => t.level === subject) : undefined;
      const issues: RowIssue[] = [];
      for (const t of targets) {
        const exists = this.known.get(t.key);
        if (exists === undefined) {
          issues.push({ code: 'preflight', message: `could not check ${t.label}` });
          continue;
        }
        const wanted = !(t === own && kind === 'add');
        if (exists !== wanted) issues.push({ code: 'preflight', message: wanted ? `${t.label} not found` : `${t.label} already exists` });
      }
      // Later rows see this row's effect.
      if (own && issues.length === 0 && kind === 'add') this.known.set(own.key, true);
      if (own && issues.length === 0 && kind === 'delete') this.known.set(own.key, false);
      const target = (own ?? targets.at(-1))?.label ?? '';
      return { issues, plan: { target, action: kind === 'other' ? command.$type : `${kind} ${own?.level ?? ''}`.trim() } };
    });
  }
}
