import { mockErrors } from '../error-catalogue.js';
import { type DeviceRecord, type OciMockState, type UserRecord, copyFields } from '../model.js';
import { type CriterionAccessors, limitRows, matchesCriteria } from '../search.js';
import type { CommandHandler, HandlerContext } from './context.js';
import { applyModify, fieldsOf } from './context.js';
import { groupOf } from './group.js';
import { text } from './service-provider.js';
import { tableMemberOf, userTable } from './tables.js';

/** The deviceUserTable headings of GroupAccessDeviceGetUserListResponse (its XSD documentation). */
const DEVICE_USER_LIST = [
  'Line/Port',
  'Last Name',
  'First Name',
  'Phone Number',
  'User Id',
  'User Type',
  'Endpoint Type',
  'Order',
  'Primary Line/Port',
  'Extension',
  'Department',
  'Email Address',
  'Private Identity',
];

/** Access devices of a group: GroupAccessDeviceAdd/Get/GetList/Modify/Delete (every version). */
export const deviceHandlers: Record<string, CommandHandler> = {
  GroupAccessDeviceAddRequest: (ctx) => {
    const group = groupOf(ctx);
    ctx.state.addDevice(group.serviceProviderId, group.groupId, deviceName(ctx), fieldsOf(ctx.request));
    return ctx.success();
  },

  GroupAccessDeviceGetRequest: (ctx) => {
    const device = deviceOf(ctx);
    return ctx.respond(
      copyFields(device.fields, {
        serviceProviderId: device.serviceProviderId,
        groupId: device.groupId,
        deviceName: device.deviceName,
        numberOfPorts: { unlimited: true },
        numberOfAssignedPorts: assignedPorts(ctx, device),
        status: 'Online',
      }),
    );
  },

  GroupAccessDeviceGetListRequest: (ctx) => {
    const group = groupOf(ctx);
    const rows = [...group.devices.values()].filter((d) => matchesCriteria(ctx.request, deviceCriteria, d));
    return ctx.respond({
      accessDeviceTable: {
        colHeading: ['Device Name', 'Device Type', 'Available Ports', 'Net Address', 'MAC Address', 'Status', 'Version', 'Access Device External Id'],
        row: limitRows(rows, ctx.request).map((d) => ({
          col: [
            d.deviceName,
            text(d.fields.deviceType),
            'Unlimited',
            text(d.fields.netAddress),
            text(d.fields.macAddress),
            'Online',
            text(d.fields.version),
            '',
          ],
        })),
      },
    });
  },

  GroupAccessDeviceGetUserListRequest: (ctx) => {
    const users = limitRows(usersOnDevice(ctx.state, deviceOf(ctx)), ctx.request);
    return ctx.respond({ [tableMemberOf(ctx.schema, ctx.responseType) ?? 'deviceUserTable']: userTable(ctx.state, DEVICE_USER_LIST, users) });
  },

  GroupAccessDeviceModifyRequest: (ctx) => {
    const device = deviceOf(ctx);
    const deviceType = ctx.request.deviceType;
    if (typeof deviceType === 'string' && !ctx.state.deviceTypes.has(deviceType)) throw mockErrors.deviceTypeNotFound(deviceType);
    applyModify(device.fields, ctx.request);
    return ctx.success();
  },

  GroupAccessDeviceDeleteRequest: (ctx) => {
    const device = deviceOf(ctx);
    ctx.state.group(device.serviceProviderId, device.groupId).devices.delete(device.deviceName);
    return ctx.success();
  },
};

const deviceCriteria: CriterionAccessors<DeviceRecord> = {
  searchCriteriaDeviceName: (r) => r.deviceName,
  searchCriteriaDeviceMACAddress: (r) => r.fields.macAddress as string | undefined,
  searchCriteriaDeviceNetAddress: (r) => r.fields.netAddress as string | undefined,
  searchCriteriaExactDeviceType: (r) => r.fields.deviceType as string | undefined,
  searchCriteriaAccessDeviceVersion: (r) => r.fields.version as string | undefined,
};

function deviceName(ctx: HandlerContext): string {
  if (typeof ctx.request.deviceName !== 'string') throw mockErrors.externalIdNotSupported('deviceExternalId');
  return ctx.request.deviceName;
}

function deviceOf(ctx: HandlerContext): DeviceRecord {
  const group = groupOf(ctx);
  return ctx.state.device(group.serviceProviderId, group.groupId, deviceName(ctx));
}

/** Users of the group whose stored endpoint names this device. */
function assignedPorts(ctx: HandlerContext, device: DeviceRecord): number {
  return usersOnDevice(ctx.state, device).length;
}

/** Users of the device's group whose stored endpoint names it (the model's read index: an audit reads every device of a large group). */
function usersOnDevice(state: OciMockState, device: DeviceRecord): UserRecord[] {
  return state.usersOnDevice(device.serviceProviderId, device.groupId, device.deviceName);
}
