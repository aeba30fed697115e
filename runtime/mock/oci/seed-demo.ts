import type { SeedFile } from './seed-file.js';

/**
 * The built-in demo seed (`hammer mock oci --seed demo`): a realistic installation for trying
 * out scripts and for the automations' tests, built by arithmetic from fixed name lists, so
 * every run gives the same data.
 *
 * - 2 service providers: `acme` (enterprise, groups `acme-hq`, `acme-east`, `acme-west`) and
 *   `globex` (service provider, groups `globex-main`, `globex-lab`);
 * - 100 users per group (500), each with a number, an extension (`1000`…`1099`), a device
 *   (except one), services, a department, and for every other user a registration;
 * - per group: 4 hunt groups (20), 1 call center with 5 agents and their ACD states (5), 1 auto
 *   attendant (5), 1 call pickup group, 1 paging group, 2 departments, 1 administrator, 1 trunk
 *   group, 120 numbers (14 unassigned, deactivated);
 * - per service provider: a service pack and an administrator;
 * - `acme` is an enterprise whose groups have location dialing codes `11`, `12`, `13` (so their
 *   extensions, alike in every group, never clash when dialed across groups);
 * - two users of `globex-main` use a device above their group: `u0398@globex.example` the
 *   service provider device `lobby-globex`, `u0399@globex.example` the system device `conference-hub`.
 *
 * Planted problems, all in `acme-hq` (the audits must find each):
 * - the alias `sales@acme.example` is used twice: by user `u0007@acme.example` and hunt group `hg-sales-acme-hq`;
 * - `Voice Messaging User` is authorised for 90 users but assigned to 100;
 * - the unassigned number `2025550119` is still activated;
 * - user `u0042@acme.example` has no device;
 * - device `spare-acme-hq` is used by nobody.
 */
export const demoPlantedProblems = {
  duplicateAlias: { alias: 'sales@acme.example', owners: ['u0007@acme.example', 'hg-sales-acme-hq@acme.example'] },
  overusedService: { serviceProviderId: 'acme', groupId: 'acme-hq', service: 'Voice Messaging User', authorised: 90, usage: 100 },
  activatedUnassignedNumber: { serviceProviderId: 'acme', groupId: 'acme-hq', phoneNumber: '2025550119' },
  userWithoutDevice: { serviceProviderId: 'acme', groupId: 'acme-hq', userId: 'u0042@acme.example' },
  unusedDevice: { serviceProviderId: 'acme', groupId: 'acme-hq', deviceName: 'spare-acme-hq' },
} as const;

const firstNames = [
  'Alice',
  'Bruno',
  'Chloé',
  'Deepak',
  'Elena',
  'Farid',
  'Grace',
  'Hiroshi',
  'Ingrid',
  'José',
  'Kwame',
  'Lena',
  'Mateo',
  'Nadia',
  'Oscar',
  'Priya',
];
const lastNames = ['Smith', 'García', 'Nguyen', 'Müller', 'Okafor', 'Rossi', 'Kowalski', 'Tanaka', 'Johnson', 'Dubois', 'Silva', 'Andersen', 'Cohen'];
const deviceTypes = ['Polycom VVX 500', 'Yealink T54W', 'Cisco 8841', 'Polycom VVX 400'];
const huntGroupNames = ['Sales', 'Support', 'Billing', 'Reception'];
const acdStates = ['Available', 'Unavailable', 'Wrap-Up', 'Sign-In', 'Available'];

interface GroupPlan {
  serviceProviderId: string;
  groupId: string;
  domain: string;
  /** First number of the group's block of 120 (10 digits). */
  firstNumber: number;
  timeZone: string;
  /** Enterprise groups only: dialed before an extension from another group of the enterprise. */
  locationDialingCode?: string;
}

/** Users whose device is not their group's: the level and name of the device their endpoint names. */
export const demoDevicesAboveGroup: Readonly<Record<string, { deviceLevel: 'Service Provider' | 'System'; deviceName: string }>> = {
  'u0398@globex.example': { deviceLevel: 'Service Provider', deviceName: 'lobby-globex' },
  'u0399@globex.example': { deviceLevel: 'System', deviceName: 'conference-hub' },
};

const unlimited = { unlimited: true };

/** Builds the demo seed (a fresh object every call). */
export function buildDemoSeed(): SeedFile {
  const plans: GroupPlan[] = [
    { serviceProviderId: 'acme', groupId: 'acme-hq', domain: 'acme.example', firstNumber: 2025550000, timeZone: 'America/New_York', locationDialingCode: '11' },
    {
      serviceProviderId: 'acme',
      groupId: 'acme-east',
      domain: 'acme.example',
      firstNumber: 2025550200,
      timeZone: 'America/New_York',
      locationDialingCode: '12',
    },
    {
      serviceProviderId: 'acme',
      groupId: 'acme-west',
      domain: 'acme.example',
      firstNumber: 4155550000,
      timeZone: 'America/Los_Angeles',
      locationDialingCode: '13',
    },
    { serviceProviderId: 'globex', groupId: 'globex-main', domain: 'globex.example', firstNumber: 3125550000, timeZone: 'America/Chicago' },
    { serviceProviderId: 'globex', groupId: 'globex-lab', domain: 'globex.example', firstNumber: 3125550200, timeZone: 'America/Chicago' },
  ];
  let userIndex = 0;
  const groupsOf = (serviceProviderId: string) =>
    plans
      .filter((p) => p.serviceProviderId === serviceProviderId)
      .map((plan) => {
        const group = demoGroup(plan, userIndex);
        userIndex += 100;
        return group;
      });
  return {
    softwareVersion: '25.0_1.1000',
    serviceProviders: [
      {
        serviceProviderId: 'acme',
        isEnterprise: true,
        defaultDomain: 'acme.example',
        serviceProviderName: 'Acme Corporation',
        supportEmail: 'support@acme.example',
        ...serviceProviderExtras('acme'),
        groups: groupsOf('acme'),
      },
      {
        serviceProviderId: 'globex',
        isEnterprise: false,
        defaultDomain: 'globex.example',
        serviceProviderName: 'Globex Telecom',
        supportEmail: 'noc@globex.example',
        ...serviceProviderExtras('globex'),
        groups: groupsOf('globex'),
      },
    ],
  };
}

function serviceProviderExtras(serviceProviderId: string): Record<string, unknown> {
  return {
    userServiceAuthorization: userServices.map((serviceName) => ({ serviceName, authorizedQuantity: unlimited })),
    groupServiceAuthorization: groupServices.map((serviceName) => ({ serviceName, authorizedQuantity: unlimited })),
    servicePacks: [
      {
        servicePackName: 'Forwarding Pack',
        servicePackDescription: 'Every call forwarding service',
        isAvailableForUse: true,
        servicePackQuantity: unlimited,
        serviceName: ['Call Forwarding Busy', 'Call Forwarding No Answer', 'Call Forwarding Not Reachable', 'Call Forwarding Selective'],
      },
    ],
    admins: [
      { userId: `admin@${serviceProviderId}.example`, firstName: 'Provider', lastName: 'Administrator', administratorType: 'Normal', language: 'English' },
    ],
  };
}

const userServices = [
  'Voice Messaging User',
  'Call Forwarding Always',
  'Call Forwarding Busy',
  'Call Forwarding No Answer',
  'Call Forwarding Not Reachable',
  'Call Forwarding Selective',
  'Do Not Disturb',
  'Call Center - Basic',
  'Shared Call Appearance',
  'Authentication',
];
const groupServices = ['Hunt Group', 'Auto Attendant', 'Call Pickup', 'Group Paging', 'Trunk Group'];

/** The settings of a seeded hunt group besides its id, profile, policy and agents (the mandatory fields of its Add request). */
export const huntGroupSettings = {
  huntAfterNoAnswer: true,
  noAnswerNumberOfRings: 5,
  forwardAfterTimeout: false,
  forwardTimeoutSeconds: 0,
  allowCallWaitingForAgents: false,
  useSystemHuntGroupCLIDSetting: true,
  includeHuntGroupNameInCLID: true,
  enableNotReachableForwarding: false,
  makeBusyWhenNotReachable: false,
  allowMembersToControlGroupBusy: false,
  enableGroupBusy: false,
  applyGroupBusyWhenTerminatingToAgent: false,
} as const;

function demoGroup(plan: GroupPlan, firstUser: number): Record<string, unknown> {
  const { serviceProviderId, groupId, domain } = plan;
  const isHq = groupId === 'acme-hq';
  const number = (i: number) => String(plan.firstNumber + i);
  const departments = ['Sales', 'Operations'];
  const users = Array.from({ length: 100 }, (_, i) => demoUser(plan, firstUser + i, i, departments[i % 2] as string));
  const userIds = users.map((u) => u.userId as string);
  // Numbers 0–99 users, 100–103 hunt groups, 104 the call center, 105 the auto attendant, 106–119 unassigned.
  const unassigned = Array.from({ length: 14 }, (_, i) => number(106 + i));
  const instances: Record<string, unknown>[] = huntGroupNames.map((name, i) => ({
    kind: 'HuntGroup',
    serviceUserId: `hg-${name.toLowerCase()}-${groupId}@${domain}`,
    serviceInstanceProfile: profile(`${name} ${groupId}`, name, number(100 + i), `2${100 + i}`, isHq && i === 0 ? ['sales@acme.example'] : undefined),
    policy: (['Regular', 'Circular', 'Simultaneous', 'Uniform'] as const)[i],
    agentUserId: userIds.slice(i * 5, i * 5 + 5),
    ...huntGroupSettings,
  }));
  instances.push({
    kind: 'CallCenter',
    serviceUserId: `cc-${groupId}@${domain}`,
    serviceInstanceProfile: profile(`Call Center ${groupId}`, 'Call Center', number(104), '2104'),
    type: 'Basic',
    policy: 'Circular',
    enableVideo: false,
    queueLength: 10,
    agentUserId: userIds.slice(20, 25),
  });
  instances.push({
    kind: 'AutoAttendant',
    serviceUserId: `aa-${groupId}@${domain}`,
    serviceInstanceProfile: profile(`Main Menu ${groupId}`, 'Main Menu', number(105), '2105'),
    type: 'Basic',
    enableVideo: false,
    firstDigitTimeoutSeconds: 5,
    extensionDialingScope: 'Group',
    nameDialingScope: 'Group',
    nameDialingEntries: 'LastName + FirstName',
  });
  instances.push({
    kind: 'GroupPaging',
    serviceUserId: `paging-${groupId}@${domain}`,
    serviceInstanceProfile: profile(`Paging ${groupId}`, 'Paging', undefined, '2199'),
    confirmationToneTimeoutSeconds: 1,
    deliverOriginatorCLIDInstead: false,
  });
  const devices: Record<string, unknown>[] = users
    .filter((u) => (u.accessDeviceEndpoint as { accessDevice: { deviceLevel: string } } | undefined)?.accessDevice.deviceLevel === 'Group')
    .map((u) => {
      const endpoint = u.accessDeviceEndpoint as { accessDevice: { deviceName: string } };
      const index = Number((u.userId as string).slice(1, 5));
      return {
        deviceName: endpoint.accessDevice.deviceName,
        deviceType: deviceTypes[index % deviceTypes.length],
        macAddress: `0004F2${index.toString(16).toUpperCase().padStart(6, '0')}`,
        description: `Desk phone of ${String(u.firstName)} ${String(u.lastName)}`,
      };
    });
  if (isHq) devices.push({ deviceName: 'spare-acme-hq', deviceType: 'Polycom VVX 400', macAddress: '0004F2FFFFFF', description: 'Spare phone' });
  return {
    groupId,
    groupName: groupId.replace(/-/g, ' ').replace(/\b\w/g, (c) => c.toUpperCase()),
    defaultDomain: domain,
    userLimit: 200,
    timeZone: plan.timeZone,
    ...(plan.locationDialingCode ? { locationDialingCode: plan.locationDialingCode } : {}),
    callingLineIdName: groupId,
    phoneNumbers: [{ minPhoneNumber: number(0), maxPhoneNumber: number(119) }],
    // Unassigned numbers are deactivated, except the planted one in acme-hq (the 14th).
    deactivatedPhoneNumbers: isHq ? unassigned.slice(0, 13) : unassigned,
    userServiceAuthorization: userServices.map((serviceName) => ({
      serviceName,
      authorizedQuantity: isHq && serviceName === 'Voice Messaging User' ? { quantity: 90 } : unlimited,
    })),
    groupServiceAuthorization: groupServices.map((serviceName) => ({ serviceName, authorizedQuantity: unlimited })),
    servicePackAuthorization: [{ servicePackName: 'Forwarding Pack', authorizedQuantity: { quantity: 50 } }],
    groupServices,
    domains: [`${groupId}.${domain}`],
    departments: departments.map((departmentName) => ({ departmentName, callingLineIdName: `${departmentName} ${groupId}` })),
    admins: [{ userId: `admin-${groupId}@${domain}`, firstName: 'Group', lastName: 'Administrator', language: 'English' }],
    devices,
    users,
    serviceInstances: instances,
    namedInstances: [
      { kind: 'CallPickup', name: `Pickup ${groupId}`, userId: userIds.slice(30, 36) },
      {
        kind: 'TrunkGroup',
        name: `trunk-${groupId}`,
        maxActiveCalls: 30,
        enableBursting: false,
        requireAuthentication: false,
        department: { $type: 'GroupDepartmentKey', serviceProviderId, groupId, name: 'Operations' },
      },
    ],
  };
}

function profile(name: string, clidLastName: string, phoneNumber: string | undefined, extension: string, alias?: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {
    name,
    callingLineIdLastName: clidLastName,
    callingLineIdFirstName: 'Service',
    extension,
    language: 'English',
    timeZone: 'America/New_York',
  };
  if (phoneNumber) out.phoneNumber = phoneNumber;
  if (alias) out.alias = alias;
  return out;
}

function demoUser(plan: GroupPlan, globalIndex: number, i: number, department: string): Record<string, unknown> {
  const { serviceProviderId, groupId, domain } = plan;
  const id = `u${String(globalIndex).padStart(4, '0')}`;
  const userId = `${id}@${domain}`;
  const firstName = firstNames[globalIndex % firstNames.length] as string;
  const lastName = lastNames[(globalIndex * 7) % lastNames.length] as string;
  const phoneNumber = String(plan.firstNumber + i);
  const user: Record<string, unknown> = {
    userId,
    firstName,
    lastName,
    callingLineIdFirstName: firstName,
    callingLineIdLastName: lastName,
    phoneNumber,
    extension: String(1000 + i),
    emailAddress: `${firstName
      .toLowerCase()
      .normalize('NFD')
      .replace(/[^a-z]/g, '')}.${id}@${domain}`,
    language: 'English',
    timeZone: plan.timeZone,
    password: `Demo-${id}-pw1`,
    department: { $type: 'GroupDepartmentKey', serviceProviderId, groupId, name: department },
    title: i % 10 === 0 ? 'Team Lead' : 'Associate',
    services: ['Voice Messaging User', 'Call Forwarding Always', 'Do Not Disturb', ...(i >= 20 && i < 25 ? ['Call Center - Basic'] : [])],
    servicePacks: i % 4 === 0 ? ['Forwarding Pack'] : [],
    settings: userSettings(i, plan),
  };
  if (userId === 'u0007@acme.example') user.alias = ['sales@acme.example'];
  if (userId !== 'u0042@acme.example') {
    const { deviceLevel, deviceName } = demoDevicesAboveGroup[userId] ?? { deviceLevel: 'Group', deviceName: `dev-${id}` };
    user.accessDeviceEndpoint = { accessDevice: { deviceLevel, deviceName }, linePort: `${id}_lp@${domain}` };
    if (i % 2 === 0) {
      user.registrations = [
        {
          'Device Level': deviceLevel,
          'Device Name': deviceName,
          Order: '1',
          URI: `sip:${id}@10.1.${Math.floor(i / 50)}.${(i % 50) + 10}:5060`,
          Expiration: '2026-12-31T23:59:59Z',
          'Line/Port': `${id}_lp@${domain}`,
          'Endpoint Type': 'Primary',
          'Public Net Address': '203.0.113.10',
          'Public Port': String(5060 + i),
          'User Agent': 'PolycomVVX-VVX_500-UA/6.4.3',
          'Registration Active': 'true',
        },
      ];
    }
  }
  return user;
}

/** Settings by Get request family: some users forward, some are on do not disturb, agents have an ACD state. */
function userSettings(i: number, plan: GroupPlan): Record<string, unknown> {
  const settings: Record<string, unknown> = {
    UserCallForwardingAlwaysGetRequest:
      i % 10 === 3
        ? { isActive: true, forwardToPhoneNumber: String(plan.firstNumber + 99 - i), isRingSplashActive: false }
        : { isActive: false, isRingSplashActive: false },
    UserCallForwardingBusyGetRequest: { isActive: i % 5 === 1, forwardToPhoneNumber: i % 5 === 1 ? '8005550100' : undefined },
    UserCallForwardingNoAnswerGetRequest: { isActive: i % 3 === 0, forwardToPhoneNumber: i % 3 === 0 ? '8005550100' : undefined, numberOfRings: 3 },
    UserCallForwardingNotReachableGetRequest: { isActive: false },
    UserCallForwardingSelectiveGetRequest: { isActive: false, playRingReminder: false },
    UserDoNotDisturbGetRequest: { isActive: i % 10 === 7, ringSplash: false },
    UserVoiceMessagingUserGetVoiceManagementRequest: {
      isActive: true,
      processing: 'Unified Voice and Email Messaging',
      // R25: an EmailAddressList (up to 50); the first is the user's own mailbox.
      voiceMessageDeliveryEmailAddress: {
        emailAddress: i % 10 === 3 ? [`vm${i}@${plan.domain}`, `team-${plan.groupId}@${plan.domain}`] : [`vm${i}@${plan.domain}`],
      },
      usePhoneMessageWaitingIndicator: true,
      sendVoiceMessageNotifyEmail: false,
      sendCarbonCopyVoiceMessage: false,
      transferOnZeroToPhoneNumber: false,
      alwaysRedirectToVoiceMail: false,
      busyRedirectToVoiceMail: true,
      noAnswerRedirectToVoiceMail: true,
      outOfPrimaryZoneRedirectToVoiceMail: false,
    },
  };
  if (i >= 20 && i < 25) settings.UserCallCenterGetRequest = { agentACDState: acdStates[i - 20] };
  for (const value of Object.values(settings)) {
    for (const [key, v] of Object.entries(value as Record<string, unknown>)) if (v === undefined) delete (value as Record<string, unknown>)[key];
  }
  return settings;
}
