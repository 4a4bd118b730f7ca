// What the service provider supports, in SCIM's own discovery documents (RFC 7644 §4,
// RFC 7643 §5–7): identity providers read these to decide which operations to send.
import { GROUP_SCHEMA, USER_SCHEMA } from './resources.js';

const SPC_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig';
const RT_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ResourceType';
const SCHEMA_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Schema';

export const MAX_RESULTS = 200;

export function serviceProviderConfig(baseUrl: string) {
  return {
    schemas: [SPC_SCHEMA],
    documentationUri: `${baseUrl}/docs`,
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: MAX_RESULTS },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: false },
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'OAuth Bearer Token',
        description: 'Authorization: Bearer <a Herald API key with the `scim` scope>',
        specUri: 'https://www.rfc-editor.org/rfc/rfc6750',
        primary: true,
      },
    ],
    meta: { resourceType: 'ServiceProviderConfig', location: `${baseUrl}/scim/v2/ServiceProviderConfig` },
  };
}

export function resourceTypes(baseUrl: string) {
  return [
    { schemas: [RT_SCHEMA], id: 'User', name: 'User', endpoint: '/Users', description: 'A Herald recipient', schema: USER_SCHEMA, meta: { resourceType: 'ResourceType', location: `${baseUrl}/scim/v2/ResourceTypes/User` } },
    { schemas: [RT_SCHEMA], id: 'Group', name: 'Group', endpoint: '/Groups', description: 'A Herald group (a bulk audience)', schema: GROUP_SCHEMA, meta: { resourceType: 'ResourceType', location: `${baseUrl}/scim/v2/ResourceTypes/Group` } },
  ];
}

type Attr = Record<string, unknown>;
function attr(
  name: string,
  type: string,
  opts: Partial<{ multiValued: boolean; required: boolean; mutability: string; uniqueness: string; caseExact: boolean; subAttributes: Attr[]; referenceTypes: string[]; description: string }> = {},
): Attr {
  return {
    name,
    type,
    multiValued: opts.multiValued ?? false,
    description: opts.description ?? name,
    required: opts.required ?? false,
    caseExact: opts.caseExact ?? false,
    mutability: opts.mutability ?? 'readWrite',
    returned: 'default',
    uniqueness: opts.uniqueness ?? 'none',
    ...(opts.subAttributes ? { subAttributes: opts.subAttributes } : {}),
    ...(opts.referenceTypes ? { referenceTypes: opts.referenceTypes } : {}),
  };
}
const multi = (name: string, description: string) =>
  attr(name, 'complex', { multiValued: true, description, subAttributes: [attr('value', 'string'), attr('display', 'string'), attr('type', 'string'), attr('primary', 'boolean')] });

export function schemas(baseUrl: string) {
  return [
    {
      schemas: [SCHEMA_SCHEMA],
      id: USER_SCHEMA,
      name: 'User',
      description: 'User Account',
      attributes: [
        attr('userName', 'string', { required: true, uniqueness: 'server', description: 'Unique per tenant, case-insensitive; also the Herald user id when it is a valid one and free.' }),
        attr('name', 'complex', { subAttributes: ['formatted', 'familyName', 'givenName', 'middleName', 'honorificPrefix', 'honorificSuffix'].map((n) => attr(n, 'string')) }),
        attr('displayName', 'string', { description: "The Herald user's name." }),
        multi('emails', 'The primary (else first) value is the email address Herald sends to.'),
        multi('phoneNumbers', 'The primary (else first) value, when it is an E.164 number, is the SMS number.'),
        attr('preferredLanguage', 'string', { description: "The user's locale in Herald (templates' locale fallback)." }),
        attr('locale', 'string'),
        attr('timezone', 'string', { description: 'IANA zone; quiet hours are in it.' }),
        attr('active', 'boolean', { description: 'false suppresses every delivery to the user (reason user_inactive).' }),
        attr('groups', 'complex', { multiValued: true, mutability: 'readOnly', subAttributes: [attr('value', 'string'), attr('display', 'string'), attr('$ref', 'reference', { referenceTypes: ['Group'] })] }),
      ],
      meta: { resourceType: 'Schema', location: `${baseUrl}/scim/v2/Schemas/${USER_SCHEMA}` },
    },
    {
      schemas: [SCHEMA_SCHEMA],
      id: GROUP_SCHEMA,
      name: 'Group',
      description: 'Group',
      attributes: [
        attr('displayName', 'string', { required: true }),
        attr('members', 'complex', { multiValued: true, subAttributes: [attr('value', 'string', { mutability: 'immutable' }), attr('$ref', 'reference', { mutability: 'immutable', referenceTypes: ['User'], description: 'Members are users (a Herald group holds no groups).' })] }),
      ],
      meta: { resourceType: 'Schema', location: `${baseUrl}/scim/v2/Schemas/${GROUP_SCHEMA}` },
    },
  ];
}
