/*
 * countdown.js: count down from the server's remaining seconds.
 *
 *   <span class="countdown" role="timer"
 *         data-countdown-seconds="1187"          remaining seconds when the server rendered
 *         data-expire-url="/play/42/finish"      optional: location.assign() there at 0, once
 *         data-announce="剩余时间 {time}"          optional: screen-reader text, each minute
 *         data-expired-text="时间到">19:47</span>  optional: screen-reader text at 0
 *
 * Elapsed time comes from performance.now() (monotonic), never from the device clock,
 * counted from the moment the page's response arrived. The server stays the judge of
 * the deadline; this is only the display. Adds .warning under 60 s and .expired at 0.
 * A polite live region next to the timer speaks once a minute, not every second.
 * Before navigating at 0 it dispatches a cancelable, bubbling "countdown:expire" event.
 */
(() => {
  'use strict';

  function pad(n) {
    return (n < 10 ? '0' : '') + n;
  }

  function format(totalSeconds) {
    const h = Math.floor(totalSeconds / 3600);
    const m = Math.floor((totalSeconds % 3600) / 60);
    const s = totalSeconds % 60;
    return h > 0 ? h + ':' + pad(m) + ':' + pad(s) : pad(m) + ':' + pad(s);
  }

  // performance.now() when the HTML response started arriving: the server computed the
  // remaining time just before that, so counting from here never shows too much time.
  function responseStart() {
    try {
      const nav = performance.getEntriesByType('navigation')[0];
      if (nav && nav.responseStart > 0 && nav.responseStart <= performance.now()) {
        return nav.responseStart;
      }
    } catch (e) { /* old browser: fall through */ }
    return performance.now();
  }

  function start(el, origin) {
    const seconds = parseFloat(el.getAttribute('data-countdown-seconds'));
    if (!isFinite(seconds)) return;
    const deadline = origin + Math.max(0, seconds) * 1000;
    const expireUrl = el.getAttribute('data-expire-url');
    const announceTpl = el.getAttribute('data-announce') || '{time}';
    const expiredText = el.getAttribute('data-expired-text') || format(0);

    // The visible timer changes every second and must not be live; a hidden sibling is.
    el.setAttribute('aria-live', 'off');
    const live = document.createElement('span');
    live.className = 'visually-hidden';
    live.setAttribute('aria-live', 'polite');
    live.setAttribute('aria-atomic', 'true');
    el.insertAdjacentElement('afterend', live);

    let lastSecond = -1;
    let lastMinute = null;
    let timer = null;
    let done = false;

    function tick() {
      clearTimeout(timer);
      if (done) return;
      const ms = Math.max(0, deadline - performance.now());
      const second = Math.ceil(ms / 1000);
      if (second !== lastSecond) {
        lastSecond = second;
        el.textContent = format(second);
        el.classList.toggle('warning', second > 0 && second < 60);
        el.classList.toggle('expired', second === 0);
        const minute = Math.ceil(second / 60);
        if (lastMinute !== null && minute !== lastMinute && second > 0) {
          live.textContent = announceTpl.replace('{time}', format(second));
        }
        lastMinute = minute;
      }
      if (second === 0) {
        done = true;
        live.textContent = expiredText;
        expire();
        return;
      }
      // Wake up just after the displayed second changes.
      timer = setTimeout(tick, ms - (second - 1) * 1000 + 15);
    }

    function expire() {
      if (!expireUrl) return;
      let event;
      try {
        event = new CustomEvent('countdown:expire', { bubbles: true, cancelable: true });
      } catch (e) {
        event = null;
      }
      if (event && !el.dispatchEvent(event)) return;
      window.location.assign(expireUrl);
    }

    // Background tabs throttle timers: catch up as soon as the page is seen again.
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') tick();
    });
    window.addEventListener('pageshow', tick);
    tick();
  }

  function init() {
    const origin = responseStart();
    const nodes = document.querySelectorAll('[data-countdown-seconds]');
    nodes.forEach((el) => start(el, origin));
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
})();
