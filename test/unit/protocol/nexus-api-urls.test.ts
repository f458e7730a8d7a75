// SPIKE_NEXUS_API_URL as one URL or a comma list of Nexus replicas.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/protocol/config/env.js';
import { nexusApiUrl, nexusApiUrls } from '../../../src/protocol/config/shared.js';
import { loadPilotConfig } from '../../../src/pilot/config.js';

const urls = (v: string): string[] => nexusApiUrls({ SPIKE_NEXUS_API_URL: v }).map((u) => u.href);

function refusal(v: string): string {
  try {
    nexusApiUrls({ SPIKE_NEXUS_API_URL: v });
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    const msg = (e as Error).message;
    expect(msg.includes('\n')).toBe(false);
    return msg;
  }
  throw new Error(`accepted ${JSON.stringify(v)}`);
}

describe('nexusApiUrls', () => {
  it('one URL: as before (default, path prefix kept)', () => {
    expect(nexusApiUrls({}).map((u) => u.href)).toEqual(['https://localhost:8553/']);
    expect(urls('https://nexus.example:8553')).toEqual(['https://nexus.example:8553/']);
    expect(urls('  https://h/prefix  ')).toEqual(['https://h/prefix']);
    expect(nexusApiUrl({ SPIKE_NEXUS_API_URL: 'https://a:1,https://b:2' }).href).toBe('https://a:1/');
  });

  it('a list: each element trimmed, the order kept', () => {
    expect(urls('https://a:8553, https://b:8554 ,https://c/p')).toEqual(['https://a:8553/', 'https://b:8554/', 'https://c/p']);
  });

  it('refuses an empty element, naming its position', () => {
    expect(refusal('https://a,,https://b')).toBe('SPIKE_NEXUS_API_URL: empty URL at position 2 of the list');
    expect(refusal('https://a,')).toBe('SPIKE_NEXUS_API_URL: empty URL at position 2 of the list');
    expect(refusal('https://a, ,https://b')).toBe('SPIKE_NEXUS_API_URL: empty URL at position 2 of the list');
    expect(refusal(',https://a')).toBe('SPIKE_NEXUS_API_URL: empty URL at position 1 of the list');
  });

  it('refuses an element a single URL could not be, naming it', () => {
    expect(refusal('https://a,http://b:8553')).toBe('SPIKE_NEXUS_API_URL: element 2 of the list: must be an https:// URL with a host, got "http://b:8553"');
    expect(refusal('https://u:p@a,https://b')).toMatch(/^SPIKE_NEXUS_API_URL: element 1 of the list: must not contain credentials, query or fragment/);
    expect(refusal('https://a,https://b/?x=1')).toMatch(/^SPIKE_NEXUS_API_URL: element 2 of the list: must not contain credentials/);
    expect(refusal('https://a,not a url')).toBe('SPIKE_NEXUS_API_URL: element 2 of the list: invalid URL "not a url"');
  });

  it('refuses a URL listed twice, also when written differently (default port, case, trailing slash)', () => {
    expect(refusal('https://a:8553,https://b,https://a:8553')).toBe('SPIKE_NEXUS_API_URL: element 3 ("https://a:8553") repeats element 1: list each Nexus once');
    // WHATWG URL: 443 is https's default port, host names are lower-cased
    expect(refusal('https://a:443,https://A/')).toMatch(/element 2 \("https:\/\/A\/"\) repeats element 1/);
    // other paths are other URLs
    expect(urls('https://a/x,https://a/y')).toEqual(['https://a/x', 'https://a/y']);
  });

  it('reaches the Pilot configuration: the first URL and the list', () => {
    const cfg = loadPilotConfig({ SPIKE_NEXUS_API_URL: 'https://a:1,https://b:2' });
    expect(cfg.nexusUrl.href).toBe('https://a:1/');
    expect(cfg.nexusUrls.map((u) => u.href)).toEqual(['https://a:1/', 'https://b:2/']);
  });
});
