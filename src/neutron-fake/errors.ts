// Neutron's fault envelope (neutron/api/v2/resource.py + neutron_lib/exceptions): every error body is
// {"NeutronError": {"type": <exception class>, "message": <text>, "detail": ""}}; webob errors raised by
// the API layer carry their class name (HTTPBadRequest, HTTPNotFound, …) as the type.

export class NeutronError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'NeutronError';
  }

  body() {
    return { NeutronError: { type: this.type, message: this.message, detail: '' } };
  }
}

const WEBOB: Record<number, [string, string]> = {
  400: ['HTTPBadRequest', 'The server could not comply with the request since it is either malformed or otherwise incorrect.'],
  401: ['HTTPUnauthorized', 'This server could not verify that you are authorized to access the document you requested.'],
  403: ['HTTPForbidden', 'Access was denied to this resource.'],
  404: ['HTTPNotFound', 'The resource could not be found.'],
  405: ['HTTPMethodNotAllowed', 'The method is not allowed for this resource.'],
  409: ['HTTPConflict', 'There was a conflict when trying to complete your request.'],
  413: ['HTTPRequestEntityTooLarge', 'Request is too large.'],
  415: ['HTTPUnsupportedMediaType', 'Unsupported Content-Type'],
  500: ['HTTPInternalServerError', 'Request Failed: internal server error while processing your request.'],
};

export const webobError = (status: number, message?: string) => {
  const [type, text] = WEBOB[status] ?? [status >= 500 ? 'HTTPInternalServerError' : 'HTTPBadRequest', WEBOB[500][1]];
  return new NeutronError(status, type, message ?? text);
};

/** webob.exc.HTTPBadRequest raised by the API layer (attribute population and validation). */
export const badRequest = (message: string) => new NeutronError(400, 'HTTPBadRequest', message);
/** neutron_lib InvalidInput. */
export const invalidInput = (msg: string) => new NeutronError(400, 'InvalidInput', `Invalid input for operation: ${msg}.`);
/** Validation failure of one attribute (AttributeInfo.convert_values). */
export const invalidAttr = (attr: string, reason: string) => badRequest(`Invalid input for ${attr}. Reason: ${reason}.`);

export const networkNotFound = (id: string) => new NeutronError(404, 'NetworkNotFound', `Network ${id} could not be found.`);
export const subnetNotFound = (id: string) => new NeutronError(404, 'SubnetNotFound', `Subnet ${id} could not be found.`);
export const portNotFound = (id: string) => new NeutronError(404, 'PortNotFound', `Port ${id} could not be found.`);
export const securityGroupNotFound = (id: string) => new NeutronError(404, 'SecurityGroupNotFound', `Security group ${id} does not exist`);
export const securityGroupRuleNotFound = (id: string) => new NeutronError(404, 'SecurityGroupRuleNotFound', `Security group rule ${id} does not exist`);
export const floatingIpNotFound = (id: string) => new NeutronError(404, 'FloatingIPNotFound', `Floating IP ${id} could not be found`);
export const routerNotFound = (id: string) => new NeutronError(404, 'RouterNotFound', `Router ${id} could not be found`);

export const networkInUse = (id: string) =>
  new NeutronError(409, 'NetworkInUse', `Unable to complete operation on network ${id}. There are one or more ports still in use on the network.`);
export const subnetInUse = (id: string) =>
  new NeutronError(409, 'SubnetInUse', `Unable to complete operation on subnet ${id}: One or more ports have an IP allocation from this subnet.`);
export const portInUse = (portId: string, netId: string, deviceId: string) =>
  new NeutronError(409, 'PortInUse', `Unable to complete operation on port ${portId} for network ${netId}. Port already has an attached device ${deviceId}.`);
export const macInUse = (netId: string, mac: string) =>
  new NeutronError(409, 'MacAddressInUse', `Unable to complete operation for network ${netId}. The mac address ${mac} is in use.`);
export const ipInUse = (netId: string, ip: string) =>
  new NeutronError(409, 'IpAddressInUse', `Unable to complete operation for network ${netId}. The IP address ${ip} is in use.`);
export const ipGenerationFailure = (netId: string) => new NeutronError(409, 'IpAddressGenerationFailure', `No more IP addresses available on network ${netId}.`);
export const invalidIpForSubnet = (ip: string) => new NeutronError(400, 'InvalidIpForSubnet', `IP address ${ip} is not a valid IP for the specified subnet.`);
export const invalidIpForNetwork = (ip: string) => new NeutronError(400, 'InvalidIpForNetwork', `IP address ${ip} is not a valid IP for any of the subnets on the specified network.`);
/** policy.PolicyNotAuthorized as neutron's policy engine words it. */
export const policyDenied = (rule: string) => new NeutronError(403, 'PolicyNotAuthorized', `(rule:${rule}) is disallowed by policy`);
