// Submits the language switcher when a language is picked. A file of its own:
// the pages' Content-Security-Policy allows no inline event handlers.
document.addEventListener('change', (event) => {
  const select = event.target;
  if (select instanceof HTMLSelectElement && select.id === 'lang-select' && select.form) {
    select.form.submit();
  }
});
