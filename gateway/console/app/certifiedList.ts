/**
 * The list of certified products offices publish (certificate number,
 * product, supplier, county, validity), and the figures by province and
 * county, from the ConsoleCertifiedProducts pages.
 */
import ExcelJS from 'exceljs';
import type { ConsoleCertifiedProductsQuery } from '../generated/operations';

export type CertifiedProduct = ConsoleCertifiedProductsQuery['products']['edges'][number]['node'];

export interface CertifiedRow {
  certificateNumber: string;
  product: string;
  supplier: string;
  county: string;
  countyCode: string;
  validFrom: string;
  validUntil: string;
}

export const CERTIFIED_COLUMNS: { key: keyof CertifiedRow; zh: string }[] = [
  { key: 'certificateNumber', zh: '证书编号' },
  { key: 'product', zh: '产品名称' },
  { key: 'supplier', zh: '供应商' },
  { key: 'county', zh: '县（区）' },
  { key: 'countyCode', zh: '县（区）代码' },
  { key: 'validFrom', zh: '生效日期' },
  { key: 'validUntil', zh: '有效期至' },
];

export function certifiedRows(products: readonly CertifiedProduct[]): CertifiedRow[] {
  return products
    .map((product) => ({
      certificateNumber: product.certification?.certificateNumber ?? '',
      product: product.name,
      supplier: product.supplier?.name ?? '',
      county: product.origin?.name ?? '',
      countyCode: product.origin?.code ?? '',
      validFrom: product.certification?.validFrom?.slice(0, 10) ?? '',
      validUntil: product.certification?.validUntil?.slice(0, 10) ?? '',
    }))
    .sort((a, b) => a.certificateNumber.localeCompare(b.certificateNumber));
}

/** RFC 4180, with a byte order mark so spreadsheet programs read the Chinese as UTF-8. */
export function certifiedCsv(rows: readonly CertifiedRow[]): string {
  const cell = (value: string) => (/[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);
  const lines = [CERTIFIED_COLUMNS.map((column) => column.zh), ...rows.map((row) => CERTIFIED_COLUMNS.map((column) => row[column.key]))];
  return `\uFEFF${lines.map((line) => line.map(cell).join(',')).join('\r\n')}\r\n`;
}

export async function certifiedWorkbook(rows: readonly CertifiedRow[]): Promise<ArrayBuffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('已认定产品');
  sheet.columns = CERTIFIED_COLUMNS.map((column) => ({ header: column.zh, key: column.key, width: column.key === 'product' ? 36 : 20 }));
  for (const row of rows) sheet.addRow(row);
  sheet.getRow(1).font = { bold: true };
  return (await workbook.xlsx.writeBuffer()) as ArrayBuffer;
}

/** Units sold in the last 30 days times each listing's price, in yuan. */
export function monthlySalesValue(product: CertifiedProduct): number {
  return product.listings.reduce((sum, listing) => sum + (listing.monthlySales ?? 0) * Number(listing.price.amount), 0);
}

export interface AreaFigure {
  key: string;
  area: string;
  products: number;
  salesValue: number;
}

export function figuresBy(products: readonly CertifiedProduct[], level: 'province' | 'county'): AreaFigure[] {
  const figures = new Map<string, AreaFigure>();
  for (const product of products) {
    const origin = product.origin;
    const key = origin ? (level === 'province' ? origin.code.slice(0, 2) : origin.code) : '—';
    const area = origin ? (level === 'province' ? origin.province : `${origin.province} ${origin.county}`) : '—';
    const figure = figures.get(key) ?? { key, area, products: 0, salesValue: 0 };
    figure.products += 1;
    figure.salesValue += monthlySalesValue(product);
    figures.set(key, figure);
  }
  return [...figures.values()].sort((a, b) => b.salesValue - a.salesValue);
}

/** How many certificates end within each horizon (days) from now. */
export function expiringWithin(products: readonly CertifiedProduct[], horizons: readonly number[], now = Date.now()): Record<number, CertifiedProduct[]> {
  const result: Record<number, CertifiedProduct[]> = {};
  for (const days of horizons) {
    result[days] = products.filter((product) => {
      const until = product.certification?.validUntil;
      return until !== null && until !== undefined && Date.parse(until) - now <= days * 86_400_000;
    });
  }
  return result;
}

export function download(content: BlobPart, type: string, fileName: string): void {
  const url = URL.createObjectURL(new Blob([content], { type }));
  const anchor = document.createElement('a');
  anchor.href = url;
  anchor.download = fileName;
  document.body.append(anchor);
  anchor.click();
  anchor.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
