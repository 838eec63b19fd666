// The report's stylesheet, inline in the file: screen, narrow windows and A4 print. Colours are
// never the only signal (every badge and box has a word); the tones keep a 4.5:1 contrast.
export const STYLES = `
:root{--fg:#1f2328;--muted:#57606a;--line:#d0d7de;--bg:#fff;--soft:#f6f8fa;
--ok:#1a7f37;--ok-bg:#dafbe1;--warn:#7d4e00;--warn-bg:#fff1c2;--fail:#b3261e;--fail-bg:#ffe1df;
--info:#0b5cad;--info-bg:#dbeafe;--neutral:#424a53;--neutral-bg:#eaeef2;--window:#fde2e1}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{overflow-wrap:break-word;margin:0 auto;max-width:72rem;padding:1rem 1.25rem 3rem;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Liberation Sans",Arial,sans-serif;color:var(--fg);background:var(--bg)}
h1{font-size:1.6rem;margin:.2rem 0 .6rem}
h2{font-size:1.3rem;margin:2rem 0 .6rem;padding-bottom:.25rem;border-bottom:2px solid var(--line)}
h3{font-size:1.08rem;margin:1.2rem 0 .4rem}
h3.inline{display:inline;margin:0;font-size:1.05rem}
h4{font-size:1rem;margin:1rem 0 .3rem}
code,pre,.code{font-family:ui-monospace,"SFMono-Regular","DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:.86em}
code{overflow-wrap:anywhere}
pre.command{background:var(--soft);border:1px solid var(--line);padding:.5rem .7rem;white-space:pre-wrap;overflow-wrap:anywhere;margin:.3rem 0}
.muted{color:var(--muted)}
.id{font-size:.8em}
.sr{position:absolute;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;clip:rect(0,0,0,0);white-space:nowrap;border:0}
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:.5rem;background:#fff;padding:.3rem;border:1px solid}
nav.toc{border:1px solid var(--line);background:var(--soft);padding:.4rem .8rem;margin:1rem 0}
nav.toc ul{margin:0;padding:0;list-style:none;display:flex;flex-wrap:wrap;gap:.2rem 1.2rem}
nav.toc a{color:var(--info)}
.controls{margin:.5rem 0}
.controls button{font:inherit;padding:.2rem .6rem;border:1px solid var(--line);background:var(--soft);border-radius:4px;cursor:pointer}
.badge{display:inline-block;border:1px solid currentColor;border-radius:3px;padding:0 .35em;font-size:.78em;font-weight:700;letter-spacing:.02em;line-height:1.5;white-space:nowrap;vertical-align:baseline}
.t-ok{color:var(--ok)}.badge.t-ok{background:var(--ok-bg)}
.t-warn{color:var(--warn)}.badge.t-warn{background:var(--warn-bg)}
.t-fail{color:var(--fail)}.badge.t-fail{background:var(--fail-bg)}
.t-info{color:var(--info)}.badge.t-info{background:var(--info-bg)}
.t-neutral{color:var(--neutral)}.badge.t-neutral{background:var(--neutral-bg)}
.outcome{font-size:1.05rem}
table{border-collapse:collapse;width:100%;margin:.4rem 0 .8rem}
caption{text-align:left;font-weight:600;padding:.2rem 0;overflow-wrap:anywhere}
th,td{text-align:left;vertical-align:top;padding:.3rem .5rem;border-bottom:1px solid var(--line);overflow-wrap:break-word}
td.num,th.num{white-space:nowrap}
thead th{background:var(--soft);border-bottom:2px solid var(--line)}
table.facts{width:100%;table-layout:auto}
table.facts td{overflow-wrap:anywhere}
table.facts th{color:var(--muted);font-weight:600;white-space:nowrap;padding-left:0;width:1%}
.scroll{overflow-x:auto;max-width:100%}
.callout{border-left:4px solid currentColor;padding:.4rem .8rem;margin:.8rem 0;background:var(--soft)}
.callout>*{color:var(--fg)}
.callout .callout-label{margin:.1rem 0 .3rem}
.callout ul{margin:.2rem 0;padding-left:1.2rem}
ol.steps{list-style:none;margin:.5rem 0;padding:0 0 0 1.6rem;border-left:3px solid var(--line)}
ol.steps>li{position:relative;margin:0 0 1rem;padding:.5rem .8rem;border:1px solid var(--line);border-radius:6px;background:#fff}
ol.steps>li.manual{border-style:dashed;border-color:var(--warn);background:#fffbeb}
ol.steps>li.wait{border-color:var(--info);background:#f3f8ff}
.step-head{display:flex;align-items:baseline;gap:.5rem}
.step-head h3{margin:0;min-width:0;overflow-wrap:anywhere}
.step-no{position:absolute;left:-2.45rem;top:.45rem;width:1.7rem;height:1.7rem;border-radius:50%;background:var(--fg);color:#fff;font-size:.8rem;font-weight:700;display:flex;align-items:center;justify-content:center}
.step-meta{margin:.2rem 0 .3rem}
.step-meta .kind{font-weight:600;color:var(--muted)}
.instructions{background:var(--warn-bg);padding:.3rem .5rem}
dl.step-facts{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:.1rem .8rem;margin:.3rem 0 0}
dl.step-facts dt{color:var(--muted);font-weight:600}
dl.step-facts dd{margin:0;overflow-wrap:anywhere;min-width:0}
dl.step-facts ul{margin:0;padding-left:1.1rem}
details{margin:.6rem 0;border:1px solid var(--line);border-radius:6px;padding:.3rem .7rem}
details>summary{cursor:pointer;padding:.2rem 0}
.details-body{padding:.2rem 0}
table.diff{table-layout:fixed;font-family:ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:12px}
table.diff col.c-ln{width:4.2em}table.diff col.c-mark{width:1.4em}
table.diff td,table.diff th{padding:.1rem .3rem;border-bottom:0}
table.diff thead th{font-family:system-ui,sans-serif;font-size:13px}
table.diff td.code{white-space:pre-wrap;overflow-wrap:anywhere}
table.diff td.ln{color:var(--muted);text-align:right}
table.diff tr.hunk th{background:var(--info-bg);color:var(--info);font-family:system-ui,sans-serif}
table.diff td.del{background:#fff0ef}table.diff td.ins{background:#eafbee}
table.diff td.mark{font-weight:700;text-align:center}
table.diff td.mark.del{color:var(--fail)}table.diff td.mark.ins{color:var(--ok)}
table.diff td.empty{background:var(--soft)}
del{background:#ffc9c5;text-decoration:line-through;text-decoration-color:var(--fail)}
ins{background:#a8efb8;text-decoration:underline;text-decoration-color:var(--ok)}
ul.checklist{list-style:none;padding-left:0}
ul.checklist li{margin:.3rem 0}
ul.checklist .box{font-size:1.1em}
tr.no-adapter td,tr.no-adapter th{background:var(--window)}
figure.figure{margin:.6rem 0 1rem}
figcaption{color:var(--muted);font-size:.88em}
svg.timeline{display:block;width:100%;height:auto;max-width:100%;font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Liberation Sans",Arial,sans-serif}
svg.timeline text{fill:var(--fg)}
svg.timeline .lane{fill:var(--soft);stroke:var(--line)}
svg.timeline .lane-title{font-weight:700}
svg.timeline .window{fill:url(#hatch);fill-opacity:.6;stroke:var(--fail);stroke-dasharray:5 3}
svg.timeline .sublabel{font-style:italic}
svg.timeline .window-label{fill:var(--fail);font-weight:700}
svg.timeline .step rect{stroke-width:1.2}
svg.timeline .t-ok rect{fill:var(--ok-bg);stroke:var(--ok)}
svg.timeline .t-warn rect{fill:var(--warn-bg);stroke:var(--warn)}
svg.timeline .t-fail rect{fill:var(--fail-bg);stroke:var(--fail)}
svg.timeline .t-info rect{fill:var(--info-bg);stroke:var(--info)}
svg.timeline .t-neutral rect{fill:#fff;stroke:var(--neutral)}
svg.timeline .status.t-ok{fill:var(--ok)}svg.timeline .status.t-fail{fill:var(--fail)}svg.timeline .status.t-warn{fill:var(--warn)}svg.timeline .status.t-info{fill:var(--info)}
svg.timeline .manual rect{stroke-dasharray:4 3}
svg.timeline .k-drain rect,svg.timeline .k-return rect{fill:#fff;stroke:var(--neutral)}
svg.timeline .k-backup rect{fill:var(--info-bg);stroke:var(--info)}
svg.timeline .k-upgrade rect{fill:var(--ok-bg);stroke:var(--ok)}
svg.timeline .k-promote rect{fill:var(--warn-bg);stroke:var(--warn);stroke-width:2.4}
svg.timeline .k-adfs-first-half rect,svg.timeline .k-adfs-second-half rect{fill:#efe6ff;stroke:#6639ba}
svg.timeline .k-other rect{fill:#fff;stroke:var(--neutral)}
svg.defs{position:absolute;width:0;height:0;overflow:hidden}
footer{margin-top:2rem;color:var(--muted);font-size:.85em;border-top:1px solid var(--line);padding-top:.5rem}
@media (max-width:40rem){
body{padding:.6rem;font-size:14px}
h1{font-size:1.3rem}
table.grid thead{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0,0,0,0)}
table.grid,table.grid tbody,table.grid tr,table.grid td,table.grid th{display:block;width:100%}
table.grid tr{border:1px solid var(--line);border-radius:4px;margin:0 0 .5rem;padding:.2rem}
table.grid td,table.grid th{border:0;padding:.15rem .3rem}
table.diff,table.diff tbody,table.diff tr{display:block;width:100%}
table.diff colgroup,table.diff thead{display:none}
table.diff tr{display:grid;grid-template-columns:2.6em 1.2em 1fr;border-bottom:1px solid var(--line)}
table.diff tr.hunk{display:block}
table.diff td{display:block}
table.diff td.ln{grid-row:span 2}
table.diff td.empty{display:none}
table.diff tr.same td.code+td.mark,table.diff tr.same td.code+td.mark+td.code{display:none}
ol.steps{padding-left:1.1rem}
.step-no{left:-1.85rem;width:1.4rem;height:1.4rem}
dl.step-facts{grid-template-columns:minmax(0,1fr)}
}
@page{size:A4;margin:14mm 12mm}
@media print{
:root{--soft:#f6f8fa}
body{max-width:none;padding:0;font-size:9.5pt}
*{-webkit-print-color-adjust:exact;print-color-adjust:exact}
nav.toc,.controls,.skip{display:none}
a{color:inherit;text-decoration:none}
h2{break-after:avoid;page-break-after:avoid}
h3,h4{break-after:avoid}
tr,ol.steps>li,.callout,figure{break-inside:avoid;page-break-inside:avoid}
.scroll{overflow:visible}
details{border:0;padding:0}
details>summary{list-style:none}
details>summary::-webkit-details-marker{display:none}
table.diff{font-size:8pt}
table.grid{font-size:8.5pt}
table.grid th,table.grid td{padding:.2rem .3rem}
/* A long path or id must not push a 7-column table past the A4 width. */
table.grid td,table.grid th[scope=row]{overflow-wrap:anywhere}
}
`;
