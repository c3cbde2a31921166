/**
 * Half-written notes and reasons, per form, in sessionStorage: they outlive
 * an expired session and a reload of the tab, and go when the tab closes or
 * the decision is sent.
 */
import { useEffect, useState } from 'react';

const PREFIX = 'relief-console:draft:';

export function readDraft(key: string): string {
  return sessionStorage.getItem(PREFIX + key) ?? '';
}

export function clearDraft(key: string): void {
  sessionStorage.removeItem(PREFIX + key);
}

/** A text field's value, saved as it is typed. */
export function useDraft(key: string): [string, (value: string) => void] {
  const [value, setValue] = useState(() => readDraft(key));
  useEffect(() => setValue(readDraft(key)), [key]);
  return [
    value,
    (next: string) => {
      setValue(next);
      if (next) sessionStorage.setItem(PREFIX + key, next);
      else sessionStorage.removeItem(PREFIX + key);
    },
  ];
}
