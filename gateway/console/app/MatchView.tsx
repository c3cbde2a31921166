/**
 * The match-suggestion queue: both listings side by side with the engine's
 * evidence and score, merged (either way) or kept apart with a reason.
 */
import { Alert, App, Button, Card, Col, Descriptions, Empty, Input, Result, Row, Space, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useClient, useQuery } from 'urql';
import {
  ConsoleKeepApartDocument,
  ConsoleMatchSuggestionsDocument,
  ConsoleMergeProductsDocument,
  type ConsoleMatchSuggestionsQuery,
  type SuggestedListingFragment,
} from '../generated/operations';
import { clearDraft, useDraft } from './drafts';
import { errorCode, errorText } from './graphqlClient';
import { useMessages } from './messages';
import { routeHash } from './route';

type Suggestion = ConsoleMatchSuggestionsQuery['matchSuggestions']['edges'][number]['node'];

export function MatchView() {
  const t = useMessages();
  const [result, refetch] = useQuery({ query: ConsoleMatchSuggestionsDocument, variables: { first: 20 } });
  if (result.error) {
    if (errorCode(result.error) === 'FORBIDDEN') return <Result status="403" title="403" subTitle={t.forbidden} />;
    return <Alert type="error" showIcon message={`${t.failed}${errorText(result.error)}`} />;
  }
  const suggestions = result.data?.matchSuggestions.edges.map((edge) => edge.node) ?? [];
  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Typography.Title level={3}>
        {t.matches} {result.data ? `(${result.data.matchSuggestions.totalCount})` : ''}
      </Typography.Title>
      {result.fetching && !result.data && <Card loading />}
      {result.data && suggestions.length === 0 && <Empty description={t.noMatches} />}
      {suggestions.map((suggestion) => (
        <SuggestionCard key={suggestion.id} suggestion={suggestion} onSettled={() => refetch({ requestPolicy: 'network-only' })} />
      ))}
    </Space>
  );
}

function ListingSide({ listing }: { listing: SuggestedListingFragment }) {
  const t = useMessages();
  return (
    <Descriptions size="small" column={1} bordered>
      <Descriptions.Item label={t.name}>{listing.title}</Descriptions.Item>
      <Descriptions.Item label={t.platform}>{listing.platform.name}</Descriptions.Item>
      <Descriptions.Item label={t.price}>
        {listing.price.amount} {listing.price.currency}
      </Descriptions.Item>
      <Descriptions.Item label="GTIN">{listing.gtin ?? '—'}</Descriptions.Item>
      <Descriptions.Item label={t.product}>
        <a href={routeHash({ view: 'product', id: listing.product.id })}>{listing.product.name}</a>
      </Descriptions.Item>
    </Descriptions>
  );
}

function SuggestionCard({ suggestion, onSettled }: { suggestion: Suggestion; onSettled: () => void }) {
  const t = useMessages();
  const client = useClient();
  const { message } = App.useApp();
  const draftKey = `match:${suggestion.id}`;
  const [reason, setReason] = useDraft(draftKey);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const { left, right } = suggestion;

  const act = async (action: 'merge-left' | 'merge-right' | 'apart') => {
    if (!reason.trim()) {
      setProblem(t.reasonRequired);
      return;
    }
    setBusy(true);
    const [survivor, merged] = action === 'merge-right' ? [right.product, left.product] : [left.product, right.product];
    const result =
      action === 'apart'
        ? await client.mutation(ConsoleKeepApartDocument, { productIds: [left.product.id, right.product.id], reason }).toPromise()
        : await client
            .mutation(ConsoleMergeProductsDocument, {
              survivorId: survivor.id,
              survivorVersion: survivor.version,
              mergedId: merged.id,
              mergedVersion: merged.version,
              reason,
            })
            .toPromise();
    setBusy(false);
    if (result.error) {
      setProblem(`${t.failed}${errorText(result.error)}`);
      return;
    }
    clearDraft(draftKey);
    void message.success(action === 'apart' ? t.keptApart : t.merged);
    onSettled();
  };

  return (
    <Card
      data-testid="match-suggestion"
      title={
        <Space>
          {t.score} <Tag color="blue">{suggestion.score.toFixed(2)}</Tag>
        </Space>
      }
    >
      <Row gutter={16}>
        <Col span={12}>
          <ListingSide listing={left} />
        </Col>
        <Col span={12}>
          <ListingSide listing={right} />
        </Col>
      </Row>
      <Typography.Paragraph type="secondary" style={{ marginTop: 12 }}>
        {t.evidence}: {suggestion.evidence}
      </Typography.Paragraph>
      <Space direction="vertical" style={{ width: '100%' }}>
        <Input.TextArea
          aria-label={t.reason}
          placeholder={t.reason}
          value={reason}
          onChange={(event) => setReason(event.target.value)}
          rows={2}
          maxLength={500}
        />
        <Space>
          <Button type="primary" loading={busy} onClick={() => void act('merge-left')}>
            {t.merge}
          </Button>
          <Button loading={busy} onClick={() => void act('merge-right')}>
            {t.mergeRight}
          </Button>
          <Button loading={busy} onClick={() => void act('apart')}>
            {t.keepApart}
          </Button>
        </Space>
        {problem && <Alert type="error" showIcon message={problem} role="alert" />}
      </Space>
    </Card>
  );
}
