// What a Chromium trace of one run of `render.mjs` says about the main thread between the
// response and the paint (`r.responseEnd` to `r.paint`, located by the `render:click` mark).

/// The renderer's main-thread spans that overlap the time from the response to the paint,
/// in order, outer ones first; `null` without the run's marks.
function mainThread(trace, r) {
  const events = trace.traceEvents ?? trace;
  const mark = events.find((e) => e.name === 'render:click' && e.ph !== 'M');
  if (!mark) return null;
  const main = events.find((e) => e.ph === 'M' && e.name === 'thread_name' &&
    e.args?.name === 'CrRendererMain' && e.pid === mark.pid);
  const tid = main?.tid ?? mark.tid;
  const at = (t) => mark.ts + (t - r.click) * 1000;
  const [from, to] = [at(r.responseEnd), at(r.paint)];
  const spans = events
    .filter((e) => e.pid === mark.pid && e.tid === tid && e.ph === 'X' && e.dur > 0)
    .filter((e) => e.ts < to && e.ts + e.dur > from)
    .sort((a, b) => a.ts - b.ts || b.dur - a.dur);
  const clip = (e) => Math.max(0, Math.min(e.ts + e.dur, to) - Math.max(e.ts, from));
  return { spans, from, to, clip };
}

/// The main thread's CPU time (`tdur`: a wait for a core on a busy machine is left out)
/// from the response to the paint: its outermost tasks', each in proportion to its part of
/// that span.
export function cpuTime(trace, r) {
  const m = mainThread(trace, r);
  if (!m) return NaN;
  let end = -Infinity;
  let cpu = 0;
  for (const e of m.spans) {
    if (e.ts < end) continue;
    end = e.ts + e.dur;
    if (e.tdur != null) cpu += (e.tdur * m.clip(e)) / e.dur;
  }
  return cpu / 1000;
}

/// Self time of the renderer's main thread between the response and the paint, by kind of
/// work, the way DevTools' Summary counts it (a task's time minus its children's).
export function breakdown(trace, r) {
  const m = mainThread(trace, r);
  if (!m) return { 'no trace marks': 0 };
  const { spans, from, to, clip } = m;
  const kind = (name) => {
    if (/GC|Scavenge|MarkCompact/i.test(name)) return 'GC';
    if (/^(FunctionCall|EvaluateScript|TimerFire|FireAnimationFrame|EventDispatch|RunMicrotasks|v8\.|V8\.|XHR|ResourceReceivedData|ResourceFinish|HandlePostMessage|MutationObserver)/.test(name)) return 'script';
    if (/^(UpdateLayoutTree|RecalculateStyles|ParseAuthorStyleSheet|ScheduleStyleRecalculation|InvalidateLayout)/.test(name)) return 'style';
    if (/^(Layout|UpdateLayout)/.test(name)) return 'layout';
    if (/^(Paint|PrePaint|Layerize|Commit|PaintImage|RasterTask|UpdateLayer|CompositeLayers|Decode)/.test(name)) return 'paint';
    return 'other';
  };
  const totals = {};
  const stack = [];
  for (const e of spans) {
    while (stack.length && stack[stack.length - 1].ts + stack[stack.length - 1].dur <= e.ts) stack.pop();
    const parent = stack[stack.length - 1];
    const own = clip(e);
    const k = e.name === 'RunTask' || e.name === 'ThreadControllerImpl::RunTask' ? 'other' : kind(e.name);
    totals[k] = (totals[k] ?? 0) + own;
    if (parent) {
      const pk = parent.kindKey;
      totals[pk] -= own;
    }
    e.kindKey = k;
    stack.push(e);
  }
  // Time with nothing running on the main thread.
  const busy = Object.values(totals).reduce((a, b) => a + b, 0);
  totals.idle = to - from - busy;
  return Object.fromEntries(Object.entries(totals).map(([k, v]) => [k, v / 1000]));
}
