/**
 * One product: its listings on every platform, its eligibility, its
 * certification with the full history as a timeline, and the staff
 * decisions about its listings (merges, moves, kept apart).
 */
import { Alert, App, Button, Card, Descriptions, Form, Input, Modal, Result, Space, Table, Tag, Timeline, Typography } from 'antd';
import { useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { ConsoleMoveListingDocument, ConsoleProductDocument, type ConsoleProductQuery } from '../generated/operations';
import { formatDate, formatTime } from './catalogTerms';
import { DecisionDialog, type DecisionOutcome } from './decisions';
import { clearDraft, useDraft } from './drafts';
import { errorCode, errorText } from './graphqlClient';
import { useMessages } from './messages';

type Product = NonNullable<ConsoleProductQuery['product']>;
type Listing = Product['listings'][number];

export function ProductView({ productId }: { productId: string }) {
  const t = useMessages();
  const { message } = App.useApp();
  const [result, refetch] = useQuery({ query: ConsoleProductDocument, variables: { id: productId } });
  const [revoking, setRevoking] = useState(false);
  const [moving, setMoving] = useState<Listing | null>(null);
  const product = result.data?.product;

  if (result.fetching && !product) return <Card loading />;
  if (result.error) {
    if (errorCode(result.error) === 'FORBIDDEN') return <Result status="403" title="403" subTitle={t.forbidden} />;
    return <Alert type="error" showIcon message={`${t.failed}${errorText(result.error)}`} />;
  }
  if (!product) return <Result status="404" title="404" subTitle={productId} />;

  const certification = product.certification;
  const afterRevoke = (outcome: DecisionOutcome | null) => {
    setRevoking(false);
    if (!outcome) return;
    if (outcome.kind === 'failed') void message.error(outcome.message);
    else if (outcome.kind === 'conflict') void message.warning(outcome.message);
    else void message.success(outcome.message);
    refetch({ requestPolicy: 'network-only' });
  };

  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Typography.Title level={3}>{product.name}</Typography.Title>
      <Descriptions bordered size="small" column={2}>
        <Descriptions.Item label="ID">{product.id}</Descriptions.Item>
        <Descriptions.Item label="GTIN">{product.gtin ?? '—'}</Descriptions.Item>
        <Descriptions.Item label={t.categoryFilter}>{t.categories[product.category] ?? product.category}</Descriptions.Item>
        <Descriptions.Item label={t.supplier}>{product.supplier?.name ?? '—'}</Descriptions.Item>
        <Descriptions.Item label={t.county}>
          {product.origin ? `${product.origin.name} (${product.origin.code}) ` : '— '}
          {product.origin && (product.origin.designatedPovertyCounty ? <Tag color="green">{t.designated}</Tag> : <Tag>{t.notDesignated}</Tag>)}
        </Descriptions.Item>
        <Descriptions.Item label={t.households}>{product.supplier?.beneficiaryHouseholds ?? '—'}</Descriptions.Item>
        <Descriptions.Item label={t.eligibility} span={2}>
          {product.reliefEligibility ? (
            <Space wrap>
              <Tag color={product.reliefEligibility.eligible ? 'green' : 'red'}>{product.reliefEligibility.eligible ? t.eligible : t.ineligible}</Tag>
              {product.reliefEligibility.reasons.join('；')}
            </Space>
          ) : (
            '—'
          )}
        </Descriptions.Item>
      </Descriptions>

      <Card title={t.listings}>
        <Table<Listing>
          rowKey="id"
          size="small"
          pagination={false}
          dataSource={product.listings}
          columns={[
            { title: t.platform, key: 'platform', render: (_, listing) => listing.platform.name },
            { title: t.name, dataIndex: 'title' },
            { title: t.price, key: 'price', render: (_, listing) => `${listing.price.amount} ${listing.price.currency}` },
            { title: t.monthlySales, dataIndex: 'monthlySales' },
            { title: 'GTIN', dataIndex: 'gtin' },
            {
              title: t.actions,
              key: 'move',
              render: (_, listing) =>
                product.listings.length > 1 ? (
                  <Button size="small" aria-label={`${t.moveListing} ${listing.title}`} onClick={() => setMoving(listing)}>
                    {t.moveListing}
                  </Button>
                ) : null,
            },
          ]}
        />
      </Card>

      <Card
        title={t.certification}
        extra={
          certification?.status === 'APPROVED' ? (
            <Button danger onClick={() => setRevoking(true)}>
              {t.revoke}
            </Button>
          ) : null
        }
      >
        {certification ? (
          <Space direction="vertical" style={{ width: '100%' }}>
            <Descriptions size="small" column={3}>
              <Descriptions.Item label={t.status}>
                <Tag>{certification.status}</Tag>
              </Descriptions.Item>
              <Descriptions.Item label={t.certificateNumber}>{certification.certificateNumber ?? '—'}</Descriptions.Item>
              <Descriptions.Item label={t.validUntil}>
                {formatDate(certification.validFrom)} – {formatDate(certification.validUntil)}
              </Descriptions.Item>
            </Descriptions>
            <Typography.Title level={5}>{t.history}</Typography.Title>
            <div data-testid="certification-history">
              <Timeline
                items={certification.history.map((event) => ({
                  color: event.action === 'APPROVED' ? 'green' : event.action === 'APPLIED' ? 'blue' : 'red',
                  children: (
                    <span>
                      <strong>{t.actionWords[event.action] ?? event.action}</strong> · {event.actor} · {formatTime(event.at)}
                      {event.note ? ` · ${event.note}` : ''}
                    </span>
                  ),
                }))}
              />
            </div>
          </Space>
        ) : (
          t.noCertification
        )}
      </Card>

      {product.history && product.history.length > 0 && (
        <Card title={t.productHistory}>
          <Timeline
            items={product.history.map((event) => ({
              children: (
                <span>
                  <strong>{event.kind}</strong> · {event.actor} · {formatTime(event.at)}
                  {event.reason ? ` · ${event.reason}` : ''}
                  {event.detail ? ` · ${event.detail}` : ''}
                </span>
              ),
            }))}
          />
        </Card>
      )}

      {revoking && certification && (
        <DecisionDialog decision="revoke" target={{ id: certification.id, version: certification.version, productName: product.name }} onClose={afterRevoke} />
      )}
      {moving && (
        <MoveListingDialog
          product={product}
          listing={moving}
          onClose={(moved) => {
            setMoving(null);
            if (moved) {
              void message.success(t.moved);
              refetch({ requestPolicy: 'network-only' });
            }
          }}
        />
      )}
    </Space>
  );
}

function MoveListingDialog({ product, listing, onClose }: { product: Product; listing: Listing; onClose: (moved: boolean) => void }) {
  const t = useMessages();
  const draftKey = `move:${listing.id}`;
  const [reason, setReason] = useDraft(draftKey);
  const [target, setTarget] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [state, move] = useMutation(ConsoleMoveListingDocument);
  const [targetVersion] = useQuery({
    query: ConsoleProductDocument,
    variables: { id: target.trim() },
    pause: target.trim() === '',
  });

  const send = async () => {
    if (!reason.trim()) {
      setProblem(t.reasonRequired);
      return;
    }
    const toProductId = target.trim() || null;
    const toVersion = toProductId ? targetVersion.data?.product?.version : undefined;
    const result = await move({ listingId: listing.id, expectedVersion: product.version, toProductId, toVersion: toVersion ?? null, reason });
    if (result.error) {
      setProblem(`${t.failed}${errorText(result.error)}`);
      return;
    }
    clearDraft(draftKey);
    onClose(true);
  };

  return (
    <Modal
      open
      title={`${t.moveListing} · ${listing.title}`}
      okText={t.submit}
      cancelText={t.cancel}
      confirmLoading={state.fetching}
      onOk={() => void send()}
      onCancel={() => onClose(false)}
    >
      <Form layout="vertical">
        <Form.Item label={t.moveTarget}>
          <Input aria-label={t.moveTarget} value={target} onChange={(event) => setTarget(event.target.value)} />
        </Form.Item>
        <Form.Item label={t.reason} required>
          <Input.TextArea aria-label={t.reason} value={reason} onChange={(event) => setReason(event.target.value)} rows={3} maxLength={500} />
        </Form.Item>
        {problem && <Alert type="error" showIcon message={problem} role="alert" />}
      </Form>
    </Modal>
  );
}
