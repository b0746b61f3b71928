import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { Channel, EventName, Events, FieldclaimApi } from '../shared/contract';

// Sandboxed preload: it may import only 'electron' at run time, so it names the channels itself;
// `satisfies FieldclaimApi` and the wiring test keep this list equal to the contract's.
const call =
  <C extends Channel>(channel: C) =>
  (args: unknown = {}) =>
    ipcRenderer.invoke(`fieldclaim:${channel}`, args);

const api = {
  getStatus: call('getStatus'),
  getAbout: call('getAbout'),
  listPorts: call('listPorts'),
  readPort: call('readPort'),
  readAllPorts: call('readAllPorts'),
  getStation: call('getStation'),
  setWatch: call('setWatch'),
  readSerialNumber: call('readSerialNumber'),
  dismissTiles: call('dismissTiles'),
  clearSession: call('clearSession'),
  previewImport: call('previewImport'),
  commitImport: call('commitImport'),
  exportFile: call('exportFile'),
  retryEntry: call('retryEntry'),
  discardEntry: call('discardEntry'),
  sync: call('sync'),
  queryDevices: call('queryDevices'),
  matchingDeviceIds: call('matchingDeviceIds'),
  queryQueue: call('queryQueue'),
  refreshDevices: call('refreshDevices'),
  cancelRefresh: call('cancelRefresh'),
  getDevice: call('getDevice'),
  changeDevices: call('changeDevices'),
  setDeviceTags: call('setDeviceTags'),
  changeDeviceTag: call('changeDeviceTag'),
  listTags: call('listTags'),
  createTag: call('createTag'),
  updateTag: call('updateTag'),
  deleteTag: call('deleteTag'),
  setApiKey: call('setApiKey'),
  clearApiKey: call('clearApiKey'),
  getSettings: call('getSettings'),
  updateSettings: call('updateSettings'),
  saveDiagnostics: call('saveDiagnostics'),
  on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void {
    const channel = `fieldclaim:event:${event}`;
    const handler = (_event: IpcRendererEvent, payload: Events[E]) => listener(payload);
    ipcRenderer.on(channel, handler);
    return () => ipcRenderer.removeListener(channel, handler);
  },
} satisfies FieldclaimApi;

contextBridge.exposeInMainWorld('api', api);
