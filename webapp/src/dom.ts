// A tiny DOM builder: h('button', {type: 'submit'}, 'Send'), and the small pieces built with it.
import { mediaUrl } from './api';

type Attrs = Record<string, string | number | boolean | null | undefined | ((e: Event) => void)>;
type Child = Node | string | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === 'function') el.addEventListener(key.replace(/^on/, ''), value);
    else if (key === 'class') el.className = String(value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child);
  }
  return el;
}

let fields = 0; // makes each field's id unique: two forms may have fields of one label

/** A labelled text field: the label gives the input its accessible name. */
export function field(label: string, input: Attrs): { wrap: HTMLElement; input: HTMLInputElement } {
  const id = `f-${label.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-${++fields}`;
  const el = h('input', { id, ...input });
  return { wrap: h('div', { class: 'field' }, h('label', { for: id }, label), el), input: el };
}

export function formatTime(ms: number): string {
  const d = new Date(ms);
  const sameDay = d.toDateString() === new Date().toDateString();
  return sameDay
    ? d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })
    : d.toLocaleDateString([], { day: 'numeric', month: 'short' });
}

/** A round picture: the photo when there is one, else the name's initials. Decorative (the name is beside it). */
export function avatar(who: { name: string; image_id: string | null }): HTMLElement {
  const initials = who.name.split(/\s+/).filter(Boolean).slice(0, 2).map((w) => w[0]!.toUpperCase()).join('') || '?';
  const el = h('span', { class: 'avatar', 'aria-hidden': 'true' }, initials);
  if (who.image_id) {
    void mediaUrl(who.image_id).then((url) => el.replaceChildren(h('img', { src: url, alt: '' })), () => undefined);
  }
  return el;
}

/** A modal dialog named `label` (also its heading), shown at once and removed from the page once closed. */
export function modal(label: string, cls: string, ...children: (Child | Child[])[]): HTMLDialogElement {
  const dialog = h('dialog', { class: `modal ${cls}`, 'aria-label': label }, h('h2', {}, label), ...children);
  dialog.addEventListener('close', () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
  return dialog;
}

/** Asks to confirm `question` in a modal dialog; resolves true when `yes` is chosen. */
export function confirmDialog(question: string, text: string, yes: string): Promise<boolean> {
  return new Promise((resolve) => {
    let chosen = false;
    const ok = h('button', { type: 'button', class: 'danger', onclick: () => {
      chosen = true;
      dialog.close();
    } }, yes);
    const dialog = modal(question, 'confirm', h('p', {}, text),
      h('div', { class: 'actions' }, ok, h('button', { type: 'button', onclick: () => dialog.close() }, 'Cancel')));
    dialog.addEventListener('close', () => resolve(chosen));
    ok.focus();
  });
}

/** A group of radio buttons under a legend, one per [value, label]; `name` ties them together. */
export function radios(legend: string, name: string, choices: [string, string][]): { wrap: HTMLFieldSetElement; value: () => string | null; set: (v: string) => void } {
  const inputs = choices.map(([value]) => h('input', { type: 'radio', name, value }));
  const wrap = h('fieldset', {}, h('legend', {}, legend),
    ...choices.map(([, label], i) => h('label', { class: 'choice' }, inputs[i]!, ` ${label}`)));
  return {
    wrap,
    value: () => inputs.find((i) => i.checked)?.value ?? null,
    set: (v) => inputs.forEach((i) => (i.checked = i.value === v)),
  };
}
