/**
 * The overlay's CSS. Every class is prefixed `oz-sbx-` so it neither leaks into nor borrows from
 * the host page; the sheet lives inside the overlay and leaves with it.
 */
export const overlayStyles = `
.oz-sbx-backdrop{position:fixed;inset:0;z-index:2147483000;display:flex;align-items:center;justify-content:center;padding:8px;box-sizing:border-box;background:rgba(15,23,42,.72);font:16px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#0f172a;text-align:start}
.oz-sbx-backdrop[hidden]{display:none!important}
.oz-sbx-backdrop *,.oz-sbx-backdrop *::before,.oz-sbx-backdrop *::after{box-sizing:border-box}
.oz-sbx-dialog{display:flex;flex-direction:column;gap:12px;width:min(100%,28rem);max-height:100%;overflow:auto;padding:16px;border-radius:16px;background:#fff;box-shadow:0 20px 50px rgba(0,0,0,.35);outline:none}
.oz-sbx-header{display:flex;align-items:center;justify-content:space-between;gap:8px}
.oz-sbx-title{margin:0;font-size:1.25rem;font-weight:650;line-height:1.2}
.oz-sbx-close{flex:none;display:grid;place-items:center;width:44px;height:44px;margin:-6px -6px -6px 0;padding:0;border:0;border-radius:50%;background:transparent;color:#334155;font:inherit;font-size:1.75rem;line-height:1;cursor:pointer}
.oz-sbx-close:hover{background:#f1f5f9}
.oz-sbx-badge{align-self:flex-start;margin:0;padding:2px 10px;border:1px solid #d97706;border-radius:999px;background:#fef3c7;color:#78350f;font-size:.8125rem;font-weight:600}
.oz-sbx-stage{position:relative;overflow:hidden;aspect-ratio:4/3;border-radius:12px;background:#0f172a}
.oz-sbx-video{display:block;width:100%;height:100%;object-fit:cover;transform:scaleX(-1)}
.oz-sbx-rec{position:absolute;top:10px;left:10px;display:none;align-items:center;gap:6px;padding:2px 8px;border-radius:999px;background:rgba(15,23,42,.75);color:#fff;font-size:.75rem;font-weight:700;letter-spacing:.05em}
.oz-sbx-rec::before{content:"";width:10px;height:10px;border-radius:50%;background:#ef4444;animation:oz-sbx-pulse 1s ease-in-out infinite}
.oz-sbx-backdrop[data-phase=recording] .oz-sbx-rec{display:flex}
.oz-sbx-status{min-height:2.9em;margin:0}
.oz-sbx-outcomes{min-width:0;margin:0;padding:0;border:0}
.oz-sbx-legend{margin:0 0 8px;padding:0;font-size:.875rem;font-weight:650}
.oz-sbx-grid{display:grid;grid-template-columns:1fr 1fr;gap:8px}
.oz-sbx-outcome{min-height:48px;padding:8px 10px;border:2px solid currentColor;border-radius:10px;background:#fff;font:inherit;font-weight:650;line-height:1.2;cursor:pointer}
.oz-sbx-outcome:hover:enabled{background:#f8fafc}
.oz-sbx-outcome:disabled{opacity:.45;cursor:not-allowed}
.oz-sbx-outcome[data-outcome=genuine]{color:#166534}
.oz-sbx-outcome[data-outcome=spoof]{color:#991b1b}
.oz-sbx-outcome[data-outcome=review]{color:#92400e}
.oz-sbx-outcome[data-outcome=system_error]{color:#334155}
.oz-sbx-close:focus-visible,.oz-sbx-outcome:focus-visible{outline:3px solid #2563eb;outline-offset:2px}
@keyframes oz-sbx-pulse{50%{opacity:.25}}
@media (max-width:420px){.oz-sbx-backdrop{padding:4px}.oz-sbx-dialog{gap:10px;padding:12px;border-radius:12px}}
@media (prefers-reduced-motion:reduce){.oz-sbx-backdrop *,.oz-sbx-backdrop *::before{animation:none!important;transition:none!important}}
@media (forced-colors:active){.oz-sbx-dialog{border:1px solid CanvasText}}
`;
