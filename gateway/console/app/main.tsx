import 'antd/dist/reset.css';
import { App as AntApp, Button, ConfigProvider, Layout, Menu, Space, Typography } from 'antd';
import enUS from 'antd/locale/en_US';
import zhCN from 'antd/locale/zh_CN';
import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import { StrictMode, useEffect, useMemo, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { Provider } from 'urql';
import { BulkCertifyView } from './BulkCertifyView';
import { readConsoleConfig } from './consoleConfig';
import { FiguresView } from './FiguresView';
import { createGraphqlClient } from './graphqlClient';
import { MatchView } from './MatchView';
import { MESSAGES, MessagesContext, type Language } from './messages';
import { finishOidcSignIn } from './oidcSignIn';
import { ProductView } from './ProductView';
import { QueueView } from './QueueView';
import { currentSession, endSession, onSessionChange, type Session, type SessionEnd } from './session';
import { SignIn } from './SignIn';
import { useRoute, navigate, type Route } from './route';

const config = readConsoleConfig();
const client = createGraphqlClient(config.graphqlUrl);
const LANGUAGE_KEY = 'relief-console:language';

function Console() {
  const [language, setLanguage] = useState<Language>(() => (localStorage.getItem(LANGUAGE_KEY) === 'en' ? 'en' : 'zh'));
  const [session, setSession] = useState<Session | null>(currentSession);
  const [ended, setEnded] = useState<SessionEnd | null>(null);
  const route = useRoute();
  const t = MESSAGES[language];

  useEffect(
    () =>
      onSessionChange((next, reason) => {
        setSession(next);
        setEnded(reason);
      }),
    [],
  );
  const [signInProblem, setSignInProblem] = useState<string | null>(null);
  useEffect(() => {
    finishOidcSignIn(config)
      .then(setSignInProblem)
      .catch((error: unknown) => setSignInProblem(String(error)));
  }, []);
  useEffect(() => {
    localStorage.setItem(LANGUAGE_KEY, language);
    dayjs.locale(language === 'zh' ? 'zh-cn' : 'en');
    document.documentElement.lang = language === 'zh' ? 'zh-CN' : 'en';
  }, [language]);

  const menu = useMemo(
    () => [
      { key: 'queue', label: t.queue },
      { key: 'matches', label: t.matches },
      { key: 'bulk', label: t.bulk },
      { key: 'figures', label: t.figures },
    ],
    [t],
  );

  return (
    // No space inserted between two Chinese characters of a button: its text stays its accessible name.
    <ConfigProvider locale={language === 'zh' ? zhCN : enUS} button={{ autoInsertSpace: false }}>
      <MessagesContext.Provider value={t}>
        <AntApp>
          <Layout style={{ minHeight: '100%' }}>
            <Layout.Header style={{ display: 'flex', alignItems: 'center', gap: 16 }}>
              <Typography.Text strong style={{ color: '#fff', whiteSpace: 'nowrap' }}>
                {t.title}
              </Typography.Text>
              {session && (
                <Menu
                  theme="dark"
                  mode="horizontal"
                  aria-label={t.title}
                  selectedKeys={[route.view]}
                  items={menu}
                  onClick={({ key }) => navigate({ view: key as Exclude<Route['view'], 'product'> })}
                  style={{ flex: 1, minWidth: 0 }}
                />
              )}
              <Space style={{ marginLeft: 'auto' }}>
                {session && (
                  <Typography.Text style={{ color: '#fff' }} data-testid="signed-in-as">
                    {t.signedInAs}: {session.sub}
                  </Typography.Text>
                )}
                <Button size="small" onClick={() => setLanguage(language === 'zh' ? 'en' : 'zh')}>
                  {t.language}
                </Button>
                {session && (
                  <Button size="small" onClick={() => endSession('signed-out')}>
                    {t.signOut}
                  </Button>
                )}
              </Space>
            </Layout.Header>
            <Layout.Content style={{ padding: 24 }}>
              {!session ? (
                <SignIn config={config} ended={ended} problem={signInProblem} />
              ) : route.view === 'product' ? (
                <ProductView productId={route.id} />
              ) : route.view === 'matches' ? (
                <MatchView />
              ) : route.view === 'bulk' ? (
                <BulkCertifyView />
              ) : route.view === 'figures' ? (
                <FiguresView />
              ) : (
                <QueueView />
              )}
            </Layout.Content>
          </Layout>
        </AntApp>
      </MessagesContext.Provider>
    </ConfigProvider>
  );
}

const root = document.getElementById('root');
if (!root) throw new Error('The page has no #root element.');
createRoot(root).render(
  <StrictMode>
    <Provider value={client}>
      <Console />
    </Provider>
  </StrictMode>,
);
