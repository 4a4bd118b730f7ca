// A company directory as LDIF: people under ou=people, groups under ou=groups, nested three
// deep (all-staff → department → team → people), the shape the sync must flatten.

export const SUFFIX = 'dc=herald,dc=test';
export const PEOPLE = `ou=people,${SUFFIX}`;
export const GROUPS = `ou=groups,${SUFFIX}`;

export const TEAMS = ['eng-backend', 'eng-frontend', 'sales-emea', 'sales-apac', 'ops-sre', 'ops-it'] as const;
export const DEPARTMENTS: Record<string, readonly string[]> = {
  eng: ['eng-backend', 'eng-frontend'],
  sales: ['sales-emea', 'sales-apac'],
  ops: ['ops-sre', 'ops-it'],
};
const LANGUAGES = ['en-US', 'zh-CN', 'de-DE'];

export const uid = (i: number) => `user${String(i).padStart(3, '0')}`;
export const userDn = (i: number) => `uid=${uid(i)},${PEOPLE}`;
export const groupDn = (cn: string) => `cn=${cn},${GROUPS}`;
export const teamOf = (i: number): string => TEAMS[i % TEAMS.length] ?? 'eng-backend';
export const departmentOf = (team: string): string => Object.entries(DEPARTMENTS).find(([, teams]) => teams.includes(team))?.[0] ?? '';

export function userLdif(i: number, changetype = false): string {
  return [
    `dn: ${userDn(i)}`,
    ...(changetype ? ['changetype: add'] : []),
    'objectClass: inetOrgPerson',
    `uid: ${uid(i)}`,
    `cn: User ${i}`,
    `sn: ${i}`,
    `mail: ${uid(i)}@corp.example`,
    `mobile: +1 555 01${String(i).padStart(5, '0')}`,
    `preferredLanguage: ${LANGUAGES[i % LANGUAGES.length]}`,
    '',
  ].join('\n');
}

/** The base, the two OUs and `users` people (1…users), without groups. */
export function peopleLdif(users: number): string {
  const out = [
    [`dn: ${SUFFIX}`, 'objectClass: dcObject', 'objectClass: organization', 'dc: herald', 'o: Herald Test', ''].join('\n'),
    [`dn: ${PEOPLE}`, 'objectClass: organizationalUnit', 'ou: people', ''].join('\n'),
    [`dn: ${GROUPS}`, 'objectClass: organizationalUnit', 'ou: groups', ''].join('\n'),
  ];
  for (let i = 1; i <= users; i++) out.push(userLdif(i));
  return out.join('\n');
}

/**
 * The nested groups, each person of 1…users in one team: teams first, then the departments
 * holding them, then all-staff (the order the memberof overlay needs to see every nesting).
 */
export function groupsLdif(users: number, changetype = false): string {
  const add = changetype ? ['changetype: add'] : [];
  const out: string[] = [];
  for (const team of TEAMS) {
    const members = Array.from({ length: users }, (_, k) => k + 1).filter((i) => teamOf(i) === team);
    out.push([`dn: ${groupDn(team)}`, ...add, 'objectClass: groupOfNames', `cn: ${team}`, ...members.map((i) => `member: ${userDn(i)}`), ''].join('\n'));
  }
  for (const [dept, teams] of Object.entries(DEPARTMENTS)) {
    out.push([`dn: ${groupDn(dept)}`, ...add, 'objectClass: groupOfNames', `cn: ${dept}`, ...teams.map((t) => `member: ${groupDn(t)}`), ''].join('\n'));
  }
  out.push([`dn: ${groupDn('all-staff')}`, ...add, 'objectClass: groupOfNames', 'cn: all-staff', ...Object.keys(DEPARTMENTS).map((d) => `member: ${groupDn(d)}`), ''].join('\n'));
  return out.join('\n');
}

/** The base, the two OUs, `users` people (1…users) each in one team, and the nested groups. */
export function seedLdif(users: number): string {
  return `${peopleLdif(users)}\n${groupsLdif(users)}`;
}
