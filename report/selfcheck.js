// The report's rendering self-check, run once the page is laid out.  It writes
// its findings as JSON into the hidden element #noa-selfcheck, which the test suite reads
// with chromium --dump-dom: one entry per check, {name, ok, detail}.
(function () {
  var checks = [];
  function check(name, ok, detail) { checks.push({ name: name, ok: !!ok, detail: detail || '' }); }
  function inside(inner, outer) {
    return inner.left >= outer.left - 0.5 && inner.right <= outer.right + 0.5 &&
           inner.top >= outer.top - 0.5 && inner.bottom <= outer.bottom + 0.5;
  }
  function overlap(a, b) {
    return Math.min(a.right, b.right) - Math.max(a.left, b.left) > 0.5 &&
           Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 0.5;
  }
  function label(el) {
    var p = el.closest('.panel');
    return (p ? p.querySelector('.panel-title').textContent : (el.closest('section') || {}).id) || 'page';
  }
  // Every chart: drawn (non-empty box, marks inside), its text inside it and not colliding.
  document.querySelectorAll('svg.chart').forEach(function (svg) {
    var box = svg.getBoundingClientRect();
    var marks = svg.querySelectorAll('polyline, polygon, rect, circle, path');
    var drawn = Array.prototype.filter.call(marks, function (m) {
      var r = m.getBoundingClientRect(); return r.width > 0 || r.height > 0;
    });
    var texts = Array.prototype.map.call(svg.querySelectorAll('text'), function (t) {
      return { el: t, r: t.getBoundingClientRect() };
    });
    var outside = texts.filter(function (t) { return !inside(t.r, box); });
    var clashes = [];
    for (var i = 0; i < texts.length; i++)
      for (var j = i + 1; j < texts.length; j++)
        if (overlap(texts[i].r, texts[j].r)) clashes.push(texts[i].el.textContent + ' / ' + texts[j].el.textContent);
    check('chart ' + label(svg) + ': ' + svg.getAttribute('aria-label'),
      box.width > 0 && box.height > 0 && drawn.length > 0 && outside.length === 0 && clashes.length === 0,
      'box ' + Math.round(box.width) + 'x' + Math.round(box.height) + ', ' + drawn.length + ' marks drawn' +
      (outside.length ? ', text outside: ' + outside.map(function (t) { return t.el.textContent; }).join(', ') : '') +
      (clashes.length ? ', text overlapping: ' + clashes.join('; ') : ''));
  });
  // Every section: no HTML text overflowing its box.
  document.querySelectorAll('header, .cards, section, footer').forEach(function (part) {
    var over = Array.prototype.filter.call(part.querySelectorAll('*'), function (el) {
      return !(el instanceof SVGElement) && el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1;
    });
    check('no text overflow in ' + (part.id || part.className || part.tagName.toLowerCase()), over.length === 0,
      over.map(function (el) { return el.tagName.toLowerCase() + '.' + el.className + ': ' +
        el.textContent.slice(0, 40); }).join('; '));
  });
  check('no horizontal scrolling at ' + innerWidth + ' px',
    document.documentElement.scrollWidth <= innerWidth, 'page width ' + document.documentElement.scrollWidth);
  check('no network requests', performance.getEntriesByType('resource').length === 0,
    performance.getEntriesByType('resource').map(function (r) { return r.name; }).join(', '));
  check('no script errors', window.noaErrors.length === 0, window.noaErrors.join('; '));
  // What each part of a section holds, for the test suite's expectations: the
  // charts drawn and the table rows under every element with an id.
  var content = {};
  document.querySelectorAll('section[id], section [id]').forEach(function (el) {
    var charts = Array.prototype.filter.call(el.querySelectorAll('svg.chart'), function (svg) {
      var r = svg.getBoundingClientRect(); return r.width > 0 && r.height > 0;
    });
    content[el.id] = { charts: charts.length, rows: el.querySelectorAll('tbody tr').length };
  });
  document.getElementById('noa-selfcheck').textContent = JSON.stringify({
    content: content,
    height: document.documentElement.scrollHeight,
    sections: Array.prototype.map.call(document.querySelectorAll('section'), function (s) {
      return [s.id, Math.round(s.getBoundingClientRect().top + scrollY)]; }),
    checks: checks });
})();
