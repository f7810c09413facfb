import { describe, expect, it } from 'vitest';
import { Metrics } from '../../../src/observe/metrics.js';

describe('Metrics', () => {
  it("exposes ctmpl's metrics with their prefix, and the process ones under their standard names", async () => {
    const metrics = new Metrics();
    metrics.renders.inc({ destination: '/etc/nginx/up.conf' });
    const text = await metrics.registry.metrics();
    for (const name of ['ctmpl_renders_total', 'ctmpl_render_errors_total', 'ctmpl_writes_total', 'ctmpl_write_failures_total', 'ctmpl_check_failures_total', 'ctmpl_last_render_timestamp_seconds', 'ctmpl_reload_commands_total', 'ctmpl_reload_duration_seconds', 'ctmpl_rollbacks_total', 'ctmpl_dependencies_watched', 'ctmpl_catalog_rejected_total', 'ctmpl_guard_decisions_total', 'ctmpl_source_requests_total', 'ctmpl_source_errors_total', 'ctmpl_source_failing', 'ctmpl_build_info', 'process_cpu_seconds_total']) {
      expect(text, name).toContain(`# TYPE ${name} `);
    }
    expect(text).toContain('ctmpl_renders_total{destination="/etc/nginx/up.conf"} 1');
    expect(text).toMatch(/ctmpl_build_info\{version="[^"]+",node="v\d+/);
    expect(metrics.registry.contentType).toMatch(/^text\/plain/);
  });

  it('starts the counters it knows the labels of at 0, so the first failure is an increase', async () => {
    const metrics = new Metrics();
    metrics.knowDestinations(['/a.conf']);
    const text = await metrics.registry.metrics();
    expect(text).toContain('ctmpl_reload_commands_total{result="failure"} 0');
    expect(text).toContain('ctmpl_guard_decisions_total{decision="held"} 0');
    expect(text).toContain('ctmpl_rollbacks_total 0');
    expect(text).toContain('ctmpl_write_failures_total{destination="/a.conf"} 0');
  });

  it('reads the per-source figures when scraped, from whatever pipeline runs now', async () => {
    const metrics = new Metrics();
    let figures = [{ name: 'reg', requests: 3, failures: 1, failing: true }];
    metrics.watchSources(() => figures);
    let text = await metrics.registry.metrics();
    expect(text).toContain('ctmpl_source_requests_total{source="reg"} 3');
    expect(text).toContain('ctmpl_source_errors_total{source="reg"} 1');
    expect(text).toContain('ctmpl_source_failing{source="reg"} 1');
    figures = [{ name: 'other', requests: 5, failures: 0, failing: false }];
    text = await metrics.registry.metrics();
    expect(text).not.toContain('source="reg"');
    expect(text).toContain('ctmpl_source_failing{source="other"} 0');
  });

  it('reads whether each template is current when scraped', async () => {
    const metrics = new Metrics();
    metrics.watchTemplates(() => [{ destination: '/a.conf', current: false, retrying: true }]);
    const text = await metrics.registry.metrics();
    expect(text).toContain('ctmpl_template_current{destination="/a.conf"} 0');
    expect(text).toContain('ctmpl_template_retrying{destination="/a.conf"} 1');
  });

  it('keeps each instance on its own registry, so a second one does not clash', async () => {
    const a = new Metrics();
    const b = new Metrics();
    a.writes.inc({ destination: 'x' });
    expect(await b.registry.metrics()).not.toContain('ctmpl_writes_total{destination="x"}');
  });
});
