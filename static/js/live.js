/*
 * live.js: the live-game pages (host console, projector, phone), drawn from the JSON API.
 *
 *   <div data-live-role="player|host|projector" data-state-url="/api/v1/live-games/7/state"
 *        data-submit-url="/api/v1/live-games/7/answers/" data-results-url="…/results"
 *        data-action-url="/api/v1/live-games/7/" data-csrf="…" data-texts="{…}">
 *
 * Transport: plain long-polling (GET state?after=SEQ answers when the game moves on, or
 * after at most 25 s with the same state), which works through school proxies and in
 * WeChat's in-app browser. A failed poll is retried with a growing pause; a reload simply
 * starts again from the server's state, so nothing is lost. The countdown only shows the
 * server's seconds_left; the server is the judge of the window.
 * Everything a person typed (names) is set with textContent, never as HTML.
 */
(() => {
  'use strict';

  const root = document.querySelector('[data-live-role]');
  if (!root) return;
  const role = root.dataset.liveRole;
  const texts = JSON.parse(root.dataset.texts || '{}');
  const t = (key) => texts[key] || key;
  const $ = (selector) => root.querySelector(selector);
  let seq = Number(root.dataset.seq || 0);
  let state = null;
  let countdownTimer = null;
  let deadline = 0; // performance.now() at which the question closes
  let results = null;
  let chosen = new Set();
  let sentFor = 0; // the question number this phone answered

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function mnLang(node, language) {
    if (language === 'mn') {
      node.setAttribute('lang', 'mn-Mong-CN');
      node.classList.add('mn-block');
    }
    return node;
  }

  // A person's name as is: Mongolian script stands upright in a horizontal place
  // (the .mn-label class of app.css), as the pages' name() macro does.
  function nameNode(tag, className, name) {
    const node = el(tag, className, name);
    if (/[\u1800-\u18AF]/.test(String(name))) {
      node.setAttribute('lang', 'mn-Mong-CN');
      node.classList.add('mn-label');
    }
    return node;
  }

  function setText(selector, value) {
    const node = $(selector);
    if (node) node.textContent = value === undefined || value === null ? '' : String(value);
  }

  async function getJson(url) {
    const response = await fetch(url, {
      credentials: 'same-origin',
      headers: { Accept: 'application/json' },
      cache: 'no-store',
    });
    if (!response.ok) throw new Error(String(response.status));
    return response.json();
  }

  async function send(method, url, body) {
    const response = await fetch(url, {
      method,
      credentials: 'same-origin',
      headers: {
        Accept: 'application/json',
        'Content-Type': 'application/json',
        'X-CSRFToken': root.dataset.csrf || '',
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const data = await response.json().catch(() => ({}));
    return { ok: response.ok, status: response.status, data };
  }

  // The server's own words for a refusal (localized: a rate limit's "please wait"),
  // else the page's general error.
  function errorText(result) {
    return (result.data && result.data.error && result.data.error.message) || t('error');
  }

  // --- countdown -----------------------------------------------------------------------

  function showClock() {
    const clock = $('.live-clock');
    if (!clock) return;
    if (!state || !state.question || state.phase !== 'question') {
      clock.textContent = '';
      return;
    }
    const left = state.paused
      ? state.question.seconds_left
      : Math.max(0, Math.ceil((deadline - performance.now()) / 1000));
    clock.textContent = String(left);
    clock.classList.toggle('warning', left <= 5);
  }

  function startClock() {
    if (countdownTimer) clearInterval(countdownTimer);
    if (state && state.question) {
      deadline = performance.now() + state.question.seconds_left * 1000;
    }
    showClock();
    countdownTimer = setInterval(showClock, 250);
  }

  // --- shared pieces -------------------------------------------------------------------

  // Pictures of a question or an option ({url, alt, width, height}, from the server).
  function pictures(items, className) {
    const box = el('span', 'pictures ' + className);
    for (const item of items || []) {
      const image = document.createElement('img');
      image.src = item.url;
      image.alt = item.alt;
      image.width = item.width;
      image.height = item.height;
      image.decoding = 'async';
      box.appendChild(image);
    }
    return box;
  }

  function optionText(option) {
    const text = el('span', 'option-text', option.text);
    if (option.media && option.media.length) text.appendChild(pictures(option.media, 'option-pictures'));
    return text;
  }

  function questionBlock(question, language) {
    const block = mnLang(el('div', 'question live-question'), language);
    block.appendChild(el('p', 'question-text', question.text));
    if (question.media && question.media.length) {
      block.appendChild(pictures(question.media, 'question-pictures'));
    }
    return block;
  }

  function standingsList(entries, limit) {
    const list = el('ol', 'live-standings');
    for (const entry of entries.slice(0, limit)) {
      const item = el('li');
      item.appendChild(el('span', 'live-rank upright', entry.rank));
      item.appendChild(nameNode('span', 'live-name', entry.display_name));
      item.appendChild(el('span', 'live-score upright', entry.score));
      list.appendChild(item);
    }
    return list;
  }

  function teamList(teams) {
    const list = el('ol', 'live-teams');
    for (const team of teams) {
      const item = el('li');
      item.appendChild(el('span', 'live-rank upright', team.rank));
      item.appendChild(nameNode('span', 'live-name', team.name));
      item.appendChild(el('span', 'live-score upright', team.score));
      list.appendChild(item);
    }
    return list;
  }

  function distribution(question, reveal) {
    const total = Math.max(1, ...Object.values(reveal.distribution));
    const list = el('ul', 'live-bars');
    for (const option of question.options) {
      const count = reveal.distribution[option.key] || 0;
      const right = reveal.correct.includes(option.key);
      const item = el('li', 'live-bar' + (right ? ' live-bar-right' : ''));
      item.appendChild(el('span', 'option-key', option.key));
      const bar = el('span', 'live-bar-fill');
      bar.dataset.share = String(Math.round((count / total) * 10)); // 0..10, styled in CSS
      item.appendChild(bar);
      item.appendChild(el('span', 'live-bar-count upright', count));
      list.appendChild(item);
    }
    return list;
  }

  function common() {
    setText('.live-players', state.players);
    setText('.live-answered', state.answered);
    setText('.live-position', state.position ? state.position + ' / ' + state.question_count : '');
    const paused = $('.live-paused');
    if (paused) paused.classList.toggle('hidden', !state.paused);
  }

  // --- the phone -----------------------------------------------------------------------

  function drawPlayer() {
    const stage = $('.live-stage');
    stage.replaceChildren();
    const me = state.me || {};
    setText('.live-me', me.rank ? t('place') + ' ' + me.rank + ' · ' + me.score : '');
    const language = root.dataset.qlang;
    if (state.phase === 'lobby') {
      stage.appendChild(el('p', 'live-wait', t('lobby')));
      stage.appendChild(el('p', 'muted', t('players') + ': ' + state.players));
      return;
    }
    if (state.phase === 'question' && state.question) {
      const question = state.question;
      stage.appendChild(questionBlock(question, language));
      const answered = me.answered || sentFor === question.no;
      if (answered) {
        stage.appendChild(el('p', 'live-sent', t('answer_sent')));
        return;
      }
      if (state.paused) return;
      const options = mnLang(el('div', 'live-options'), language);
      const multiple = question.kind === 'multiple';
      for (const option of question.options) {
        const button = el('button', 'btn live-option');
        button.type = 'button';
        button.dataset.key = option.key;
        button.setAttribute('aria-pressed', chosen.has(option.key) ? 'true' : 'false');
        button.appendChild(el('span', 'option-key', option.key));
        button.appendChild(optionText(option));
        button.addEventListener('click', () => {
          if (!multiple) {
            answer([option.key]);
            return;
          }
          if (chosen.has(option.key)) chosen.delete(option.key);
          else chosen.add(option.key);
          button.setAttribute('aria-pressed', chosen.has(option.key) ? 'true' : 'false');
        });
        options.appendChild(button);
      }
      stage.appendChild(options);
      if (multiple) {
        const submit = el('button', 'btn btn-primary btn-block live-send', t('send'));
        submit.type = 'button';
        submit.addEventListener('click', () => {
          if (chosen.size) answer([...chosen].sort());
        });
        stage.appendChild(submit);
      }
      return;
    }
    if (state.phase === 'reveal') {
      const verdict =
        me.last_correct === true ? t('right') : me.last_correct === false ? t('wrong') : t('no_answer');
      stage.appendChild(el('p', 'live-verdict' + (me.last_correct ? ' live-right' : ''), verdict));
      if (state.question && state.reveal) {
        stage.appendChild(questionBlock(state.question, language));
        stage.appendChild(el('p', 'live-correct', t('correct') + ': ' + state.reveal.correct.join(', ')));
      }
      stage.appendChild(el('p', 'score-big upright', me.score === undefined ? '' : me.score));
      if (me.rank) stage.appendChild(el('p', 'live-place', t('place') + ': ' + me.rank + ' / ' + state.players));
      return;
    }
    if (state.phase === 'finished') {
      stage.appendChild(el('p', 'live-verdict', t('finished')));
      stage.appendChild(el('p', 'score-big upright', me.score === undefined ? '' : me.score));
      if (me.rank) stage.appendChild(el('p', 'live-place', t('place') + ': ' + me.rank + ' / ' + state.players));
      stage.appendChild(el('h2', null, t('podium')));
      stage.appendChild(standingsList(state.standings, state.podium));
    }
  }

  async function answer(choice) {
    if (!state || !state.question) return;
    const no = state.question.no;
    sentFor = no;
    drawPlayer();
    let result;
    try {
      result = await send('PUT', root.dataset.submitUrl + no, { choice });
    } catch (error) {
      result = { ok: false, status: 0, data: {} }; // no answer at all: the network
    }
    if (!result.ok && result.status !== 409) {
      // Not taken (a rate limit, a network error): the options again, with the reason.
      sentFor = 0;
      drawPlayer();
      const refused = el('p', 'live-refused', errorText(result));
      refused.setAttribute('role', 'alert');
      $('.live-stage').appendChild(refused);
    }
  }

  // --- host console and projector --------------------------------------------------------

  function drawHost() {
    const phase = $('.live-phase');
    if (phase && phase.dataset.phase !== state.phase) {
      // The page's buttons and labels follow the phase: reload the console (cheap).
      window.location.reload();
      return;
    }
    const status = $('.live-status');
    if (status) {
      status.textContent =
        state.phase === 'question' && state.players && state.answered >= state.players
          ? t('answered') + ': ' + state.answered + ' / ' + state.players
          : '';
    }
    const names = $('.live-names');
    if (names && state.recent_players) {
      names.replaceChildren(...state.recent_players.map((name) => nameNode('li', null, name)));
    }
  }

  async function drawProjector() {
    root.dataset.phase = state.phase;
    const lobby = $('.live-lobby');
    lobby.classList.toggle('hidden', state.phase !== 'lobby');
    const names = $('.live-names');
    if (names && state.recent_players) {
      names.replaceChildren(...state.recent_players.map((name) => nameNode('li', null, name)));
    }
    const stage = $('.live-stage');
    stage.replaceChildren();
    if (state.phase === 'lobby') return;
    const language = document.documentElement.lang.startsWith('mn') ? 'mn' : 'zh';
    if (state.question && (state.phase === 'question' || state.phase === 'reveal')) {
      stage.appendChild(questionBlock(state.question, language));
      if (state.phase === 'question') {
        const options = mnLang(el('ol', 'live-options-big'), language);
        for (const option of state.question.options) {
          const item = el('li');
          item.appendChild(el('span', 'option-key', option.key));
          item.appendChild(optionText(option));
          options.appendChild(item);
        }
        stage.appendChild(options);
      }
    }
    if (state.phase === 'reveal' && state.reveal) {
      const row = el('div', 'live-reveal');
      row.appendChild(distribution(state.question, state.reveal));
      const side = el('div', 'live-side');
      side.appendChild(el('h2', null, t('standings')));
      side.appendChild(standingsList(state.standings, 5));
      if (state.teams) {
        side.appendChild(el('h2', null, t('teams')));
        side.appendChild(teamList(state.teams.slice(0, 5)));
      }
      row.appendChild(side);
      stage.appendChild(row);
    }
    if (state.phase === 'finished') {
      if (!results) {
        try {
          results = await getJson(root.dataset.resultsUrl);
        } catch (error) {
          results = { podium: state.standings.slice(0, state.podium), ranking: state.standings, teams: state.teams };
        }
      }
      stage.appendChild(el('h2', null, t('podium')));
      const podium = standingsList(results.podium, results.podium.length);
      podium.classList.add('live-podium');
      stage.appendChild(podium);
      const row = el('div', 'live-reveal');
      const all = el('div', 'live-side');
      all.appendChild(el('h2', null, t('ranking')));
      all.appendChild(standingsList(results.ranking, results.ranking.length));
      row.appendChild(all);
      if (results.teams) {
        const teams = el('div', 'live-side');
        teams.appendChild(el('h2', null, t('teams')));
        teams.appendChild(teamList(results.teams));
        row.appendChild(teams);
      }
      stage.appendChild(row);
    }
  }

  function draw() {
    common();
    if (role === 'player') drawPlayer();
    else if (role === 'host') drawHost();
    else drawProjector();
    startClock();
  }

  // --- the poll loop -------------------------------------------------------------------

  async function poll() {
    let pause = 500;
    for (;;) {
      try {
        const url = root.dataset.stateUrl + (state ? '?after=' + seq : '');
        const fresh = await getJson(url);
        pause = 500;
        const changed = !state || fresh.seq !== seq;
        if (fresh.question && (!state || !state.question || state.question.no !== fresh.question.no)) {
          chosen = new Set();
        }
        state = fresh;
        seq = fresh.seq;
        if (changed || role !== 'player') draw();
        else common();
        if (role === 'host' && !changed) await new Promise((r) => setTimeout(r, 1000));
      } catch (error) {
        setText('.live-status', t('reconnecting'));
        await new Promise((r) => setTimeout(r, pause));
        pause = Math.min(pause * 2, 5000);
      }
    }
  }

  if (role === 'host') {
    // The console's buttons act through the API (the forms still work without script).
    root.addEventListener('click', async (event) => {
      const button = event.target.closest('button[data-action]');
      if (!button) return;
      event.preventDefault();
      // Act on the state this console shows: a double click, or a question that closed
      // by itself meanwhile, must not skip a step (409 stale_state, then redraw).
      const body = { seq };
      const seconds = root.querySelector('#live-seconds');
      if (button.dataset.action === 'advance' && seconds && seconds.value) {
        body.seconds = Number(seconds.value);
      }
      button.disabled = true;
      const result = await send('POST', root.dataset.actionUrl + button.dataset.action, body);
      button.disabled = false;
      if (!result.ok) {
        setText('.live-status', errorText(result));
      } else {
        state = result.data;
        seq = state.seq;
        draw();
      }
    });
  }

  poll();
})();
