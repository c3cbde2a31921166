/**
 * The approve / reject / revoke dialog, and how a CONFLICT is told: the
 * certification is read again and its latest decision named ("already
 * approved by 杨丽 at …"), never shown as a bare error.
 */
import { Alert, DatePicker, Form, Input, Modal } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { useClient, type CombinedError } from 'urql';
import {
  ConsoleApproveDocument,
  ConsoleCertificationDocument,
  ConsoleRejectDocument,
  ConsoleRevokeDocument,
  type QueueCertificationFragment,
} from '../generated/operations';
import { formatTime } from './catalogTerms';
import { clearDraft, useDraft } from './drafts';
import { errorCode, errorText } from './graphqlClient';
import { useMessages, type Messages } from './messages';

export type Decision = 'approve' | 'reject' | 'revoke';

export interface DecisionTarget {
  id: string;
  version: number;
  productName: string;
}

export type DecisionOutcome =
  { kind: 'done'; message: string } | { kind: 'conflict'; message: string; refreshed: QueueCertificationFragment | null } | { kind: 'failed'; message: string };

/** The latest decision in a certification's history, as a sentence. */
export function conflictMessage(t: Messages, certification: QueueCertificationFragment | null): string {
  const decided = [...(certification?.history ?? [])].reverse().find((event) => event.action !== 'APPLIED');
  if (!decided) return t.conflictUnknown;
  return t.conflict(t.actionWords[decided.action] ?? decided.action, decided.actor, formatTime(decided.at));
}

export function DecisionDialog({
  decision,
  target,
  onClose,
}: {
  decision: Decision;
  target: DecisionTarget;
  onClose: (outcome: DecisionOutcome | null) => void;
}) {
  const t = useMessages();
  const client = useClient();
  const draftKey = `${decision}:${target.id}`;
  const [text, setText] = useDraft(draftKey);
  const [validUntil, setValidUntil] = useState<Dayjs | null>(() => dayjs().add(1, 'year').endOf('day'));
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  // The subgraph allows at most three years from the moment of approval; the last whole day before that.
  const latest = dayjs().add(3, 'year').subtract(1, 'day');

  const send = async () => {
    if (decision !== 'approve' && text.trim() === '') {
      setProblem(t.reasonRequired);
      return;
    }
    if (decision === 'approve' && !validUntil) return;
    setBusy(true);
    const variables = { id: target.id, expectedVersion: target.version };
    let error: CombinedError | undefined;
    let message: string;
    if (decision === 'approve') {
      const result = await client
        .mutation(ConsoleApproveDocument, { ...variables, validUntil: validUntil!.toISOString(), note: text.trim() || null })
        .toPromise();
      error = result.error;
      message = t.approved(result.data?.approveCertification.certificateNumber ?? '');
    } else if (decision === 'reject') {
      const result = await client.mutation(ConsoleRejectDocument, { ...variables, reason: text }).toPromise();
      error = result.error;
      message = t.rejected;
    } else {
      const result = await client.mutation(ConsoleRevokeDocument, { ...variables, reason: text }).toPromise();
      error = result.error;
      message = t.revoked;
    }
    setBusy(false);
    if (!error) {
      clearDraft(draftKey);
      onClose({ kind: 'done', message });
      return;
    }
    const code = errorCode(error);
    if (code === 'CONFLICT') {
      const again = await client.query(ConsoleCertificationDocument, { id: target.id }).toPromise();
      const refreshed = again.data?.certification ?? null;
      onClose({ kind: 'conflict', message: conflictMessage(t, refreshed), refreshed });
      return;
    }
    if (code === 'UNAUTHENTICATED') return; // back to sign-in; the draft stays
    setProblem(`${t.failed}${errorText(error)}`);
  };

  const title = { approve: t.approve, reject: t.reject, revoke: t.revoke }[decision];
  return (
    <Modal
      open
      title={`${title} · ${target.productName}`}
      okText={title}
      cancelText={t.cancel}
      confirmLoading={busy}
      onOk={() => void send()}
      onCancel={() => onClose(null)}
      destroyOnHidden
    >
      <Form layout="vertical">
        {decision === 'approve' && (
          <Form.Item label={t.validUntil} help={t.validUntilHelp}>
            <DatePicker
              aria-label={t.validUntil}
              value={validUntil}
              onChange={(value) => setValidUntil(value ? value.endOf('day') : null)}
              disabledDate={(day) => day.isBefore(dayjs(), 'day') || day.isAfter(latest, 'day')}
              allowClear={false}
            />
          </Form.Item>
        )}
        <Form.Item label={decision === 'approve' ? t.note : t.reason} required={decision !== 'approve'}>
          <Input.TextArea
            aria-label={decision === 'approve' ? t.note : t.reason}
            value={text}
            onChange={(event) => setText(event.target.value)}
            rows={4}
            maxLength={500}
            showCount
            autoFocus
          />
        </Form.Item>
        {problem && <Alert type="error" showIcon message={problem} role="alert" />}
      </Form>
    </Modal>
  );
}
