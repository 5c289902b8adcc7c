import { ENV } from '../../lambdas/shared/contract';
import { ConfigurationError } from '../../lambdas/shared/errors';
import { defaultSettings, settingsFromEnvironment } from '../../lambdas/shared/settings';

// The circuit breaker's limit as the describe-key function reads it from its environment.

describe('the breaker limit setting', () => {
  it('is undefined, the computed default, when the construct sets none', () => {
    expect(settingsFromEnvironment({}).breakerKeys).toBeUndefined();
    expect(defaultSettings().breakerKeys).toBeUndefined();
  });

  it('reads a whole number of keys', () => {
    expect(settingsFromEnvironment({ [ENV.breakerKeys]: ' 25 ' }).breakerKeys).toBe(25);
  });

  it.each(['0', '-1', '2.5', 'ten'])('refuses %s, naming the variable', (value) => {
    expect(() => settingsFromEnvironment({ [ENV.breakerKeys]: value })).toThrow(ConfigurationError);
    expect(() => settingsFromEnvironment({ [ENV.breakerKeys]: value })).toThrow(ENV.breakerKeys);
  });
});
