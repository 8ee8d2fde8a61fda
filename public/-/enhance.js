// Small progressive enhancements of plain HTML, in a file of their own: the
// pages' Content-Security-Policy allows no inline event handlers. Everything
// here also works without it (a button submits the language, a menu closes by
// its own summary).

// The language switcher submits when a language is picked.
document.addEventListener('change', (event) => {
  const select = event.target;
  if (select instanceof HTMLSelectElement && select.id === 'lang-select' && select.form) {
    select.form.submit();
  }
});

// An open menu (<details class="account-menu">) closes on Escape, giving focus
// back to its button, and on a click outside it.
document.addEventListener('keydown', (event) => {
  if (event.key !== 'Escape') return;
  for (const menu of document.querySelectorAll('details.account-menu[open]')) {
    menu.open = false;
    menu.querySelector('summary')?.focus();
  }
});
document.addEventListener('click', (event) => {
  for (const menu of document.querySelectorAll('details.account-menu[open]')) {
    if (!menu.contains(event.target)) menu.open = false;
  }
});

// The toast (what the last form post did): said again once the page is there,
// as a live region filled at load is not announced; gone after a few seconds
// or on its close link, and `done` leaves the address so a reload does not
// say it twice.
window.addEventListener('load', () => {
  const toast = document.querySelector('[data-toast]');
  if (!toast) return;
  const text = toast.querySelector('.toast-text');
  const said = text?.textContent ?? '';
  if (text) {
    text.textContent = '';
    setTimeout(() => { text.textContent = said; }, 150);
  }
  const url = new URL(window.location.href);
  url.searchParams.delete('done');
  history.replaceState(history.state, '', url);
  const close = () => toast.remove();
  toast.querySelector('.toast-close')?.addEventListener('click', (event) => { event.preventDefault(); close(); });
  setTimeout(close, 8000);
});

// Dialogs (<details class="dialog">, the achievement create and edit forms):
// the first field takes focus on opening; Escape and the close button close it,
// focus back on its button.
const showCloseButtons = (root) => {
  for (const button of root.querySelectorAll('[data-close-dialog]')) button.hidden = false;
};
showCloseButtons(document);
document.addEventListener('toggle', (event) => {
  const dialog = event.target;
  if (!(dialog instanceof HTMLDetailsElement) || !dialog.classList.contains('dialog') || !dialog.open) return;
  dialog.querySelector('.dialog-panel input:not([type=hidden]), .dialog-panel textarea')?.focus();
}, true);
function closeDialog(dialog) {
  dialog.open = false;
  dialog.querySelector('summary')?.focus();
}
document.addEventListener('click', (event) => {
  const button = event.target instanceof Element ? event.target.closest('[data-close-dialog]') : null;
  const dialog = button?.closest('details.dialog');
  if (dialog) closeDialog(dialog);
});
document.addEventListener('keydown', (event) => {
  if (event.key !== 'Escape') return;
  const open = [...document.querySelectorAll('details.dialog[open]')].pop();
  if (open) closeDialog(open);
});

// Copy buttons (the profile's link to share): shown only here, where they work;
// the field stays selectable without scripts. Success is said in the live
// region next to it.
for (const button of document.querySelectorAll('[data-copy]')) {
  if (!navigator.clipboard) continue;
  button.hidden = false;
  button.addEventListener('click', async () => {
    const field = document.getElementById(button.dataset.copy);
    if (!field) return;
    try {
      await navigator.clipboard.writeText(field.value);
    } catch {
      field.select();
      return;
    }
    const status = button.closest('.share')?.querySelector('[data-copied]');
    if (status) status.textContent = status.dataset.copied;
  });
}

// The profile editor's share panel: picking a badge layout changes the
// preview and every snippet in place (without a script, "Show" reloads).
for (const select of document.querySelectorAll('[data-share-layout]')) {
  const panel = select.closest('.share-panel');
  const show = panel.querySelector('[data-share-show]');
  show?.remove();
  select.addEventListener('change', () => {
    const swap = (text) => text.replace(/layout=(strip|count)/g, `layout=${select.value}`);
    const preview = panel.querySelector('[data-share-preview]');
    if (preview) preview.src = swap(preview.getAttribute('src'));
    for (const field of panel.querySelectorAll('[data-share-snippet]')) field.value = swap(field.value);
  });
}

// User cards: hovering, focusing or tapping a username ([data-user-card])
// shows who they are and their top achievements, read on demand from
// /-/users/<name>/card (as this viewer may see them) and kept for the page.
// The card describes the link (aria-describedby) and is a polite live
// region, so screen readers announce it; Escape or leaving closes it. On a
// touch screen the first tap shows the card, a second follows the link.
(() => {
  const links = document.querySelectorAll('a[data-user-card]');
  if (!links.length) return;
  const card = document.createElement('div');
  card.id = 'user-card';
  card.className = 'user-card';
  card.setAttribute('role', 'tooltip');
  card.setAttribute('aria-live', 'polite');
  card.hidden = true;
  document.body.append(card);
  const cards = new Map();
  let current = null;
  let timer = 0;
  const load = (name) => {
    if (!cards.has(name)) {
      const read = fetch(`/-/users/${encodeURIComponent(name)}/card`, { credentials: 'same-origin' })
        .then((r) => (r.ok ? r.text() : null))
        .catch(() => null);
      cards.set(name, read);
      read.then((html) => html || cards.delete(name));
    }
    return cards.get(name);
  };
  const place = (link) => {
    const box = link.getBoundingClientRect();
    card.style.left = `${Math.max(8, Math.min(box.left + window.scrollX, window.scrollX + document.documentElement.clientWidth - card.offsetWidth - 8))}px`;
    card.style.top = `${box.bottom + window.scrollY + 6}px`;
  };
  const show = async (link) => {
    current = link;
    const html = await load(link.dataset.userCard);
    if (current !== link || !html) return;
    card.innerHTML = html;
    card.hidden = false;
    place(link);
    link.setAttribute('aria-describedby', 'user-card');
  };
  const hide = () => {
    clearTimeout(timer);
    current?.removeAttribute('aria-describedby');
    current = null;
    card.hidden = true;
  };
  for (const link of links) {
    link.addEventListener('mouseenter', () => {
      clearTimeout(timer);
      timer = setTimeout(() => show(link), 250);
    });
    link.addEventListener('mouseleave', () => {
      clearTimeout(timer);
      timer = setTimeout(() => card.matches(':hover') || hide(), 200);
    });
    link.addEventListener('focus', () => show(link));
    link.addEventListener('blur', () => setTimeout(() => card.contains(document.activeElement) || hide(), 0));
    link.addEventListener('pointerdown', (event) => {
      link.dataset.touched = event.pointerType === 'touch' ? '1' : '';
    });
    link.addEventListener('click', (event) => {
      if (link.dataset.touched === '1' && !(current === link && !card.hidden)) {
        event.preventDefault();
        show(link);
      }
    });
  }
  card.addEventListener('mouseleave', () => {
    timer = setTimeout(hide, 200);
  });
  card.addEventListener('mouseenter', () => clearTimeout(timer));
  document.addEventListener('keydown', (event) => event.key === 'Escape' && !card.hidden && hide());
  document.addEventListener('pointerdown', (event) => {
    if (!card.hidden && !card.contains(event.target) && event.target.closest('a[data-user-card]') !== current) hide();
  });
})();

// Live regions (pages/live_region.rs): a page that names a stream
// (data-live-stream) hears when what this viewer sees there changed. The page
// is read again, as a reload would, and each region (data-live-region) whose
// HTML differs is swapped and its islands hydrated. A region in use (focus in
// it, an open disclosure, an award being dragged or picked up) waits until it
// is left, so nothing typed, focused or picked up is lost. A read that fails
// is tried again, and a stream the server closed is opened again, both with
// growing pauses: a change is never dropped on the floor.
(() => {
  const page = document.querySelector('[data-live-stream]');
  if (!page || !window.EventSource) return;
  let stream = page.dataset.liveStream;
  const regionNamed = (name) => document.querySelector(`[data-live-region="${CSS.escape(name)}"]`);
  // The HTML each region shows, as served (before any island ran).
  const shown = new Map();
  for (const region of document.querySelectorAll('[data-live-region]')) {
    shown.set(region.dataset.liveRegion, region.innerHTML);
  }
  const waiting = new Map();
  const busy = (region) => region.contains(document.activeElement)
    || region.querySelector('details[open], .dragging, .is-picked') !== null;
  // The WASM is still starting: its own first pass hydrates what is there
  // (waited for up to 10 s; a page whose WASM never starts is swapped as HTML).
  const loadedAt = Date.now();
  const starting = () => window.__hydrateIsland && document.body.dataset.hydrated !== 'true'
    && Date.now() - loadedAt < 10000;
  const status = document.querySelector('[data-live-said]');
  const swap = (region, name, html) => {
    region.innerHTML = html;
    shown.set(name, html);
    hydrateIn(region);
  };
  const hydrateIn = (region) => {
    showCloseButtons(region);
    const hydrated = document.body.dataset.hydrated === 'true';
    for (const island of hydrated ? region.querySelectorAll('leptos-island') : []) {
      if (island.$$laurelHydrated) continue;
      island.$$laurelHydrated = true;
      try {
        window.__hydrateIsland?.(island, island.dataset.component);
      } catch (error) {
        console.error(error);
      }
    }
  };
  const settle = () => {
    if (starting()) { setTimeout(settle, 200); return; }
    let swapped = false;
    for (const [name, html] of waiting) {
      const region = regionNamed(name);
      if (region && busy(region)) continue;
      waiting.delete(name);
      if (!region) continue;
      swap(region, name, html);
      swapped = true;
    }
    if (swapped && status) {
      status.textContent = '';
      setTimeout(() => { status.textContent = status.dataset.liveSaid; }, 100);
    }
  };
  let reading = false;
  let again = false;
  let readPause = 1000;
  const read = async () => {
    if (reading) { again = true; return; }
    reading = true;
    do {
      again = false;
      try {
        const answer = await fetch(window.location.href, { headers: { Accept: 'text/html' } });
        if (!answer.ok) throw new Error(`${answer.status}`);
        const fresh = new DOMParser().parseFromString(await answer.text(), 'text/html');
        stream = fresh.querySelector('[data-live-stream]')?.dataset.liveStream ?? stream;
        for (const region of fresh.querySelectorAll('[data-live-region]')) {
          const name = region.dataset.liveRegion;
          if (shown.get(name) !== region.innerHTML) waiting.set(name, region.innerHTML);
          else waiting.delete(name);
        }
        readPause = 1000;
        settle();
      } catch {
        setTimeout(read, readPause);
        readPause = Math.min(readPause * 2, 60000);
        break;
      }
    } while (again);
    reading = false;
  };
  // Forms in place (inside data-in-place: the group dashboard's create, edit,
  // award, revoke, delete and reaction set): posted from here and the page read
  // back as the form's redirect leaves it. Its regions and toast are swapped
  // without a reload (a region in use elsewhere waits its turn), and focus goes
  // back to the card acted on (or the page's heading). A refusal is said above
  // the forms and the regions are brought up to date (part of a run may have
  // been done), keeping what was typed in a form outside them. A post that got
  // no answer is never sent again: the page says it failed. Without scripts
  // these are plain forms.
  const place = document.querySelector('[data-in-place][data-failed]');
  const say = (alert) => {
    document.querySelector('[data-in-place] > .alert')?.remove();
    place?.querySelector('h1')?.nextElementSibling?.after(alert);
    alert.tabIndex = -1;
    alert.focus();
  };
  const failed = () => {
    const alert = document.createElement('p');
    alert.className = 'alert';
    alert.setAttribute('role', 'alert');
    alert.textContent = place?.dataset.failed ?? '';
    say(alert);
  };
  const bringUpToDate = (fresh, own) => {
    for (const region of fresh.querySelectorAll('[data-live-region]')) {
      const name = region.dataset.liveRegion;
      const here = regionNamed(name);
      if (!here || shown.get(name) === region.innerHTML) { waiting.delete(name); continue; }
      if (here === own || !busy(here)) {
        swap(here, name, region.innerHTML);
        waiting.delete(name);
      } else {
        waiting.set(name, region.innerHTML);
      }
    }
    settle();
  };
  document.addEventListener('submit', async (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || form.method !== 'post' || !form.closest('[data-in-place]')) return;
    event.preventDefault();
    if (form.dataset.sending) return;
    form.dataset.sending = 'yes';
    const own = form.closest('[data-live-region]');
    const card = form.closest('[id^="achievement-"]')?.id;
    const data = new FormData(form);
    const body = form.enctype === 'multipart/form-data' ? data : new URLSearchParams(data);
    let fresh;
    let address;
    try {
      const answer = await fetch(form.action, { method: 'POST', body, headers: { Accept: 'text/html' } });
      if (!answer.ok) throw new Error(`${answer.status}`);
      fresh = new DOMParser().parseFromString(await answer.text(), 'text/html');
      address = new URL(answer.url);
    } catch {
      delete form.dataset.sending;
      failed();
      return;
    }
    delete form.dataset.sending;
    const refused = address.searchParams.has('error') || address.searchParams.has('__err')
      || !fresh.querySelector('[data-in-place]');
    if (refused) {
      const freshAlert = fresh.querySelector('[data-in-place] > .alert');
      if (freshAlert) say(freshAlert); else failed();
      bringUpToDate(fresh, null);
      return;
    }
    document.querySelector('[data-in-place] > .alert')?.remove();
    const dialog = form.closest('details');
    if (dialog) dialog.open = false;
    // A form outside the regions (create, the reaction set) is taken as the
    // page now serves it: emptied, or showing what was saved.
    if (!own) {
      const action = form.getAttribute('action');
      const twin = [...fresh.querySelectorAll('form')]
        .find((f) => f.getAttribute('action') === action && !f.closest('[data-live-region]'));
      if (twin) {
        form.innerHTML = twin.innerHTML;
        hydrateIn(form);
      }
    }
    bringUpToDate(fresh, own);
    const toast = fresh.querySelector('[data-toast]');
    document.querySelector('[data-toast]')?.remove();
    if (toast) {
      const text = toast.querySelector('.toast-text');
      const said = text?.textContent ?? '';
      if (text) text.textContent = '';
      document.body.append(toast);
      setTimeout(() => { if (text) text.textContent = said; }, 150);
      toast.querySelector('.toast-close')?.addEventListener('click', (e) => { e.preventDefault(); toast.remove(); });
      setTimeout(() => toast.remove(), 8000);
    }
    address.searchParams.delete('done');
    history.replaceState(history.state, '', address);
    const target = (card && document.querySelector(`#${CSS.escape(card)} .card-head h2`))
      || document.querySelector('[data-in-place] h1');
    if (target) {
      target.tabIndex = -1;
      target.focus();
    }
  });
  document.addEventListener('focusout', () => setTimeout(settle, 0));
  document.addEventListener('toggle', () => setTimeout(settle, 0), true);
  document.addEventListener('pointerup', () => setTimeout(settle, 50));
  document.addEventListener('keyup', () => setTimeout(settle, 0));
  // Every open copy of a page hears of a change at once: each reads the page
  // again within half a second, spread out, not all in the same instant.
  let openPause = 2000;
  const listen = () => {
    const source = new EventSource(stream);
    source.addEventListener('open', () => { openPause = 2000; });
    source.addEventListener('changed', () => { setTimeout(read, Math.random() * 500); });
    // EventSource retries a dropped connection itself, but not a refusal (a
    // restarting server's 503, the cap's 429): then it is opened again here.
    source.addEventListener('error', () => {
      if (source.readyState !== EventSource.CLOSED) return;
      setTimeout(listen, openPause * (1 + Math.random()));
      openPause = Math.min(openPause * 2, 60000);
    });
  };
  listen();
})();

// Bulk award (<section data-bulk-award>): the file goes up with a progress bar
// (the upload, then "checking" until the answer), the dry run's report shows
// line by line, and only then can it be applied; the report downloads as CSV.
// Without this script each button answers with the report as a CSV file.
(() => {
  const page = document.querySelector('[data-bulk-award]');
  const form = page?.querySelector('form.bulk-form');
  if (!page || !form) return;
  const box = page.querySelector('.bulk-progress');
  const bar = box.querySelector('progress');
  const result = page.querySelector('.bulk-result');
  const strings = () => JSON.parse(page.dataset.strings || '{}');
  const fill = (text, values) => String(text ?? '').replace(/\{(\w+)\}/g, (m, k) => (k in values ? String(values[k]) : m));
  // Applying waits for a check here: the direct button is for pages without scripts.
  for (const direct of page.querySelectorAll('.bulk-apply-direct, .bulk-no-script')) direct.remove();
  const label = box.querySelector('label');
  const sending = label?.textContent ?? '';
  const element = (tag, text, className) => {
    const node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    if (className) node.className = className;
    return node;
  };
  const send = (dryRun) => new Promise((resolve, reject) => {
    const data = new FormData(form);
    data.delete('format');
    data.set('dry_run', String(dryRun));
    const xhr = new XMLHttpRequest();
    xhr.open('POST', form.action);
    xhr.responseType = 'json';
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.upload.addEventListener('progress', (e) => {
      if (e.lengthComputable) bar.value = Math.round((100 * e.loaded) / e.total);
    });
    // Sent: the server checks (or applies) it now; the bar says "working".
    xhr.upload.addEventListener('load', () => bar.removeAttribute('value'));
    xhr.addEventListener('load', () => {
      bar.value = 100;
      if (xhr.status >= 200 && xhr.status < 300 && xhr.response) resolve(xhr.response);
      else reject(xhr.response);
    });
    xhr.addEventListener('error', () => reject(null));
    xhr.send(data);
  });
  const outcome = (t, line) => {
    if (line.outcome === 'duplicate') return fill(t.duplicate, { line: line.first_line });
    if (line.outcome === 'invalid') return line.reason ? `${t.invalid}: ${line.reason}` : t.invalid;
    return t[line.outcome] ?? line.outcome;
  };
  // The report as the REST API's `format=csv` writes it, cells a spreadsheet
  // could take for a formula quoted.
  const csv = (report) => {
    const cell = (value) => {
      let text = value === null || value === undefined ? '' : String(value);
      if (/^[=+\-@]/.test(text)) text = `'${text}`;
      return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
    };
    const rows = [['line', 'given', 'username', 'outcome', 'first_line', 'reason']];
    for (const l of report.lines) rows.push([l.line, l.given, l.username, l.outcome, l.first_line, l.reason]);
    return rows.map((row) => row.map(cell).join(',')).join('\r\n') + '\r\n';
  };
  const render = (report) => {
    const t = strings();
    result.replaceChildren();
    const summary = element('p', report.applied ? fill(t.applied, report.counts) : t.dry_run, 'bulk-summary');
    summary.tabIndex = -1;
    result.append(summary, element('p', fill(t.counts, report.counts), 'bulk-counts'));
    const actions = element('div', undefined, 'actions');
    if (!report.applied) {
      if (report.counts.award > 0) {
        const apply = element('button', fill(t.apply, report.counts), 'button primary bulk-apply');
        apply.type = 'button';
        apply.addEventListener('click', () => run(false));
        actions.append(apply);
      } else {
        result.append(element('p', t.nobody, 'muted'));
      }
    }
    const download = element('button', t.download, 'button bulk-download');
    download.type = 'button';
    download.addEventListener('click', () => {
      const link = element('a');
      link.href = URL.createObjectURL(new Blob([csv(report)], { type: 'text/csv' }));
      link.download = report.applied ? 'bulk-award-applied.csv' : 'bulk-award-check.csv';
      document.body.append(link);
      link.click();
      setTimeout(() => { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
    });
    actions.append(download);
    result.append(actions);
    const scroll = element('div', undefined, 'table-scroll');
    const table = element('table', undefined, 'bulk-report');
    table.append(element('caption', t.report));
    const head = table.createTHead().insertRow();
    for (const name of [t.line, t.given, t.person, t.outcome]) {
      const th = element('th', name);
      th.scope = 'col';
      head.append(th);
    }
    const body = table.createTBody();
    for (const line of report.lines) {
      const row = body.insertRow();
      row.append(element('td', String(line.line)), element('td', line.given), element('td', line.username ? `@${line.username}` : ''));
      row.append(element('td', outcome(t, line), `outcome ${line.outcome}`));
    }
    scroll.append(table);
    result.append(scroll);
    summary.focus();
  };
  const run = async (dryRun) => {
    if (form.dataset.sending) return;
    form.dataset.sending = 'yes';
    box.hidden = false;
    bar.value = 0;
    if (label) label.textContent = sending;
    for (const button of page.querySelectorAll('button')) button.disabled = true;
    try {
      render(await send(dryRun));
    } catch (body) {
      const said = body && (body.message ?? body.error);
      const message = typeof said === 'string' ? said : Array.isArray(said) ? said.join(' ') : '';
      result.replaceChildren(element('p', fill(strings().failed, { message }), 'alert'));
      result.firstChild.setAttribute('role', 'alert');
    } finally {
      if (label) label.textContent = strings().done ?? sending;
      delete form.dataset.sending;
      for (const button of page.querySelectorAll('button')) button.disabled = false;
    }
  };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    run(true);
  });
  // Another file: what was checked no longer applies.
  form.querySelector('input[type=file]')?.addEventListener('change', () => result.replaceChildren());
})();
