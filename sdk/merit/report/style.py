"""The style sheet that each HTML page carries inline, for screens, phones and print."""

from __future__ import annotations

from merit.report.svg import FONT_STACK

__all__ = ["STYLE_SHEET"]

STYLE_SHEET = """
:root {
  --ink: #1f2933;
  --muted: #5f6b76;
  --line: #dde3e9;
  --band: #f4f6f8;
  --navy: #16365c;
  --gold: #a8844f;
  --ok: #1e6b43;
  --ok-bg: #e3f1e8;
  --bad: #b3261e;
  --bad-bg: #fbe9e7;
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body {
  margin: 0;
  background: #e9edf1;
  color: var(--ink);
  font: 15px/1.6 FONT_STACK;
}
.page { max-width: 1000px; margin: 0 auto; background: #fff; }
.masthead {
  background: var(--navy);
  color: #fff;
  padding: 26px 40px 24px;
  border-bottom: 4px solid var(--gold);
}
.masthead-top { display: flex; justify-content: space-between; align-items: center; gap: 12px; }
.doc-kind { font-size: 13px; letter-spacing: 0.12em; color: #c3d0de; }
.lang-switch {
  color: #fff;
  border: 1px solid rgba(255, 255, 255, 0.55);
  border-radius: 4px;
  padding: 2px 12px;
  font-size: 13px;
  text-decoration: none;
  white-space: nowrap;
}
.lang-switch:hover, .lang-switch:focus { background: rgba(255, 255, 255, 0.14); }
h1 { font-size: 30px; line-height: 1.25; margin: 10px 0 2px; font-weight: 700; }
.subtitle { margin: 0 0 18px; color: #c3d0de; font-size: 16px; }
.verdict {
  display: inline-block;
  padding: 6px 14px;
  border-radius: 4px;
  font-weight: 700;
  margin-bottom: 4px;
}
.verdict-passed { background: var(--ok-bg); color: var(--ok); }
.verdict-failed { background: var(--bad-bg); color: var(--bad); }
.verdict-note { margin: 4px 0 16px; color: #dbe4ee; font-size: 14px; }
.facts {
  display: grid;
  grid-template-columns: max-content 1fr;
  gap: 3px 18px;
  margin: 0;
  font-size: 13.5px;
}
.facts dt { color: #c3d0de; }
.facts dd { margin: 0; min-width: 0; }
main { padding: 4px 40px 28px; }
h2 {
  color: var(--navy);
  font-size: 20px;
  line-height: 1.3;
  margin: 34px 0 14px;
  padding-bottom: 6px;
  border-bottom: 2px solid var(--navy);
}
h2 .section-number { color: var(--gold); margin-right: 10px; }
h3 { font-size: 15px; margin: 22px 0 8px; color: var(--navy); }
.kpis { display: grid; grid-template-columns: repeat(3, minmax(0, 1fr)); gap: 12px; }
.kpi {
  border: 1px solid var(--line);
  border-top: 3px solid var(--navy);
  padding: 12px 14px 10px;
}
.kpi-label { font-size: 13px; color: var(--muted); }
.kpi-value {
  font-size: 27px;
  font-weight: 700;
  line-height: 1.25;
  font-variant-numeric: tabular-nums;
  color: var(--navy);
}
.kpi-note { font-size: 12.5px; color: var(--muted); }
figure { margin: 20px 0 30px; break-inside: avoid; page-break-inside: avoid; }
figcaption { font-weight: 600; margin-bottom: 8px; }
.figure-note { font-size: 12.5px; color: var(--muted); margin-top: 4px; }
.chart-box, .table-box { overflow-x: auto; -webkit-overflow-scrolling: touch; }
svg.chart { display: block; width: 100%; height: auto; min-width: 600px; }
table {
  border-collapse: collapse;
  width: 100%;
  font-size: 13.5px;
  font-variant-numeric: tabular-nums;
}
th, td {
  padding: 6px 9px;
  border-bottom: 1px solid var(--line);
  text-align: left;
  vertical-align: top;
}
thead th {
  background: var(--band);
  border-bottom: 2px solid var(--navy);
  font-weight: 600;
  white-space: nowrap;
}
.num { text-align: right; white-space: nowrap; }
tr.subtotal td { background: #fafbfc; font-weight: 600; }
tbody + tbody { border-top: 2px solid #c5ced7; }
tfoot td { border-top: 2px solid var(--navy); border-bottom: none; font-weight: 700; }
td.edition { min-width: 150px; }
td.name { min-width: 11em; }
.name-main { font-weight: 600; }
.name-other { display: block; color: var(--muted); font-size: 12.5px; }
.meta { display: block; color: var(--muted); font-size: 12px; }
.state-failed { color: var(--bad); font-weight: 600; }
.state-pending { color: var(--muted); }
code, .mono {
  font-family: ui-monospace, 'DejaVu Sans Mono', Menlo, Consolas, monospace;
  font-size: 0.86em;
}
.hex { word-break: break-all; min-width: 14em; }
.discrepancies {
  border-left: 4px solid var(--bad);
  background: var(--bad-bg);
  padding: 10px 18px 10px 14px;
}
.discrepancies ol { margin: 6px 0; padding-left: 22px; }
.verify ol { padding-left: 22px; }
.verify li { margin-bottom: 8px; }
.muted { color: var(--muted); }
footer {
  padding: 16px 40px 26px;
  color: var(--muted);
  font-size: 12.5px;
  border-top: 1px solid var(--line);
}
@media screen and (max-width: 760px) {
  body { font-size: 14.5px; }
  .masthead, main, footer { padding-left: 16px; padding-right: 16px; }
  h1 { font-size: 23px; }
  .kpis { grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 8px; }
  .kpi-value { font-size: 21px; }
  .facts { grid-template-columns: 1fr; gap: 0; }
  .facts dd { margin-bottom: 6px; }
}
@media print {
  @page { size: A4; margin: 14mm 12mm 16mm; }
  body { background: #fff; font-size: 10pt; }
  .page { max-width: none; }
  .masthead {
    background: none;
    color: var(--ink);
    padding: 0 0 12px;
    border-bottom: 3px solid var(--navy);
  }
  .doc-kind, .subtitle, .facts dt, .verdict-note { color: var(--muted); }
  h1 { color: var(--navy); }
  .lang-switch { display: none; }
  .verdict, .kpi, thead th, .discrepancies, tr.subtotal td {
    -webkit-print-color-adjust: exact;
    print-color-adjust: exact;
  }
  main, footer { padding-left: 0; padding-right: 0; }
  h2, h3, figcaption { break-after: avoid; page-break-after: avoid; }
  tr, tbody, .kpi { break-inside: avoid; page-break-inside: avoid; }
  .chart-box, .table-box { overflow: visible; }
  svg.chart { min-width: 0; }
  table { font-size: 8.5pt; }
}
""".replace("FONT_STACK", FONT_STACK)
"""CSS of both pages. Fonts are the reader's own (no font files), numbers use tabular digits."""
