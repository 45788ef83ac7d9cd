// pages/x.jsx - an X-like compose box on the real Draft.js editor (X's editor), for the e2e tests.
// The Post button is data-testid="tweetButtonInline", disabled while empty; Ctrl/Cmd+Enter posts too.
import React from 'react';
import ReactDOM from 'react-dom';
import { Editor, EditorState, getDefaultKeyBinding } from 'draft-js';

window.__posted = [];
window.__attempts = 0; // every time the site's own post action runs, even on an empty box

class Compose extends React.Component {
  constructor(props) {
    super(props);
    this.state = { editorState: EditorState.createEmpty() };
    this.editor = React.createRef();
    window.__editorText = () => this.state.editorState.getCurrentContent().getPlainText();
  }
  onChange = (editorState) => this.setState({ editorState });
  post = () => {
    window.__attempts++;
    const text = this.state.editorState.getCurrentContent().getPlainText();
    if (!text.trim()) return;
    window.__posted.push(text);
    this.setState({ editorState: EditorState.createEmpty() }); // X clears the box after posting
  };
  keyBinding = (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) return 'pg-post';
    return getDefaultKeyBinding(e);
  };
  handleKeyCommand = (command) => {
    if (command === 'pg-post') { this.post(); return 'handled'; }
    return 'not-handled';
  };
  render() {
    const empty = !this.state.editorState.getCurrentContent().hasText();
    return (
      <div className="compose">
        <div className="avatar" aria-hidden="true">Dr</div>
        <div className="body">
          <div className="DraftEditor-wrap" data-testid="tweetTextarea_0RichTextInputContainer">
            <Editor
              ref={this.editor}
              editorState={this.state.editorState}
              onChange={this.onChange}
              keyBindingFn={this.keyBinding}
              handleKeyCommand={this.handleKeyCommand}
              placeholder="What is happening?!"
              ariaLabel="Post text"
              ariaMultiline={true}
              role="textbox"
              spellCheck={true}
              webDriverTestID="tweetTextarea_0"
            />
          </div>
          <div className="toolbar">
            <span className="icons" aria-hidden="true">🖼️ 📊 😊 📍</span>
            <button type="button" role="button" data-testid="tweetButtonInline"
                    disabled={empty} aria-disabled={empty ? 'true' : undefined}
                    onClick={this.post}>
              <span>Post</span>
            </button>
          </div>
        </div>
      </div>
    );
  }
}

ReactDOM.render(<Compose />, document.getElementById('react-root'));
window.__ready = true;
