import * as assert from 'assert';
import { filterEnvironment } from '../../../src/ssh/environment';

describe('environment filter', () => {
  it('never sends secret-looking names', () => {
    const { env, withheld } = filterEnvironment({
      LANG: 'C.UTF-8',
      SBX_MODE: 'dev',
      GITHUB_TOKEN: 't',
      AWS_ACCESS_KEY_ID: 'a',
      OPENAI_API_KEY: 'k',
      DB_PASSWORD: 'p',
      MY_SECRET: 's',
      SSH_AUTH_SOCK: '/tmp/x',
      'BAD NAME': 'x',
    });
    assert.deepStrictEqual(env, { LANG: 'C.UTF-8', SBX_MODE: 'dev' });
    assert.deepStrictEqual(withheld.sort(), ['AWS_ACCESS_KEY_ID', 'BAD NAME', 'DB_PASSWORD', 'GITHUB_TOKEN', 'MY_SECRET', 'OPENAI_API_KEY', 'SSH_AUTH_SOCK']);
  });
});
