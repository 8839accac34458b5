/*
 * focus.js: report to the server each time the quiz page is hidden or loses focus
 * (切屏), for rounds that record it. One report per time away: blur and
 * visibilitychange both fire on a tab switch, so a report is sent only once until the
 * page is visible and focused again (the server also ignores repeats within 1 s).
 * The element .focus-warning carries the URL and the localized count text; the count
 * is shown after every report, and when the server says the attempt was handed in the
 * page goes to the result. CSRF: the form's token goes in the X-CSRFToken header.
 */
(() => {
  'use strict';

  const box = document.querySelector('.focus-warning[data-focus-url]');
  if (!box) return;
  const tokenInput = document.querySelector('input[name=csrf_token]');
  const countLine = box.querySelector('.focus-count');
  let away = false;

  function show(state) {
    if (!countLine || !state || typeof state.count !== 'number') return;
    const text = box.getAttribute('data-count-text') || '{count}';
    countLine.textContent = text.replace('{count}', String(state.count));
    countLine.hidden = false;
    if (state.finished) window.location.href = box.getAttribute('data-result-url');
  }

  function report() {
    if (away) return;
    away = true;
    const headers = { 'X-Requested-With': 'fetch', Accept: 'application/json' };
    if (tokenInput) headers['X-CSRFToken'] = tokenInput.value;
    fetch(box.getAttribute('data-focus-url'), {
      method: 'POST',
      credentials: 'same-origin',
      headers: headers,
      keepalive: true,
    }).then((res) => (res.ok ? res.json() : null)).then(show, () => null);
  }

  function back() {
    if (document.visibilityState === 'visible' && document.hasFocus()) away = false;
  }

  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden') report();
    else back();
  });
  window.addEventListener('blur', report);
  window.addEventListener('focus', back);
})();
