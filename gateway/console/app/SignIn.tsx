import { Alert, Button, Card, List, Space, Typography } from 'antd';
import { useEffect, useState } from 'react';
import type { ConsoleAccount, ConsolePageConfig, ConsoleSignInAnswer } from '../consolePage';
import { useMessages } from './messages';
import { beginOidcSignIn } from './oidcSignIn';
import { startSession, type SessionEnd } from './session';

export function SignIn({ config, ended, problem: signInProblem }: { config: ConsolePageConfig; ended: SessionEnd | null; problem: string | null }) {
  const t = useMessages();
  const [accounts, setAccounts] = useState<ConsoleAccount[]>([]);
  const [problem, setProblem] = useState<string | null>(signInProblem);
  useEffect(() => setProblem(signInProblem), [signInProblem]);

  useEffect(() => {
    if (!config.developmentSignIn) return;
    fetch(`${config.sessionUrl}/accounts`)
      .then((response) => response.json() as Promise<{ accounts: ConsoleAccount[] }>)
      .then((body) => setAccounts(body.accounts))
      .catch((error: unknown) => setProblem(String(error)));
  }, [config]);

  const signInAs = async (account: ConsoleAccount) => {
    const response = await fetch(`${config.sessionUrl}/development`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sub: account.sub }),
    });
    const body = (await response.json()) as Partial<ConsoleSignInAnswer> & { error?: string };
    if (!response.ok || !body.token || !body.expiresAt) {
      setProblem(body.error ?? String(response.status));
      return;
    }
    startSession({ ...(body as ConsoleSignInAnswer), via: 'development' });
  };

  return (
    <main style={{ maxWidth: 560, margin: '48px auto', padding: 16 }}>
      <Typography.Title level={2}>{t.title}</Typography.Title>
      <Space direction="vertical" size="large" style={{ width: '100%' }}>
        {ended === 'expired' && <Alert type="warning" showIcon message={t.sessionExpired} role="alert" />}
        {ended === 'signed-out' && <Alert type="info" showIcon message={t.signedOut} />}
        {problem && <Alert type="error" showIcon message={problem} />}
        {config.oidc && (
          <Card title={t.signInTitle}>
            <Button type="primary" onClick={() => beginOidcSignIn(config).catch((error: unknown) => setProblem(String(error)))}>
              {t.oidcSignIn}
            </Button>
          </Card>
        )}
        {config.developmentSignIn && (
          <Card title={t.developmentSignIn}>
            <Typography.Paragraph>{t.developmentHint}</Typography.Paragraph>
            <List
              dataSource={accounts}
              renderItem={(account) => (
                <List.Item
                  actions={[
                    <Button key="sign-in" aria-label={`${t.signIn} ${account.label}`} onClick={() => void signInAs(account)}>
                      {t.signIn}
                    </Button>,
                  ]}
                >
                  <List.Item.Meta title={account.label} description={`${account.sub} · ${account.roles.join(', ')}`} />
                </List.Item>
              )}
            />
          </Card>
        )}
        {!config.oidc && !config.developmentSignIn && <Alert type="error" showIcon message={t.noSignIn} />}
      </Space>
    </main>
  );
}
