import assert from 'node:assert/strict';
import { test } from 'node:test';
import { problemsOf, standingOf, type Problem } from '../src/api/domains';

const problem = (code: string, message = `${code} message`): Problem => ({ code, message, fix: `fix ${code}` });
const verdicts = (gmail: Problem[], microsoft: Problem[]) => ({
  verdicts: {
    gmailYahooBulk: { status: gmail.length ? 'fail' : 'pass', problems: gmail },
    microsoftHighVolume: { status: microsoft.length ? 'fail' : 'pass', problems: microsoft },
  },
});

test('a problem both providers report is listed once, naming both', () => {
  const spf = problem('spf_missing');
  const mx = problem('mx_missing');
  const found = problemsOf(verdicts([spf], [spf, mx]));
  assert.deepEqual(
    found.map((p) => [p.problem.code, p.providers]),
    [
      ['spf_missing', ['Gmail and Yahoo', 'Microsoft (Outlook.com, Hotmail)']],
      ['mx_missing', ['Microsoft (Outlook.com, Hotmail)']],
    ],
  );
  assert.equal(found[0].problem.fix, 'fix spf_missing');
});

test('problems of the same code with different messages stay apart', () => {
  const found = problemsOf(verdicts([problem('spf_host_not_authorised', 'host a')], [problem('spf_host_not_authorised', 'host b')]));
  assert.equal(found.length, 2);
});

test('a domain stands ready only when every provider passes; unchecked without verdicts', () => {
  assert.equal(standingOf({ verdicts: null }), 'unchecked');
  assert.deepEqual(problemsOf({ verdicts: null }), []);
  assert.equal(standingOf(verdicts([], [])), 'ready');
  assert.equal(standingOf(verdicts([], [problem('mx_missing')])), 'needs_work');
});
