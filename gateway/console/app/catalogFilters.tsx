// The category and platform pickers the queue and the bulk certification
// search both filter by.
import { Select } from 'antd';
import { useQuery } from 'urql';
import { ConsolePlatformsDocument } from '../generated/operations';
import { CATEGORIES } from './catalogTerms';
import { useMessages } from './messages';

export function CategorySelect<Category extends string>(props: { value: Category | null; onChange: (value: Category | null) => void; width: number }) {
  const t = useMessages();
  return (
    <Select<Category | null>
      aria-label={t.categoryFilter}
      placeholder={t.categoryFilter}
      value={props.value}
      onChange={props.onChange}
      allowClear
      style={{ width: props.width }}
      options={CATEGORIES.map((code) => ({ value: code as string as Category, label: t.categories[code] ?? code }))}
    />
  );
}

export function PlatformSelect(props: { value: string | null; onChange: (value: string | null) => void; width: number }) {
  const t = useMessages();
  const [platforms] = useQuery({ query: ConsolePlatformsDocument });
  return (
    <Select<string | null>
      aria-label={t.platformFilter}
      placeholder={t.platformFilter}
      value={props.value}
      onChange={props.onChange}
      allowClear
      style={{ width: props.width }}
      options={(platforms.data?.platforms ?? []).map((entry) => ({ value: entry.code, label: entry.name }))}
    />
  );
}
