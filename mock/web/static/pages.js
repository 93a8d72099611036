// mockplex pages: reads the auth app's #? parameters and refreshes the
// dashboard. Plain JavaScript, no dependencies; the pages work without it
// where they can (query parameters, reload).
'use strict';

(function () {
  function byId(id) { return document.getElementById(id); }

  // fragmentParams reads "#?a=b&c=d" or "#!?a=b" (as plex.tv's auth app is
  // opened) into URLSearchParams, or returns null.
  function fragmentParams(hash) {
    var h = hash.replace(/^#!?/, '');
    if (h.charAt(0) === '?') { h = h.slice(1); } else if (h.indexOf('=') < 0) { return null; }
    return new URLSearchParams(h);
  }

  function showProblem(box, problem) {
    box.textContent = '';
    var strong = document.createElement('strong');
    strong.textContent = problem.title || 'Something went wrong.';
    box.appendChild(strong);
    box.appendChild(document.createTextNode(' ' + (problem.message || '')));
    if (problem.link) {
      var a = document.createElement('a');
      a.href = problem.link;
      a.textContent = problem.linkText || problem.link;
      box.appendChild(document.createTextNode(' '));
      box.appendChild(a);
    }
    box.hidden = false;
  }

  function timeLeft(sec) {
    if (sec <= 0) { return 'expired'; }
    var s = sec % 60;
    return Math.floor(sec / 60) + ':' + (s < 10 ? '0' : '') + s;
  }

  function initAuth(root) {
    if (root.dataset.source !== 'fragment') { return; }
    var box = byId('auth-problem'), form = byId('auth-form'), details = byId('auth-details');
    var loading = byId('auth-loading');
    function fail(problem) {
      if (loading) { loading.hidden = true; }
      showProblem(box, problem);
    }
    var params = fragmentParams(window.location.hash);
    if (!params || !params.get('code')) {
      fail({
        title: 'No sign-in request in this address.',
        message: 'The app must open /auth#?clientID=CLIENT&code=CODE with the code of a pin it created with POST /api/v2/pins?strong=true.'
      });
      return;
    }
    ['code', 'clientID', 'forwardUrl'].forEach(function (name) {
      form.elements[name].value = params.get(name) || '';
    });
    // The device rows, known keys first in the server's order.
    var labels = JSON.parse(root.dataset.labels || '[]');
    var known = {};
    var rows = [];
    labels.forEach(function (kl) {
      known[kl[0]] = true;
      var v = params.get('context[device][' + kl[0] + ']');
      if (v) { rows.push([kl[1], v]); }
    });
    params.forEach(function (v, k) {
      var m = /^context\[device\]\[([A-Za-z0-9_]+)\]$/.exec(k);
      if (m && m[1] !== 'product' && !known[m[1]] && v) { rows.push([m[1], v]); }
    });
    var expiresDt = byId('auth-expires').previousElementSibling;
    rows.forEach(function (r) {
      var dt = document.createElement('dt'), dd = document.createElement('dd');
      dt.textContent = r[0];
      dd.textContent = r[1];
      details.insertBefore(dt, expiresDt);
      details.insertBefore(dd, expiresDt);
    });
    var query = new URLSearchParams({ code: params.get('code'), clientID: params.get('clientID') || '' });
    fetch('/auth/pin?' + query.toString(), { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (resp) {
        return resp.json().then(function (body) { return body; }, function () {
          return { problem: { title: 'mockplex answered HTTP ' + resp.status + '.', message: 'Reload the page, or check that mockplex is running.' } };
        });
      })
      .then(function (pin) {
        if (pin.problem) { fail(pin.problem); return; }
        var product = params.get('context[device][product]') || pin.product;
        byId('auth-title').textContent = 'Sign in to ' + product;
        document.title = 'Sign in to ' + product + ' · mockplex';
        byId('auth-product').textContent = product;
        byId('auth-client').textContent = pin.clientIdentifier;
        byId('auth-expires').textContent = timeLeft(pin.expiresIn);
        if (loading) { loading.hidden = true; }
        details.hidden = false;
        form.hidden = false;
      })
      .catch(function (err) {
        fail({ title: 'Could not reach mockplex.', message: String(err) });
      });
  }

  // initDashboard refreshes the live part of the dashboard every 2 s, unless
  // the checkbox is off, the tab is hidden, or focus is inside it (so a
  // keyboard user's place and an open select are never swept away).
  function initDashboard(live) {
    var toggle = byId('auto-refresh'), note = byId('refresh-note');
    var busy = false;
    window.setInterval(function () {
      if (busy || !toggle.checked || document.hidden || live.contains(document.activeElement)) { return; }
      busy = true;
      fetch(live.dataset.refresh, { credentials: 'same-origin', cache: 'no-store' })
        .then(function (resp) {
          if (!resp.ok) { throw new Error('HTTP ' + resp.status); }
          return resp.text();
        })
        .then(function (html) {
          if (live.contains(document.activeElement)) { return; }
          live.innerHTML = html;
          if (note.textContent) { note.textContent = ''; }
        })
        .catch(function (err) { note.textContent = 'Refresh failed (' + err.message + '); retrying.'; })
        .then(function () { busy = false; });
    }, 2000);
  }

  function init() {
    var auth = byId('auth');
    if (auth) {
      initAuth(auth);
      // A new #? request in the same tab is a new sign-in: read it afresh.
      if (auth.dataset.source === 'fragment') {
        window.addEventListener('hashchange', function () { window.location.reload(); });
      }
    }
    var live = byId('live');
    if (live && live.dataset.refresh) { initDashboard(live); }
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
})();
