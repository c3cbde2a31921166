/**
 * PENDING applications, oldest first. The certification subgraph pages them
 * without knowing products' regions or platforms, so the view reads the whole
 * queue (pages of 50) and filters it here; the queue is a working list of
 * tens to hundreds, not the catalog.
 */
import { Alert, App, Button, Input, Result, Space, Table, Tag, Tooltip, Typography } from 'antd';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useClient, type OperationResult } from 'urql';
import { ConsoleQueueDocument, type ConsoleQueueQuery, type QueueCertificationFragment } from '../generated/operations';
import { formatTime } from './catalogTerms';
import { DecisionDialog, type Decision, type DecisionOutcome } from './decisions';
import { errorCode, errorText } from './graphqlClient';
import { CategorySelect, PlatformSelect } from './catalogFilters';
import { useMessages } from './messages';
import { routeHash } from './route';

const DAY_MS = 24 * 3600 * 1000;

type LoadState =
  { status: 'loading' } | { status: 'forbidden' } | { status: 'failed'; message: string } | { status: 'ready'; rows: QueueCertificationFragment[] };

export function QueueView() {
  const t = useMessages();
  const client = useClient();
  const { message } = App.useApp();
  const [state, setState] = useState<LoadState>({ status: 'loading' });
  const [region, setRegion] = useState('');
  const [category, setCategory] = useState<string | null>(null);
  const [platform, setPlatform] = useState<string | null>(null);
  const [cursor, setCursor] = useState(0);
  const [dialog, setDialog] = useState<{ decision: Decision; row: QueueCertificationFragment } | null>(null);
  const [conflict, setConflict] = useState<string | null>(null);
  const regionInput = useRef<HTMLInputElement | null>(null);

  const load = useCallback(async () => {
    const rows: QueueCertificationFragment[] = [];
    let after: string | null = null;
    for (;;) {
      const result: OperationResult<ConsoleQueueQuery> = await client.query(ConsoleQueueDocument, { first: 50, after }).toPromise();
      if (result.error) {
        const code = errorCode(result.error);
        if (code === 'UNAUTHENTICATED') return;
        setState(code === 'FORBIDDEN' ? { status: 'forbidden' } : { status: 'failed', message: errorText(result.error) });
        return;
      }
      const page = result.data?.certifications;
      if (!page) return;
      rows.push(...page.edges.map((edge) => edge.node));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor ?? null;
    }
    setState({ status: 'ready', rows });
  }, [client]);

  useEffect(() => {
    void load();
  }, [load]);

  const rows = useMemo(() => {
    if (state.status !== 'ready') return [];
    const prefix = region.trim();
    return state.rows.filter(
      (row) =>
        (!prefix || row.product.supplier?.region.code.startsWith(prefix)) &&
        (!category || row.product.category === category) &&
        (!platform || row.product.listings.some((listing) => listing.platform.code === platform)),
    );
  }, [state, region, category, platform]);

  const selected = rows[Math.min(cursor, rows.length - 1)];

  // j/k move through the queue, a approves, r rejects, / goes to the region filter.
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const target = event.target as HTMLElement | null;
      if (dialog || event.ctrlKey || event.metaKey || event.altKey) return;
      if (target && (target.tagName === 'INPUT' || target.tagName === 'TEXTAREA' || target.isContentEditable)) return;
      if (event.key === 'j') setCursor((index) => Math.min(index + 1, Math.max(rows.length - 1, 0)));
      else if (event.key === 'k') setCursor((index) => Math.max(index - 1, 0));
      else if (event.key === 'a' && selected) setDialog({ decision: 'approve', row: selected });
      else if (event.key === 'r' && selected) setDialog({ decision: 'reject', row: selected });
      else if (event.key === '/') regionInput.current?.focus();
      else return;
      event.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [dialog, rows, selected]);

  const closeDialog = (outcome: DecisionOutcome | null) => {
    const row = dialog?.row;
    setDialog(null);
    if (!outcome || !row) return;
    if (outcome.kind === 'done') {
      void message.success(outcome.message);
      void load();
    } else if (outcome.kind === 'conflict') {
      setConflict(`${row.product.name}: ${outcome.message}`);
      // The row shows what the other decision left: gone from PENDING, or at its new version.
      setState((current) =>
        current.status !== 'ready'
          ? current
          : {
              status: 'ready',
              rows: current.rows.flatMap((candidate) =>
                candidate.id !== row.id ? [candidate] : outcome.refreshed?.status === 'PENDING' ? [outcome.refreshed] : [],
              ),
            },
      );
    }
  };

  if (state.status === 'forbidden') return <Result status="403" title="403" subTitle={t.forbidden} />;
  if (state.status === 'failed') return <Alert type="error" showIcon message={`${t.failed}${state.message}`} />;

  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Typography.Title level={3}>{t.queue}</Typography.Title>
      <Space wrap>
        <Input
          ref={(element) => {
            regionInput.current = element?.input ?? null;
          }}
          aria-label={t.regionFilter}
          placeholder={t.regionFilter}
          value={region}
          onChange={(event) => setRegion(event.target.value.replace(/\D/g, '').slice(0, 6))}
          style={{ width: 240 }}
          allowClear
        />
        <CategorySelect value={category} onChange={setCategory} width={160} />
        <PlatformSelect value={platform} onChange={setPlatform} width={160} />
        <Button onClick={() => void load()}>{t.refresh}</Button>
        <Typography.Text type="secondary">{t.keyboardHint}</Typography.Text>
      </Space>
      {conflict && <Alert type="warning" showIcon message={conflict} closable onClose={() => setConflict(null)} role="alert" data-testid="conflict" />}
      <Table<QueueCertificationFragment>
        rowKey="id"
        loading={state.status === 'loading'}
        dataSource={rows}
        pagination={{ pageSize: 50, hideOnSinglePage: true }}
        locale={{ emptyText: t.emptyQueue }}
        onRow={(row) => ({
          onClick: () => setCursor(rows.indexOf(row)),
          'aria-selected': row === selected,
          style: row === selected ? { outline: '2px solid #1677ff' } : undefined,
        })}
        columns={[
          {
            title: t.product,
            key: 'product',
            render: (_, row) => (
              <Space direction="vertical" size={0}>
                <a href={routeHash({ view: 'product', id: row.product.id })}>{row.product.name}</a>
                <Typography.Text type="secondary">{t.categories[row.product.category] ?? row.product.category}</Typography.Text>
              </Space>
            ),
          },
          { title: t.supplier, key: 'supplier', render: (_, row) => row.product.supplier?.name ?? '—' },
          {
            title: t.county,
            key: 'county',
            render: (_, row) =>
              row.product.supplier ? (
                <Space direction="vertical" size={0}>
                  <span>
                    {row.product.supplier.region.name} <Typography.Text type="secondary">{row.product.supplier.region.code}</Typography.Text>
                  </span>
                  {row.product.supplier.region.designatedPovertyCounty ? <Tag color="green">{t.designated}</Tag> : <Tag>{t.notDesignated}</Tag>}
                </Space>
              ) : (
                '—'
              ),
          },
          { title: t.households, key: 'households', render: (_, row) => row.product.supplier?.beneficiaryHouseholds ?? '—' },
          {
            title: t.eligibility,
            key: 'eligibility',
            render: (_, row) =>
              row.product.reliefEligibility ? (
                <Space direction="vertical" size={0}>
                  <Tag color={row.product.reliefEligibility.eligible ? 'green' : 'red'}>
                    {row.product.reliefEligibility.eligible ? t.eligible : t.ineligible}
                  </Tag>
                  {row.product.reliefEligibility.reasons.map((reason) => (
                    <Typography.Text key={reason} type="secondary">
                      {reason}
                    </Typography.Text>
                  ))}
                </Space>
              ) : (
                '—'
              ),
          },
          {
            title: t.evidence,
            key: 'evidence',
            render: (_, row) => <Typography.Paragraph ellipsis={{ rows: 3, expandable: true }}>{row.evidence}</Typography.Paragraph>,
          },
          { title: t.applicant, key: 'applicant', render: (_, row) => row.history.find((event) => event.action === 'APPLIED')?.actor ?? '—' },
          {
            title: t.waited,
            key: 'waited',
            render: (_, row) => <Tooltip title={formatTime(row.createdAt)}>{t.days(Math.floor((Date.now() - Date.parse(row.createdAt)) / DAY_MS))}</Tooltip>,
          },
          {
            title: t.actions,
            key: 'actions',
            render: (_, row) => (
              <Space>
                <Button type="primary" size="small" aria-label={`${t.approve} ${row.product.name}`} onClick={() => setDialog({ decision: 'approve', row })}>
                  {t.approve}
                </Button>
                <Button danger size="small" aria-label={`${t.reject} ${row.product.name}`} onClick={() => setDialog({ decision: 'reject', row })}>
                  {t.reject}
                </Button>
              </Space>
            ),
          },
        ]}
      />
      {dialog && (
        <DecisionDialog
          decision={dialog.decision}
          target={{ id: dialog.row.id, version: dialog.row.version, productName: dialog.row.product.name }}
          onClose={closeDialog}
        />
      )}
    </Space>
  );
}
