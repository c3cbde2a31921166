import type { Role } from '../common/identity';

/** Someone the development sign-in of the console can sign in as. */
export interface DemoAccount {
  /** The token subject, as it appears in the demo catalog's histories. */
  sub: string;
  /** How the sign-in page names the account. */
  label: string;
  roles: Role[];
  platform: string | null;
}

/**
 * The certification reviewers and member platforms whose names the demo
 * catalog's certification histories carry (demoCatalog.ts), so a decision
 * made in the console reads like the ones seeded before it.
 */
export const DEMO_ACCOUNTS: readonly DemoAccount[] = [
  { sub: 'reviewer:周建国', label: '周建国（认定审核员）', roles: ['certifier'], platform: null },
  { sub: 'reviewer:杨丽', label: '杨丽（认定审核员）', roles: ['certifier'], platform: null },
  { sub: 'reviewer:王立新', label: '王立新（认定审核员）', roles: ['certifier'], platform: null },
  { sub: 'platform:jd', label: '京东（成员平台）', roles: ['partner'], platform: 'jd' },
  { sub: 'platform:pdd', label: '拼多多（成员平台）', roles: ['partner'], platform: 'pdd' },
  { sub: 'platform:douyin', label: '抖音电商（成员平台）', roles: ['partner'], platform: 'douyin' },
  { sub: 'platform:taobao', label: '淘宝（成员平台）', roles: ['partner'], platform: 'taobao' },
];
