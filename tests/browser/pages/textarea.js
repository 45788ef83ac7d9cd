// pages/textarea.js - a plain textarea compose box, for the e2e tests.
window.__posted = [];
window.__attempts = 0; // every time the site's own post action runs, even on an empty box
const area = document.querySelector('textarea');
const button = document.querySelector('#post');
window.__editorText = () => area.value;
area.addEventListener('input', () => { button.disabled = area.value.trim() === ''; });
button.addEventListener('click', () => {
  window.__attempts++;
  if (!area.value.trim()) return;
  window.__posted.push(area.value);
  area.value = '';
  button.disabled = true;
});
window.__ready = true;
