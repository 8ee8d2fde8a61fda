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
