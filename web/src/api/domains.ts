/** Sending domains as the domains page explains them: verdicts, problems and DNS findings in words. */
import type { DkimKeyState, DomainFieldsFragment } from '../gql/types';

export type DomainView = DomainFieldsFragment;
export type Verdict = NonNullable<DomainView['verdicts']>['gmailYahooBulk'];
export type Problem = Verdict['problems'][number];

/** The providers whose rules a domain is judged by, in the order shown. */
export const PROVIDERS = [
  {
    key: 'gmailYahooBulk',
    label: 'Gmail and Yahoo',
    rules: 'Rules for bulk senders (5 000 or more emails a day to their users).',
  },
  {
    key: 'microsoftHighVolume',
    label: 'Microsoft (Outlook.com, Hotmail)',
    rules: 'Rules for high-volume senders to Outlook.com, Hotmail and Live addresses.',
  },
] as const;

export type ProviderKey = (typeof PROVIDERS)[number]['key'];

/** A problem, once, with the providers whose rules it breaks. */
export interface ProblemFor {
  problem: Problem;
  providers: string[];
}

/** Every problem of the domain's verdicts once (most are the same for each provider), in
 * the order first met, each with the labels of the providers it fails. */
export function problemsOf(domain: Pick<DomainView, 'verdicts'>): ProblemFor[] {
  const out: ProblemFor[] = [];
  if (!domain.verdicts) return out;
  for (const provider of PROVIDERS) {
    for (const problem of domain.verdicts[provider.key].problems) {
      const same = out.find((p) => p.problem.code === problem.code && p.problem.message === problem.message);
      if (same) same.providers.push(provider.label);
      else out.push({ problem, providers: [provider.label] });
    }
  }
  return out;
}

/** The domain's standing in a word: `unchecked`, `ready` (every provider's rules pass) or
 * `needs_work`. */
export function standingOf(domain: Pick<DomainView, 'verdicts'>): 'unchecked' | 'ready' | 'needs_work' {
  const v = domain.verdicts;
  if (!v) return 'unchecked';
  return PROVIDERS.every((p) => v[p.key].status === 'pass') ? 'ready' : 'needs_work';
}

/** Who receives the domain's mail, as named by the MX check. */
export function mailProvider(provider: string | null | undefined): string {
  switch (provider) {
    case 'google':
      return 'Google (Gmail, Google Workspace)';
    case 'microsoft':
      return 'Microsoft (Outlook, Microsoft 365)';
    case 'yahoo':
      return 'Yahoo';
    case 'other':
      return 'another mail provider';
    default:
      return 'nobody';
  }
}

/** What an SPF record's `all` term tells receivers about servers it does not list. */
export function spfAll(all: string | null | undefined): string {
  switch (all) {
    case '-all':
      return 'other servers are refused (-all)';
    case '~all':
      return 'other servers are treated as suspicious (~all)';
    case '?all':
      return 'no opinion about other servers (?all)';
    case '+all':
      return 'any server in the world may send as this domain (+all): unsafe';
    default:
      return 'it says nothing about other servers (no all term)';
  }
}

/** What a DMARC policy (`p` or `sp`) asks receivers to do with email that fails. */
export function dmarcPolicy(policy: string | null | undefined): string {
  switch (policy) {
    case 'none':
      return 'none: deliver it anyway, only report (monitoring)';
    case 'quarantine':
      return 'quarantine: put it in the spam folder';
    case 'reject':
      return 'reject: refuse it';
    default:
      return policy ? policy : 'not set';
  }
}

export function algorithmLabel(algorithm: string): string {
  if (algorithm === 'rsa-2048') return 'RSA 2048';
  if (algorithm === 'ed25519') return 'Ed25519';
  return algorithm;
}

/** What a key's state means for the person who has to publish it. */
export function keyStateHelp(state: DkimKeyState, domain: string): string {
  switch (state) {
    case 'pending':
      return `Not found in DNS yet. Add the record below at your DNS host (where the records of ${domain} are managed: your registrar or hosting company), then press “Check now”. A new record can take from a few minutes to an hour to be seen.`;
    case 'published':
      return `Published and found, but another key signs the email of ${domain}. “Use this key” makes it sign from now on.`;
    case 'active':
      return `Signs every email sent from ${domain}. Keep its record published.`;
  }
}
