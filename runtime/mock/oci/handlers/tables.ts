import type { OciSchema } from '../../../oci/schema.js';
import { TABLE_TYPE } from '../../../oci/schema.js';
import type { Fields, OciMockState, ServiceInstanceRecord, UserRecord } from '../model.js';
import { text } from './service-provider.js';

/**
 * Table rows by column heading. Every list of users or service instances the mock returns is
 * declared as a list of real column headings (from the XSD documentation of each response);
 * the cells come from one dictionary per row kind, so a new table is one line of headings.
 */
export interface OciTableValue {
  colHeading: string[];
  row: { col: string[] }[];
}

type Cell<Row> = (row: Row, state: OciMockState) => string;

const userCells: Record<string, Cell<UserRecord>> = {
  'User Id': (u) => u.userId,
  'Last Name': (u) => text(u.fields.lastName),
  'First Name': (u) => text(u.fields.firstName),
  'Hiragana Last Name': (u) => text(u.fields.hiraganaLastName),
  'Hiragana First Name': (u) => text(u.fields.hiraganaFirstName),
  'Phone Number': (u) => text(u.fields.phoneNumber),
  Extension: (u) => text(u.fields.extension),
  Department: (u) => departmentName(u.fields.department),
  'Department Name': (u) => departmentName(u.fields.department),
  'Email Address': (u) => text(u.fields.emailAddress),
  'Is Phone Number Activated': (u, state) => activatedText(state, u.serviceProviderId, u.groupId, u.fields.phoneNumber),
  'Phone Number Activated': (u, state) => activatedText(state, u.serviceProviderId, u.groupId, u.fields.phoneNumber),
  'Country Code': (u) => (u.fields.phoneNumber === undefined ? '' : '1'),
  'Group Id': (u) => u.groupId,
  'Group Name': (u, state) => text(state.serviceProviders.get(u.serviceProviderId)?.groups.get(u.groupId)?.fields.groupName),
  'Service Provider Id': (u) => u.serviceProviderId,
  'Reseller Id': (u, state) => text(state.serviceProviders.get(u.serviceProviderId)?.fields.resellerId),
  // The mock models no trunk group users.
  'In Trunk Group': () => 'false',
  Weight: () => '0',
  'Skill Level': () => '1',
  // A user's own endpoint on a device (device user lists): the primary and only one.
  'Line/Port': (u) => text((u.fields.accessDeviceEndpoint as { linePort?: unknown } | undefined)?.linePort),
  'User Type': () => 'Normal',
  'Endpoint Type': () => 'Primary',
  Order: () => '1',
  'Primary Line/Port': () => 'true',
};

const instanceCells: Record<string, Cell<ServiceInstanceRecord>> = {
  'Service User Id': (i) => i.serviceUserId,
  Name: (i) => text(profileOf(i).name),
  Video: (i) => String(i.fields.enableVideo === true),
  'Phone Number': (i) => text(profileOf(i).phoneNumber),
  Extension: (i) => text(profileOf(i).extension),
  Department: (i) => departmentName(profileOf(i).department),
  'Is Active': (i) => String(i.fields.isActive !== false),
  Policy: (i) => text(i.fields.policy),
  Type: (i) => text(i.fields.type ?? 'Basic'),
};

/** A table of users with the given real headings; unknown headings give empty cells. */
export function userTable(state: OciMockState, headings: readonly string[], users: readonly UserRecord[]): OciTableValue {
  return { colHeading: [...headings], row: users.map((u) => ({ col: headings.map((h) => userCells[h]?.(u, state) ?? '') })) };
}

/** A table of service instances with the given real headings. */
export function instanceTable(state: OciMockState, headings: readonly string[], instances: readonly ServiceInstanceRecord[]): OciTableValue {
  return { colHeading: [...headings], row: instances.map((i) => ({ col: headings.map((h) => instanceCells[h]?.(i, state) ?? '') })) };
}

/** The profile of a service instance (name, calling line ID, number, extension, aliases). */
export function profileOf(instance: ServiceInstanceRecord): Fields {
  return (instance.fields.serviceInstanceProfile as Fields | undefined) ?? {};
}

/** The name of the first OCITable element of a response type, if it has one. */
export function tableMemberOf(schema: OciSchema, responseType: string): string | undefined {
  const meta = schema.complexType(responseType);
  for (const particle of meta.content) {
    if ('n' in particle && schema.has(particle.t) && schema.type(particle.t).name === TABLE_TYPE) return particle.n;
  }
  return undefined;
}

function departmentName(department: unknown): string {
  return text((department as { name?: string } | undefined)?.name);
}

function activatedText(state: OciMockState, serviceProviderId: string, groupId: string, phoneNumber: unknown): string {
  if (typeof phoneNumber !== 'string') return '';
  return String(state.serviceProviders.get(serviceProviderId)?.groups.get(groupId)?.activated.has(phoneNumber) ?? false);
}
