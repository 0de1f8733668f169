import { api } from '@michat/protocol';
import type { RouteDoc } from './openapi.ts';

/** The end-to-end encryption routes, for the OpenAPI document (same schemas the handlers validate with). */
export const KEY_ROUTES: readonly RouteDoc[] = [
  {
    method: 'put',
    path: '/api/devices/current/key',
    tag: 'e2ee',
    auth: true,
    summary: "Register the caller's device's signature key (Ed25519, set once: the same key again is a no-op)",
    body: api.RegisterDeviceKey,
    response: api.DeviceKey,
    errors: ['Conflict'],
  },
  { method: 'get', path: '/api/channels/:channel/devices', tag: 'e2ee', auth: true, summary: "Signed-in devices of a channel's members, with their keys (members; org admins for team channels)", response: api.MemberDeviceList, errors: ['NotFound'] },
  { method: 'get', path: '/api/users/:user/devices/keys', tag: 'e2ee', auth: true, summary: "A user's signed-in devices with their keys and fingerprints", response: api.MemberDeviceList, errors: ['NotFound'] },
  {
    method: 'post',
    path: '/api/keypackages',
    tag: 'e2ee',
    auth: true,
    summary: "Add one-time KeyPackages of the caller's device (at most 200 held) and replace its last resort",
    body: api.UploadKeyPackages,
    response: api.UploadedKeyPackages,
    errors: ['Conflict'],
  },
  { method: 'get', path: '/api/keypackages/stock', tag: 'e2ee', auth: true, summary: "How many one-time KeyPackages the caller's device has left, and whether it has a last resort", response: api.KeyPackageStock },
  {
    method: 'post',
    path: '/api/keypackages/claim',
    tag: 'e2ee',
    auth: true,
    summary: 'Take one KeyPackage of each listed device (one-time ones go to one claimer only; else the last resort)',
    body: api.ClaimKeyPackages,
    response: api.ClaimedKeyPackages,
  },
];
