/*
 * quiz.js: save the answer in the background as soon as an option changes.
 * form.question-form is POSTed with fetch (X-Requested-With: fetch); only the latest
 * form state is kept and retried with backoff until a 2xx arrives; 4xx is shown, not
 * retried. .save-status shows saving/saved/offline/error. Submit buttons and a.dot links
 * wait (≤ 5 s) for a save on the way, so an older choice never lands after a newer one.
 * Contract: static/README.md.
 */
(() => {
  'use strict';

  const RETRY_MIN_MS = 1000;
  const RETRY_MAX_MS = 30000;
  const WAIT_BEFORE_LEAVE_MS = 5000;
  const DEFAULT_TEXT = { saving: '…', saved: '✓', offline: '⚠', error: '⚠' };

  function enhance(form) {
    const status = form.querySelector('.save-status') || document.querySelector('.save-status');
    const url = form.getAttribute('action') || window.location.href;
    let pending = null; // latest FormData not yet acknowledged by the server
    let inFlight = null; // Promise of the request on the way
    let retryDelay = RETRY_MIN_MS;
    let retryTimer = null;
    let leaving = false;

    function show(state, message) {
      if (!status) return;
      status.classList.remove('saving', 'saved', 'offline', 'error');
      status.classList.add(state);
      status.textContent = message || status.getAttribute('data-text-' + state) || DEFAULT_TEXT[state];
    }

    function markChecked() {
      form.querySelectorAll('label.option').forEach((label) => {
        const input = label.querySelector('input[type=radio], input[type=checkbox]');
        label.classList.toggle('is-checked', !!(input && input.checked));
      });
    }

    function markDot() {
      const dot = document.querySelector('.question-dots .dot.current');
      if (dot) dot.classList.toggle('answered', !!form.querySelector('input:checked'));
    }

    function errorMessage(res) {
      return res.json().then((d) => d && (d.message || d.error), () => null)
        .then((m) => (typeof m === 'string' ? m : null));
    }

    function send() {
      clearTimeout(retryTimer);
      retryTimer = null;
      if (inFlight || !pending || leaving) return;
      const body = pending;
      pending = null;
      show('saving');
      inFlight = fetch(url, {
        method: 'POST',
        body: body,
        credentials: 'same-origin',
        keepalive: true, // survives the page being left while it is on the way
        headers: { 'X-Requested-With': 'fetch', Accept: 'application/json' },
      }).then((res) => {
        if (res.ok && !res.redirected) return 'saved';
        if (res.status >= 500 || res.status === 408 || res.status === 429) throw new Error('retry');
        return errorMessage(res).then((message) => { show('error', message); return 'error'; });
      }).catch(() => {
        if (!pending) pending = body; // a newer choice wins over the failed one
        return 'offline';
      }).then((outcome) => {
        inFlight = null;
        if (outcome === 'saved') {
          retryDelay = RETRY_MIN_MS;
          if (pending) send(); else { show('saved'); markDot(); }
        } else if (outcome === 'offline') {
          show('offline');
          retryTimer = setTimeout(send, retryDelay * (0.75 + Math.random() / 2));
          retryDelay = Math.min(retryDelay * 2, RETRY_MAX_MS);
        } else if (pending) {
          send();
        }
      });
    }

    // Resolve when nothing is on the way, or after a timeout (then give up waiting).
    function settled() {
      if (!inFlight) return Promise.resolve();
      const timeout = new Promise((resolve) => setTimeout(resolve, WAIT_BEFORE_LEAVE_MS));
      return Promise.race([inFlight, timeout]);
    }

    form.addEventListener('change', (event) => {
      const t = event.target;
      if (!t || !['radio', 'checkbox', 'text'].includes(t.type)) return; // text: a blank
      markChecked();
      pending = new FormData(form);
      retryDelay = RETRY_MIN_MS;
      send();
    });

    form.addEventListener('submit', (event) => {
      if (leaving) return;
      if (!inFlight) { // this submit carries the latest choice itself
        leaving = true;
        clearTimeout(retryTimer);
        return;
      }
      event.preventDefault();
      leaving = true;
      const submitter = event.submitter || document.activeElement;
      settled().then(() => {
        if (submitter && submitter.form === form && submitter.name) { // keep nav=next etc.
          const copy = Object.assign(document.createElement('input'), { type: 'hidden' });
          copy.name = submitter.name;
          copy.value = submitter.value;
          form.appendChild(copy);
        }
        HTMLFormElement.prototype.submit.call(form); // no second submit event
      });
    });

    document.addEventListener('click', (event) => {
      const link = event.target.closest && event.target.closest('a.dot[href]');
      if (!link || leaving || event.defaultPrevented || event.button !== 0 ||
          event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
      if (!inFlight && !pending) return;
      event.preventDefault();
      send();
      settled().then(() => window.location.assign(link.href));
    });

    window.addEventListener('online', () => {
      retryDelay = RETRY_MIN_MS;
      send();
    });

    // Only an unsent choice (offline) is worth the browser's "leave page?" question.
    window.addEventListener('beforeunload', (event) => {
      if (!pending || leaving) return;
      event.preventDefault();
      event.returnValue = '';
    });

    window.addEventListener('pageshow', (event) => {
      if (!event.persisted) return; // back from the bfcache: the page lives again
      leaving = false;
      send();
    });

    markChecked();
  }

  const init = () => document.querySelectorAll('form.question-form').forEach(enhance);
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
