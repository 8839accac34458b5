/*
 * mn-scroll.js: sideways scrolling for vertical Mongolian blocks (.mn-block) and pages.
 *
 * A .mn-block is writing-mode: vertical-lr with a fixed height; its columns overflow to
 * the right. Touch and trackpads scroll it natively, a mouse wheel does not: while a
 * block can scroll sideways, vertical wheel movement over it moves scrollLeft (the
 * listener is non-passive only then; at either end the page scrolls as usual).
 * A block that overflows is made focusable (tabindex="0" unless it has a tabindex) and,
 * without an aria-label, is labelled by its [data-block-label] element;
 * when the block itself has focus, arrow keys, Page Up/Down and Home/End scroll it.
 * Focus inside the block (a radio button) keeps the browser's own arrow keys.
 *
 * A whole Mongolian page (<html lang="mn-Mong-CN">, writing-mode: vertical-lr) scrolls
 * sideways too: the same wheel rule applies to the page, and when no control has focus
 * ↓/↑, Page Down/Up, Space and Home/End move it sideways (←/→ already do).
 */
(() => {
  'use strict';

  const LINE_PX = 40;
  const state = new WeakMap(); // block -> { wheel: bool, addedTabindex: bool }

  const maxScroll = (el) => el.scrollWidth - el.clientWidth;
  const canScrollX = (el) => maxScroll(el) > 1;

  function scrollTo(el, left) {
    const clamped = Math.max(0, Math.min(maxScroll(el), left));
    if (Math.abs(clamped - el.scrollLeft) < 0.5) return false;
    el.scrollLeft = clamped;
    return true;
  }

  function onWheel(event) {
    const el = event.currentTarget;
    if (event.ctrlKey || event.defaultPrevented) return; // pinch / ctrl+wheel zoom
    if (!canScrollX(el)) return;
    // Horizontal gestures (trackpad, shift+wheel) already scroll natively.
    if (event.shiftKey || Math.abs(event.deltaX) >= Math.abs(event.deltaY)) return;
    let delta = event.deltaY;
    if (event.deltaMode === 1) delta *= LINE_PX; // lines
    else if (event.deltaMode === 2) delta *= el.clientWidth; // pages
    if (scrollTo(el, el.scrollLeft + delta)) event.preventDefault();
  }

  function onKeyDown(event) {
    const el = event.currentTarget;
    if (event.target !== el || event.altKey || event.ctrlKey || event.metaKey) return;
    if (!canScrollX(el)) return;
    const page = el.clientWidth * 0.9;
    const moves = {
      ArrowRight: LINE_PX, ArrowDown: LINE_PX, ArrowLeft: -LINE_PX, ArrowUp: -LINE_PX,
      PageDown: page, PageUp: -page, ' ': event.shiftKey ? -page : page,
    };
    let target;
    if (event.key === 'Home') target = 0;
    else if (event.key === 'End') target = maxScroll(el);
    else if (event.key in moves) target = el.scrollLeft + moves[event.key];
    else return;
    if (scrollTo(el, target)) event.preventDefault();
  }

  // A focusable block needs a name for screen readers: an aria-label from the template,
  // else the element inside it marked [data-block-label] (e.g. "Question 3 of 20").
  function label(el) {
    if (el.hasAttribute('aria-label') || el.hasAttribute('aria-labelledby')) return;
    const named = el.querySelector('[data-block-label][id]');
    if (!named) return;
    el.setAttribute('aria-labelledby', named.id);
    if (!el.hasAttribute('role')) el.setAttribute('role', 'group');
  }

  // Attach or detach the handlers to match whether the block overflows right now.
  function sync(el) {
    const s = state.get(el);
    const scrollable = canScrollX(el);
    if (scrollable && !s.wheel) {
      el.addEventListener('wheel', onWheel, { passive: false });
      s.wheel = true;
      if (!el.hasAttribute('tabindex')) {
        el.setAttribute('tabindex', '0');
        s.addedTabindex = true;
      }
      label(el);
    } else if (!scrollable && s.wheel) {
      el.removeEventListener('wheel', onWheel, { passive: false });
      s.wheel = false;
      if (s.addedTabindex && document.activeElement !== el) {
        el.removeAttribute('tabindex');
        s.addedTabindex = false;
      }
    }
  }

  // ------------------------------------------------------------ vertical pages

  const root = () => document.scrollingElement || document.documentElement;
  const isVerticalPage = () =>
    /^vertical/.test(getComputedStyle(document.documentElement).writingMode || '');
  const pageCanScrollX = () => maxScroll(root()) > 1;
  const pageCanScrollY = () => root().scrollHeight - root().clientHeight > 1;

  // Would an element between the target and the page scroll vertically by itself?
  function innerScrollsY(target) {
    for (let el = target; el && el !== document.body && el !== document.documentElement;
      el = el.parentElement) {
      if (el.scrollHeight - el.clientHeight > 1) {
        const oy = getComputedStyle(el).overflowY;
        if (oy === 'auto' || oy === 'scroll') return true;
      }
    }
    return false;
  }

  function onPageWheel(event) {
    if (event.ctrlKey || event.defaultPrevented || !pageCanScrollX() || pageCanScrollY()) return;
    if (event.shiftKey || Math.abs(event.deltaX) >= Math.abs(event.deltaY)) return;
    if (innerScrollsY(event.target)) return;
    let delta = event.deltaY;
    if (event.deltaMode === 1) delta *= LINE_PX;
    else if (event.deltaMode === 2) delta *= root().clientWidth;
    if (scrollTo(root(), root().scrollLeft + delta)) event.preventDefault();
  }

  const CONTROLS = 'input, select, textarea, button, [contenteditable], [tabindex], summary, audio, video';

  function onPageKeyDown(event) {
    if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return;
    const t = event.target;
    if (t && t !== document.body && t !== document.documentElement && t.closest && t.closest(CONTROLS)) return;
    if (!pageCanScrollX() || pageCanScrollY()) return;
    const el = root();
    const page = el.clientWidth * 0.9;
    const moves = {
      ArrowDown: LINE_PX, ArrowUp: -LINE_PX,
      PageDown: page, PageUp: -page, ' ': event.shiftKey ? -page : page,
    };
    let target;
    if (event.key === 'Home') target = 0;
    else if (event.key === 'End') target = maxScroll(el);
    else if (event.key in moves) target = el.scrollLeft + moves[event.key];
    else return;
    if (scrollTo(el, target)) event.preventDefault();
  }

  function initPage() {
    if (!isVerticalPage()) return;
    // Registered after the blocks' own listeners would run (they sit deeper in the tree),
    // so a block that scrolled itself has already called preventDefault().
    window.addEventListener('wheel', onPageWheel, { passive: false });
    window.addEventListener('keydown', onPageKeyDown);
  }

  function init() {
    initPage();
    const blocks = Array.prototype.slice.call(document.querySelectorAll('.mn-block'));
    if (!blocks.length) return;
    const syncAll = () => blocks.forEach(sync);
    blocks.forEach((el) => {
      state.set(el, { wheel: false, addedTabindex: false });
      el.addEventListener('keydown', onKeyDown);
    });
    syncAll();
    // Overflow changes when the window resizes, the web font arrives or content reflows.
    if (typeof ResizeObserver === 'function') {
      const ro = new ResizeObserver(syncAll);
      blocks.forEach((el) => {
        ro.observe(el);
        Array.prototype.forEach.call(el.children, (child) => ro.observe(child));
      });
    } else {
      window.addEventListener('resize', syncAll);
    }
    if (document.fonts && document.fonts.ready) document.fonts.ready.then(syncAll);
    window.addEventListener('load', syncAll);
  }

  /*
   * The quiz bar of a Mongolian quiz page is fixed at the top and the columns start under
   * it (padding-top: var(--quiz-bar-height)). With a larger text size (reading comfort)
   * the bar wraps to two lines on a phone, so its real height is measured here; the CSS
   * keeps a fallback per size for a page without script.
   */
  function followQuizBar() {
    const bar = document.querySelector('html[lang="mn-Mong-CN"] .quiz-bar');
    if (!bar) return;
    const sync = () => {
      document.body.style.setProperty('--quiz-bar-height', bar.offsetHeight + 'px');
    };
    sync();
    if ('ResizeObserver' in window) new ResizeObserver(sync).observe(bar);
    else window.addEventListener('resize', sync);
    if (document.fonts && document.fonts.ready) document.fonts.ready.then(sync);
  }

  function start() {
    init();
    followQuizBar();
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
