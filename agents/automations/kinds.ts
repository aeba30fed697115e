/**
 * The kinds of service instance whose profile (`serviceInstanceProfile`) carries a name,
 * number, extension and aliases. Families, not classes: the context picks the release's
 * newest version, so one table serves every release.
 */
export interface InstanceKind {
  /** Stable key, used in results. */
  kind: string;
  /** Words for people. */
  label: string;
  /** Lists the group's instances (first table, `Service User Id` column); absent for one-per-group kinds. */
  listFamily?: string;
  /** Reads one instance (by `serviceUserId`, or by group for one-per-group kinds). */
  getFamily: string;
}

export const ALIAS_KINDS: readonly InstanceKind[] = [
  { kind: 'autoAttendant', label: 'auto attendant', listFamily: 'GroupAutoAttendantGetInstanceListRequest', getFamily: 'GroupAutoAttendantGetInstanceRequest' },
  { kind: 'huntGroup', label: 'hunt group', listFamily: 'GroupHuntGroupGetInstanceListRequest', getFamily: 'GroupHuntGroupGetInstanceRequest' },
  { kind: 'callCenter', label: 'call center', listFamily: 'GroupCallCenterGetInstanceListRequest', getFamily: 'GroupCallCenterGetInstanceRequest' },
  { kind: 'groupPaging', label: 'group paging', listFamily: 'GroupGroupPagingGetInstanceListRequest', getFamily: 'GroupGroupPagingGetInstanceRequest' },
  { kind: 'voiceXml', label: 'VoiceXML', listFamily: 'GroupVoiceXmlGetInstanceListRequest', getFamily: 'GroupVoiceXmlGetInstanceRequest' },
  {
    kind: 'collaborateBridge',
    label: 'Collaborate bridge',
    listFamily: 'GroupCollaborateBridgeGetInstanceListRequest',
    getFamily: 'GroupCollaborateBridgeGetInstanceRequest',
  },
  {
    kind: 'findMeFollowMe',
    label: 'Find-me/Follow-me',
    listFamily: 'GroupFindMeFollowMeGetInstanceListRequest',
    getFamily: 'GroupFindMeFollowMeGetInstanceRequest',
  },
  {
    kind: 'instantGroupCall',
    label: 'Instant Group Call',
    listFamily: 'GroupInstantGroupCallGetInstanceListRequest',
    getFamily: 'GroupInstantGroupCallGetInstanceRequest',
  },
  { kind: 'voicePortal', label: 'Voice Portal', getFamily: 'GroupVoiceMessagingGroupGetVoicePortalRequest' },
  {
    kind: 'broadWorksAnywhere',
    label: 'BroadWorks Anywhere',
    listFamily: 'GroupBroadWorksAnywhereGetInstanceListRequest',
    getFamily: 'GroupBroadWorksAnywhereGetInstanceRequest',
  },
  {
    kind: 'meetMeConferencing',
    label: 'Meet-Me conferencing',
    listFamily: 'GroupMeetMeConferencingGetInstanceListRequest',
    getFamily: 'GroupMeetMeConferencingGetInstanceRequest',
  },
  { kind: 'routePoint', label: 'Route Point', listFamily: 'GroupRoutePointGetInstanceListRequest', getFamily: 'GroupRoutePointGetInstanceRequest' },
  {
    kind: 'flexibleSeatingHost',
    label: 'Flexible Seating Host',
    listFamily: 'GroupFlexibleSeatingHostGetInstanceListRequest',
    getFamily: 'GroupFlexibleSeatingHostGetInstanceRequest',
  },
];

/** Kinds with an instance list (every kind but the one-per-group Voice Portal). */
export const LISTED_KINDS = ALIAS_KINDS.filter((k) => k.listFamily !== undefined);
