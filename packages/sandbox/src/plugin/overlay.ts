import { OUTCOMES, type Outcome } from '../container/format.js';
import { overlayStyles } from './overlay.styles.js';
import type { OverlayStrings } from './strings.js';

/** The stage of a capture the overlay shows; it decides the status line and the buttons. */
export type OverlayPhase = 'starting' | 'recording' | 'choosing' | 'packing';

export interface OverlayHandlers {
  /** The close button or Escape. */
  onClose(): void;
  onOutcome(outcome: Outcome): void;
}

export const OVERLAY_ID = 'oz-sandbox-overlay';
const TITLE_ID = 'oz-sbx-title';
const STATUS_ID = 'oz-sbx-status';
const LEGEND_ID = 'oz-sbx-legend';

const statusKey: Record<OverlayPhase, keyof OverlayStrings> = {
  starting: 'starting',
  recording: 'recording',
  choosing: 'choose',
  packing: 'packing',
};

/**
 * The modal dialog: light DOM (so tests and host pages can reach `[data-outcome]`), focus moved
 * in and trapped while visible, Escape and the close button close it, focus given back on removal.
 */
export class Overlay {
  readonly root: HTMLDivElement;
  private readonly dialog: HTMLDivElement;
  private readonly video: HTMLVideoElement;
  private readonly status: HTMLParagraphElement;
  private readonly outcomeButtons: HTMLButtonElement[];
  private returnFocusTo: Element | null = null;
  private trapping = false;

  constructor(
    private readonly strings: OverlayStrings,
    lang: string,
    private readonly handlers: OverlayHandlers,
  ) {
    const style = element('style', {});
    style.textContent = overlayStyles;

    const close = element('button', {
      type: 'button',
      class: 'oz-sbx-close',
      'data-action': 'close',
      'aria-label': strings.close,
    });
    close.textContent = '×';
    close.addEventListener('click', () => this.handlers.onClose());

    const title = element('h2', { id: TITLE_ID, class: 'oz-sbx-title' });
    title.textContent = strings.title;
    const badge = element('p', { class: 'oz-sbx-badge' });
    badge.textContent = strings.badge;

    this.video = element('video', {
      class: 'oz-sbx-video',
      'aria-label': strings.preview,
      muted: '',
      playsinline: '',
      autoplay: '',
    });
    // The attributes cover iOS Safari's autoplay rules; the properties cover the rest.
    this.video.muted = true;
    this.video.playsInline = true;
    const rec = element('span', { class: 'oz-sbx-rec', 'aria-hidden': 'true' });
    rec.textContent = 'REC';
    const stage = element('div', { class: 'oz-sbx-stage' }, [this.video, rec]);

    this.status = element('p', {
      id: STATUS_ID,
      class: 'oz-sbx-status',
      role: 'status',
      'aria-live': 'polite',
    });

    this.outcomeButtons = OUTCOMES.map((outcome) => {
      const button = element('button', {
        type: 'button',
        class: 'oz-sbx-outcome',
        'data-outcome': outcome,
        disabled: '',
      });
      button.textContent = strings[outcome];
      button.addEventListener('click', () => this.handlers.onOutcome(outcome));
      return button;
    });
    const legend = element('legend', { id: LEGEND_ID, class: 'oz-sbx-legend' });
    legend.textContent = strings.outcomes;
    const outcomes = element('fieldset', { class: 'oz-sbx-outcomes' }, [
      legend,
      element('div', { class: 'oz-sbx-grid' }, this.outcomeButtons),
    ]);

    this.dialog = element(
      'div',
      {
        class: 'oz-sbx-dialog',
        role: 'dialog',
        'aria-modal': 'true',
        'aria-labelledby': TITLE_ID,
        'aria-describedby': STATUS_ID,
        // Focusable so focus lands inside on open and clicks on plain text keep it inside.
        tabindex: '-1',
      },
      [
        element('div', { class: 'oz-sbx-header' }, [title, close]),
        badge,
        stage,
        this.status,
        outcomes,
      ],
    );
    this.root = element('div', { id: OVERLAY_ID, class: 'oz-sbx-backdrop', lang }, [
      style,
      this.dialog,
    ]);
    this.setPhase('starting');
  }

  mount(): void {
    this.returnFocusTo = document.activeElement;
    // A page may open from a <head> script before <body> exists.
    (document.body ?? document.documentElement).append(this.root);
    this.startTrap();
    this.dialog.focus();
  }

  showStream(stream: MediaStream): void {
    this.video.srcObject = stream;
    // Autoplay of a muted inline video is allowed everywhere; a refusal only costs the preview.
    this.video.play().catch(() => undefined);
  }

  /** Keeps the last frame on screen as the poster once the camera is turned off. */
  freezePreview(): void {
    const { videoWidth: width, videoHeight: height } = this.video;
    try {
      const canvas = document.createElement('canvas');
      canvas.width = width;
      canvas.height = height;
      canvas.getContext('2d')?.drawImage(this.video, 0, 0, width, height);
      if (width && height) this.video.poster = canvas.toDataURL('image/jpeg', 0.8);
    } catch {
      // Only cosmetic: without a poster the stage is simply dark.
    }
    this.video.srcObject = null;
  }

  setPhase(phase: OverlayPhase): void {
    this.root.dataset.phase = phase;
    this.status.textContent = this.strings[statusKey[phase]];
    this.dialog.setAttribute('aria-busy', String(phase === 'starting' || phase === 'packing'));
    const enabled = phase === 'choosing';
    for (const button of this.outcomeButtons) button.disabled = !enabled;
    // Move focus to the choice only if the person has not put it somewhere else meanwhile.
    if (enabled && document.activeElement === this.dialog) this.outcomeButtons[0]?.focus();
  }

  /** Hidden, not removed: the session keeps working and can still be closed. */
  hide(): void {
    if (this.root.hidden) return;
    this.root.hidden = true;
    this.stopTrap();
    this.restoreFocus();
  }

  remove(): void {
    this.stopTrap();
    this.video.srcObject = null;
    const hadFocus = this.root.contains(document.activeElement);
    this.root.remove();
    if (hadFocus) this.restoreFocus();
    else this.returnFocusTo = null;
  }

  private startTrap(): void {
    if (this.trapping) return;
    this.trapping = true;
    // Capture phase on the document: Escape must close the dialog before host page handlers run.
    document.addEventListener('keydown', this.onKeyDown, true);
    document.addEventListener('focusin', this.onFocusIn, true);
  }

  private stopTrap(): void {
    if (!this.trapping) return;
    this.trapping = false;
    document.removeEventListener('keydown', this.onKeyDown, true);
    document.removeEventListener('focusin', this.onFocusIn, true);
  }

  private restoreFocus(): void {
    const target = this.returnFocusTo;
    this.returnFocusTo = null;
    if (target instanceof HTMLElement && target.isConnected) target.focus();
  }

  private readonly onKeyDown = (event: KeyboardEvent): void => {
    if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      this.handlers.onClose();
      return;
    }
    if (event.key !== 'Tab') return;
    const focusable = this.focusable();
    const first = focusable[0];
    const last = focusable[focusable.length - 1];
    const active = document.activeElement;
    if (!first || !last) {
      event.preventDefault();
      this.dialog.focus();
    } else if (event.shiftKey && (active === first || active === this.dialog)) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && active === last) {
      event.preventDefault();
      first.focus();
    } else if (!this.dialog.contains(active)) {
      event.preventDefault();
      first.focus();
    }
  };

  private readonly onFocusIn = (event: FocusEvent): void => {
    if (event.target instanceof Node && !this.dialog.contains(event.target)) this.dialog.focus();
  };

  private focusable(): HTMLElement[] {
    return Array.from(
      this.dialog.querySelectorAll<HTMLElement>('button:not([disabled]), [href], [tabindex="0"]'),
    );
  }
}

function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string>,
  children: Node[] = [],
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}
