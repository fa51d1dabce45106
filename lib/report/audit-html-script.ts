/**
 * The HTML audit report's only script: a text filter and a "findings only" toggle over content
 * rendered server-side. Without it the report still shows everything; it never reads report data
 * from anywhere but the page's own attributes, and never touches the network.
 *
 * Plain ES5 in a string, so the page's Content-Security-Policy can allow exactly this text by its
 * hash and nothing else.
 */
export const AUDIT_HTML_SCRIPT = `
(function () {
  'use strict';
  var filter = document.getElementById('filter');
  var only = document.getElementById('findings-only');
  var shown = document.getElementById('shown');
  function all(selector, root) {
    return Array.prototype.slice.call((root || document).querySelectorAll(selector));
  }
  var findings = all('[data-testid="finding"]');
  function matches(element, query) {
    return query === '' || (element.getAttribute('data-search') || '').indexOf(query) >= 0;
  }
  function apply() {
    var query = filter.value.trim().toLowerCase();
    var visible = 0;
    findings.forEach(function (f) {
      f.hidden = !matches(f, query);
      if (!f.hidden) visible++;
    });
    all('[data-testid="tenant-section"]').forEach(function (s) {
      s.hidden = all('[data-testid="finding"]:not([hidden])', s).length === 0;
    });
    all('[data-testid="cluster-section"]').forEach(function (s) {
      var clean = s.getAttribute('data-status') === 'ok' && s.getAttribute('data-findings') === '0';
      var shownTenants = all('[data-testid="tenant-section"]:not([hidden])', s).length;
      s.hidden = (only.checked && clean) || (query !== '' && shownTenants === 0 && !matches(s, query));
    });
    all('[data-testid="overview-row"]').forEach(function (row) {
      var section = document.getElementById(row.getAttribute('data-target'));
      row.hidden = Boolean(section && section.hidden);
    });
    all('[data-testid="overview-cell"]').forEach(function (cell) {
      var target = document.getElementById(cell.getAttribute('data-target'));
      cell.classList.toggle('dimmed', query !== '' && (!target || target.hidden || cell.getAttribute('data-worst') === 'clean'));
    });
    shown.textContent = visible === findings.length
      ? findings.length + (findings.length === 1 ? ' finding' : ' findings')
      : visible + ' of ' + findings.length + ' findings shown';
  }
  filter.addEventListener('input', apply);
  only.addEventListener('change', apply);
  // A link to a section the filter hides: clear the filter, then let the browser follow it.
  document.addEventListener('click', function (event) {
    var link = event.target.closest && event.target.closest('a[href^="#"]');
    if (!link) return;
    var target = document.getElementById(link.getAttribute('href').slice(1));
    if (target && target.closest('[hidden]')) {
      filter.value = '';
      only.checked = false;
      apply();
    }
  });
  apply();
})();
`;
