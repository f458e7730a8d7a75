// The ends of `spike-nexus store copy` as given on the command line, and the
// check that refuses a PostgreSQL URL holding a password.
import { describe, expect, it } from 'vitest';
import { EndpointError, parseStoreEndpoint, urlHasPassword } from '../../../../src/nexus/store/copy/index.js';

describe('parseStoreEndpoint', () => {
  it('sqlite:DIR is the directory holding spike.db; sqlite:…/spike.db the file itself; relative paths from the working directory', () => {
    expect(parseStoreEndpoint('sqlite:/var/lib/spike/data')).toEqual({ kind: 'sqlite', dataDir: '/var/lib/spike/data', file: '/var/lib/spike/data/spike.db' });
    expect(parseStoreEndpoint('sqlite:/var/lib/spike/data/spike.db')).toEqual({ kind: 'sqlite', dataDir: '/var/lib/spike/data', file: '/var/lib/spike/data/spike.db' });
    expect(parseStoreEndpoint('sqlite:/var/lib/spike/data/')).toEqual({ kind: 'sqlite', dataDir: '/var/lib/spike/data', file: '/var/lib/spike/data/spike.db' });
    expect(parseStoreEndpoint('sqlite:rel/data')).toEqual({ kind: 'sqlite', dataDir: `${process.cwd()}/rel/data`, file: `${process.cwd()}/rel/data/spike.db` });
  });

  it('postgres:URL, or the URL alone', () => {
    expect(parseStoreEndpoint('postgres:postgres://u@h:5432/d')).toEqual({ kind: 'postgres', url: 'postgres://u@h:5432/d' });
    expect(parseStoreEndpoint('postgres:postgresql://u@/d?host=/run/postgresql')).toEqual({ kind: 'postgres', url: 'postgresql://u@/d?host=/run/postgresql' });
    expect(parseStoreEndpoint('postgresql://u@h/d')).toEqual({ kind: 'postgres', url: 'postgresql://u@h/d' });
  });

  it.each([
    ['mysql://u@h/d', 'expected sqlite:PATH or postgres:URL'],
    ['/var/lib/spike/data', 'expected sqlite:PATH or postgres:URL'],
    ['sqlite:', 'sqlite: needs a path'],
    ['sqlite:/x/other.db', 'the database file must be named spike.db'],
    ['postgres:u@h/d', 'postgres: needs a postgres:// or postgresql:// URL'],
  ])('%s is refused', (text, message) => {
    expect(() => parseStoreEndpoint(text)).toThrow(EndpointError);
    expect(() => parseStoreEndpoint(text)).toThrow(message);
  });
});

describe('urlHasPassword', () => {
  it.each([
    ['postgres://u:pw@h/d', true],
    ['postgres://u:@h/d', true],
    ['postgresql://u:p%40ss@/d?host=/tmp', true],
    ['postgres://u:p@ss/word@h:5432/d', true],
    ['postgres://u@h:5432/d', false],
    ['postgresql://u@/d?host=/run/postgresql', false],
    ['postgres://h/d', false],
  ])('%s → %s', (url, has) => {
    expect(urlHasPassword(url)).toBe(has);
  });
});
