import type { OciResponse } from '../../runtime/oci/client.js';
import type { DecodeSelection, OciCommand } from '../../runtime/oci/codec.js';
import { tableColumnsAt } from '../../runtime/oci/present.js';
import { type AgentContext, type AgentOptions, type AgentWarning, type Ask, firstTable, runAgent, tableAt } from './context.js';

export interface Forwarding {
  active: boolean;
  forwardTo?: string;
  /** No answer only. */
  numberOfRings?: number;
}

export interface UserDigest {
  userId: string;
  serviceProviderId?: string;
  groupId?: string;
  profile: {
    firstName?: string;
    lastName?: string;
    callingLineIdFirstName?: string;
    callingLineIdLastName?: string;
    phoneNumber?: string;
    extension?: string;
    emailAddress?: string;
    department?: string;
    title?: string;
    language?: string;
    timeZone?: string;
  };
  aliases: string[];
  device?: { name: string; level: string; linePort?: string; type?: string; macAddress?: string; status?: string };
  trunkGroup?: string;
  /** Rows of the registration list (keys camelCase: `deviceName`, `uri`, `expiration`, `userAgent` …). */
  registrations: Record<string, string>[];
  services: { assigned: string[]; servicePacks: string[] };
  callForwarding: { always?: Forwarding; busy?: Forwarding; noAnswer?: Forwarding; notReachable?: Forwarding; selective?: { active: boolean } };
  doNotDisturb?: { active: boolean };
  voiceMessaging?: { active: boolean; processing?: string; deliveryEmailAddresses: string[]; busyToVoiceMail?: boolean; noAnswerToVoiceMail?: boolean };
  acdState?: string;
  callCenters: { serviceUserId: string; name?: string; available?: boolean }[];
  huntGroups: { serviceUserId: string; name: string }[];
  pickupGroup?: string;
  /** Shared call appearance endpoints (records of the endpoint table). */
  sharedCallAppearances: Record<string, string>[];
}

export interface UserDigestResult extends UserDigest {
  warnings: AgentWarning[];
}

export interface UserDigestsResult {
  digests: UserDigest[];
  warnings: AgentWarning[];
}

/** One user, all of it: profile, device, registrations, services, forwarding, DND, voice messaging, memberships. */
export function userDigest(userId: string, options: AgentOptions): Promise<UserDigestResult> {
  return runAgent('user-digest', options, async (context) => {
    const user = await context.target({ $type: context.requireType('UserGetRequest'), userId }, `user ${userId}`);
    const [digest] = await digestUsers(context, [userId], [userPart(user)]);
    return { ...(digest as UserDigest), warnings: context.warnings };
  });
}

/** Digests of many users on one context: each step is one fan-out across all of them. Users that cannot be read are warnings. */
export function userDigests(userIds: readonly string[], options: AgentOptions): Promise<UserDigestsResult> {
  return runAgent('user-digest', options, async (context) => {
    const digests = await digestUsers(context, userIds);
    return { digests, warnings: context.warnings };
  });
}

/** What the digest takes from the user's own record. */
interface UserPart {
  serviceProviderId?: string;
  groupId?: string;
  profile: UserDigest['profile'];
  aliases: string[];
  device?: { name: string; level: string; linePort?: string };
  trunkGroup?: string;
}

function userPart(user: OciResponse): UserPart {
  const department = user.department as { name?: string } | undefined;
  return {
    serviceProviderId: str(user.serviceProviderId),
    groupId: str(user.groupId),
    profile: {
      firstName: str(user.firstName),
      lastName: str(user.lastName),
      callingLineIdFirstName: str(user.callingLineIdFirstName),
      callingLineIdLastName: str(user.callingLineIdLastName),
      phoneNumber: str(user.phoneNumber),
      extension: str(user.extension),
      emailAddress: str(user.emailAddress),
      department: str(department?.name),
      title: str(user.title),
      language: str(user.language),
      timeZone: str(user.timeZone),
    },
    aliases: list(user.alias),
    device: deviceOf(user),
    trunkGroup: (user.trunkAddressing as { trunkGroupDeviceEndpoint?: { name?: string } } | undefined)?.trunkGroupDeviceEndpoint?.name,
  };
}

/**
 * The per-user reads, by family, in the order they are sent, each with what the digest takes
 * from its answer (taken as the answer arrives: the whole responses of 500 users are not kept).
 */
const PER_USER = {
  UserServiceGetAssignmentListRequest: (a: OciResponse): UserDigest['services'] => ({
    assigned: assignedNames(a, 'userServicesAssignmentTable', 'serviceName'),
    servicePacks: assignedNames(a, 'servicePacksAssignmentTable', 'servicePackName'),
  }),
  UserGetRegistrationListRequest: firstTable,
  UserSharedCallAppearanceGetRequest: firstTable,
  UserCallForwardingAlwaysGetRequest: forwarding,
  UserCallForwardingBusyGetRequest: forwarding,
  UserCallForwardingNoAnswerGetRequest: forwarding,
  UserCallForwardingNotReachableGetRequest: forwarding,
  UserCallForwardingSelectiveGetRequest: flag,
  UserDoNotDisturbGetRequest: flag,
  UserVoiceMessagingUserGetVoiceManagementRequest: (vm: OciResponse): NonNullable<UserDigest['voiceMessaging']> => ({
    active: vm.isActive === true,
    processing: str(vm.processing),
    deliveryEmailAddresses: emailList(vm.voiceMessageDeliveryEmailAddress),
    busyToVoiceMail: bool(vm.busyRedirectToVoiceMail),
    noAnswerToVoiceMail: bool(vm.noAnswerRedirectToVoiceMail),
  }),
  UserCallCenterGetRequest: (cc: OciResponse) => ({ acdState: str(cc.agentACDState), centers: tableAt(cc, 'callCenterTable') }),
};
type PerUser = typeof PER_USER;
type Family = keyof PerUser;

const FORWARDING: DecodeSelection = { isActive: true, forwardToPhoneNumber: true, numberOfRings: true };
const FLAG: DecodeSelection = { isActive: true };
/** What the decoder builds of each per-user answer: what {@link PER_USER} reads (registrations and shared call appearances go whole into the digest). */
const PER_USER_SELECT: { readonly [F in Family]?: DecodeSelection } = {
  // Of the tables of every service and pack, the few assigned rows.
  UserServiceGetAssignmentListRequest: {
    userServicesAssignmentTable: { $columns: ['Service Name', 'Assigned'], $where: { Assigned: 'true' } },
    servicePacksAssignmentTable: { $columns: ['Service Pack Name', 'Assigned'], $where: { Assigned: 'true' } },
  },
  UserCallForwardingAlwaysGetRequest: FORWARDING,
  UserCallForwardingBusyGetRequest: FORWARDING,
  UserCallForwardingNoAnswerGetRequest: FORWARDING,
  UserCallForwardingNotReachableGetRequest: FORWARDING,
  UserCallForwardingSelectiveGetRequest: FLAG,
  UserDoNotDisturbGetRequest: FLAG,
  UserVoiceMessagingUserGetVoiceManagementRequest: {
    isActive: true,
    processing: true,
    voiceMessageDeliveryEmailAddress: true,
    busyRedirectToVoiceMail: true,
    noAnswerRedirectToVoiceMail: true,
  },
  UserCallCenterGetRequest: { agentACDState: true, callCenterTable: ['Service User Id', 'Available'] },
};

/** What {@link userPart} reads of a user's record. */
const USER_PART: DecodeSelection = {
  serviceProviderId: true,
  groupId: true,
  firstName: true,
  lastName: true,
  callingLineIdFirstName: true,
  callingLineIdLastName: true,
  phoneNumber: true,
  extension: true,
  emailAddress: true,
  department: { name: true },
  title: true,
  language: true,
  timeZone: true,
  alias: true,
  accessDeviceEndpoint: { accessDevice: { deviceName: true, deviceLevel: true }, linePort: true },
  trunkAddressing: { trunkGroupDeviceEndpoint: { name: true } },
};
/** Members ids of a hunt group's or call pickup group's table. */
const MEMBER_IDS = (table: string): DecodeSelection => ({ [table]: ['User Id'] });
/** The parts of one user's answers, by family (absent: the read failed or the release lacks it). */
type Parts = { [F in Family]?: ReturnType<PerUser[F]> };
const FAMILIES = Object.keys(PER_USER) as Family[];

async function digestUsers(context: AgentContext, userIds: readonly string[], prefetched?: UserPart[]): Promise<UserDigest[]> {
  const userGet = context.requireType('UserGetRequest');
  const reads = FAMILIES.flatMap((family) => {
    const $type = context.type(family);
    return $type ? [{ family, $type }] : [];
  });
  const asks: Ask[] = [];
  /** Per ask: its user's index and its family (undefined: the user's own record). */
  const slots: { user: number; family: Family | undefined }[] = [];
  userIds.forEach((userId, ui) => {
    if (!prefetched) {
      asks.push({ command: { $type: userGet, userId }, target: userId, select: USER_PART });
      slots.push({ user: ui, family: undefined });
    }
    for (const { family, $type } of reads) {
      asks.push({ command: { $type, userId }, target: userId, select: PER_USER_SELECT[family] });
      slots.push({ user: ui, family });
    }
  });
  const users: (UserPart | undefined)[] = prefetched ? [...prefetched] : new Array(userIds.length).fill(undefined);
  const parts: Parts[] = userIds.map(() => ({}));
  await context.fetch('users', asks, (answer, i) => {
    const { user, family } = slots[i] as (typeof slots)[number];
    if (family === undefined) users[user] = userPart(answer);
    else (parts[user] as Record<Family, unknown>)[family] = (PER_USER[family] as (a: OciResponse) => unknown)(answer);
  });

  // Second step: devices, the groups' hunt groups and call pickup groups, the call centers' names.
  // Memberships are read from the groups' side (one list and one Get per hunt or pickup group),
  // not one Get per user: fewer commands as soon as a group has more digested users than groups.
  const huntList = context.requireType('GroupHuntGroupGetInstanceListRequest');
  const pickupList = context.type('GroupCallPickupGetInstanceListRequest');
  const ccGet = context.type('GroupCallCenterGetInstanceRequest');
  const devices = new Map<string, Ask>();
  const groups = new Map<string, Ask>();
  const pickupGroups = new Map<string, Ask>();
  const centers = new Map<string, Ask>();
  users.forEach((user, ui) => {
    if (!user) return;
    const g = { serviceProviderId: user.serviceProviderId, groupId: user.groupId };
    const read = user.device && deviceRead(context, user, user.device);
    if (read) devices.set(read.key, { command: read.command, target: user.device?.name, select: DEVICE_PART });
    const key = `${g.serviceProviderId}/${g.groupId}`;
    groups.set(key, { command: { $type: huntList, ...g }, target: key });
    if (pickupList) pickupGroups.set(key, { command: { $type: pickupList, ...g }, target: key });
    if (ccGet) {
      for (const cc of parts[ui]?.UserCallCenterGetRequest?.centers ?? []) {
        centers.set(cc.serviceUserId as string, {
          command: { $type: ccGet, serviceUserId: cc.serviceUserId },
          target: cc.serviceUserId,
          select: CENTER_NAME,
        });
      }
    }
  });
  const [deviceAnswers, groupAnswers, pickupListAnswers, centerAnswers] = await Promise.all([
    context.fetch('devices', [...devices.values()], (d) => ({ type: str(d.deviceType), macAddress: str(d.macAddress), status: str(d.status) })),
    context.fetch('hunt groups', [...groups.values()]),
    context.fetch('call pickup groups', [...pickupGroups.values()]),
    context.fetch('call centers', [...centers.values()]),
  ]);
  const deviceByKey = new Map([...devices.keys()].map((key, i) => [key, deviceAnswers[i]]));
  const centerName = new Map([...centers.keys()].map((id, i) => [id, (centerAnswers[i]?.serviceInstanceProfile as { name?: string } | undefined)?.name]));

  // Third step: every hunt group and call pickup group of those groups, for the memberships.
  const hgGet = context.requireType('GroupHuntGroupGetInstanceRequest');
  const pickupGet = context.type('GroupCallPickupGetInstanceRequest');
  const hunts = [...groups.keys()].flatMap((_, i) => firstTable(groupAnswers[i]).map((r) => ({ id: r.serviceUserId as string, name: r.name ?? '' })));
  const pickups = pickupGet
    ? [...pickupGroups.values()].flatMap((ask, i) =>
        list(pickupListAnswers[i]?.name).map((name) => ({
          command: { $type: pickupGet, ...groupOf(ask), name },
          target: name,
          select: MEMBER_IDS('userTable'),
        })),
      )
    : [];
  const memberIds = (table: string) => (answer: OciResponse) => tableAt(answer, table).map((r) => r.userId as string);
  const [hgMembers, pickupMembers] = await Promise.all([
    context.fetch(
      'hunt groups',
      hunts.map((h) => ({ command: { $type: hgGet, serviceUserId: h.id }, target: h.id, select: MEMBER_IDS('agentUserTable') })),
      memberIds('agentUserTable'),
    ),
    context.fetch('call pickup groups', pickups, memberIds('userTable')),
  ]);
  const membership = new Map<string, { serviceUserId: string; name: string }[]>();
  hunts.forEach((h, i) => {
    for (const id of hgMembers[i] ?? []) membership.set(id, [...(membership.get(id) ?? []), { serviceUserId: h.id, name: h.name }]);
  });
  // A user is in at most one call pickup group.
  const pickupOf = new Map<string, string>();
  pickups.forEach((p, i) => {
    for (const id of pickupMembers[i] ?? []) if (!pickupOf.has(id)) pickupOf.set(id, p.target);
  });

  return userIds.map((userId, ui) => {
    const user = users[ui];
    const part = parts[ui] as Parts;
    const device = user?.device;
    const deviceInfo = device && user ? deviceByKey.get(deviceRead(context, user, device)?.key ?? '') : undefined;
    const cc = part.UserCallCenterGetRequest;
    return {
      userId,
      serviceProviderId: user?.serviceProviderId,
      groupId: user?.groupId,
      profile: user?.profile ?? emptyProfile(),
      aliases: user?.aliases ?? [],
      device: device && { ...device, type: deviceInfo?.type, macAddress: deviceInfo?.macAddress, status: deviceInfo?.status },
      trunkGroup: user?.trunkGroup,
      registrations: part.UserGetRegistrationListRequest ?? [],
      services: part.UserServiceGetAssignmentListRequest ?? { assigned: [], servicePacks: [] },
      callForwarding: {
        always: part.UserCallForwardingAlwaysGetRequest,
        busy: part.UserCallForwardingBusyGetRequest,
        noAnswer: part.UserCallForwardingNoAnswerGetRequest,
        notReachable: part.UserCallForwardingNotReachableGetRequest,
        selective: part.UserCallForwardingSelectiveGetRequest,
      },
      doNotDisturb: part.UserDoNotDisturbGetRequest,
      voiceMessaging: part.UserVoiceMessagingUserGetVoiceManagementRequest,
      acdState: cc?.acdState,
      callCenters: (cc?.centers ?? []).map((r) => ({
        serviceUserId: r.serviceUserId as string,
        name: centerName.get(r.serviceUserId as string),
        available: r.available === '' ? undefined : r.available === 'true',
      })),
      huntGroups: membership.get(userId) ?? [],
      pickupGroup: pickupOf.get(userId),
      sharedCallAppearances: part.UserSharedCallAppearanceGetRequest ?? [],
    };
  });
}

const DEVICE_PART: DecodeSelection = { deviceType: true, macAddress: true, status: true };
const CENTER_NAME: DecodeSelection = { serviceInstanceProfile: { name: true } };

/** The profile of a user whose record could not be read: every field undefined. */
function emptyProfile(): UserDigest['profile'] {
  return {
    firstName: undefined,
    lastName: undefined,
    callingLineIdFirstName: undefined,
    callingLineIdLastName: undefined,
    phoneNumber: undefined,
    extension: undefined,
    emailAddress: undefined,
    department: undefined,
    title: undefined,
    language: undefined,
    timeZone: undefined,
  };
}

/**
 * Where a device lives, by the level its user's endpoint names: the Get request family and the
 * keys (taken from the user's record) that name the device at that level.
 */
const DEVICE_LEVELS: Readonly<Record<string, { family: string; keys: readonly ('serviceProviderId' | 'groupId')[] }>> = {
  Group: { family: 'GroupAccessDeviceGetRequest', keys: ['serviceProviderId', 'groupId'] },
  'Service Provider': { family: 'ServiceProviderAccessDeviceGetRequest', keys: ['serviceProviderId'] },
  System: { family: 'SystemAccessDeviceGetRequest', keys: [] },
};

/** The read of a user's device at its level (undefined when the level is unknown or the release lacks the request), with a key shared by its users. */
function deviceRead(
  context: AgentContext,
  user: { serviceProviderId?: string; groupId?: string },
  device: { name: string; level: string },
): { key: string; command: OciCommand } | undefined {
  const level = DEVICE_LEVELS[device.level];
  const $type = level && context.type(level.family);
  if (!level || !$type) return undefined;
  const command: OciCommand = { $type, deviceName: device.name };
  for (const k of level.keys) command[k] = user[k];
  return { key: [device.level, ...level.keys.map((k) => String(user[k])), device.name].join('/'), command };
}

function deviceOf(user: OciResponse): { name: string; level: string; linePort?: string } | undefined {
  const endpoint = user.accessDeviceEndpoint as { accessDevice?: { deviceName?: string; deviceLevel?: string }; linePort?: string } | undefined;
  const name = endpoint?.accessDevice?.deviceName;
  if (!name) return undefined;
  return { name, level: endpoint?.accessDevice?.deviceLevel ?? 'Group', linePort: str(endpoint?.linePort) };
}

function groupOf(ask: Ask): { serviceProviderId: unknown; groupId: unknown } {
  return { serviceProviderId: ask.command.serviceProviderId, groupId: ask.command.groupId };
}

/** The names of the rows of an assignment table whose `Assigned` is true (read by column: the tables list every service). */
function assignedNames(answer: OciResponse, table: string, nameKey: string): string[] {
  const [names, assigned] = tableColumnsAt(answer, table, [nameKey, 'assigned']) ?? [];
  const out: string[] = [];
  if (assigned) for (let i = 0; i < assigned.length; i++) if (assigned[i] === 'true') out.push(names?.[i] as string);
  return out;
}

function forwarding(answer: OciResponse): Forwarding {
  return {
    active: answer.isActive === true,
    forwardTo: str(answer.forwardToPhoneNumber),
    numberOfRings: typeof answer.numberOfRings === 'number' ? answer.numberOfRings : undefined,
  };
}

function flag(answer: OciResponse): { active: boolean } {
  return { active: answer.isActive === true };
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function bool(value: unknown): boolean | undefined {
  return typeof value === 'boolean' ? value : undefined;
}

function list(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : typeof value === 'string' ? [value] : [];
}

/** An email list: `EmailAddressList` (`{ emailAddress: [...] }`) in newer releases, one address in older ones. */
function emailList(value: unknown): string[] {
  if (typeof value === 'string') return value === '' ? [] : [value];
  return list((value as { emailAddress?: unknown } | undefined)?.emailAddress);
}
