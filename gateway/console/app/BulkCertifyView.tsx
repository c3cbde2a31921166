/**
 * Bulk certification: search the catalog, select up to 500 products (pages
 * of 100 are read until the search is exhausted or 500 are listed), certify
 * them in one certifyProducts call, and show each product's outcome.
 */
import { Alert, Button, DatePicker, Input, Space, Table, Tag, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { useClient, type OperationResult } from 'urql';
import { ConsoleCatalogSearchDocument, ConsoleCertifyProductsDocument, type ConsoleCatalogSearchQuery, type ProductCategory } from '../generated/operations';
import { useDraft } from './drafts';
import { errorText } from './graphqlClient';
import { CategorySelect, PlatformSelect } from './catalogFilters';
import { useMessages } from './messages';
import { routeHash } from './route';

const MAX_SELECTION = 500;
type Found = ConsoleCatalogSearchQuery['products']['edges'][number]['node'];
interface Outcome {
  productId: string;
  name: string;
  code: string;
  detail: string;
}

export function BulkCertifyView() {
  const t = useMessages();
  const client = useClient();
  const [search, setSearch] = useState('');
  const [category, setCategory] = useState<ProductCategory | null>(null);
  const [region, setRegion] = useState('');
  const [platform, setPlatform] = useState<string | null>(null);
  const [found, setFound] = useState<Found[]>([]);
  const [selected, setSelected] = useState<string[]>([]);
  const [validUntil, setValidUntil] = useState<Dayjs>(() => dayjs().add(1, 'year').endOf('day'));
  const [note, setNote] = useDraft('bulk-certify');
  const [outcomes, setOutcomes] = useState<Outcome[] | null>(null);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  const find = async () => {
    setBusy(true);
    setProblem(null);
    setOutcomes(null);
    const filter = {
      ...(search.trim() ? { search: search.trim() } : {}),
      ...(category ? { category } : {}),
      ...(region ? { regionCode: region } : {}),
      ...(platform ? { platform } : {}),
    };
    const rows: Found[] = [];
    let after: string | null = null;
    while (rows.length < MAX_SELECTION) {
      const result: OperationResult<ConsoleCatalogSearchQuery> = await client.query(ConsoleCatalogSearchDocument, { filter, first: 100, after }).toPromise();
      if (result.error || !result.data) {
        setProblem(result.error ? `${t.failed}${errorText(result.error)}` : null);
        break;
      }
      rows.push(...result.data.products.edges.map((edge) => edge.node));
      if (!result.data.products.pageInfo.hasNextPage) break;
      after = result.data.products.pageInfo.endCursor ?? null;
    }
    setFound(rows.slice(0, MAX_SELECTION));
    setSelected(
      rows
        .filter((row) => row.reliefEligibility?.eligible && !row.reliefCertified)
        .map((row) => row.id)
        .slice(0, MAX_SELECTION),
    );
    setBusy(false);
  };

  const certify = async () => {
    setBusy(true);
    const result = await client
      .mutation(ConsoleCertifyProductsDocument, { productIds: selected, validUntil: validUntil.toISOString(), note: note.trim() || null })
      .toPromise();
    setBusy(false);
    if (result.error || !result.data) {
      setProblem(result.error ? `${t.failed}${errorText(result.error)}` : null);
      return;
    }
    const names = new Map(found.map((row) => [row.id, row.name]));
    setOutcomes([
      ...result.data.certifyProducts.certified.map((certification) => ({
        productId: certification.product.id,
        name: names.get(certification.product.id) ?? certification.product.id,
        code: 'CERTIFIED',
        detail: certification.certificateNumber ?? '',
      })),
      ...result.data.certifyProducts.failed.map((failure) => ({
        productId: failure.productId,
        name: names.get(failure.productId) ?? failure.productId,
        code: failure.code,
        detail: failure.message,
      })),
    ]);
    setNote('');
  };

  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Typography.Title level={3}>{t.bulk}</Typography.Title>
      <Space wrap>
        <Input.Search
          aria-label={t.search}
          placeholder={t.search}
          value={search}
          onChange={(event) => setSearch(event.target.value)}
          onSearch={() => void find()}
          enterButton={t.searchButton}
          style={{ width: 320 }}
        />
        <Input
          aria-label={t.regionFilter}
          placeholder={t.regionFilter}
          value={region}
          onChange={(event) => setRegion(event.target.value.replace(/\D/g, '').slice(0, 6))}
          style={{ width: 220 }}
        />
        <CategorySelect value={category} onChange={setCategory} width={150} />
        <PlatformSelect value={platform} onChange={setPlatform} width={150} />
      </Space>
      {problem && <Alert type="error" showIcon message={problem} />}
      <Table<Found>
        rowKey="id"
        size="small"
        loading={busy}
        dataSource={found}
        pagination={{ pageSize: 50, hideOnSinglePage: true }}
        rowSelection={{
          selectedRowKeys: selected,
          onChange: (keys) => setSelected(keys.map(String).slice(0, MAX_SELECTION)),
        }}
        columns={[
          { title: t.name, key: 'name', render: (_, row) => <a href={routeHash({ view: 'product', id: row.id })}>{row.name}</a> },
          { title: t.county, key: 'origin', render: (_, row) => row.origin?.name ?? '—' },
          { title: t.supplier, key: 'supplier', render: (_, row) => row.supplier?.name ?? '—' },
          {
            title: t.eligibility,
            key: 'eligibility',
            render: (_, row) =>
              row.reliefCertified ? (
                <Tag color="green">{t.outcomes['CERTIFIED']}</Tag>
              ) : row.reliefEligibility?.eligible ? (
                <Tag color="blue">{t.eligible}</Tag>
              ) : (
                <Tag color="red">{t.ineligible}</Tag>
              ),
          },
        ]}
      />
      <Space wrap>
        <Typography.Text>{t.selected(selected.length)}</Typography.Text>
        <DatePicker
          aria-label={t.validUntil}
          value={validUntil}
          allowClear={false}
          onChange={(value) => value && setValidUntil(value.endOf('day'))}
          disabledDate={(day) => day.isBefore(dayjs(), 'day') || day.isAfter(dayjs().add(3, 'year').subtract(1, 'day'), 'day')}
        />
        <Input aria-label={t.note} placeholder={t.note} value={note} onChange={(event) => setNote(event.target.value)} style={{ width: 280 }} />
        <Button type="primary" disabled={selected.length === 0} loading={busy} onClick={() => void certify()}>
          {t.certifySelected}
        </Button>
      </Space>
      {outcomes && (
        <div data-testid="bulk-outcomes">
          <Table<Outcome>
            rowKey="productId"
            size="small"
            dataSource={outcomes}
            pagination={{ pageSize: 50, hideOnSinglePage: true }}
            columns={[
              { title: t.name, dataIndex: 'name' },
              {
                title: t.outcome,
                key: 'code',
                render: (_, row) => <Tag color={row.code === 'CERTIFIED' ? 'green' : 'orange'}>{t.outcomes[row.code] ?? row.code}</Tag>,
              },
              { title: '', dataIndex: 'detail' },
            ]}
          />
        </div>
      )}
    </Space>
  );
}
