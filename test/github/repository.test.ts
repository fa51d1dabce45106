import { describe, expect, it } from 'vitest';
import { NotAGitHubRemoteError, parseRepositoryFlag, repositoryFromRemote } from '../../lib/github/repository.ts';
import { redactSecrets } from '../../lib/model/redact.ts';

describe('repositoryFromRemote', () => {
  it.each([
    ['https://github.com/acme/fleet.git'],
    ['https://github.com/acme/fleet'],
    ['https://github.com/acme/fleet/'],
    ['git@github.com:acme/fleet.git'],
    ['ssh://git@github.com/acme/fleet.git'],
    ['https://x-access-token:ghs_secret@github.com/acme/fleet.git'],
  ])('reads acme/fleet on github.com from %s', (url) => {
    expect(repositoryFromRemote(url)).toEqual({ owner: 'acme', repo: 'fleet', host: 'github.com', apiBaseUrl: 'https://api.github.com' });
  });

  it('maps a GitHub Enterprise host to its /api/v3 root', () => {
    expect(repositoryFromRemote('git@ghe.example.com:platform/fleet.git')).toEqual({ owner: 'platform', repo: 'fleet', host: 'ghe.example.com', apiBaseUrl: 'https://ghe.example.com/api/v3' });
    expect(repositoryFromRemote('ssh://git@ghe.example.com:2222/platform/fleet.git').apiBaseUrl).toBe('https://ghe.example.com/api/v3');
  });

  it('keeps the scheme and port of an http(s) Enterprise remote, where its API is served', () => {
    expect(repositoryFromRemote('https://ghe.example.com:8443/platform/fleet.git')).toEqual({ owner: 'platform', repo: 'fleet', host: 'ghe.example.com', apiBaseUrl: 'https://ghe.example.com:8443/api/v3' });
    expect(repositoryFromRemote('http://ghe.internal:8080/platform/fleet').apiBaseUrl).toBe('http://ghe.internal:8080/api/v3');
    expect(repositoryFromRemote('https://x-access-token:tok@ghe.example.com/platform/fleet').apiBaseUrl).toBe('https://ghe.example.com/api/v3');
  });

  it.each([['file:///srv/git/fleet.git'], ['/srv/git/fleet.git'], ['../fleet.git'], ['https://github.com/acme'], ['https://github.com/acme/fleet/tree/main']])(
    'refuses %s and names the --repo flag',
    (url) => {
      expect(() => repositoryFromRemote(url)).toThrow(NotAGitHubRemoteError);
      expect(() => repositoryFromRemote(url)).toThrow(/--repo owner\/name/);
    },
  );

  it('never repeats credentials from the remote URL in its error', () => {
    expect(() => repositoryFromRemote('https://user:ghp_secret@example.com/only-one-part')).toThrow(/https:\/\/\*\*\*@example\.com/);
    expect(() => repositoryFromRemote('https://user:ghp_secret@example.com/only-one-part')).not.toThrow(/ghp_secret/);
  });
});

describe('parseRepositoryFlag', () => {
  it('splits owner/name', () => {
    expect(parseRepositoryFlag('acme/fleet')).toEqual({ owner: 'acme', repo: 'fleet' });
  });

  it('explains the expected form when the value is not owner/name', () => {
    expect(() => parseRepositoryFlag('fleet')).toThrow(/--repo expects owner\/name/);
  });
});

describe('redactSecrets on remote URLs', () => {
  it('hides user and password in every URL of a text', () => {
    expect(redactSecrets('push to https://x:tok@github.com/a/b.git failed; see http://u@h/x')).toBe('push to https://***@github.com/a/b.git failed; see http://***@h/x');
  });
});
