// The @lit/react wrapper rendered by React 19 (react-dom/client), and by React 18 in a second run
// (web-test-runner.react18.config.mjs: the same file, `react` served from react@18), driving real checks against
// the scripted gateway with a fake capture engine: props reach the element as properties, each
// event prop hears exactly its own event, and an unmounted wrapper hears nothing more.
import { expect } from '@open-wc/testing';
import { type ComponentProps, createElement, createRef, version } from 'react';
import { flushSync } from 'react-dom';
import { createRoot, type Root } from 'react-dom/client';
import { FakeEngine } from '../test/browser/fake-engine.js';
import { oz, ozConfig, until } from '../test/browser/oz-env.js';
import {
  LivenessCancelEvent,
  LivenessCapturedEvent,
  LivenessErrorEvent,
  LivenessProgressEvent,
  LivenessResultEvent,
  LivenessStateEvent,
} from './events.js';
import { OzLivenessCheck as OzLivenessCheckElement } from './liveness-check.js';
import { OzLivenessCheck } from './react.js';
import type { LivenessResult } from './types.js';

type Props = ComponentProps<typeof OzLivenessCheck>;

// The contract's pairs (CONTRACT.md section 3), written out here rather than read from react.ts,
// so a wrong mapping in the wrapper fails these tests.
const eventOfProp = {
  onOzLivenessState: LivenessStateEvent,
  onOzLivenessCaptured: LivenessCapturedEvent,
  onOzLivenessProgress: LivenessProgressEvent,
  onOzLivenessResult: LivenessResultEvent,
  onOzLivenessError: LivenessErrorEvent,
  onOzLivenessCancel: LivenessCancelEvent,
} as const;
type EventProp = keyof typeof eventOfProp;
const eventProps = Object.keys(eventOfProp) as EventProp[];

const result: LivenessResult = {
  transactionId: 'tx',
  folderId: 'folder',
  resolutionStatus: 'FINISHED',
  systemResolution: 'SUCCESS',
  decision: 'ACCEPT',
  analyses: [],
  receipt: 'receipt',
};

/** One real event of each kind, as the element dispatches them. */
const oneOfEach = (): Event[] => [
  new LivenessStateEvent({ state: 'preparing', previous: 'idle' }),
  new LivenessCapturedEvent({ action: 'video_selfie_blank', capsule: new Blob(['x']) }),
  new LivenessProgressEvent({ loaded: 1, total: 2 }),
  new LivenessResultEvent({ result }),
  new LivenessErrorEvent({ code: 'NETWORK', message: 'offline', retry: 'UPLOAD' }),
  new LivenessCancelEvent(),
];

const button = (el: OzLivenessCheckElement) =>
  el.shadowRoot?.querySelector<HTMLButtonElement>('[part="button"]') ?? null;

// The React major this run is for, set by the test runner's config (esbuild `define`).
declare const __OZ_REACT_MAJOR__: string;

describe(`@oz-liveness/element/react rendered by React ${version}`, () => {
  it('runs on the React its configuration asks for', () => {
    expect(version.split('.')[0]).to.equal(__OZ_REACT_MAJOR__);
  });

  let host: HTMLElement;
  let root: Root;
  let mounted = false;

  // flushSync: the render is committed (element created, props set) when it returns.
  const render = (props: Props) => {
    flushSync(() => root.render(createElement(OzLivenessCheck, props)));
    mounted = true;
  };
  const unmount = () => {
    if (mounted) root.unmount();
    mounted = false;
  };

  beforeEach(async () => {
    await oz('scripted.reset');
    host = document.createElement('div');
    document.body.append(host);
    root = createRoot(host);
  });

  afterEach(() => {
    unmount();
    host.remove();
  });

  it('renders the element and sets its props as properties, again on every render', async () => {
    const c = await ozConfig();
    const engine = new FakeEngine();
    const strings = { start: 'Verify with React' };
    const ref = createRef<OzLivenessCheckElement>();
    const props: Props = {
      ref,
      endpoint: c.scriptedGatewayUrl,
      pluginSrc: '/test/fixtures/fake-plugin.js?react',
      action: 'video_selfie_smile video_selfie_left',
      lang: 'pt-BR',
      name: 'liveness',
      required: true,
      strings,
      captureEngine: engine,
    };
    render(props);
    const el = ref.current as OzLivenessCheckElement;
    expect(el).to.be.instanceOf(OzLivenessCheckElement);
    expect(host.firstElementChild).to.equal(el);
    // Objects arrive as themselves, not as "[object Object]" attributes.
    expect(el.strings).to.equal(strings);
    expect(el.captureEngine).to.equal(engine);
    expect(el.endpoint).to.equal(c.scriptedGatewayUrl);
    expect(el.pluginSrc).to.equal('/test/fixtures/fake-plugin.js?react');
    expect(el.action).to.equal('video_selfie_smile video_selfie_left');
    expect(el.lang).to.equal('pt-BR');
    expect(el.required).to.equal(true);
    // Set as properties: none of the non-reflecting ones shows up as an attribute.
    for (const attribute of ['endpoint', 'plugin-src', 'action', 'strings', 'captureengine']) {
      expect(el.hasAttribute(attribute), attribute).to.equal(false);
    }
    await el.updateComplete;
    expect(el.getAttribute('name')).to.equal('liveness'); // reflected by the element itself
    expect(button(el)?.textContent?.trim()).to.equal('Verify with React');

    const result = await el.start();
    expect(engine.requests[0]?.actions).to.deep.equal(['video_selfie_smile', 'video_selfie_left']);
    expect(engine.requests[0]?.lang).to.equal('pt-BR');
    expect(result.decision).to.equal('ACCEPT');

    el.reset();
    render({ ...props, strings: { start: 'Verificar de novo' }, required: false });
    expect(el.required).to.equal(false);
    await el.updateComplete;
    expect(button(el)?.textContent?.trim()).to.equal('Verificar de novo');
  });

  it("calls each event prop with exactly the element's own events, typed", async () => {
    await oz('scripted.script', {
      steps: [
        {
          operation: 'submitCapsule',
          errors: [
            {
              message: 'Oz refused the capsule',
              extensions: { code: 'CAPSULE_REJECTED', retry: 'CAPTURE' },
            },
          ],
        },
      ],
    });
    const c = await ozConfig();
    const engine = new FakeEngine();
    const ref = createRef<OzLivenessCheckElement>();
    // Each handler's parameter type comes from the wrapper: a wrong EventName<…> type there
    // fails check-types here, since each array only takes its own event class.
    const heard = {
      state: [] as LivenessStateEvent[],
      captured: [] as LivenessCapturedEvent[],
      progress: [] as LivenessProgressEvent[],
      result: [] as LivenessResultEvent[],
      error: [] as LivenessErrorEvent[],
      cancel: [] as LivenessCancelEvent[],
    };
    render({
      ref,
      endpoint: c.scriptedGatewayUrl,
      captureEngine: engine,
      onOzLivenessState: (event) => heard.state.push(event),
      onOzLivenessCaptured: (event) => heard.captured.push(event),
      onOzLivenessProgress: (event) => heard.progress.push(event),
      onOzLivenessResult: (event) => heard.result.push(event),
      onOzLivenessError: (event) => heard.error.push(event),
      onOzLivenessCancel: (event) => heard.cancel.push(event),
    });
    const el = ref.current as OzLivenessCheckElement;
    // What the element dispatched, heard the plain DOM way.
    const dispatched = new Map<string, Event[]>();
    for (const { eventName } of Object.values(eventOfProp)) {
      dispatched.set(eventName, []);
      el.addEventListener(eventName, (event) => dispatched.get(eventName)?.push(event));
    }

    // A rejected upload (error), then an accepted check (captured, progress, result), then a
    // cancelled capture (cancel); every state change on the way.
    expect(await el.start().catch((e: LivenessErrorEvent['detail']) => e)).to.include({
      code: 'CAPSULE_REJECTED',
    });
    await el.start();
    engine.mode = 'manual';
    const cancelled = el.start();
    await until(() => engine.waiting, 'the capture');
    el.cancel();
    await cancelled.catch(() => {});

    const byProp: Record<EventProp, Event[]> = {
      onOzLivenessState: heard.state,
      onOzLivenessCaptured: heard.captured,
      onOzLivenessProgress: heard.progress,
      onOzLivenessResult: heard.result,
      onOzLivenessError: heard.error,
      onOzLivenessCancel: heard.cancel,
    };
    for (const prop of eventProps) {
      const { eventName } = eventOfProp[prop];
      const events = byProp[prop];
      expect(events.length, prop).to.be.greaterThan(0);
      // The very event objects the element dispatched, in order, and only those.
      expect(events, prop).to.have.ordered.members(dispatched.get(eventName) ?? []);
      for (const event of events) expect(event, prop).to.be.instanceOf(eventOfProp[prop]);
    }
    expect(heard.state.map((e) => e.detail.state)).to.deep.equal([
      'preparing',
      'capturing',
      'uploading',
      'error',
      'preparing',
      'capturing',
      'uploading',
      'done',
      'preparing',
      'capturing',
      'idle',
    ]);
    expect(heard.error.map((e) => e.detail.code)).to.deep.equal(['CAPSULE_REJECTED']);
    expect(heard.captured).to.have.length(2);
    expect(heard.captured[1]?.detail.capsule).to.equal(engine.capsule);
    expect(heard.progress.at(-1)?.detail.loaded).to.equal(heard.progress.at(-1)?.detail.total);
    expect(heard.result.map((e) => e.detail.result.decision)).to.deep.equal(['ACCEPT']);
    expect(heard.cancel.map((e) => e.detail)).to.deep.equal([{}]);
  });

  it('swaps a replaced handler and drops a removed one', async () => {
    const ref = createRef<OzLivenessCheckElement>();
    const calls: string[] = [];
    render({ ref, onOzLivenessResult: () => calls.push('first') });
    const el = ref.current as OzLivenessCheckElement;
    el.dispatchEvent(new LivenessResultEvent({ result }));
    render({ ref, onOzLivenessResult: () => calls.push('second') });
    el.dispatchEvent(new LivenessResultEvent({ result }));
    render({ ref });
    el.dispatchEvent(new LivenessResultEvent({ result }));
    expect(calls).to.deep.equal(['first', 'second']);
  });

  it('stops calling the event props once unmounted, even for the cancel that unmounting causes', async () => {
    const c = await ozConfig();
    const engine = new FakeEngine();
    engine.mode = 'manual';
    const ref = createRef<OzLivenessCheckElement>();
    const calls: string[] = [];
    const handlers = Object.fromEntries(
      eventProps.map((prop) => [prop, (event: Event) => calls.push(`${prop} ${event.type}`)]),
    );
    render({ ref, endpoint: c.scriptedGatewayUrl, captureEngine: engine, ...handlers });
    const el = ref.current as OzLivenessCheckElement;
    const started = el.start();
    await until(() => engine.waiting, 'the capture');
    expect(calls).to.deep.equal([
      'onOzLivenessState oz-liveness-state',
      'onOzLivenessState oz-liveness-state',
    ]);
    calls.length = 0;

    // The element, removed from the page, cancels its check (a microtask later) and fires
    // oz-liveness-state and oz-liveness-cancel; no unmounted component's prop may hear them.
    unmount();
    await started.catch(() => {});
    expect(el.state).to.equal('idle');
    expect(engine.requests[0]?.signal.aborted).to.equal(true);
    for (const event of oneOfEach()) el.dispatchEvent(event);
    expect(calls).to.deep.equal([]);
  });
});
