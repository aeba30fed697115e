import DOMPurify from 'dompurify';
import { marked } from 'marked';

/**
 * Every HTML string the page inserts passes through here (B9): markdown output and `text/html`
 * chunks alike. DOMPurify drops scripts and event-handler attributes; we also drop the tags and
 * attributes that could frame, submit or restyle the page (the CSP would block inline styles anyway).
 */
const PURIFY_OPTIONS = {
  FORBID_TAGS: ['style', 'iframe', 'frame', 'frameset', 'object', 'embed', 'form', 'base', 'link', 'meta'],
  FORBID_ATTR: ['style', 'srcset', 'action', 'formaction'],
  ALLOW_DATA_ATTR: false,
};

// Links in chunks open in a new tab and never hand over the page (no opener, no referrer).
DOMPurify.addHook('afterSanitizeAttributes', (node) => {
  if (node instanceof HTMLAnchorElement && node.hasAttribute('href')) {
    node.setAttribute('target', '_blank');
    node.setAttribute('rel', 'noopener noreferrer');
  }
});

export function sanitizeHtml(html: string): string {
  return DOMPurify.sanitize(html, PURIFY_OPTIONS);
}

export function renderMarkdown(markdown: string): string {
  return sanitizeHtml(marked.parse(markdown, { async: false, gfm: true }));
}
