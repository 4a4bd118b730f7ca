// SCIM 2.0 conformance-style: real HTTP requests shaped like RFC 7644's examples, against a
// real Herald (PostgreSQL, Temporal, SMTP), with SCIM's media type and error format checked.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeyForTest } from '../../testkit/keys.js';
import { seedEmail, startStack, waitForFinal, type ApiResponse, type TestStack } from '../../testkit/stack.js';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
const LIST = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';

describe('SCIM 2.0 service provider', () => {
  let stack: TestStack;
  let key: string;
  const scim = (method: string, path: string, body?: unknown, opts: { key?: string | null; raw?: string; contentType?: string } = {}): Promise<ApiResponse> =>
    stack.request(method, `/scim/v2${path}`, body, {
      key: opts.key === undefined ? key : opts.key,
      ...(opts.raw !== undefined ? { raw: opts.raw } : {}),
      headers: body !== undefined || opts.raw !== undefined ? { 'content-type': opts.contentType ?? 'application/scim+json' } : {},
    });
  const expectScimError = (r: ApiResponse, status: number, scimType?: string) => {
    expect(r.status, JSON.stringify(r.body)).toBe(status);
    expect(r.headers.get('content-type')).toMatch(/^application\/scim\+json/);
    expect(r.body.schemas).toEqual([ERROR]);
    expect(r.body.status).toBe(String(status));
    expect(typeof r.body.detail).toBe('string');
    if (scimType) expect(r.body.scimType).toBe(scimType);
  };

  // RFC 7644 §3.3's example user, with the attributes Herald maps.
  const bjensen = {
    schemas: [USER],
    userName: 'bjensen',
    externalId: 'bjensen-ext',
    name: { formatted: 'Ms. Barbara J Jensen III', familyName: 'Jensen', givenName: 'Barbara' },
    emails: [
      { value: 'babs@jensen.org', type: 'home' },
      { value: 'BJensen@Example.com', type: 'work', primary: true },
    ],
    phoneNumbers: [{ value: 'tel:+1-201-555-0123', type: 'work' }],
    preferredLanguage: 'en-US,en;q=0.9',
    timezone: 'America/Los_Angeles',
    title: 'Tour Guide',
    active: true,
  };

  beforeAll(async () => {
    stack = await startStack();
    key = await createKeyForTest(stack.db, 'default', ['scim']);
    await seedEmail(stack, { userId: 'ada' });
  });
  afterAll(() => stack?.stop());

  it('discovery: ServiceProviderConfig, ResourceTypes, Schemas', async () => {
    const spc = await scim('GET', '/ServiceProviderConfig');
    expect(spc.status).toBe(200);
    expect(spc.headers.get('content-type')).toMatch(/^application\/scim\+json/);
    expect(spc.body.patch.supported).toBe(true);
    expect(spc.body.filter).toMatchObject({ supported: true, maxResults: 200 });
    expect(spc.body.authenticationSchemes[0].type).toBe('oauthbearertoken');
    const types = await scim('GET', '/ResourceTypes');
    expect(types.body.schemas).toEqual([LIST]);
    expect(types.body.Resources.map((r: { id: string }) => r.id)).toEqual(['User', 'Group']);
    expect((await scim('GET', '/ResourceTypes/User')).body.endpoint).toBe('/Users');
    const schemas = await scim('GET', '/Schemas');
    expect(schemas.body.Resources.map((r: { id: string }) => r.id)).toEqual([USER, GROUP]);
    expect((await scim('GET', `/Schemas/${USER}`)).body.attributes.find((a: { name: string }) => a.name === 'userName').uniqueness).toBe('server');
    expectScimError(await scim('GET', '/Schemas/urn:nope'), 404);
  });

  it('authentication: a bearer key with the scim scope; errors in SCIM format', async () => {
    expectScimError(await scim('GET', '/Users', undefined, { key: null }), 401);
    expectScimError(await scim('GET', '/Users', undefined, { key: 'hk_wrong' }), 401);
    const readKey = await createKeyForTest(stack.db, 'default', ['read', 'manage']);
    expectScimError(await scim('GET', '/Users', undefined, { key: readKey }), 403);
    // The scim key does not reach the rest of the API.
    expect((await stack.request('GET', '/v1/users', undefined, { key })).status).toBe(403);
    expectScimError(await scim('GET', '/Nothing'), 404);
  });

  it('creates a user (RFC 7644 §3.3) and maps it onto a Herald recipient', async () => {
    const r = await scim('POST', '/Users', bjensen);
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.headers.get('content-type')).toMatch(/^application\/scim\+json/);
    expect(r.body.id).toBe('bjensen');
    expect(r.headers.get('location')).toBe(`${stack.api.url}/scim/v2/Users/bjensen`);
    expect(r.body).toMatchObject({ schemas: [USER], userName: 'bjensen', externalId: 'bjensen-ext', active: true, title: 'Tour Guide', groups: [] });
    expect(r.body.name.givenName).toBe('Barbara');
    expect(r.body.meta).toMatchObject({ resourceType: 'User', location: `${stack.api.url}/scim/v2/Users/bjensen` });
    expect(r.body.meta.version).toMatch(/^W\/"/);

    const herald = await stack.request('GET', '/v1/users/bjensen');
    expect(herald.body).toMatchObject({
      id: 'bjensen',
      name: 'Ms. Barbara J Jensen III',
      email: 'bjensen@example.com',
      phone: '+12015550123',
      locale: 'en-US',
      timezone: 'America/Los_Angeles',
      source: 'scim',
      active: true,
    });

    // GET returns what the identity provider wrote.
    const got = await scim('GET', '/Users/bjensen');
    expect(got.status).toBe(200);
    expect(got.body.emails).toEqual(bjensen.emails);
    expect(got.body.phoneNumbers).toEqual(bjensen.phoneNumbers);
  });

  it('refuses a taken userName (case-insensitive), a missing userName, bad values, malformed JSON', async () => {
    expectScimError(await scim('POST', '/Users', { ...bjensen, userName: 'BJensen' }), 409, 'uniqueness');
    expectScimError(await scim('POST', '/Users', { schemas: [USER], emails: [{ value: 'x@example.com' }] }), 400, 'invalidValue');
    expectScimError(await scim('POST', '/Users', { schemas: [USER], userName: 'mail', emails: [{ value: 'not-an-address', primary: true }] }), 400, 'invalidValue');
    expectScimError(await scim('POST', '/Users', undefined, { raw: '{"userName": ' }), 400, 'invalidSyntax');
    expectScimError(await scim('GET', '/Users/nobody'), 404);
  });

  it('accepts application/json as well', async () => {
    const r = await scim('POST', '/Users', { schemas: [USER], userName: 'jsmith', externalId: 'js-1', emails: [{ value: 'jsmith@example.com' }] }, { contentType: 'application/json' });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
  });

  it('filters by userName eq and externalId eq, and pages with startIndex/count', async () => {
    for (const n of ['u1', 'u2', 'u3']) expect((await scim('POST', '/Users', { schemas: [USER], userName: n, externalId: `ext-${n}` })).status).toBe(201);
    const byName = await scim('GET', `/Users?filter=${encodeURIComponent('userName eq "BJENSEN"')}`);
    expect(byName.status).toBe(200);
    expect(byName.body).toMatchObject({ schemas: [LIST], totalResults: 1, startIndex: 1, itemsPerPage: 1 });
    expect(byName.body.Resources[0].id).toBe('bjensen');
    const byExt = await scim('GET', `/Users?filter=${encodeURIComponent('externalId eq "ext-u2"')}`);
    expect(byExt.body.Resources.map((u: { userName: string }) => u.userName)).toEqual(['u2']);
    const none = await scim('GET', `/Users?filter=${encodeURIComponent('userName eq "ghost"')}`);
    expect(none.body).toMatchObject({ totalResults: 0, Resources: [] });
    const either = await scim('GET', `/Users?filter=${encodeURIComponent('userName eq "u1" or externalId eq "ext-u3"')}`);
    expect(either.body.totalResults).toBe(2);

    const all = await scim('GET', '/Users');
    expect(all.body.totalResults).toBe(5);
    const page = await scim('GET', '/Users?startIndex=2&count=2');
    expect(page.body).toMatchObject({ totalResults: 5, startIndex: 2, itemsPerPage: 2 });
    expect(page.body.Resources.map((u: { id: string }) => u.id)).toEqual(all.body.Resources.slice(1, 3).map((u: { id: string }) => u.id));
    expect((await scim('GET', '/Users?count=0')).body).toMatchObject({ totalResults: 5, itemsPerPage: 0 });
    // An empty count is not 0 (found by the fuzzer): refused like any other non-integer.
    expect((await scim('GET', '/Users?count=')).status).toBe(400);
    expect((await scim('GET', '/Users?startIndex=')).status).toBe(400);

    expectScimError(await scim('GET', `/Users?filter=${encodeURIComponent('userName eq')}`), 400, 'invalidFilter');
    expectScimError(await scim('GET', `/Users?filter=${encodeURIComponent('nickName eq "x"')}`), 400, 'invalidFilter');
  });

  let groupId = '';
  it('groups: create with members, PATCH add and remove members (RFC 7644 §3.5.2)', async () => {
    const created = await scim('POST', '/Groups', { schemas: [GROUP], displayName: 'Tour Guides', externalId: 'g-1', members: [{ value: 'bjensen' }] });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    groupId = created.body.id;
    expect(groupId).toBe('tour-guides');
    expect(created.body.members).toEqual([{ value: 'bjensen', $ref: `${stack.api.url}/scim/v2/Users/bjensen` }]);

    const add = await scim('PATCH', `/Groups/${groupId}`, { schemas: [PATCH], Operations: [{ op: 'add', path: 'members', value: [{ display: 'u1', value: 'u1' }, { value: 'u2' }] }] });
    expect(add.status, JSON.stringify(add.body)).toBe(200);
    expect(add.body.members.map((m: { value: string }) => m.value).sort()).toEqual(['bjensen', 'u1', 'u2']);
    const members = await stack.request('GET', `/v1/users?group=${groupId}`);
    expect(members.body.items.map((u: { id: string }) => u.id)).toEqual(['bjensen', 'u1', 'u2']);
    expect((await scim('GET', '/Users/bjensen')).body.groups).toEqual([{ value: groupId, display: 'Tour Guides', $ref: `${stack.api.url}/scim/v2/Groups/${groupId}` }]);

    const remove = await scim('PATCH', `/Groups/${groupId}`, { schemas: [PATCH], Operations: [{ op: 'remove', path: 'members[value eq "u1"]' }] });
    expect(remove.body.members.map((m: { value: string }) => m.value).sort()).toEqual(['bjensen', 'u2']);
    // Entra ID's form: remove by value in the body.
    const remove2 = await scim('PATCH', `/Groups/${groupId}`, { schemas: [PATCH], Operations: [{ op: 'Remove', path: 'members', value: [{ value: 'u2' }] }] });
    expect(remove2.body.members.map((m: { value: string }) => m.value)).toEqual(['bjensen']);
    const rename = await scim('PATCH', `/Groups/${groupId}`, { schemas: [PATCH], Operations: [{ op: 'replace', value: { displayName: 'Guides' } }] });
    expect(rename.body.displayName).toBe('Guides');

    expect((await scim('GET', `/Groups?filter=${encodeURIComponent('displayName eq "guides"')}`)).body.totalResults).toBe(1);
    expect((await scim('GET', `/Groups?excludedAttributes=members`)).body.Resources[0].members).toBeUndefined();
    expectScimError(await scim('PATCH', `/Groups/${groupId}`, { schemas: [PATCH], Operations: [{ op: 'add', path: 'members', value: [{ value: 'ghost' }] }] }), 400, 'invalidValue');
    expectScimError(await scim('PATCH', `/Groups/${groupId}`, { schemas: [PATCH], Operations: [{ op: 'remove' }] }), 400, 'noTarget');
    expectScimError(await scim('PATCH', `/Groups/${groupId}`, { schemas: [PATCH], Operations: [{ op: 'move', path: 'members' }] }), 400, 'invalidSyntax');
    expectScimError(await scim('PATCH', `/Groups/${groupId}`, { Operations: [{ op: 'add', path: 'members', value: [] }] }), 400);
  });

  it('directory-managed users and groups are read-only through the normal API', async () => {
    const put = await stack.request('PUT', '/v1/users/bjensen', { name: 'Hijack', email: 'x@example.com' });
    expect(put.status).toBe(409);
    expect(put.body.error.code).toBe('directory_managed');
    expect((await stack.request('DELETE', '/v1/users/bjensen')).body.error.code).toBe('directory_managed');
    expect((await stack.request('PUT', `/v1/groups/${groupId}`, { name: 'x' })).body.error.code).toBe('directory_managed');
    const join = await stack.request('PUT', '/v1/users/ada', { name: 'Ada', email: 'ada@example.com', groups: [groupId] });
    expect(join.status).toBe(409);
    expect(join.body.error.code).toBe('directory_managed');
  });

  it('PUT replaces a user; PATCH replaces a filtered sub-attribute', async () => {
    const put = await scim('PUT', '/Users/u3', { schemas: [USER], userName: 'u3-renamed', externalId: 'ext-u3', displayName: 'Three', emails: [{ value: 'three@example.com', primary: true }] });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body).toMatchObject({ id: 'u3', userName: 'u3-renamed', displayName: 'Three' });
    expect((await stack.request('GET', '/v1/users/u3')).body).toMatchObject({ name: 'Three', email: 'three@example.com' });
    expectScimError(await scim('PUT', '/Users/u3', { schemas: [USER], userName: 'bjensen' }), 409, 'uniqueness');
    expectScimError(await scim('PUT', '/Users/ghost', { schemas: [USER], userName: 'ghost' }), 404);

    const patched = await scim('PATCH', '/Users/bjensen', { schemas: [PATCH], Operations: [{ op: 'replace', path: 'emails[type eq "work"].value', value: 'barbara@example.com' }] });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect((await stack.request('GET', '/v1/users/bjensen')).body.email).toBe('barbara@example.com');
    const lang = await scim('PATCH', '/Users/bjensen', { schemas: [PATCH], Operations: [{ op: 'replace', path: 'preferredLanguage', value: 'de-DE' }, { op: 'add', path: 'name.middleName', value: 'Jane' }] });
    expect(lang.body.name.middleName).toBe('Jane');
    expect((await stack.request('GET', '/v1/users/bjensen')).body.locale).toBe('de-DE');
    expectScimError(await scim('PATCH', '/Users/bjensen', { schemas: [PATCH], Operations: [{ op: 'replace', path: 'emails[type eq', value: 'x' }] }), 400, 'invalidPath');
  });

  let notificationId = '';
  it('deactivate (active=false): the next send to the user is suppressed with the reason', async () => {
    const before = await stack.request('POST', '/v1/notifications', { template: 'welcome', to: { userIds: ['bjensen'] }, data: { name: 'Babs' } });
    expect(before.status, JSON.stringify(before.body)).toBe(202);
    await waitForFinal(stack, before.body.id);
    expect((await stack.request('GET', `/v1/notifications/${before.body.id}/deliveries`)).body.items[0]).toMatchObject({ userId: 'bjensen', status: 'sent' });

    // Entra ID sends booleans as strings.
    const off = await scim('PATCH', '/Users/bjensen', { schemas: [PATCH], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] });
    expect(off.status, JSON.stringify(off.body)).toBe(200);
    expect(off.body.active).toBe(false);
    expect((await stack.request('GET', '/v1/users/bjensen')).body.active).toBe(false);
    expect((await scim('GET', `/Users?filter=${encodeURIComponent('active eq false')}`)).body.Resources.map((u: { id: string }) => u.id)).toEqual(['bjensen']);

    const after = await stack.request('POST', '/v1/notifications', { template: 'welcome', to: { userIds: ['bjensen'] }, data: { name: 'Babs' } });
    expect(after.status).toBe(202);
    notificationId = after.body.id;
    await waitForFinal(stack, notificationId);
    const rows = (await stack.request('GET', `/v1/notifications/${notificationId}/deliveries`)).body.items;
    expect(rows.map((d: { userId: string; status: string; reason: string }) => [d.userId, d.status, d.reason])).toEqual([['bjensen', 'suppressed', 'user_inactive']]);
    // Only the first send reached the mailbox.
    expect(stack.smtp.mails().filter((m) => m.envelopeTo.includes('barbara@example.com') || m.envelopeTo.includes('bjensen@example.com'))).toHaveLength(1);

    const on = await scim('PATCH', '/Users/bjensen', { schemas: [PATCH], Operations: [{ op: 'replace', value: { active: true } }] });
    expect(on.body.active).toBe(true);
  });

  it('deletes a user and a group; the delivery history stays', async () => {
    const del = await scim('DELETE', '/Users/bjensen');
    expect(del.status).toBe(204);
    expectScimError(await scim('GET', '/Users/bjensen'), 404);
    expectScimError(await scim('DELETE', '/Users/bjensen'), 404);
    expect((await stack.request('GET', '/v1/users/bjensen')).status).toBe(404);
    const history = await stack.request('GET', `/v1/notifications/${notificationId}/deliveries`);
    expect(history.body.items).toHaveLength(1);
    expect((await scim('GET', `/Groups/${groupId}`)).body.members ?? []).toEqual([]);
    expect((await scim('DELETE', `/Groups/${groupId}`)).status).toBe(204);
    expectScimError(await scim('GET', `/Groups/${groupId}`), 404);
  });

  it('keeps a locale or time zone Herald cannot use as sent, ignores it with a warning on the user, and still provisions and delivers', async () => {
    const odd = { schemas: [USER], userName: 'odd', emails: [{ value: 'odd@example.com', primary: true }], preferredLanguage: 'fr-FR', locale: 'Klingon (Qo’noS)', timezone: 'Mars/Olympus' };
    const created = await scim('POST', '/Users', odd);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    // SCIM reads give back what the identity provider sent.
    expect(created.body).toMatchObject({ locale: 'Klingon (Qo’noS)', timezone: 'Mars/Olympus', preferredLanguage: 'fr-FR' });
    const herald = (await stack.request('GET', '/v1/users/odd')).body;
    expect(herald).toMatchObject({ locale: 'fr-FR', timezone: null });
    expect(herald.profileWarnings).toEqual([
      { field: 'locale', value: 'Klingon (Qo’noS)', message: expect.stringMatching(/BCP 47/) },
      { field: 'timezone', value: 'Mars/Olympus', message: expect.stringMatching(/IANA/) },
    ]);
    // A group naming the user is provisioned too (it used to fail with "no such User").
    const group = await scim('POST', '/Groups', { schemas: [GROUP], displayName: 'Odd ones', members: [{ value: 'odd' }] });
    expect(group.status, JSON.stringify(group.body)).toBe(201);
    // Rendering and scheduling fall back to the defaults: the mail goes out.
    const sent = await stack.request('POST', '/v1/notifications', { template: 'welcome', to: { userIds: ['odd'] }, data: { name: 'Odd' } });
    expect(sent.status, JSON.stringify(sent.body)).toBe(202);
    await waitForFinal(stack, sent.body.id);
    expect((await stack.request('GET', `/v1/notifications/${sent.body.id}/deliveries`)).body.items.map((d: { status: string }) => d.status)).toEqual(['sent']);
    expect(stack.smtp.mails().some((m) => m.envelopeTo.includes('odd@example.com'))).toBe(true);
    // A usable value sent later clears the warning.
    const fixed = await scim('PATCH', '/Users/odd', { schemas: [PATCH], Operations: [{ op: 'replace', path: 'timezone', value: 'Europe/Paris' }, { op: 'remove', path: 'locale' }] });
    expect(fixed.status, JSON.stringify(fixed.body)).toBe(200);
    expect((await stack.request('GET', '/v1/users/odd')).body).toMatchObject({ timezone: 'Europe/Paris', profileWarnings: [] });
    expect((await scim('DELETE', `/Groups/${group.body.id}`)).status).toBe(204);
    expect((await scim('DELETE', '/Users/odd')).status).toBe(204);
  });

  it('method semantics (RFC 7644 §3.2): every endpoint answers the methods it lacks with 405, Allow and a SCIM error', async () => {
    const { body: user } = await scim('POST', '/Users', { schemas: [USER], userName: 'methods' });
    const { body: group } = await scim('POST', '/Groups', { schemas: [GROUP], displayName: 'Methods' });
    const endpoints: [string, string[]][] = [
      ['/ServiceProviderConfig', ['GET']],
      ['/ResourceTypes', ['GET']],
      ['/ResourceTypes/User', ['GET']],
      ['/Schemas', ['GET']],
      [`/Schemas/${USER}`, ['GET']],
      ['/Users', ['GET', 'POST']],
      [`/Users/${user.id}`, ['DELETE', 'GET', 'PATCH', 'PUT']],
      ['/Groups', ['GET', 'POST']],
      [`/Groups/${group.id}`, ['DELETE', 'GET', 'PATCH', 'PUT']],
    ];
    for (const [path, allowed] of endpoints) {
      for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].filter((m) => !allowed.includes(m))) {
        const r = await scim(method, path, method === 'GET' || method === 'DELETE' ? undefined : { schemas: [USER], userName: 'x' });
        expectScimError(r, 405);
        expect(r.headers.get('allow'), `${method} ${path}`).toBe([...allowed, ...(allowed.includes('GET') ? ['HEAD'] : [])].sort().join(', '));
        expect(r.body.detail).toContain(method);
      }
    }
    // The methods they have: HEAD is GET without a body; a creation answers 201 with Location.
    const head = await stack.request('HEAD', '/scim/v2/ServiceProviderConfig', undefined, { key });
    expect(head.status).toBe(200);
    expect(head.body).toBeNull();
    expect(user.meta.location).toBe(`${stack.api.url}/scim/v2/Users/methods`);
    // Searching several resource types at once is not implemented: 501 (RFC 7644 §3.12).
    expectScimError(await scim('POST', '/.search', { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'] }), 501);
    expectScimError(await scim('POST', '/.search', {}, { key: null }), 401);
    // PUT and PATCH change, they never create: an unknown id is 404.
    expectScimError(await scim('PUT', '/Groups/nope', { schemas: [GROUP], displayName: 'Nope' }), 404);
    expectScimError(await scim('PATCH', '/Users/nope', { schemas: [PATCH], Operations: [{ op: 'replace', path: 'displayName', value: 'x' }] }), 404);
    // DELETE is 204 with no body, then 404: deleting again finds nothing.
    for (const path of [`/Users/${user.id}`, `/Groups/${group.id}`]) {
      const del = await scim('DELETE', path);
      expect(del.status).toBe(204);
      expect(del.body).toBeNull();
      expectScimError(await scim('DELETE', path), 404);
      expectScimError(await scim('GET', path), 404);
    }
  });

  it('returns partial resources for attributes and excludedAttributes (RFC 7644 §3.9)', async () => {
    const { body: user } = await scim('POST', '/Users', { schemas: [USER], userName: 'partial', displayName: 'Part', name: { givenName: 'P', familyName: 'Art' }, title: 'x' });
    const only = await scim('GET', `/Users/${user.id}?attributes=displayName,name.givenName`);
    expect(only.body).toEqual({ schemas: [USER], id: user.id, meta: user.meta, displayName: 'Part', name: { givenName: 'P' } });
    const without = await scim('GET', `/Users?filter=${encodeURIComponent('userName eq "partial"')}&excludedAttributes=${USER}:name,title`);
    expect(without.body.Resources[0].name).toBeUndefined();
    expect(without.body.Resources[0].title).toBeUndefined();
    expect(without.body.Resources[0].displayName).toBe('Part');
    const created = await scim('POST', '/Users?attributes=userName', { schemas: [USER], userName: 'partial2' });
    expect(Object.keys(created.body).sort()).toEqual(['id', 'meta', 'schemas', 'userName']);
    for (const id of [user.id, created.body.id]) expect((await scim('DELETE', `/Users/${id}`)).status).toBe(204);
  });

  it('is described in /openapi.json with SCIM media type and error shape', async () => {
    const doc = (await stack.request('GET', '/openapi.json')).body;
    const post = doc.paths['/scim/v2/Users'].post;
    expect(Object.keys(post.requestBody.content)).toEqual(['application/scim+json', 'application/json']);
    expect(post.responses['201'].content['application/scim+json']).toBeDefined();
    expect(post.responses['409'].content['application/scim+json'].schema.$ref).toBe('#/components/schemas/ScimError');
    expect(doc.paths['/scim/v2/Groups/{id}'].patch).toBeDefined();
  });
});
