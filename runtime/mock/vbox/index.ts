/** Mock vBox: a TCP server speaking VTU over a simulated house, with fault injection. */
export {
  startVboxMock,
  VboxMock,
  defaultVboxMockLimits,
  resolveVboxLimits,
  type VboxMockOptions,
  type VboxMockLimits,
  type VboxMockRefusal,
  type VboxMockLogEntry,
  type VboxMockRequestRecord,
} from './server.js';
export { VboxMockFaults, type VboxMockFaultSettings } from './faults.js';
export { buildHouse, loadHouseFile, DEFAULT_HOUSE, findKey, type MockHouse, type MockNode, type MockKey, type VboxHouseDefinition } from './house.js';
