// pages/linkedin.js - a LinkedIn-like share box on the real Quill editor (LinkedIn's editor), for the e2e tests.
import Quill from 'quill';

window.__posted = [];
window.__attempts = 0; // every time the site's own post action runs, even on an empty box
const quill = new Quill('#share-editor', { placeholder: 'What do you want to talk about?', modules: { toolbar: false } });
quill.root.setAttribute('aria-label', 'Text editor for creating content');
quill.root.setAttribute('role', 'textbox');
// Quill always ends its text with one newline that nobody typed.
const text = () => quill.getText().replace(/\n$/, '');
window.__editorText = text;

const button = document.querySelector('.share-actions__primary-action');
const sync = () => { button.disabled = text().trim() === ''; };
quill.on('text-change', sync);
sync();
button.addEventListener('click', () => {
  window.__attempts++;
  const t = text();
  if (!t.trim()) return;
  window.__posted.push(t);
  quill.setText('');
});
window.__ready = true;
