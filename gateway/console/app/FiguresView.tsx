/** Figures for the alliance: certified products and their monthly sales by province and county, expiring certificates, the published list. */
import { Alert, Button, Card, Col, Result, Row, Segmented, Space, Statistic, Table, Typography } from 'antd';
import { BarChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useClient, type OperationResult } from 'urql';
import { ConsoleCertifiedProductsDocument, type ConsoleCertifiedProductsQuery } from '../generated/operations';
import { certifiedCsv, certifiedRows, certifiedWorkbook, download, expiringWithin, figuresBy, type AreaFigure, type CertifiedProduct } from './certifiedList';
import { errorCode, errorText } from './graphqlClient';
import { useMessages } from './messages';

echarts.use([BarChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

const HORIZONS = [30, 60, 90] as const;

export function FiguresView() {
  const t = useMessages();
  const client = useClient();
  const [products, setProducts] = useState<CertifiedProduct[] | null>(null);
  const [problem, setProblem] = useState<{ forbidden: boolean; message: string } | null>(null);
  const [level, setLevel] = useState<'province' | 'county'>('province');

  useEffect(() => {
    let cancelled = false;
    void (async () => {
      const rows: CertifiedProduct[] = [];
      let after: string | null = null;
      for (;;) {
        const result: OperationResult<ConsoleCertifiedProductsQuery> = await client.query(ConsoleCertifiedProductsDocument, { first: 100, after }).toPromise();
        if (result.error || !result.data) {
          if (result.error && !cancelled) setProblem({ forbidden: errorCode(result.error) === 'FORBIDDEN', message: errorText(result.error) });
          return;
        }
        rows.push(...result.data.products.edges.map((edge) => edge.node));
        if (!result.data.products.pageInfo.hasNextPage) break;
        after = result.data.products.pageInfo.endCursor ?? null;
      }
      if (!cancelled) setProducts(rows);
    })();
    return () => {
      cancelled = true;
    };
  }, [client]);

  const figures = useMemo(() => (products ? figuresBy(products, level) : []), [products, level]);
  const expiring = useMemo(() => (products ? expiringWithin(products, HORIZONS) : null), [products]);

  if (problem?.forbidden) return <Result status="403" title="403" subTitle={t.forbidden} />;
  if (problem) return <Alert type="error" showIcon message={`${t.failed}${problem.message}`} />;
  if (!products || !expiring) return <Card loading />;

  const rows = certifiedRows(products);
  const stamp = new Date().toISOString().slice(0, 10);
  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Typography.Title level={3}>{t.figures}</Typography.Title>
      <Row gutter={16}>
        <Col span={6}>
          <Card>
            <Statistic title={t.certifiedProducts} value={products.length} />
          </Card>
        </Col>
        {HORIZONS.map((days) => (
          <Col span={6} key={days}>
            <Card>
              <Statistic title={`${t.expiring} · ${t.withinDays(days)}`} value={expiring[days]?.length ?? 0} />
            </Card>
          </Col>
        ))}
      </Row>
      <Card
        title={`${t.certifiedProducts} · ${t.monthlySalesValue}`}
        extra={
          <Segmented
            value={level}
            onChange={(value) => setLevel(value as 'province' | 'county')}
            options={[
              { value: 'province', label: t.byProvince },
              { value: 'county', label: t.byCountyLabel },
            ]}
          />
        }
      >
        <AreaChart figures={figures} productsLabel={t.certifiedProducts} salesLabel={t.monthlySalesValue} />
        <Table<AreaFigure>
          rowKey="key"
          size="small"
          pagination={false}
          dataSource={figures}
          columns={[
            { title: level === 'province' ? t.province : t.county, dataIndex: 'area' },
            { title: t.certifiedProducts, dataIndex: 'products' },
            { title: t.monthlySalesValue, key: 'sales', render: (_, figure) => figure.salesValue.toFixed(2) },
          ]}
        />
      </Card>
      <Card
        title={t.certifiedProducts}
        extra={
          <Space>
            <Button onClick={() => download(certifiedCsv(rows), 'text/csv;charset=utf-8', `certified-products-${stamp}.csv`)}>{t.exportCsv}</Button>
            <Button
              onClick={() =>
                void certifiedWorkbook(rows).then((buffer) =>
                  download(buffer, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', `certified-products-${stamp}.xlsx`),
                )
              }
            >
              {t.exportExcel}
            </Button>
          </Space>
        }
      >
        <Table
          rowKey="certificateNumber"
          size="small"
          dataSource={rows}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          columns={[
            { title: t.certificateNumber, dataIndex: 'certificateNumber' },
            { title: t.name, dataIndex: 'product' },
            { title: t.supplier, dataIndex: 'supplier' },
            { title: t.county, dataIndex: 'county' },
            { title: t.validFrom, dataIndex: 'validFrom' },
            { title: t.validUntil, dataIndex: 'validUntil' },
          ]}
        />
      </Card>
    </Space>
  );
}

function AreaChart({ figures, productsLabel, salesLabel }: { figures: AreaFigure[]; productsLabel: string; salesLabel: string }) {
  const element = useRef<HTMLDivElement | null>(null);
  useEffect(() => {
    if (!element.current) return undefined;
    const chart = echarts.init(element.current);
    chart.setOption({
      tooltip: { trigger: 'axis' },
      legend: { data: [productsLabel, salesLabel] },
      grid: { left: 60, right: 60, bottom: 80 },
      xAxis: { type: 'category', data: figures.map((figure) => figure.area), axisLabel: { rotate: 30 } },
      yAxis: [
        { type: 'value', name: productsLabel },
        { type: 'value', name: salesLabel },
      ],
      series: [
        { name: productsLabel, type: 'bar', data: figures.map((figure) => figure.products) },
        { name: salesLabel, type: 'bar', yAxisIndex: 1, data: figures.map((figure) => Math.round(figure.salesValue)) },
      ],
    });
    const resize = () => chart.resize();
    window.addEventListener('resize', resize);
    return () => {
      window.removeEventListener('resize', resize);
      chart.dispose();
    };
  }, [figures, productsLabel, salesLabel]);
  return <div ref={element} role="img" aria-label={`${productsLabel} · ${salesLabel}`} data-testid="area-chart" style={{ height: 360 }} />;
}
