// pages/facebook.js - a Facebook-like composer on the real Lexical editor (Facebook's editor), for the e2e tests.
// The "Post" control is a div with role=button, as on facebook.com.
import { createEditor, $getRoot } from 'lexical';
import { registerRichText } from '@lexical/rich-text';

window.__posted = [];
window.__attempts = 0; // every time the site's own post action runs, even on an empty box
const root = document.querySelector('[data-lexical-editor]');
const editor = createEditor({ namespace: 'composer', onError: (e) => { throw e; } });
editor.setRootElement(root);
registerRichText(editor);

// One line per paragraph, as typed (Lexical's own getTextContent() puts a blank line between paragraphs).
const text = () => editor.getEditorState().read(() => $getRoot().getChildren().map((p) => p.getTextContent()).join('\n'));
window.__editorText = text;

const placeholder = document.querySelector('.placeholder');
const button = document.querySelector('[aria-label="Post"]');
editor.registerUpdateListener(() => {
  const empty = text() === '';
  placeholder.hidden = !empty;
  button.setAttribute('aria-disabled', empty ? 'true' : 'false');
});
button.addEventListener('click', () => {
  window.__attempts++;
  const t = text();
  if (!t.trim()) return;
  window.__posted.push(t);
  editor.update(() => { $getRoot().clear(); }); // the composer empties after posting
});
window.__ready = true;
