/*
 * leaderboard.js: live refresh of table.leaderboard[data-poll-url].
 *
 *   <table class="leaderboard" data-poll-url="/api/rounds/7/leaderboard"
 *          data-poll-interval-ms="2000"           optional, default 2000
 *          data-empty-text="暂无成绩">             optional, shown when entries is empty
 *     <thead><tr><th class="col-rank">…<th class="col-name">…<th class="col-league">…
 *                <th class="col-score">…<th class="col-time">…</tr></thead>
 *     <tbody>…server-rendered rows…</tbody>
 *   </table>
 *
 * The column order is read from the thead cells' col-* classes (rank, name, league,
 * score, time); a th without one gets the column of that name at its position. The JSON is
 *   {"entries": [{"rank", "display_name", "league", "score", "time_used_ms"}],
 *    "me": {"rank", "score", "league_rank"} | null, "stale": bool}
 * Rows are rebuilt with textContent only (a name in Mongolian or Chinese script gets a
 * <span lang> inside its cell, Mongolian with class mn-label). [data-me-rank], [data-me-league-rank],
 * [data-me-score] and .stale-notice are looked up inside the table's closest
 * [data-leaderboard-scope] ancestor, or in the whole document.
 * Polls with If-None-Match (304 = nothing changed), pauses while the tab is hidden,
 * waits 10 s after an error.
 */
(() => {
  'use strict';

  const DEFAULT_INTERVAL_MS = 2000;
  const ERROR_INTERVAL_MS = 10000;
  const ALL_COLUMNS = ['rank', 'name', 'league', 'score', 'time'];
  const DASH = '—';

  // 83456 -> "1:23.4" (minutes:seconds.tenths, truncated, never rounded up).
  function formatTime(ms) {
    if (typeof ms !== 'number' || !isFinite(ms) || ms < 0) return DASH;
    const tenths = Math.floor(ms / 100);
    const minutes = Math.floor(tenths / 600);
    const secTenths = tenths % 600;
    const seconds = Math.floor(secTenths / 10);
    return minutes + ':' + (seconds < 10 ? '0' : '') + seconds + '.' + (secTenths % 10);
  }

  const text = (value) => (value === null || value === undefined ? DASH : String(value));

  const CELL = {
    rank: (e) => text(e.rank),
    name: (e) => text(e.display_name),
    league: (e) => text(e.league),
    score: (e) => text(e.score),
    time: (e) => formatTime(e.time_used_ms),
  };

  // A th with a col-* class names its column; a th without one takes the default column
  // for its position (rank, name, league, score, time) unless another th claimed it.
  function columnsOf(table) {
    const head = table.tHead && table.tHead.rows[0];
    if (!head) return ALL_COLUMNS;
    const named = Array.prototype.map.call(head.cells, (cell) => {
      const m = /\bcol-(rank|name|league|score|time)\b/.exec(cell.className);
      return m ? m[1] : null;
    });
    return named.map((col, i) => col || (named.indexOf(ALL_COLUMNS[i]) < 0 ? ALL_COLUMNS[i] || null : null));
  }

  // A name in Mongolian script stands upright in a vertical box (also in a Chinese page),
  // a Chinese one gets its lang: the same markup as the server's name() macro.
  const MONGOLIAN = /[\u1820-\u1878\u1880-\u18AA]/;
  const CJK = /[\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF]/;

  function named(td, value) {
    let lang = null;
    if (MONGOLIAN.test(value)) lang = 'mn-Mong-CN';
    else if (CJK.test(value)) lang = 'zh-Hans-CN';
    if (!lang) {
      td.textContent = value;
      return;
    }
    const span = document.createElement('span');
    span.lang = lang;
    if (lang === 'mn-Mong-CN') span.className = 'mn-label';
    span.textContent = value;
    td.appendChild(span);
  }

  function render(table, columns, data) {
    const tbody = table.tBodies[0] || table.appendChild(document.createElement('tbody'));
    const me = data.me || null;
    const frag = document.createDocumentFragment();
    data.entries.forEach((entry) => {
      const tr = document.createElement('tr');
      if (me && me.rank !== null && me.rank !== undefined && entry.rank === me.rank) {
        tr.className = 'me';
        tr.setAttribute('aria-current', 'true');
      }
      columns.forEach((col) => {
        const td = document.createElement('td');
        if (col) {
          td.className = 'col-' + col;
          const value = CELL[col](entry);
          if (col === 'name' || col === 'league') named(td, value);
          else td.textContent = value;
        }
        tr.appendChild(td);
      });
      frag.appendChild(tr);
    });
    const emptyText = table.getAttribute('data-empty-text');
    if (!data.entries.length && emptyText) {
      const tr = document.createElement('tr');
      const td = document.createElement('td');
      td.className = 'empty';
      td.colSpan = columns.length;
      td.textContent = emptyText;
      tr.appendChild(td);
      frag.appendChild(tr);
    }
    tbody.textContent = '';
    tbody.appendChild(frag);

    const scope = table.closest('[data-leaderboard-scope]') || document;
    const setAll = (selector, value) => {
      scope.querySelectorAll(selector).forEach((el) => { el.textContent = text(value); });
    };
    setAll('[data-me-rank]', me && me.rank);
    setAll('[data-me-league-rank]', me && me.league_rank);
    setAll('[data-me-score]', me && me.score);
    scope.querySelectorAll('.stale-notice').forEach((el) => { el.hidden = !data.stale; });
  }

  function poll(table) {
    const url = table.getAttribute('data-poll-url');
    const configured = parseInt(table.getAttribute('data-poll-interval-ms'), 10);
    const interval = configured > 0 ? configured : DEFAULT_INTERVAL_MS;
    const columns = columnsOf(table);
    let etag = null;
    let timer = null;
    let inFlight = false;

    function schedule(delay) {
      clearTimeout(timer);
      timer = null;
      if (document.visibilityState !== 'hidden') timer = setTimeout(run, delay);
    }

    function run() {
      if (inFlight || document.visibilityState === 'hidden') return;
      inFlight = true;
      const headers = { Accept: 'application/json' };
      if (etag) headers['If-None-Match'] = etag;
      let next = interval;
      fetch(url, { credentials: 'same-origin', headers: headers, cache: 'no-store' })
        .then((res) => {
          if (res.status === 304) return null;
          if (!res.ok) {
            const retryAfter = parseInt(res.headers.get('Retry-After'), 10) * 1000;
            next = Math.max(ERROR_INTERVAL_MS, retryAfter || 0);
            return null;
          }
          return res.json().then((data) => {
            if (!data || !Array.isArray(data.entries)) throw new Error('bad leaderboard JSON');
            render(table, columns, data);
            etag = res.headers.get('ETag') || null;
          });
        })
        .catch(() => { next = ERROR_INTERVAL_MS; })
        .then(() => {
          inFlight = false;
          schedule(next);
        });
    }

    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'hidden') {
        clearTimeout(timer);
        timer = null;
      } else if (!timer && !inFlight) {
        run();
      }
    });
    schedule(interval); // the server rendered fresh rows: first poll after one interval
  }

  function init() {
    document.querySelectorAll('table.leaderboard[data-poll-url]').forEach(poll);
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
})();
