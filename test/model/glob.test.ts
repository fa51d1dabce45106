import { describe, expect, it } from 'vitest';
import { globToRegExp } from '../../lib/model/glob.ts';

describe('globToRegExp', () => {
  it('lets * match any run of characters and everything else only itself', () => {
    const re = globToRegExp('kubectl-*');
    expect(re.test('kubectl-edit')).toBe(true);
    expect(re.test('kubectl-')).toBe(true);
    expect(re.test('xkubectl-edit')).toBe(false);
    expect(globToRegExp('a.b+c').test('a.b+c')).toBe(true);
    expect(globToRegExp('a.b+c').test('axbbc')).toBe(false);
  });

  it('compares without case only when asked', () => {
    expect(globToRegExp('Helm*').test('helm-controller')).toBe(false);
    expect(globToRegExp('Helm*', { ignoreCase: true }).test('helm-controller')).toBe(true);
  });
});
